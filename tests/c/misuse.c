/* Misuse of the study/trial API never crashes the host: NULL for every pointer argument,
 * closed and freed handles, handles of the wrong kind, wild pointers, wrong states and
 * hostile strings all come back as error statuses with a message. */
#include "check.h"
#include <math.h>
#include <stdint.h>

static hone_status objective_x(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x;
    hone_status s = hone_trial_suggest_float(trial, "x", 0, 1, 0, 0, &x);
    (void)n_values;
    if (s != HONE_OK) return s;
    values[0] = x;
    *(hone_trial **)userdata = trial;   /* kept to check it is retired after the call */
    return HONE_OK;
}

static hone_status returns_io(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    (void)trial; (void)userdata; (void)values; (void)n_values;
    return HONE_IO;
}

static hone_status returns_nan(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    (void)trial; (void)userdata; (void)n_values;
    values[0] = NAN;
    return HONE_OK;
}

static hone_status frees_its_trial(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    int64_t n;
    (void)userdata; (void)n_values;
    hone_trial_free(trial);   /* not the caller's to free: ignored */
    values[0] = 1;
    return hone_trial_number(trial, &n);
}

static hone_status never_called(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    (void)trial; (void)userdata; (void)values; (void)n_values;
    return HONE_ERROR;
}

#define STUDY_CALLS 1
#define TRIAL_CALLS 2
#define ALL_CALLS 3

/* Every study function (with `s`) and/or trial function (with `t`): each must give `expected`. */
static void all_calls_fail(hone_study *s, hone_trial *t, int which, hone_status expected, const char *what) {
    const char *name = NULL;
    size_t n = 0;
    hone_trial *trial = NULL;
    double d = 0, v = 1;
    int64_t i = 0;
    int flag = 0;
    char *text = NULL;
    const char *choices[] = {"a", "b"};
    fprintf(stderr, "-- %s\n", what);
    if (which & STUDY_CALLS) {
        FAILS(expected, hone_study_name(s, &name));
        FAILS(expected, hone_study_n_objectives(s, &n));
        FAILS(expected, hone_study_ask(s, &trial));
        FAILS(expected, hone_study_tell_number(s, 0, HONE_TRIAL_COMPLETE, &v, 1));
        FAILS(expected, hone_study_optimize(s, objective_x, &trial, 1, 0, 1));
        FAILS(expected, hone_study_optimize_named(s, "nothing", 1, 0, 1));
        FAILS(expected, hone_study_stop(s));
        FAILS(expected, hone_study_enqueue(s, "{}", NULL));
        FAILS(expected, hone_study_best_value(s, &d));
        FAILS(expected, hone_study_best_trial_json(s, &text));
        FAILS(expected, hone_study_best_params_json(s, &text));
        FAILS(expected, hone_study_trials_json(s, NULL, &text));
        FAILS(expected, hone_study_trial_count(s, NULL, &i));
        FAILS(expected, hone_study_set_user_attr(s, "k", "1"));
        FAILS(expected, hone_study_attrs_json(s, &text));
        FAILS(expected, hone_study_copy_trials(s, s, NULL));
        hone_study_close(s);   /* a no-op for anything but a live study */
    }
    if (which & TRIAL_CALLS) {
        FAILS(expected, hone_trial_number(t, &i));
        FAILS(expected, hone_trial_suggest_float(t, "x", 0, 1, 0, 0, &d));
        FAILS(expected, hone_trial_suggest_int(t, "i", 0, 9, 1, 0, &i));
        FAILS(expected, hone_trial_suggest_categorical(t, "c", choices, 2, &n));
        FAILS(expected, hone_trial_report(t, 0, 1.0));
        FAILS(expected, hone_trial_report_values(t, 0, &v, 1));
        FAILS(expected, hone_trial_should_prune(t, &flag));
        FAILS(expected, hone_trial_set_user_attr(t, "k", "1"));
        FAILS(expected, hone_trial_set_fail_reason(t, "r"));
        FAILS(expected, hone_trial_params_json(t, &text));
        hone_trial_free(t);    /* a no-op for anything but a live trial */
    }
    CHECK(text == NULL && trial == NULL && name == NULL);   /* outputs untouched on failure */
}

