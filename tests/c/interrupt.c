/* Signals in a host process: the library installs no handler; the host's own SIGINT or
 * SIGTERM handler calls hone_interrupt (async-signal-safe), and a running
 * hone_study_optimize (or hone_script_run) starts no new trial, stores its running trials
 * FAIL "interrupted" (objectives see hone_trial_should_prune answer 1) and returns
 * HONE_INTERRUPTED; finished trials stay, and the next call on the same study resumes. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t last_signal = 0;

/* What a host's handler does: remember the signal (for its exit code) and interrupt. */
static void on_signal(int signo) {
    last_signal = signo;
    hone_interrupt();
}

static void install(int signo) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(signo, &sa, NULL) == 0);
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Trials from number `slow_from` on are slow: they say they started, then poll
 * should_prune (up to 10 s) and return HONE_PRUNED when told to stop — or, for odd
 * numbers with `odd_returns_ok`, return a value anyway. */
static int slow_from = 2;
static int odd_returns_ok = 0;
static int started = 0;
static int saw_stop = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static hone_status objective(hone_trial *trial, void *userdata, double *values, size_t n) {
    (void)userdata; (void)n;
    int64_t number = -1;
    double x = 0;
    if (hone_trial_number(trial, &number) != HONE_OK) return HONE_ERROR;
    if (hone_trial_suggest_float(trial, "x", 0, 1, 0, 0, &x) != HONE_OK) return HONE_ERROR;
    if (number < slow_from) { values[0] = x; return HONE_OK; }
    pthread_mutex_lock(&lock); started++; pthread_mutex_unlock(&lock);
    for (int i = 0; i < 10000; i++) {
        int prune = 0;
        if (hone_trial_should_prune(trial, &prune) != HONE_OK) return HONE_ERROR;
        if (prune) {
            pthread_mutex_lock(&lock); saw_stop++; pthread_mutex_unlock(&lock);
            if (odd_returns_ok && number % 2 == 1) { values[0] = x; return HONE_OK; }
            hone_trial_set_fail_reason(trial, "stopped early");
            return (number % 2 == 0) ? HONE_PRUNED : HONE_ERROR;
        }
        sleep_ms(1);
    }
    values[0] = x;
    return HONE_OK;
}

/* The "user": once `want` slow trials have started, sends `signo` to the process. */
static int want_started = 1;
static void *sender(void *arg) {
    int signo = (int)(intptr_t)arg;
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&lock); int n = started; pthread_mutex_unlock(&lock);
        if (n >= want_started) break;
        sleep_ms(1);
    }
    kill(getpid(), signo);
    return NULL;
}

/* Sends `signo` to the process after 500 ms. */
static void *timed_sender(void *arg) {
    sleep_ms(500);
    kill(getpid(), (int)(intptr_t)arg);
    return NULL;
}

static int64_t count(hone_study *study, const char *states) {
    int64_t n = -1;
    OK(hone_study_trial_count(study, states, &n));
    return n;
}

static int interrupted_count(hone_study *study) {
    char *json = NULL;
    OK(hone_study_trials_json(study, "fail", &json));
    int n = count_of(json, "\"fail_reason\":\"interrupted\"");
    hone_free(json);
    return n;
}

static void reset(int jobs_started) {
    pthread_mutex_lock(&lock);
    started = 0; saw_stop = 0; want_started = jobs_started;
    pthread_mutex_unlock(&lock);
    last_signal = 0;
}

