/* Storage URLs from C follow SQLAlchemy's rules (as Optuna's storage=): sqlite:///rel.db is
 * ./rel.db, sqlite:////abs.db an absolute path, +driver suffixes are accepted, and a
 * three-slash URL written for Hone < 0.3.0 (an absolute path) gets an error saying how to
 * write it now. Runs in a fresh temporary directory (tests/native/run.sh). */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* Opens url, stores one complete trial in study `name`, closes. */
static void one_trial(const char *url, const char *name) {
    hone_study *study;
    hone_trial *trial;
    double x;
    OK(hone_study_open(url, name, "{\"seed\": 3}", &study));
    OK(hone_study_ask(study, &trial));
    OK(hone_trial_suggest_float(trial, "x", 0, 1, 0, 0, &x));
    OK(hone_study_tell(study, trial, HONE_TRIAL_COMPLETE, &x, 1));
    hone_trial_free(trial);
    hone_study_close(study);
}

static int64_t trials_in(const char *url, const char *name) {
    hone_study *study;
    int64_t n = -1;
    OK(hone_study_open(url, name, NULL, &study));
    OK(hone_study_trial_count(study, NULL, &n));
    hone_study_close(study);
    return n;
}

int main(void) {
    char cwd[4096], url[4200], path[4200];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);

    /* Three slashes: relative to the working directory (Optuna's README: sqlite:///db.sqlite3). */
    one_trial("sqlite:///relative.db", "rel");
    CHECK(exists("relative.db"));
    /* The same file by Hone's shorthand and by the absolute four-slash spelling. */
    one_trial("sqlite:relative.db", "rel");
    snprintf(url, sizeof url, "sqlite:///%s/relative.db", cwd);   /* cwd starts with '/': four slashes */
    CHECK(trials_in(url, "rel") == 2);

    /* Four slashes: absolute. */
    REQUIRE(mkdir("sub", 0700) == 0);
    snprintf(url, sizeof url, "sqlite:////%s/sub/absolute.db", cwd + 1);
    one_trial(url, "abs");
    snprintf(path, sizeof path, "%s/sub/absolute.db", cwd);
    CHECK(exists(path));
    CHECK(trials_in("sqlite:///sub/absolute.db", "abs") == 1);

    /* A +driver suffix names the Python driver SQLAlchemy would use; Hone ignores it. */
    CHECK(trials_in("sqlite+pysqlite:///sub/absolute.db", "abs") == 1);

    /* A URL written for the old rule: /no-such-folder/x.db was meant; ./no-such-folder is
     * missing, so the error explains three slashes and suggests four. */
    {
        hone_study *study;
        FAILS_WITH(HONE_INVALID_ARGUMENT, "write sqlite:////no-such-folder/x.db (four slashes)",
                   hone_study_open("sqlite:///no-such-folder/x.db", "old", NULL, &study));
        CHECK(strstr(hone_errmsg(), "relative path no-such-folder/x.db") != NULL);
        CHECK(!exists("no-such-folder"));
    }
    return check_done("storage_urls");
}