static void null_arguments(hone_study *s, hone_trial *t) {
    hone_study *out_study = (hone_study *)0x1;
    double d, v = 1;
    int64_t i;
    size_t n;

    char *text;
    const char *choices[] = {"a", "b"};
    const char *with_null[] = {"a", NULL};

    FAILS(HONE_MISUSE, hone_study_open(NULL, "n", NULL, &out_study));
    FAILS(HONE_MISUSE, hone_study_open("memory:", "n", NULL, NULL));
    CHECK(out_study == (hone_study *)0x1);
    FAILS(HONE_MISUSE, hone_study_name(s, NULL));
    FAILS(HONE_MISUSE, hone_study_n_objectives(s, NULL));
    FAILS(HONE_MISUSE, hone_study_ask(s, NULL));
    FAILS(HONE_MISUSE, hone_study_tell(s, NULL, HONE_TRIAL_COMPLETE, &v, 1));
    FAILS(HONE_MISUSE, hone_study_tell(NULL, t, HONE_TRIAL_COMPLETE, &v, 1));
    FAILS(HONE_MISUSE, hone_study_tell(s, t, HONE_TRIAL_COMPLETE, NULL, 1));
    FAILS(HONE_MISUSE, hone_study_tell_number(s, 0, HONE_TRIAL_COMPLETE, NULL, 1));
    FAILS(HONE_MISUSE, hone_study_optimize(s, NULL, NULL, 1, 0, 1));
    FAILS(HONE_MISUSE, hone_study_optimize_named(s, NULL, 1, 0, 1));
    FAILS(HONE_MISUSE, hone_study_enqueue(s, NULL, NULL));
    FAILS(HONE_MISUSE, hone_study_best_value(s, NULL));
    FAILS(HONE_MISUSE, hone_study_best_trial_json(s, NULL));
    FAILS(HONE_MISUSE, hone_study_best_params_json(s, NULL));
    FAILS(HONE_MISUSE, hone_study_trials_json(s, NULL, NULL));
    FAILS(HONE_MISUSE, hone_study_trial_count(s, NULL, NULL));
    FAILS(HONE_MISUSE, hone_study_set_user_attr(s, NULL, "1"));
    FAILS(HONE_MISUSE, hone_study_set_user_attr(s, "k", NULL));
    FAILS(HONE_MISUSE, hone_study_attrs_json(s, NULL));
    FAILS(HONE_MISUSE, hone_study_copy_trials(s, NULL, NULL));
    FAILS(HONE_MISUSE, hone_study_copy_trials(NULL, s, NULL));
    FAILS(HONE_MISUSE, hone_storage_studies_json(NULL, &text));
    FAILS(HONE_MISUSE, hone_storage_studies_json("memory:", NULL));
    FAILS(HONE_MISUSE, hone_storage_delete_study(NULL, "x"));
    FAILS(HONE_MISUSE, hone_storage_delete_study("memory:", NULL));

    FAILS(HONE_MISUSE, hone_trial_number(t, NULL));
    FAILS(HONE_MISUSE, hone_trial_suggest_float(t, NULL, 0, 1, 0, 0, &d));
    FAILS(HONE_MISUSE, hone_trial_suggest_float(t, "x", 0, 1, 0, 0, NULL));
    FAILS(HONE_MISUSE, hone_trial_suggest_int(t, NULL, 0, 1, 1, 0, &i));
    FAILS(HONE_MISUSE, hone_trial_suggest_int(t, "i", 0, 1, 1, 0, NULL));
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical(t, NULL, choices, 2, &n));
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical(t, "c", NULL, 2, &n));
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical(t, "c", with_null, 2, &n));
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical(t, "c", choices, 2, NULL));
    FAILS(HONE_MISUSE, hone_trial_report_values(t, 0, NULL, 1));
    FAILS(HONE_MISUSE, hone_trial_should_prune(t, NULL));
    FAILS(HONE_MISUSE, hone_trial_set_user_attr(t, NULL, "1"));
    FAILS(HONE_MISUSE, hone_trial_set_user_attr(t, "k", NULL));
    FAILS(HONE_MISUSE, hone_trial_params_json(t, NULL));
    OK(hone_trial_set_fail_reason(t, NULL));   /* NULL clears: allowed */

    all_calls_fail(NULL, NULL, ALL_CALLS, HONE_MISUSE, "NULL handles");
    FAILS(HONE_MISUSE, hone_trial_number(NULL, &i));
    hone_study_close(NULL);
    hone_trial_free(NULL);
}