int main(void) {
    install(SIGINT);
    install(SIGTERM);

    /* SIGINT, one job: trials 0 and 1 complete, trial 2 is running when the signal comes. */
    hone_study *study = NULL;
    OK(hone_study_open("sqlite:interrupt.db", "signals", "{\"seed\": 1}", &study));
    reset(1);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, sender, (void *)(intptr_t)SIGINT) == 0);
    FAILS_WITH(HONE_INTERRUPTED, "hone_interrupt", hone_study_optimize(study, objective, NULL, 50, 0, 1));
    pthread_join(t, NULL);
    CHECK(last_signal == SIGINT);
    CHECK(saw_stop == 1);                                   /* should_prune told it to stop */
    CHECK(count(study, NULL) == 3);                         /* no trial after the interrupted one */
    CHECK(count(study, "complete") == 2);
    CHECK(count(study, "fail") == 1);
    CHECK(interrupted_count(study) == 1);                   /* HONE_PRUNED became FAIL "interrupted" */
    CHECK(count(study, "running") == 0);
    hone_study_close(study);

    /* Resume: reopened, the study goes on after its stored trials, unaffected by the
     * earlier interrupt. */
    OK(hone_study_open("sqlite:interrupt.db", "signals", NULL, &study));
    slow_from = 1000;
    OK(hone_study_optimize(study, objective, NULL, 2, 0, 1));
    CHECK(count(study, NULL) == 5);
    CHECK(count(study, "complete") == 4);

    /* SIGTERM, two jobs, both running slow trials: an even one returns HONE_PRUNED and an
     * odd one HONE_ERROR with its own reason — both stored FAIL "interrupted". */
    slow_from = 0;
    reset(2);
    REQUIRE(pthread_create(&t, NULL, sender, (void *)(intptr_t)SIGTERM) == 0);
    FAILS_WITH(HONE_INTERRUPTED, "interrupted", hone_study_optimize(study, objective, NULL, 50, 0, 2));
    pthread_join(t, NULL);
    CHECK(last_signal == SIGTERM);
    CHECK(saw_stop == 2);
    CHECK(count(study, NULL) == 7);
    CHECK(count(study, "fail") == 3);
    CHECK(interrupted_count(study) == 3);
    CHECK(count(study, "running") == 0);

    /* An objective that finishes its work anyway (HONE_OK with a value) completes. */
    odd_returns_ok = 1;
    reset(2);
    REQUIRE(pthread_create(&t, NULL, sender, (void *)(intptr_t)SIGINT) == 0);
    FAILS(HONE_INTERRUPTED, hone_study_optimize(study, objective, NULL, 50, 0, 2));
    pthread_join(t, NULL);
    CHECK(count(study, NULL) == 9);
    CHECK(count(study, "complete") == 5);
    CHECK(interrupted_count(study) == 4);
    hone_study_close(study);

    /* hone_interrupt outside any run changes nothing for later runs; it never fails. */
    OK(hone_interrupt());
    OK(hone_study_open("memory:", "after", NULL, &study));
    slow_from = 1000;
    OK(hone_study_optimize(study, objective, NULL, 3, 0, 1));
    CHECK(count(study, "complete") == 3);
    hone_study_close(study);

    /* A study script: its Lua is stopped at the next instruction. */
    FILE *f = fopen("loop.lua", "w");
    REQUIRE(f != NULL);
    fputs("study { name = \"loop\", trials = 20, storage = \"sqlite:interrupt.db\" }\n"
          "function objective(trial)\n"
          "  local x = trial:suggest_float(\"x\", 0, 1)\n"
          "  if trial.number >= 1 then while true do end end\n"
          "  return x\n"
          "end\n", f);
    fclose(f);
    hone_study *script_study = NULL;
    /* SIGTERM 500 ms into the run, while the second trial loops. */
    REQUIRE(pthread_create(&t, NULL, timed_sender, (void *)(intptr_t)SIGTERM) == 0);
    FAILS_WITH(HONE_INTERRUPTED, "hone_interrupt", hone_script_run("loop.lua", "{\"trials\": 20}", &script_study));
    pthread_join(t, NULL);
    CHECK(script_study == NULL);
    OK(hone_study_open("sqlite:interrupt.db", "loop", NULL, &study));
    CHECK(count(study, NULL) == 2);
    CHECK(count(study, "complete") == 1);
    CHECK(interrupted_count(study) == 1);
    hone_study_close(study);

    /* hone_auto: SIGINT 500 ms into the search; no model, the search's trials stay. */
    {
        enum { N = 240, F = 4 };
        static float x[N * F], y[N];
        uint64_t r = 7;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < F; j++) {
                r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                x[i * F + j] = (j == 0 ? (i % 2 ? 1.0f : -1.0f) : 0.0f) + (float)((r >> 11) * (1.0 / 9007199254740992.0)) - 0.5f;
            }
            y[i] = (float)(i % 2);
        }
        hone_dataset *data = NULL;
        OK(hone_dataset_from_arrays(x, N, F, y, 2, &data));
        hone_model *model = NULL;
        char *result = NULL;
        REQUIRE(pthread_create(&t, NULL, timed_sender, (void *)(intptr_t)SIGINT) == 0);
        FAILS_WITH(HONE_INTERRUPTED, "hone_auto", hone_auto(data, NULL,
            "{\"max_trials\": 200, \"max_epochs\": 300, \"seed\": 1, \"storage\": \"sqlite:interrupt.db\", "
            "\"study_name\": \"auto\", \"output\": \"auto.safetensors\"}", &model, &result));
        pthread_join(t, NULL);
        CHECK(model == NULL && result == NULL);
        CHECK(fopen("auto.safetensors", "r") == NULL);
        OK(hone_study_open("sqlite:interrupt.db", "auto", NULL, &study));
        CHECK(count(study, NULL) >= 1);
        CHECK(count(study, "running") == 0);
        printf("hone_auto interrupted: %lld trials, %d FAIL \"interrupted\"\n", (long long)count(study, NULL), interrupted_count(study));
        /* The trial running at the signal (unless it came between two trials). */
        CHECK(interrupted_count(study) <= 1 && count(study, "fail") == interrupted_count(study));
        hone_study_close(study);
        hone_dataset_free(data);
    }

    return check_done("interrupt");
}
