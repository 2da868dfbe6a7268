/* A study from C end to end: open in SQLite, ask/suggest/report/should_prune/tell by
 * hand, optimize with a callback on 2 threads, enqueue, best, trials JSON, reopen from
 * the file, list and delete. */
#include "check.h"
#include <math.h>
#include <pthread.h>

#define URL "sqlite:roundtrip.db"

/* (x - 2)^2 + (y + 1)^2 + [act == "tanh"]: minimum 0 at x = 2, y = -1, relu. */
static hone_status quadratic(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    static const char *const acts[] = {"relu", "tanh"};
    double x, y;
    size_t act;
    int64_t layers;
    hone_status s;
    if (n_values != 1) return HONE_ERROR;
    if ((s = hone_trial_suggest_float(trial, "x", -5, 5, 0, 0, &x)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_float(trial, "y", -5, 5, 0, 0, &y)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_categorical(trial, "act", acts, 2, &act)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_int(trial, "layers", 1, 8, 1, HONE_LOG, &layers)) != HONE_OK) return s;
    if (layers < 1 || layers > 8) return HONE_ERROR;
    pthread_mutex_lock((pthread_mutex_t *)userdata);
    pthread_mutex_unlock((pthread_mutex_t *)userdata);
    values[0] = (x - 2) * (x - 2) + (y + 1) * (y + 1) + (act == 1 ? 1.0 : 0.0);
    return HONE_OK;
}

/* Fails every third trial with a reason, prunes every third+1. */
static hone_status picky(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    int64_t number;
    double x;
    (void)userdata; (void)n_values;
    if (hone_trial_number(trial, &number) != HONE_OK) return HONE_ERROR;
    if (hone_trial_suggest_float(trial, "x", -5, 5, 0, 0, &x) != HONE_OK) return HONE_ERROR;
    if (number % 3 == 0) { hone_trial_set_fail_reason(trial, "diverged at \"epoch 3\""); return HONE_ERROR; }
    if (number % 3 == 1) { hone_trial_report(trial, 0, 7.5); return HONE_PRUNED; }
    values[0] = x * x;
    return HONE_OK;
}

static hone_status stopper(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x;
    (void)n_values;
    if (hone_trial_suggest_float(trial, "x", 0, 1, 0, 0, &x) != HONE_OK) return HONE_ERROR;
    values[0] = x;
    return hone_study_stop((hone_study *)userdata);
}