static void bad_values(hone_study *s, hone_trial *t) {
    hone_study *other = NULL;
    double d, v = 1, two[2] = {1, 2}, nan_value = NAN, inf_value = INFINITY;
    int64_t i;
    size_t n;
    const char *choices[] = {"a", "b"};
    const char *dup[] = {"a", "a"};
    const char *bad_utf8[] = {"a", "\xff\xfe"};
    char *text;

    /* Open options. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "not valid JSON", hone_study_open("memory:", "x", "{\"seed\": ", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "must be a JSON object", hone_study_open("memory:", "x", "[1, 2]", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "directoin", hone_study_open("memory:", "x", "{\"directoin\": \"minimize\"}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "direction", hone_study_open("memory:", "x", "{\"direction\": \"up\"}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "direction", hone_study_open("memory:", "x", "{\"direction\": 1}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "directions", hone_study_open("memory:", "x", "{\"directions\": []}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "seed", hone_study_open("memory:", "x", "{\"seed\": -1}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "seed", hone_study_open("memory:", "x", "{\"seed\": 1.5}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "seed", hone_study_open("memory:", "x", "{\"seed\": \"7\"}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "seed", hone_study_open("memory:", "x", "{\"seed\": 1e300}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "mode", hone_study_open("memory:", "x", "{\"mode\": \"replace\"}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "heartbeat_s", hone_study_open("memory:", "x", "{\"heartbeat_s\": -3}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "nosuch", hone_study_open("memory:", "x", "{\"sampler\": \"nosuch\"}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_startup", hone_study_open("memory:", "x", "{\"sampler\": {\"name\": \"tpe\", \"n_startup\": 3}}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_startup_trials", hone_study_open("memory:", "x", "{\"sampler\": {\"name\": \"tpe\", \"n_startup_trials\": -3}}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "max_resource", hone_study_open("memory:", "x", "{\"pruner\": \"asha\"}", &other));
    /* Absurd sizes would exhaust memory or time: refused up front. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "population_size", hone_study_open("memory:", "x", "{\"sampler\": {\"name\": \"cmaes\", \"population_size\": 1e12}}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_ei_candidates", hone_study_open("memory:", "x", "{\"sampler\": {\"name\": \"tpe\", \"n_ei_candidates\": 1e12}}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "max_resource", hone_study_open("memory:", "x", "{\"pruner\": {\"name\": \"hyperband\", \"max_resource\": 1e15}}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "pruner", hone_study_open("memory:", "x", "{\"pruner\": 5}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "storage", hone_study_open("ftp://nowhere", "x", NULL, &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_study_open("memory:", "\xff\xfe", NULL, &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_study_open("\xc3", "x", NULL, &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_study_open("memory:", "x", "{\"direction\": \"\xff\"}", &other));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_open("memory:", "", NULL, &other));
    CHECK(other == NULL);
    FAILS(HONE_NOT_FOUND, hone_storage_delete_study("memory:", "x"));

    /* Deeply nested JSON is refused, not a stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    REQUIRE(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    FAILS(HONE_INVALID_ARGUMENT, hone_study_set_user_attr(s, "deep", deep));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_open("memory:", "x", deep, &other));
    free(deep);

    /* A huge name and huge attribute are fine, just big. */
    size_t big = 1 << 20;
    char *huge = malloc(big + 3);
    REQUIRE(huge);
    huge[0] = '"';
    memset(huge + 1, 'h', big);
    huge[big + 1] = '"';
    huge[big + 2] = '\0';
    OK(hone_study_set_user_attr(s, "huge", huge));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "1024", hone_trial_suggest_float(t, huge, 0, 1, 0, 0, &d));
    free(huge);

    /* Names with quotes, newlines and non-ASCII survive the JSON round trip. */
    hone_study *odd = NULL;
    OK(hone_study_open("sqlite:odd.db", "we\"ird\nname \xc3\xa9", NULL, &odd));
    const char *odd_name;
    OK(hone_study_name(odd, &odd_name));
    CHECK(strcmp(odd_name, "we\"ird\nname \xc3\xa9") == 0);
    hone_trial *ot;
    OK(hone_study_ask(odd, &ot));
    OK(hone_trial_suggest_float(ot, "a \"quoted\"\tparam\n", 0, 1, 0, 0, &d));
    OK(hone_trial_set_user_attr(ot, "\x01key", "{\"nested\": [\"\\u0000\", \"\\n\"]}"));
    OK(hone_study_tell(odd, ot, HONE_TRIAL_COMPLETE, &d, 1));
    hone_trial_free(ot);
    OK(hone_storage_studies_json("sqlite:odd.db", &text));
    CHECK(strcmp(text, "[\"we\\\"ird\\nname \xc3\xa9\"]") == 0);
    hone_free(text);
    OK(hone_study_trials_json(odd, NULL, &text));
    CHECK(strstr(text, "\"a \\\"quoted\\\"\\tparam\\n\":") != NULL);
    CHECK(strstr(text, "\"\\u0001key\":{\"nested\":[\"\\u0000\",\"\\n\"]}") != NULL);
    hone_free(text);
    hone_study_close(odd);

    /* Suggestions. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_trial_suggest_float(t, "\xff\xfe", 0, 1, 0, 0, &d));
    FAILS(HONE_INVALID_ARGUMENT, hone_trial_suggest_float(t, "", 0, 1, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "low", hone_trial_suggest_float(t, "f", 2, 1, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "f", hone_trial_suggest_float(t, "f", NAN, 1, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "f", hone_trial_suggest_float(t, "f", 0, INFINITY, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "f", hone_trial_suggest_float(t, "f", -1e308, 1e308, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_float(t, "f", 0, 1, -0.1, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_float(t, "f", 0, 1, NAN, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_float(t, "f", 0, 1, 0.3, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "log", hone_trial_suggest_float(t, "f", 0, 1, 0, HONE_LOG, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "flags", hone_trial_suggest_float(t, "f", 0, 1, 0, 0x80, &d));
    OK(hone_trial_suggest_float(t, "f", 0, 1, 0, 0, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "f", hone_trial_suggest_float(t, "f", 0, 2, 0, 0, &d));  /* changed distribution */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "f", hone_trial_suggest_int(t, "f", 0, 1, 1, 0, &i));

    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_int(t, "i", 0, 10, 0, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_int(t, "i", 0, 10, -2, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_int(t, "i", 0, 10, 3, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "low", hone_trial_suggest_int(t, "i", 5, 1, 1, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "2^53", hone_trial_suggest_int(t, "i", INT64_MIN, INT64_MAX, 1, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "2^53", hone_trial_suggest_int(t, "i", 0, INT64_MAX, 1, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_suggest_int(t, "i", 0, 10, INT64_MIN, 0, &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "log", hone_trial_suggest_int(t, "i", 0, 10, 1, HONE_LOG, &i));
    OK(hone_trial_suggest_int(t, "wide", -(INT64_C(1) << 53), INT64_C(1) << 53, 1, 0, &i));
    CHECK(i >= -(INT64_C(1) << 53) && i <= (INT64_C(1) << 53));

    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_choices", hone_trial_suggest_categorical(t, "c", choices, 0, &n));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_choices", hone_trial_suggest_categorical(t, "c", choices, (size_t)-1, &n));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "duplicates", hone_trial_suggest_categorical(t, "c", dup, 2, &n));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_trial_suggest_categorical(t, "c", bad_utf8, 2, &n));

    /* Reports. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "step", hone_trial_report(t, -1, 1.0));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "finite", hone_trial_report(t, 0, nan_value));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "finite", hone_trial_report(t, 0, inf_value));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_values", hone_trial_report_values(t, 0, two, 2));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_values", hone_trial_report_values(t, 0, two, (size_t)-1));
    FAILS(HONE_INVALID_ARGUMENT, hone_trial_report(t, INT64_MIN, 1.0));
    OK(hone_trial_report(t, INT64_MAX, 1.0));

    /* Attributes. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "value_json", hone_trial_set_user_attr(t, "k", "{oops"));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "value_json", hone_trial_set_user_attr(t, "k", ""));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_trial_set_user_attr(t, "\xff", "1"));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_trial_set_fail_reason(t, "\xfe"));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "value_json", hone_study_set_user_attr(s, "k", "nul"));

    /* Tell: bad state, wrong count, non-finite; the trial stays RUNNING. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "state", hone_study_tell(s, t, HONE_TRIAL_RUNNING, &v, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "state", hone_study_tell(s, t, HONE_TRIAL_WAITING, &v, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "state", hone_study_tell(s, t, 99, &v, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_values", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, two, 2));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "0 value(s)", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, NULL, 0));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_values", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, two, (size_t)-1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "finite", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, &nan_value, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "finite", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, &inf_value, 1));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_tell_number(s, -1, HONE_TRIAL_FAIL, NULL, 0));
    FAILS(HONE_NOT_FOUND, hone_study_tell_number(s, 1000000, HONE_TRIAL_FAIL, NULL, 0));
    int64_t running = 0;
    OK(hone_study_trial_count(s, "running", &running));
    CHECK(running == 1);

    /* Enqueue, states, counts. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "params_json", hone_study_enqueue(s, "{\"x\": [1]}", NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "params_json", hone_study_enqueue(s, "[]", NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "user_attrs_json", hone_study_enqueue(s, "{}", "3"));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "states", hone_study_trial_count(s, "complete,bogus", &i));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "states", hone_study_trials_json(s, "COMPLETE", &text));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "states", hone_study_trials_json(s, "complete,,", &text));

    /* optimize limits. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_trials", hone_study_optimize(s, never_called, NULL, 0, 0, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_trials", hone_study_optimize(s, never_called, NULL, -5, -1, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "timeout_s", hone_study_optimize(s, never_called, NULL, 1, NAN, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_jobs", hone_study_optimize(s, never_called, NULL, 1, 0, 0));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_jobs", hone_study_optimize(s, never_called, NULL, 1, 0, -1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_jobs", hone_study_optimize(s, never_called, NULL, 1, 0, 1 << 30));
    FAILS_WITH(HONE_NOT_FOUND, "no_such_objective", hone_study_optimize_named(s, "no_such_objective", 1, 0, 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "UTF-8", hone_study_optimize_named(s, "\xff", 1, 0, 1));

    /* Single-objective-only calls on a two-objective study; copying between them. */
    hone_study *multi = NULL;
    OK(hone_study_open("memory:", "multi", "{\"directions\": [\"minimize\", \"maximize\"]}", &multi));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_best_value(multi, &d));
    FAILS(HONE_NO_RESULT, hone_study_best_trial_json(multi, &text));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_copy_trials(multi, s, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_copy_trials(s, s, NULL));
    hone_trial *mt = NULL;
    OK(hone_study_ask(multi, &mt));
    FAILS_WITH(HONE_MISUSE, "another", hone_study_tell(s, mt, HONE_TRIAL_COMPLETE, &v, 1));
    FAILS(HONE_INVALID_ARGUMENT, hone_trial_report(mt, 0, 1.0));   /* one value for two objectives */
    OK(hone_trial_report_values(mt, 0, two, 2));
    OK(hone_study_tell(multi, mt, HONE_TRIAL_COMPLETE, two, 2));
    OK(hone_study_best_trial_json(multi, &text));
    CHECK(text[0] == '[' && count_of(text, "\"number\":") == 1);
    hone_free(text);
    hone_trial_free(mt);
    hone_study_close(multi);
}

static void wrong_states(hone_study *s) {
    hone_trial *t = NULL;
    double x, v = 0.5;
    int64_t i;
    int flag;
    size_t n;
    const char *choices[] = {"a", "b"};
    char *text;
    OK(hone_study_ask(s, &t));
    OK(hone_trial_suggest_float(t, "x", 0, 1, 0, 0, &x));
    OK(hone_study_tell(s, t, HONE_TRIAL_COMPLETE, &v, 1));
    FAILS_WITH(HONE_WRONG_STATE, "told", hone_study_tell(s, t, HONE_TRIAL_COMPLETE, &v, 1));
    FAILS(HONE_WRONG_STATE, hone_study_tell(s, t, HONE_TRIAL_FAIL, NULL, 0));
    FAILS(HONE_WRONG_STATE, hone_trial_report(t, 1, 0.1));
    FAILS(HONE_WRONG_STATE, hone_trial_suggest_float(t, "x", 0, 1, 0, 0, &x));
    FAILS(HONE_WRONG_STATE, hone_trial_suggest_float(t, "y", 0, 1, 0, 0, &x));
    FAILS(HONE_WRONG_STATE, hone_trial_suggest_int(t, "i", 0, 1, 1, 0, &i));
    FAILS(HONE_WRONG_STATE, hone_trial_suggest_categorical(t, "c", choices, 2, &n));
    FAILS(HONE_WRONG_STATE, hone_trial_should_prune(t, &flag));
    FAILS(HONE_WRONG_STATE, hone_trial_set_user_attr(t, "k", "1"));
    OK(hone_trial_number(t, &i));          /* still readable */
    OK(hone_trial_params_json(t, &text));
    CHECK(strstr(text, "\"x\":") != NULL);
    hone_free(text);
    int64_t number = i;
    FAILS(HONE_WRONG_STATE, hone_study_tell_number(s, number, HONE_TRIAL_FAIL, NULL, 0));
    hone_trial_free(t);

    /* Told by number while its handle is held: the handle sees it. */
    OK(hone_study_ask(s, &t));
    OK(hone_trial_number(t, &number));
    OK(hone_study_tell_number(s, number, HONE_TRIAL_PRUNED, NULL, 0));
    FAILS(HONE_WRONG_STATE, hone_trial_report(t, 0, 1.0));
    FAILS(HONE_WRONG_STATE, hone_study_tell(s, t, HONE_TRIAL_COMPLETE, &v, 1));
    hone_trial_free(t);
}

static void objectives(void) {
    hone_study *s = NULL;
    hone_trial *kept = NULL;
    char *text;
    OK(hone_study_open("memory:", "objectives", "{\"seed\": 3}", &s));
    /* The trial an objective receives is retired after the call. */
    OK(hone_study_optimize(s, objective_x, &kept, 1, 0, 1));
    REQUIRE(kept != NULL);
    all_calls_fail(NULL, kept, TRIAL_CALLS, HONE_MISUSE, "an objective's trial after the call");
    /* Error statuses fail the trial with the status name; NaN values fail it too. */
    OK(hone_study_optimize(s, returns_io, NULL, 2, 0, 1));
    OK(hone_study_optimize(s, returns_nan, NULL, 1, 0, 1));
    OK(hone_study_optimize(s, frees_its_trial, NULL, 1, 0, 1));
    OK(hone_study_trials_json(s, NULL, &text));
    CHECK(count_of(text, "\"fail_reason\":\"HONE_IO\"") == 2);
    CHECK(count_of(text, "\"state\":\"FAIL\"") == 3);
    CHECK(count_of(text, "\"state\":\"COMPLETE\"") == 2);
    hone_free(text);
    hone_study_close(s);
}

int main(void) {
    hone_study *s = NULL;
    hone_trial *t = NULL;
    OK(hone_study_open("memory:", "misuse", "{\"seed\": 1}", &s));
    OK(hone_study_ask(s, &t));

    null_arguments(s, t);
    bad_values(s, t);
    wrong_states(s);
    objectives();

    /* Handles of the wrong kind, wild pointers, a pointer to a stack buffer. */
    char buffer[64];
    memset(buffer, 0, sizeof buffer);
    all_calls_fail((hone_study *)t, (hone_trial *)s, ALL_CALLS, HONE_MISUSE, "wrong kinds");
    all_calls_fail((hone_study *)0x1234, (hone_trial *)0x1234, ALL_CALLS, HONE_MISUSE, "0x1234");
    all_calls_fail((hone_study *)(void *)buffer, (hone_trial *)(void *)buffer, ALL_CALLS, HONE_MISUSE, "stack buffer");
    all_calls_fail((hone_study *)(uintptr_t)-8, (hone_trial *)(uintptr_t)-16, ALL_CALLS, HONE_MISUSE, "top of memory");
    all_calls_fail((hone_study *)(uintptr_t)0x00060000fff00088u, (hone_trial *)(uintptr_t)0x00060000ffffff10u, ALL_CALLS, HONE_MISUSE,
                   "forged tokens");
    /* The wrong-kind message names both kinds. */
    int64_t n;
    FAILS_WITH(HONE_MISUSE, "hone_study", hone_trial_number((hone_trial *)s, &n));

    /* A freed trial, then a closed study with a trial still held. */
    hone_trial *held = NULL;
    OK(hone_study_ask(s, &held));
    hone_trial_free(t);
    all_calls_fail(NULL, t, TRIAL_CALLS, HONE_MISUSE, "freed trial");
    hone_trial_free(t);   /* twice: harmless */
    hone_study_close(s);
    all_calls_fail(s, held, ALL_CALLS, HONE_MISUSE, "closed study and its trial");
    FAILS_WITH(HONE_MISUSE, "closed", hone_trial_number(held, &n));
    hone_trial_free(held);
    hone_study_close(s);  /* twice: harmless */
    FAILS_WITH(HONE_MISUSE, "closed", hone_study_ask(s, &t));
    return check_done("misuse");
}
