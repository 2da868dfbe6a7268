/* hone_study_optimize_v2: the per-finished-trial callback sees each trial of the run once,
 * right after it is stored, and a non-OK status from it stops the study at once. */
#include "check.h"

struct seen { int calls; int complete; int max_calls; };

static hone_status objective(hone_trial *t, void *userdata, double *values, size_t n) {
    double x;
    hone_status s;
    (void)userdata; (void)n;
    if ((s = hone_trial_suggest_float(t, "x", -1, 1, 0, 0, &x)) != HONE_OK) return s;
    if (x > 0.9) return HONE_PRUNED;
    values[0] = x * x;
    return HONE_OK;
}

static hone_status on_finished(hone_study *study, const char *trial_json, void *userdata) {
    struct seen *seen = userdata;
    int64_t stored = 0;
    seen->calls++;
    if (strstr(trial_json, "\"state\":\"COMPLETE\"")) seen->complete++;
    /* Called after the trial is stored: the study already counts it. */
    if (hone_study_trial_count(study, "complete,pruned,fail", &stored) != HONE_OK || stored < seen->calls) return HONE_ERROR;
    return seen->calls >= seen->max_calls ? HONE_ERROR : HONE_OK;
}

int main(void) {
    hone_study *study;
    struct seen seen = {0, 0, 1000};
    int64_t finished = 0;
    OK(hone_study_open("memory:", "v2", "{\"sampler\": \"random\", \"seed\": 1}", &study));

    OK(hone_study_optimize_v2(study, objective, NULL, on_finished, &seen, 40, 0, 2));
    CHECK(seen.calls == 40);
    OK(hone_study_trial_count(study, "complete", &finished));
    CHECK(seen.complete == finished);

    /* A callback that asks to stop: the run ends at once, with HONE_INTERRUPTED. */
    seen.calls = 0; seen.max_calls = 5;
    FAILS(HONE_INTERRUPTED, hone_study_optimize_v2(study, objective, NULL, on_finished, &seen, 100, 0, 1));
    CHECK(seen.calls == 5);
    OK(hone_study_trial_count(study, NULL, &finished));
    CHECK(finished == 45);

    /* NULL callback: plain hone_study_optimize. */
    OK(hone_study_optimize_v2(study, objective, NULL, NULL, NULL, 3, 0, 1));
    FAILS(HONE_MISUSE, hone_study_optimize_v2(study, NULL, NULL, on_finished, &seen, 3, 0, 1));
    hone_study_close(study);
    return check_done("optimize_v2");
}
