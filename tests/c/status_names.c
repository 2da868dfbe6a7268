/* The header's status constants equal the library's, and header and library agree on
 * the version. */
#include "check.h"

int main(void) {
    struct { hone_status code; const char *name; } all[] = {
        {HONE_OK, "HONE_OK"}, {HONE_ERROR, "HONE_ERROR"}, {HONE_MISUSE, "HONE_MISUSE"},
        {HONE_INVALID_ARGUMENT, "HONE_INVALID_ARGUMENT"}, {HONE_NOT_FOUND, "HONE_NOT_FOUND"},
        {HONE_EXISTS, "HONE_EXISTS"}, {HONE_WRONG_STATE, "HONE_WRONG_STATE"}, {HONE_STORAGE, "HONE_STORAGE"},
        {HONE_IO, "HONE_IO"}, {HONE_SCRIPT, "HONE_SCRIPT"}, {HONE_PRUNED, "HONE_PRUNED"},
        {HONE_INTERRUPTED, "HONE_INTERRUPTED"}, {HONE_NO_RESULT, "HONE_NO_RESULT"},
    };
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        const char *got = hone_status_name(all[i].code);
        REQUIRE(got != NULL);
        if (strcmp(got, all[i].name) != 0) {
            fprintf(stderr, "hone_status_name(%d) = %s, header says %s\n", all[i].code, got, all[i].name);
            check_failures++;
        }
    }
    CHECK(strcmp(hone_status_name(-1), "HONE_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(hone_status_name((hone_status)n), "HONE_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(hone_status_name(1 << 30), "HONE_UNKNOWN_STATUS") == 0);
    CHECK(HONE_OK == 0);

    CHECK(strcmp(hone_version(), HONE_VERSION_STRING) == 0);
    CHECK(hone_abi_version() == HONE_ABI_VERSION);
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", HONE_VERSION_MAJOR, HONE_VERSION_MINOR, HONE_VERSION_PATCH);
    CHECK(strcmp(expected, HONE_VERSION_STRING) == 0);

    /* Before any failure the message is empty, never NULL; hone_free(NULL) is fine. */
    CHECK(hone_errmsg() != NULL && hone_errmsg()[0] == '\0');
    hone_free(NULL);
    return check_done("status_names");
}
