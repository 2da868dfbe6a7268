/* Budget schedulers and population based training through hone_study_open's
 * "scheduler" option: the objective reads its work with hone_trial_work and keeps a
 * checkpoint per trial number, as examples/c/hyperband.c shows. */
#include "check.h"

#define MAX_TRIALS 4096

/* The "model": resource trained so far, per trial number (-1: no checkpoint). */
static double checkpoint[MAX_TRIALS];
static int resumed_wrongly, calls;
static double resource_spent;

static void reset(void) {
    int i;
    for (i = 0; i < MAX_TRIALS; i++) checkpoint[i] = -1;
    resumed_wrongly = 0; calls = 0; resource_spent = 0;
}

/* Loss falls with training: (x − 0.3)² + 1 / (1 + trained). */
static hone_status train(hone_trial *t, void *userdata, double *values, size_t n) {
    double x, start, budget, max_budget, trained;
    int64_t number, resume_from;
    hone_status s;
    (void)userdata; (void)n;
    if ((s = hone_trial_suggest_float(t, "x", 0, 1, 0, 0, &x)) != HONE_OK) return s;
    if ((s = hone_trial_number(t, &number)) != HONE_OK) return s;
    if ((s = hone_trial_work(t, &start, &budget, &max_budget, &resume_from)) != HONE_OK) return s;
    if (number < 0 || number >= MAX_TRIALS || budget > max_budget || budget <= start) return HONE_ERROR;
    /* Restore: the checkpoint named must hold exactly `start` units of training. */
    trained = 0;
    if (resume_from >= 0) {
        if (resume_from >= MAX_TRIALS || checkpoint[resume_from] != start) resumed_wrongly++;
        trained = checkpoint[resume_from];
    } else if (start != 0) {
        resumed_wrongly++;
    }
    resource_spent += budget - trained;
    calls++;
    checkpoint[number] = budget;   /* save */
    values[0] = (x - 0.3) * (x - 0.3) + 1 / (1 + budget);
    return HONE_OK;
}

static double best_budget(hone_study *study) {
    char *best = NULL;
    const char *b;
    double budget = -1;
    OK(hone_study_best_trial_json(study, &best));
    b = strstr(best, "\"scheduler.budget\":");
    if (b) budget = atof(b + strlen("\"scheduler.budget\":"));
    hone_free(best);
    return budget;
}

/* Opens a memory study with `options`, runs `train` on it (n_trials ≤ 0: the schedule's
 * own end) and returns it for the checks. */
static hone_study *run(const char *name, const char *options, int64_t n_trials) {
    hone_study *study = NULL;
    reset();
    OK(hone_study_open("memory:", name, options, &study));
    OK(hone_study_optimize(study, train, NULL, n_trials, 120, 1));
    return study;
}

/* How many trials of `study` are in `states` (NULL: all). */
static int64_t count(hone_study *study, const char *states) {
    int64_t n = -1;
    OK(hone_study_trial_count(study, states, &n));
    return n;
}

static void hyperband_promotes_and_continues_trials(void) {
    hone_study *study = run("hb", "{\"seed\": 1, \"sampler\": \"random\", \"scheduler\": "
                            "{\"name\": \"hyperband\", \"max_resource\": 9, \"reduction_factor\": 3, \"iterations\": 1}}", 0);
    int64_t total = count(study, NULL), complete = count(study, "complete"), pruned = count(study, "pruned");
    /* Brackets s = 2, 1, 0 of R = 9, η = 3: 9 + 5 + 3 configurations (Li et al., table 1). */
    CHECK(total == 17);
    CHECK(complete >= 3 && complete + pruned == total);
    CHECK(resumed_wrongly == 0);
    CHECK(calls > total);                       /* promoted trials ran again... */
    CHECK(resource_spent < 9.0 * (double)total); /* ...continuing, not retraining */
    CHECK(best_budget(study) == 9);
    hone_study_close(study);
}

static void successive_halving_and_asha_run_by_name(void) {
    hone_study *study = run("sh", "{\"seed\": 2, \"scheduler\": {\"name\": \"successive_halving\", "
                            "\"n_configurations\": 9, \"max_resource\": 9}}", 0);
    CHECK(count(study, NULL) == 9 && count(study, "complete") == 1 && resumed_wrongly == 0);
    CHECK(best_budget(study) == 9);
    hone_study_close(study);

    study = run("asha", "{\"seed\": 3, \"sampler\": \"random\", \"scheduler\": {\"name\": \"asha\", \"max_resource\": 9}}", 20);
    CHECK(count(study, NULL) == 20 && resumed_wrongly == 0);
    hone_study_close(study);
}

static void bohb_is_hyperband_with_its_sampler(void) {
    hone_study *study = run("bohb", "{\"seed\": 4, \"scheduler\": {\"name\": \"bohb\", \"max_resource\": 9, "
                            "\"iterations\": 2}}", 0);
    CHECK(count(study, NULL) == 34 && resumed_wrongly == 0);
    hone_study_close(study);
    study = NULL;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "'bohb' sampler",
               hone_study_open("memory:", "b", "{\"sampler\": \"tpe\", \"scheduler\": {\"name\": \"bohb\", \"max_resource\": 9}}", &study));
    CHECK(study == NULL);
}

