/* Bad data-set arguments come back as an error status with a message naming the
 * argument, never as a crash, in every build. HoneData is compiled with -Ounchecked in
 * release builds, where `precondition` is not evaluated: the synthetic data sets'
 * checks (Synthetic.spirals/moons/blobs, reached from Lua's hone.dataset { synthetic = … }
 * through hone_script_run) are tried with counts and classes on both sides of their
 * bounds, and hone_dataset_* calls with bad sizes, labels and split fractions. Run it
 * against a release build too: tests/native/release.sh. */
#include "check.h"
#include <math.h>

static int cases = 0;

/* A study script whose top level builds `dataset` (a Lua table constructor) must fail
 * with HONE_SCRIPT, the script's name and `needle` in the message. */
static void script_refused(const char *dataset, const char *needle) {
    FILE *f = fopen("data.lua", "w");
    REQUIRE(f);
    fprintf(f, "study { trials = 1 }\nlocal data = hone.dataset %s\nfunction objective(trial) return 1 end\n", dataset);
    fclose(f);
    hone_status s = hone_script_run("data.lua", "{\"storage\": \"memory:\"}", NULL);
    cases++;
    if (s != HONE_SCRIPT) {
        check_failures++;
        fprintf(stderr, "hone.dataset %s: got %s, expected HONE_SCRIPT (errmsg: %s)\n", dataset, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL || strstr(hone_errmsg(), "data.lua:2") == NULL) {
        check_failures++;
        fprintf(stderr, "hone.dataset %s: message lacks \"%s\" or data.lua:2: %s\n", dataset, needle, hone_errmsg());
    }
}

static void script_accepted(const char *dataset) {
    FILE *f = fopen("data.lua", "w");
    REQUIRE(f);
    fprintf(f, "study { trials = 1 }\nlocal data = hone.dataset %s\nfunction objective(trial) return data.samples end\n", dataset);
    fclose(f);
    hone_status s = hone_script_run("data.lua", "{\"storage\": \"memory:\"}", NULL);
    if (s != HONE_OK) {
        check_failures++;
        fprintf(stderr, "hone.dataset %s: got %s, expected HONE_OK (errmsg: %s)\n", dataset, hone_status_name(s), hone_errmsg());
    }
}

int main(void) {
    /* Synthetic data sets, read by the spec layer (DataSpec): count in [1, 5e7], classes in [2, 2^20]. */
    script_refused("{ synthetic = 'spirals', count = -1 }", "\"count\"");
    script_refused("{ synthetic = 'spirals', count = 10, classes = 0 }", "\"classes\"");
    script_refused("{ synthetic = 'spirals', count = 10, classes = -3 }", "\"classes\"");
    script_refused("{ synthetic = 'spirals', count = 10, classes = 1 << 40 }", "\"classes\"");
    script_refused("{ synthetic = 'spirals', count = 1 << 40 }", "\"count\"");
    script_refused("{ synthetic = 'spirals', count = math.maxinteger }", "\"count\"");
    script_refused("{ synthetic = 'moons', count = -5 }", "\"count\"");
    script_refused("{ synthetic = 'moons', count = math.mininteger }", "\"count\"");
    script_refused("{ synthetic = 'moons', count = 1 << 62 }", "\"count\"");
    script_refused("{ synthetic = 'blobs', count = -1 }", "\"count\"");
    script_refused("{ synthetic = 'blobs', count = 10, classes = 0 }", "\"classes\"");
    script_refused("{ synthetic = 'blobs', count = 10, classes = -1 }", "\"classes\"");
    script_refused("{ synthetic = 'blobs', count = 10, classes = 1 << 30 }", "\"classes\"");
    script_refused("{ synthetic = 'moons', count = 1.5 }", "\"count\"");
    script_refused("{ synthetic = 'waves', count = 10 }", "waves");
    script_refused("{ synthetic = 'spirals', count = 0, classes = 1 }", "\"count\"");
    script_refused("{ synthetic = 'spirals', count = 10, classes = 1 }", "\"classes\"");
    script_accepted("{ synthetic = 'spirals', count = 2, classes = 2 }");
    script_accepted("{ synthetic = 'moons', count = 1 }");
    script_accepted("{ synthetic = 'blobs', count = 3, classes = 2 }");

    /* hone_dataset_from_arrays: sizes and labels. */
    float x[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, y[6] = {0, 1, 0, 1, 0, 1};
    hone_dataset *d = NULL;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_features", hone_dataset_from_arrays(x, 6, 0, y, 2, &d));
    y[3] = 2;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "2", hone_dataset_from_arrays(x, 6, 2, y, 2, &d));
    y[3] = -1;
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, 6, 2, y, 2, &d));
    y[3] = 0.5f;
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, 6, 2, y, 2, &d));
    y[3] = NAN;
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, 6, 2, y, 2, &d));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, 6, 2, y, 0, &d));   /* a NaN regression target */
    y[3] = 1;
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, (size_t)1 << 62, 4, y, 2, &d));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, 6, 2, y, 1, &d));   /* one class */
    cases += 8;

    /* hone_dataset_split: validation_fraction in (0, 1). */
    hone_dataset *all = NULL, *train = NULL, *val = NULL;
    OK(hone_dataset_from_arrays(x, 6, 2, y, 2, &all));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "fraction", hone_dataset_split(all, -0.25, 1, &train, &val));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "fraction", hone_dataset_split(all, 1.5, 1, &train, &val));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "fraction", hone_dataset_split(all, NAN, 1, &train, &val));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "fraction", hone_dataset_split(all, INFINITY, 1, &train, &val));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_split(all, 0, 1, &train, &val));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_split(all, 1, 1, &train, &val));
    cases += 6;
    CHECK(train == NULL && val == NULL);
    OK(hone_dataset_split(all, 0.5, 1, &train, &val));
    hone_dataset_free(train);
    hone_dataset_free(val);
    hone_dataset_free(all);

    /* hone_dataset_load: options. */
    FILE *f = fopen("t.csv", "w");
    REQUIRE(f);
    fputs("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n", f);
    fclose(f);
    FAILS_WITH(HONE_INVALID_ARGUMENT, "max_samples", hone_dataset_load("t.csv", "{\"target\": \"label\", \"max_samples\": -1}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "max_samples", hone_dataset_load("t.csv", "{\"target\": \"label\", \"max_samples\": 0.5}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "task", hone_dataset_load("t.csv", "{\"target\": \"label\", \"task\": \"clustering\"}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "target", hone_dataset_load("t.csv", "{\"target\": 3}", &d));
    cases += 4;

    /* Generated data (name_or_path ""), read by the same DataSpec as Lua's hone.dataset. */
    {
        hone_dataset *spirals = NULL, *again = NULL;
        char *info = NULL;
        OK(hone_dataset_load("", "{\"synthetic\": \"spirals\", \"count\": 120, \"classes\": 3, \"seed\": 4}", &spirals));
        OK(hone_dataset_info_json(spirals, &info));
        CHECK(strstr(info, "\"samples\":120") != NULL && strstr(info, "\"classes\":3") != NULL);
        hone_free(info);
        OK(hone_dataset_load("", "{\"synthetic\": \"moons\", \"count\": 50, \"max_samples\": 10}", &again));
        OK(hone_dataset_info_json(again, &info));
        CHECK(strstr(info, "\"samples\":10") != NULL);
        hone_free(info);
        hone_dataset_free(spirals);
        hone_dataset_free(again);
    }
    FAILS_WITH(HONE_INVALID_ARGUMENT, "synthetic", hone_dataset_load("", "{\"synthetic\": \"circles\"}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "required", hone_dataset_load("", NULL, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "not both", hone_dataset_load("t.csv", "{\"synthetic\": \"moons\"}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "first argument", hone_dataset_load("t.csv", "{\"name\": \"u.csv\"}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "\"count\"", hone_dataset_load("", "{\"synthetic\": \"moons\", \"count\": 1e15}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "no test part", hone_dataset_load("t.csv", "{\"target\": \"label\", \"part\": \"test\"}", &d));
    cases += 6;

    fprintf(stderr, "%d bad inputs tried\n", cases);
    return check_done("checks_data");
}
