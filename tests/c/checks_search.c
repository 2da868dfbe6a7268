/* Bad sampler and pruner settings in hone_study_open's options JSON come back as
 * HONE_INVALID_ARGUMENT with a message naming the setting, never as a crash, in every
 * build. HoneSearch is compiled with -Ounchecked in release builds, where `precondition`
 * is not evaluated: each initializer check that used one (MedianPruner, PercentilePruner,
 * ThresholdPruner, PatiencePruner, HyperbandPruner and its bracket table, ASHAPruner,
 * NSGAIISampler) is reached here with values on both sides of its bounds. Run it against
 * a release build too: tests/native/release.sh. */
#include "check.h"

static int cases = 0;

/* hone_study_open with `options` must fail with HONE_INVALID_ARGUMENT naming `needle`. */
static void refused(const char *options, const char *needle) {
    hone_study *study = NULL;
    hone_status s = hone_study_open("memory:", "checks", options, &study);
    cases++;
    if (s != HONE_INVALID_ARGUMENT) {
        check_failures++;
        fprintf(stderr, "%s: got %s, expected HONE_INVALID_ARGUMENT (errmsg: %s)\n", options, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL) {
        check_failures++;
        fprintf(stderr, "%s: message lacks \"%s\": %s\n", options, needle, hone_errmsg());
    }
    CHECK(study == NULL);
    if (study) hone_study_close(study);
}

/* hone_study_open with `options` must succeed (the bound itself is allowed), and the
 * study must run a trial that reports. */
static void accepted(const char *options) {
    hone_study *study = NULL;
    hone_trial *trial = NULL;
    int prune = 0;
    double x = 0;
    hone_status s = hone_study_open("memory:", "checks", options, &study);
    if (s != HONE_OK) {
        check_failures++;
        fprintf(stderr, "%s: got %s, expected HONE_OK (errmsg: %s)\n", options, hone_status_name(s), hone_errmsg());
        return;
    }
    OK(hone_study_ask(study, &trial));
    OK(hone_trial_suggest_float(trial, "x", 0, 1, 0, 0, &x));
    OK(hone_trial_report(trial, 1, x));
    OK(hone_trial_should_prune(trial, &prune));
    OK(hone_study_tell(study, trial, HONE_TRIAL_COMPLETE, &x, 1));
    hone_trial_free(trial);
    hone_study_close(study);
}

/* The same settings from a Lua study script (study { pruner = { "name", … } }) come back
 * as HONE_SCRIPT naming the setting. */
static void script_refused(const char *settings, const char *needle) {
    FILE *f = fopen("study.lua", "w");
    REQUIRE(f);
    fprintf(f, "study { trials = 2, %s }\nfunction objective(trial) return trial:suggest_float('x', 0, 1) end\n", settings);
    fclose(f);
    hone_status s = hone_script_run("study.lua", "{\"storage\": \"memory:\"}", NULL);
    cases++;
    if (s != HONE_SCRIPT) {
        check_failures++;
        fprintf(stderr, "study { %s }: got %s, expected HONE_SCRIPT (errmsg: %s)\n", settings, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL) {
        check_failures++;
        fprintf(stderr, "study { %s }: message lacks \"%s\": %s\n", settings, needle, hone_errmsg());
    }
}

int main(void) {
    /* MedianPruner: n_startup_trials, n_warmup_steps ≥ 0; interval_steps, n_min_trials ≥ 1. */
    refused("{\"pruner\": {\"name\": \"median\", \"n_startup_trials\": -1}}", "n_startup_trials");
    refused("{\"pruner\": {\"name\": \"median\", \"n_warmup_steps\": -1}}", "n_warmup_steps");
    refused("{\"pruner\": {\"name\": \"median\", \"interval_steps\": 0}}", "interval_steps");
    refused("{\"pruner\": {\"name\": \"median\", \"n_min_trials\": 0}}", "n_min_trials");
    refused("{\"pruner\": {\"name\": \"median\", \"n_startup_trials\": 1e30}}", "n_startup_trials");
    refused("{\"pruner\": {\"name\": \"median\", \"n_startup_trials\": 1.5}}", "n_startup_trials");
    accepted("{\"pruner\": {\"name\": \"median\", \"n_startup_trials\": 0, \"n_warmup_steps\": 0, \"interval_steps\": 1, \"n_min_trials\": 1}}");

    /* PercentilePruner: percentile in (0, 100], the same step settings. */
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 150}}", "percentile");
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": -5}}", "percentile");
    refused("{\"pruner\": {\"name\": \"percentile\"}}", "percentile");
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 25, \"n_startup_trials\": -1}}", "n_startup_trials");
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 25, \"n_warmup_steps\": -3}}", "n_warmup_steps");
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 25, \"interval_steps\": 0}}", "interval_steps");
    refused("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 25, \"n_min_trials\": 0}}", "n_min_trials");
    accepted("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 25, \"interval_steps\": 2, \"n_min_trials\": 3}}");
    accepted("{\"pruner\": {\"name\": \"percentile\", \"percentile\": 100, \"n_startup_trials\": 0}}");

    /* ThresholdPruner: a bound, lower ≤ upper (checked by the pruner itself), n_warmup_steps ≥ 0. */
    refused("{\"pruner\": {\"name\": \"threshold\", \"lower\": 2, \"upper\": 1}}", "lower must be ≤ upper");
    refused("{\"pruner\": {\"name\": \"threshold\"}}", "lower");
    refused("{\"pruner\": {\"name\": \"threshold\", \"upper\": 1, \"n_warmup_steps\": -1}}", "n_warmup_steps");
    refused("{\"pruner\": {\"name\": \"threshold\", \"upper\": \"1\"}}", "upper");
    accepted("{\"pruner\": {\"name\": \"threshold\", \"lower\": 1, \"upper\": 1}}");

    /* PatiencePruner: patience ≥ 1, min_delta ≥ 0. */
    refused("{\"pruner\": {\"name\": \"patience\", \"patience\": -1}}", "patience");
    refused("{\"pruner\": {\"name\": \"patience\"}}", "patience");
    refused("{\"pruner\": {\"name\": \"patience\", \"patience\": 2, \"min_delta\": -0.5}}", "min_delta");
    accepted("{\"pruner\": {\"name\": \"patience\", \"patience\": 1, \"min_delta\": 0}}");

    /* Hyperband and ASHA: 1 ≤ min_resource ≤ max_resource, reduction_factor ≥ 2. */
    const char *budgeted[] = {"hyperband", "asha"};
    for (int i = 0; i < 2; i++) {
        char o[256];
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 9, \"min_resource\": 0}}", budgeted[i]);
        refused(o, "min_resource");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 0}}", budgeted[i]);
        refused(o, "max_resource");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 2, \"min_resource\": 3}}", budgeted[i]);
        refused(o, "max_resource");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 9, \"reduction_factor\": 1}}", budgeted[i]);
        refused(o, "reduction_factor");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 9, \"reduction_factor\": -4}}", budgeted[i]);
        refused(o, "reduction_factor");
        /* Without max_resource: ASHA needs it; Hyperband learns it (Optuna's "auto"). */
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\"}}", budgeted[i]);
        if (i == 0) accepted(o); else refused(o, "max_resource");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 1e12}}", budgeted[i]);
        refused(o, "max_resource");
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 1, \"min_resource\": 1, \"reduction_factor\": 2}}", budgeted[i]);
        accepted(o);
        /* The largest allowed table (R = 10^6, η = 2) builds. */
        snprintf(o, sizeof o, "{\"pruner\": {\"name\": \"%s\", \"max_resource\": 1000000, \"reduction_factor\": 2}}", budgeted[i]);
        accepted(o);
    }

    /* NSGA-II: population_size ≥ 2. */
    refused("{\"directions\": [\"minimize\", \"minimize\"], \"sampler\": {\"name\": \"nsga2\", \"population_size\": 1}}", "population_size");
    refused("{\"sampler\": {\"name\": \"nsga2\", \"population_size\": -7}}", "population_size");
    refused("{\"sampler\": {\"name\": \"nsga2\", \"deterministic_parallelism\": 0}}", "deterministic_parallelism");
    accepted("{\"sampler\": {\"name\": \"nsga2\", \"population_size\": 2}}");

    /* Sobol (its sequence's dimension and index checks are internal, always evaluated). */
    refused("{\"sampler\": {\"name\": \"sobol\", \"scramble\": 1}}", "scramble");
    accepted("{\"sampler\": {\"name\": \"sobol\", \"scramble\": false}}");
    /* TPE (the Parzen estimator's column check is internal, always evaluated). */
    refused("{\"sampler\": {\"name\": \"tpe\", \"n_ei_candidates\": 0}}", "n_ei_candidates");
    refused("{\"sampler\": {\"name\": \"tpe\", \"n_startup_trials\": -1}}", "n_startup_trials");
    accepted("{\"sampler\": {\"name\": \"tpe\", \"n_startup_trials\": 0}}");

    /* From Lua. */
    script_refused("pruner = { 'median', n_startup_trials = -1 }", "n_startup_trials");
    script_refused("pruner = { 'threshold', lower = 2, upper = 1 }", "lower must be ≤ upper");
    script_refused("pruner = { 'patience', patience = 3, min_delta = -1 }", "min_delta");
    script_refused("pruner = { 'hyperband', max_resource = 9, reduction_factor = 1 }", "reduction_factor");
    script_refused("sampler = { 'nsga2', population_size = 1 }", "population_size");

    fprintf(stderr, "%d bad settings tried\n", cases);
    return check_done("checks_search");
}