static void pbt_segments_resume_their_parents(void) {
    hone_study *study = run("pbt", "{\"seed\": 5, \"direction\": \"minimize\", \"scheduler\": {\"name\": \"pbt\", "
                            "\"population_size\": 4, \"generations\": 3, \"steps_per_generation\": 2}}", 0);
    CHECK(count(study, NULL) == 12 && count(study, "complete") == 12);
    CHECK(resumed_wrongly == 0);
    /* Every segment trains 2 steps on top of its parent's checkpoint. */
    CHECK(resource_spent == 24);
    hone_study_close(study);

    study = run("apbt", "{\"seed\": 6, \"scheduler\": {\"name\": \"async_pbt\", "
                "\"population_size\": 4, \"total_steps\": 6, \"steps_per_ready\": 2}}", 0);
    CHECK(count(study, "complete") >= 12 && resumed_wrongly == 0);
    hone_study_close(study);
}

static int stops_seen;
static hone_status stop_after_five(hone_study *study, const char *trial_json, void *userdata) {
    (void)study; (void)trial_json; (void)userdata;
    return ++stops_seen >= 5 ? HONE_ERROR : HONE_OK;
}

static void callbacks_and_limits_apply_to_every_scheduler(void) {
    static const char *schedulers[] = {
        "{\"name\": \"hyperband\", \"max_resource\": 27}",
        "{\"name\": \"pbt\", \"population_size\": 4, \"generations\": 50, \"steps_per_generation\": 1}",
        "{\"name\": \"async_pbt\", \"population_size\": 4, \"total_steps\": 50, \"steps_per_ready\": 1}",
    };
    size_t i;
    for (i = 0; i < sizeof schedulers / sizeof *schedulers; i++) {
        hone_study *study;
        int64_t total = 0;
        char options[256];
        snprintf(options, sizeof options, "{\"seed\": 7, \"scheduler\": %s}", schedulers[i]);
        reset();
        OK(hone_study_open("memory:", "limits", options, &study));
        stops_seen = 0;
        FAILS_WITH(HONE_INTERRUPTED, "stopped", hone_study_optimize_v2(study, train, NULL, stop_after_five, NULL, 0, 120, 1));
        /* The stop lands before the next job starts. Hyperband's first trials finish when
         * the first rung of 27 is decided (18 pruned: the 5th callback stops the run),
         * and the paused 9 are pruned as it ends: the callback sees all 27, no more
         * start. PBT's trials are segments: the 5th ends the run. */
        OK(hone_study_trial_count(study, NULL, &total));
        if (i == 0) CHECK(stops_seen == 27 && total == 27);
        else CHECK(stops_seen == 5 && total <= 6);
        /* n_trials limits the trials (configurations or segments) a run starts. */
        OK(hone_study_optimize(study, train, NULL, 6, 120, 1));
        hone_study_close(study);
    }
}

static hone_status plain(hone_trial *t, void *userdata, double *values, size_t n) {
    double budget = 0;
    (void)userdata; (void)n;
    CHECK(hone_trial_work(t, NULL, &budget, NULL, NULL) == HONE_NOT_FOUND);
    CHECK(strstr(hone_errmsg(), "without a scheduler") != NULL);
    values[0] = 1;
    return HONE_OK;
}

static void plain_trials_have_no_work_and_bad_options_are_named(void) {
    hone_study *study = NULL;
    OK(hone_study_open("memory:", "plain", NULL, &study));
    OK(hone_study_optimize(study, plain, NULL, 2, 0, 1));
    hone_study_close(study);
    study = NULL;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "max_resource",
               hone_study_open("memory:", "s", "{\"scheduler\": \"hyperband\"}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "unknown scheduler 'hyperbnd'",
               hone_study_open("memory:", "s", "{\"scheduler\": {\"name\": \"hyperbnd\", \"max_resource\": 9}}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "\"eta\"",
               hone_study_open("memory:", "s", "{\"scheduler\": {\"name\": \"asha\", \"max_resource\": 9, \"eta\": 3}}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "population_size",
               hone_study_open("memory:", "s", "{\"scheduler\": {\"name\": \"pbt\", \"generations\": 2, \"steps_per_generation\": 1}}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "perturb_factors",
               hone_study_open("memory:", "s", "{\"scheduler\": {\"name\": \"pbt\", \"population_size\": 4, \"generations\": 2, "
                               "\"steps_per_generation\": 1, \"perturb_factors\": [\"x\"]}}", &study));
    CHECK(study == NULL);
}

int main(void) {
    hyperband_promotes_and_continues_trials();
    successive_halving_and_asha_run_by_name();
    bohb_is_hyperband_with_its_sampler();
    pbt_segments_resume_their_parents();
    callbacks_and_limits_apply_to_every_scheduler();
    plain_trials_have_no_work_and_bad_options_are_named();
    return check_done("schedulers");
}
