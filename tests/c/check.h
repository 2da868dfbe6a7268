/* Assertions for the native tests (the programs in tests/c): each failure prints where and why,
 * including hone_errmsg(), and the program exits 1 at the end (or at once for REQUIRE). */
#ifndef HONE_TEST_CHECK_H
#define HONE_TEST_CHECK_H

#include <hone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures = 0;

#define CHECK(cond) do { if (!(cond)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s (errmsg: %s)\n", __FILE__, __LINE__, #cond, hone_errmsg()); } } while (0)

#define REQUIRE(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: REQUIRE failed: %s (errmsg: %s)\n", __FILE__, __LINE__, #cond, hone_errmsg()); \
    exit(1); } } while (0)

/* A call that must succeed. */
#define OK(call) do { hone_status s_ = (call); if (s_ != HONE_OK) { \
    fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #call, hone_status_name(s_), hone_errmsg()); \
    exit(1); } } while (0)

/* A call that must fail with `expected` and leave a non-empty message. */
#define FAILS(expected, call) do { hone_status s_ = (call); \
    if (s_ != (expected)) { check_failures++; \
        fprintf(stderr, "%s:%d: %s returned %s, expected %s (errmsg: %s)\n", __FILE__, __LINE__, #call, \
                hone_status_name(s_), hone_status_name(expected), hone_errmsg()); } \
    else if (hone_errmsg()[0] == '\0') { check_failures++; \
        fprintf(stderr, "%s:%d: %s failed with an empty hone_errmsg()\n", __FILE__, __LINE__, #call); } } while (0)

/* FAILS, and the message mentions `needle`. */
#define FAILS_WITH(expected, needle, call) do { FAILS(expected, call); \
    if (strstr(hone_errmsg(), (needle)) == NULL) { check_failures++; \
        fprintf(stderr, "%s:%d: message of %s lacks \"%s\": %s\n", __FILE__, __LINE__, #call, (needle), hone_errmsg()); } } while (0)

static inline int check_done(const char *name) {
    if (check_failures) { fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures); return 1; }
    printf("%s: ok\n", name);
    return 0;
}

/* Counts occurrences of `needle` in `haystack` (loose JSON checks). */
static inline int count_of(const char *haystack, const char *needle) {
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + len, needle)) n++;
    return n;
}

#endif