int main(void) {
    hone_study *study = NULL;
    OK(hone_study_open(URL, "rt", "{\"sampler\": {\"name\": \"tpe\", \"n_startup_trials\": 5}, "
                                  "\"pruner\": \"median\", \"seed\": 7, \"direction\": \"minimize\"}", &study));
    const char *name = NULL;
    OK(hone_study_name(study, &name));
    CHECK(strcmp(name, "rt") == 0);
    size_t n_obj = 0;
    OK(hone_study_n_objectives(study, &n_obj));
    CHECK(n_obj == 1);
    double best;
    FAILS(HONE_NO_RESULT, hone_study_best_value(study, &best));

    /* By hand: ask, suggest, report, should_prune, tell. */
    for (int i = 0; i < 4; i++) {
        hone_trial *t = NULL;
        OK(hone_study_ask(study, &t));
        int64_t number = -1;
        OK(hone_trial_number(t, &number));
        CHECK(number == i);
        double lr, again;
        OK(hone_trial_suggest_float(t, "lr", 1e-4, 1e-1, 0, HONE_LOG, &lr));
        CHECK(lr >= 1e-4 && lr <= 1e-1);
        OK(hone_trial_suggest_float(t, "lr", 1e-4, 1e-1, 0, HONE_LOG, &again));
        CHECK(again == lr);
        double drop;
        OK(hone_trial_suggest_float(t, "dropout", 0, 0.5, 0.1, 0, &drop));
        CHECK(drop >= 0 && drop <= 0.5 && fabs(drop * 10 - floor(drop * 10 + 0.5)) < 1e-9);
        int64_t width;
        OK(hone_trial_suggest_int(t, "width", 16, 256, 16, 0, &width));
        CHECK(width >= 16 && width <= 256 && width % 16 == 0);
        for (int64_t step = 0; step < 3; step++) {
            int prune = -1;
            OK(hone_trial_report(t, step, lr * (double)(3 - step)));
            OK(hone_trial_should_prune(t, &prune));
            CHECK(prune == 0 || prune == 1);
        }
        OK(hone_trial_set_user_attr(t, "note", "{\"by\": \"hand\", \"i\": 1}"));
        char *params = NULL;
        OK(hone_trial_params_json(t, &params));
        CHECK(strstr(params, "\"lr\":") && strstr(params, "\"width\":") && strstr(params, "\"dropout\":"));
        hone_free(params);
        double v = lr;
        OK(hone_study_tell(study, t, HONE_TRIAL_COMPLETE, &v, 1));
        /* Still readable after tell. */
        OK(hone_trial_number(t, &number));
        CHECK(number == i);
        hone_trial_free(t);
    }
    OK(hone_study_best_value(study, &best));
    CHECK(best > 0 && best <= 0.1);

    /* A trial asked here and told by number (as another process would). */
    hone_trial *t = NULL;
    OK(hone_study_ask(study, &t));
    int64_t number;
    OK(hone_trial_number(t, &number));
    hone_trial_free(t);   /* freeing does not tell */
    int64_t running = 0;
    OK(hone_study_trial_count(study, "running", &running));
    CHECK(running == 1);
    OK(hone_study_tell_number(study, number, HONE_TRIAL_FAIL, NULL, 0));
    OK(hone_study_trial_count(study, "running", &running));
    CHECK(running == 0);

    /* Enqueued parameters are used by the next trial. */
    OK(hone_study_enqueue(study, "{\"x\": 2.0, \"y\": -1, \"act\": \"relu\", \"layers\": 2}", "{\"source\": \"enqueue\"}"));
    int64_t waiting = 0;
    OK(hone_study_trial_count(study, "waiting", &waiting));
    CHECK(waiting == 1);

    /* optimize on two threads: the enqueued trial scores exactly 0. */
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    OK(hone_study_optimize(study, quadratic, &mutex, 20, 0, 2));
    int64_t total = 0, complete = 0;
    OK(hone_study_trial_count(study, NULL, &total));
    OK(hone_study_trial_count(study, "complete", &complete));
    CHECK(total == 4 + 1 + 20);
    CHECK(complete == 4 + 20);
    OK(hone_study_best_value(study, &best));
    CHECK(best == 0.0);
    char *bp = NULL;
    OK(hone_study_best_params_json(study, &bp));
    CHECK(strstr(bp, "\"x\":2.0") != NULL && strstr(bp, "\"act\":\"relu\"") != NULL && strstr(bp, "\"layers\":2") != NULL);
    hone_free(bp);
    char *bt = NULL;
    OK(hone_study_best_trial_json(study, &bt));
    CHECK(strstr(bt, "\"state\":\"COMPLETE\"") && strstr(bt, "\"source\":\"enqueue\"") && strstr(bt, "\"values\":[0.0]"));
    hone_free(bt);

    /* Failures and prunes from an objective's status; the study goes on. */
    hone_study *picky_study = NULL;
    OK(hone_study_open("memory:", NULL, "{\"seed\": 1}", &picky_study));
    OK(hone_study_optimize(picky_study, picky, NULL, 9, 0, 1));
    char *all = NULL;
    OK(hone_study_trials_json(picky_study, NULL, &all));
    CHECK(count_of(all, "\"state\":\"FAIL\"") == 3);
    CHECK(count_of(all, "\"state\":\"PRUNED\"") == 3);
    CHECK(count_of(all, "\"state\":\"COMPLETE\"") == 3);
    CHECK(count_of(all, "\"fail_reason\":\"diverged at \\\"epoch 3\\\"\"") == 3);
    CHECK(count_of(all, "\"state\":\"PRUNED\",\"values\":[7.5]") == 3);   /* pruned trials keep the last report */
    hone_free(all);
    hone_study_close(picky_study);

    /* hone_study_stop from inside an objective: HONE_INTERRUPTED, few trials. */
    hone_study *stopped = NULL;
    OK(hone_study_open("memory:", "stopped", NULL, &stopped));
    FAILS(HONE_INTERRUPTED, hone_study_optimize(stopped, stopper, stopped, 1000, 0, 2));
    int64_t ran = 0;
    OK(hone_study_trial_count(stopped, NULL, &ran));
    CHECK(ran >= 1 && ran <= 2);
    /* A later optimize is not stopped by the old request. */
    OK(hone_study_optimize(stopped, quadratic, &mutex, 3, 0, 1));
    OK(hone_study_trial_count(stopped, NULL, &ran));
    CHECK(ran >= 4 && ran <= 5);
    hone_study_close(stopped);

    /* A timeout alone is a limit; a reason given before a FAIL tell is stored. */
    hone_study *timed = NULL;
    OK(hone_study_open("memory:", "timed", NULL, &timed));
    OK(hone_study_optimize(timed, quadratic, &mutex, 0, 0.2, 1));
    OK(hone_study_trial_count(timed, "complete", &ran));
    CHECK(ran >= 1);
    hone_trial *failing = NULL;
    OK(hone_study_ask(timed, &failing));
    OK(hone_trial_set_fail_reason(failing, "out of memory at batch 7"));
    OK(hone_study_tell(timed, failing, HONE_TRIAL_FAIL, NULL, 0));
    hone_trial_free(failing);
    char *failed = NULL;
    OK(hone_study_trials_json(timed, "fail", &failed));
    CHECK(count_of(failed, "\"fail_reason\":\"out of memory at batch 7\"") == 1);
    hone_free(failed);
    hone_study_close(timed);

    /* Study attributes. */
    OK(hone_study_set_user_attr(study, "dataset", "\"fashion-mnist\""));
    char *attrs = NULL;
    OK(hone_study_attrs_json(study, &attrs));
    CHECK(strstr(attrs, "\"user\":{\"dataset\":\"fashion-mnist\"}") != NULL);
    hone_free(attrs);

    /* Trials JSON: every field, states filter. */
    char *json = NULL;
    OK(hone_study_trials_json(study, "complete,fail", &json));
    CHECK(json[0] == '[');
    CHECK(count_of(json, "\"number\":") == 25);
    CHECK(count_of(json, "\"state\":\"FAIL\"") == 1);
    const char *fields[] = {"\"state\":", "\"params\":", "\"distributions\":", "\"intermediate_values\":", "\"user_attrs\":",
                            "\"system_attrs\":", "\"datetime_start\":", "\"datetime_complete\":", "\"duration_s\":",
                            "\"fail_reason\":", "\"worker_id\":"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) CHECK(count_of(json, fields[i]) == 25);
    CHECK(strstr(json, "{\"step\":2,\"fold\":0,\"values\":[") != NULL);
    CHECK(strstr(json, "\"lr\":{\"type\":\"float\",\"low\":0.0001,\"high\":0.1,\"step\":null,\"log\":true}") != NULL);
    CHECK(strstr(json, "\"act\":{\"type\":\"categorical\",\"low\":0,\"high\":1,\"step\":1,\"log\":false,\"choices\":[\"relu\",\"tanh\"]}") != NULL);
    hone_free(json);

    /* Reopen from the file through a second handle: same trials. */
    hone_study *again = NULL;
    OK(hone_study_open(URL, "rt", "{\"mode\": \"load\"}", &again));
    int64_t total_again = 0;
    OK(hone_study_trial_count(again, NULL, &total_again));
    CHECK(total_again == total);
    double best_again;
    OK(hone_study_best_value(again, &best_again));
    CHECK(best_again == best);
    /* Two handles on one file are one study: it cannot copy trials into itself. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "from itself", hone_study_copy_trials(again, study, NULL));
    OK(hone_study_trial_count(again, NULL, &total_again));
    CHECK(total_again == total);
    hone_study_close(again);
    FAILS(HONE_EXISTS, hone_study_open(URL, "rt", "{\"mode\": \"create\"}", &again));
    FAILS(HONE_NOT_FOUND, hone_study_open(URL, "nope", "{\"mode\": \"load\"}", &again));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "rt", hone_study_open(URL, "rt", "{\"direction\": \"maximize\"}", &again));

    /* Warm start: copy the completed trials into a fresh study. */
    hone_study *warm = NULL;
    OK(hone_study_open("memory:", "warm", NULL, &warm));
    int64_t copied = -1;
    OK(hone_study_copy_trials(warm, study, &copied));
    CHECK(copied == complete);
    OK(hone_study_best_value(warm, &best_again));
    CHECK(best_again == best);
    hone_study_close(warm);
    /* Once the target has a space, only trials that fit it are copied: the 20 trials of
     * the quadratic objective, not the 4 hand-run ones (lr, dropout, width). */
    OK(hone_study_open("memory:", "warm-fit", NULL, &warm));
    OK(hone_study_optimize(warm, quadratic, &mutex, 1, 0, 1));
    OK(hone_study_copy_trials(warm, study, &copied));
    CHECK(copied == 20);
    hone_study_close(warm);

    /* Listing and deleting. */
    char *names = NULL;
    OK(hone_storage_studies_json(URL, &names));
    CHECK(strcmp(names, "[\"rt\"]") == 0);
    hone_free(names);
    hone_study_close(study);
    OK(hone_storage_delete_study(URL, "rt"));
    FAILS(HONE_NOT_FOUND, hone_storage_delete_study(URL, "rt"));
    OK(hone_storage_studies_json(URL, &names));
    CHECK(strcmp(names, "[]") == 0);
    hone_free(names);
    return check_done("study_roundtrip");
}
