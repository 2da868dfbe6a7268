// Debian's libopenblas-dev installs cblas.h through alternatives; the OpenBLAS
// extensions (thread count, core name) are declared there as well.
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);

/* LAPACK, from the same OpenBLAS library (Debian's libopenblas0 carries it; there is no
 * LAPACKE header). Fortran calling convention: every argument by reference, column-major
 * matrices, 32-bit integers (Debian's LP64 build), and gfortran's hidden lengths of the
 * character arguments at the end. */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
