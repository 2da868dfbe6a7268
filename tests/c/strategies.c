/* Strategies reached by name through hone_study_open's options JSON (the same registry
 * as Python's create_study, Lua's study { sampler = … } and hone tune). */
#include "check.h"

static hone_status objective(hone_trial *t, void *userdata, double *values, size_t n) {
    int64_t width;
    double lr;
    hone_status s;
    (void)userdata; (void)n;
    if ((s = hone_trial_suggest_int(t, "width", 16, 256, 1, 0, &width)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_float(t, "lr", 1e-4, 1, 0, HONE_LOG, &lr)) != HONE_OK) return s;
    values[0] = (double)width * lr;
    return HONE_OK;
}

static void grid_runs_every_point_once_then_returns(void) {
    hone_study *study;
    int64_t complete = 0;
    char *trials = NULL;
    OK(hone_study_open("memory:", "grid", "{\"seed\": 0, \"sampler\": {\"name\": \"grid\", "
                       "\"search_space\": {\"width\": [32, 64, 128], \"lr\": [0.001, 0.01]}}}", &study));
    /* No trial limit: the exhausted grid ends the run. (One job: with several, a worker
     * may already be asking when the last point goes out; that trial re-runs a point and
     * is marked grid.overflow — see GridSampler.) */
    OK(hone_study_optimize(study, objective, NULL, 0, 60, 1));
    OK(hone_study_trial_count(study, "complete", &complete));
    CHECK(complete == 6);
    OK(hone_study_trials_json(study, NULL, &trials));
    CHECK(strstr(trials, "\"width\":32") && strstr(trials, "\"width\":128") && strstr(trials, "\"lr\":0.01"));
    hone_free(trials);
    hone_study_close(study);
}

static void bad_grid_options_name_the_option(void) {
    hone_study *study = NULL;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "search_space", hone_study_open("memory:", "g", "{\"sampler\": \"grid\"}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "search_space[\"x\"]",
               hone_study_open("memory:", "g", "{\"sampler\": {\"name\": \"grid\", \"search_space\": {\"x\": 1}}}", &study));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "duplicate",
               hone_study_open("memory:", "g", "{\"sampler\": {\"name\": \"grid\", \"search_space\": {\"x\": [1, 1]}}}", &study));
    CHECK(study == NULL);
}

int main(void) {
    grid_runs_every_point_once_then_returns();
    bad_grid_options_name_the_option();
    return check_done("strategies");
}
