/* Several studies and trials used at once from several threads: hand-driven ask/tell on
 * two shared studies, optimize (itself on 2 threads) on both, a thread opening and
 * closing its own studies, and thread-local error messages that do not leak across
 * threads. Run clean under valgrind by scripts/test.sh (tests/native/run.sh --valgrind). */
#include "check.h"
#include <pthread.h>
#include <stdint.h>

#define HAND_ROUNDS 8
#define OPT_TRIALS 8

static hone_study *studies[2];
static int failures_in_threads = 0;
static pthread_mutex_t failures_lock = PTHREAD_MUTEX_INITIALIZER;

static void thread_failed(const char *what, hone_status s) {
    pthread_mutex_lock(&failures_lock);
    fprintf(stderr, "thread: %s returned %s: %s\n", what, hone_status_name(s), hone_errmsg());
    failures_in_threads++;
    pthread_mutex_unlock(&failures_lock);
}

#define T_OK(call) do { hone_status s_ = (call); if (s_ != HONE_OK) { thread_failed(#call, s_); return NULL; } } while (0)

static hone_status objective(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x;
    int64_t k;
    int prune;
    hone_status s;
    (void)userdata; (void)n_values;
    if ((s = hone_trial_suggest_float(trial, "x", -3, 3, 0, 0, &x)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_int(trial, "k", 1, 4, 1, 0, &k)) != HONE_OK) return s;
    if ((s = hone_trial_report(trial, 0, x * x)) != HONE_OK) return s;
    if ((s = hone_trial_should_prune(trial, &prune)) != HONE_OK) return s;
    values[0] = x * x + (double)k;
    return HONE_OK;
}

/* Asks two trials at once on each study, then tells them all. */
static void *by_hand(void *arg) {
    intptr_t id = (intptr_t)arg;
    for (int round = 0; round < HAND_ROUNDS; round++) {
        hone_trial *trials[4];
        for (int i = 0; i < 4; i++) T_OK(hone_study_ask(studies[i % 2], &trials[i]));
        for (int i = 0; i < 4; i++) {
            double x, v;
            size_t c;
            const char *choices[] = {"sgd", "adam", "adamw"};
            char *params;
            T_OK(hone_trial_suggest_float(trials[i], "x", -3, 3, 0, 0, &x));
            T_OK(hone_trial_suggest_categorical(trials[i], "opt", choices, 3, &c));
            T_OK(hone_trial_set_user_attr(trials[i], "thread", id == 0 ? "0" : "1"));
            T_OK(hone_trial_params_json(trials[i], &params));
            hone_free(params);
            v = x * x + (double)c;
            T_OK(hone_study_tell(studies[i % 2], trials[i], HONE_TRIAL_COMPLETE, &v, 1));
            hone_trial_free(trials[i]);
        }
    }
    return NULL;
}

static void *optimizer(void *arg) {
    intptr_t which = (intptr_t)arg;
    T_OK(hone_study_optimize(studies[which], objective, NULL, OPT_TRIALS, 0, 2));
    return NULL;
}

/* Opens and closes private studies, reads the shared ones, and checks that its own error
 * message survives what the other threads do. */
static void *churn(void *arg) {
    (void)arg;
    for (int i = 0; i < 6; i++) {
        hone_study *own = NULL;
        hone_trial *t = NULL;
        double v = 1, best;
        char *json;
        T_OK(hone_study_open("memory:", NULL, "{\"sampler\": \"random\", \"seed\": 5}", &own));
        T_OK(hone_study_ask(own, &t));
        T_OK(hone_study_tell(own, t, HONE_TRIAL_COMPLETE, &v, 1));
        T_OK(hone_study_best_value(own, &best));
        hone_trial_free(t);
        T_OK(hone_study_trials_json(studies[i % 2], "complete", &json));
        hone_free(json);
        /* One call: calling twice raced with the other threads' first tell (NO_RESULT,
         * then OK, read as a failure). */
        hone_status best_status = hone_study_best_value(studies[0], &best);
        if (best_status != HONE_OK && best_status != HONE_NO_RESULT) thread_failed("best_value", best_status);
        hone_status s = hone_study_enqueue(own, "{\"churn-thread-marker\": [0]}", NULL);
        if (s != HONE_INVALID_ARGUMENT) thread_failed("enqueue of a bad value", s);
        hone_study_close(own);
        if (strstr(hone_errmsg(), "churn-thread-marker") == NULL) thread_failed("errmsg lost its thread's message", HONE_ERROR);
    }
    return NULL;
}

int main(void) {
    OK(hone_study_open("memory:", "a", "{\"sampler\": {\"name\": \"tpe\", \"n_startup_trials\": 4}, \"seed\": 1, "
                                      "\"pruner\": {\"name\": \"median\", \"n_startup_trials\": 2}}", &studies[0]));
    OK(hone_study_open("sqlite:threads.db", "b", "{\"sampler\": \"random\", \"seed\": 2}", &studies[1]));

    pthread_t threads[6];
    REQUIRE(pthread_create(&threads[0], NULL, by_hand, (void *)(intptr_t)0) == 0);
    REQUIRE(pthread_create(&threads[1], NULL, by_hand, (void *)(intptr_t)1) == 0);
    REQUIRE(pthread_create(&threads[2], NULL, optimizer, (void *)(intptr_t)0) == 0);
    REQUIRE(pthread_create(&threads[3], NULL, optimizer, (void *)(intptr_t)1) == 0);
    REQUIRE(pthread_create(&threads[4], NULL, churn, NULL) == 0);
    REQUIRE(pthread_create(&threads[5], NULL, churn, NULL) == 0);
    for (int i = 0; i < 6; i++) REQUIRE(pthread_join(threads[i], NULL) == 0);
    CHECK(failures_in_threads == 0);
    /* This thread's message is untouched by the threads' failures. */
    CHECK(hone_errmsg()[0] == '\0');

    for (int i = 0; i < 2; i++) {
        int64_t total = -1, complete = -1;
        OK(hone_study_trial_count(studies[i], NULL, &total));
        OK(hone_study_trial_count(studies[i], "complete,pruned", &complete));
        CHECK(total == 2 * 2 * HAND_ROUNDS + OPT_TRIALS);
        CHECK(complete == total);
        char *json = NULL;
        OK(hone_study_trials_json(studies[i], NULL, &json));
        CHECK(count_of(json, "\"number\":") == total);
        /* Numbers are dense: 0..total-1 each once. */
        for (int64_t n = 0; n < total; n++) {
            char needle[40];
            snprintf(needle, sizeof needle, "{\"number\":%lld,", (long long)n);
            CHECK(count_of(json, needle) == 1);
        }
        hone_free(json);
        hone_study_close(studies[i]);
    }
    return check_done("study_threads");
}
