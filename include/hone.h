/*
 * hone.h: the stable C API of Hone, a hyperparameter-optimization engine for
 * neural networks. This header is the only public C surface of libhone.so.
 *
 * Conventions (after sqlite3.h and lua.h):
 *   - every name starts with hone_ or HONE_;
 *   - objects are opaque handles, released by their NULL-safe *_free / *_close;
 *   - calls return a hone_status; HONE_OK is 0; on failure hone_errmsg() gives
 *     the message for the last failure on the calling thread;
 *   - outputs come through pointer arguments placed last;
 *   - memory the library allocates is freed only by the library's free functions.
 *
 * Compiles as C99 (-Wall -Wextra -pedantic) and as C++.
 */
#ifndef HONE_H
#define HONE_H

#ifdef __cplusplus
extern "C" {
#endif

#define HONE_VERSION_MAJOR 0
#define HONE_VERSION_MINOR 1
#define HONE_VERSION_PATCH 0
#define HONE_VERSION_STRING "0.1.0"
/* Bumped when a change breaks binary compatibility; it is the SONAME's suffix. */
#define HONE_ABI_VERSION 0

/* The library's version as "MAJOR.MINOR.PATCH". Static storage; never free it.
 * Thread-safe. Compare with HONE_VERSION_STRING to detect a header/library mismatch. */
const char *hone_version(void);

/* The library's ABI version; equal to HONE_ABI_VERSION when header and library match.
 * Thread-safe. */
int hone_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* HONE_H */
