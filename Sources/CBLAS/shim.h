// Debian's libopenblas-dev installs cblas.h through alternatives; the OpenBLAS
// extensions (thread count, core name) are declared there as well.
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
