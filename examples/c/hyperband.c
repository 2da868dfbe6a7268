/*
 * hyperband.c: Hyperband (or PBT) through hone.h, with trials that continue training
 * from their checkpoints.
 *
 * A softmax regression trained by minibatch SGD stands in for a network. The study's
 * "scheduler" hands each call of the objective its work (hone_trial_work): train from
 * epoch `start` to `budget`, first restoring the checkpoint saved for trial
 * `resume_from` (-1: fresh weights). Checkpoints are kept here, one per trial number, and
 * freed when the study no longer needs them (a finished trial under Hyperband; PBT reads
 * only the previous generation's).
 *
 *   cc -std=c99 -Iinclude examples/c/hyperband.c -L.build/debug -lhone -lpthread -o hyperband
 *   ./hyperband [hyperband|pbt] [n_jobs]
 */
#include <hone.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_TRAIN 1500
#define N_VAL 500
#define N_FEATURES 20
#define N_CLASSES 4
#define MAX_TRIALS 1024

static double X[N_TRAIN + N_VAL][N_FEATURES];
static int Y[N_TRAIN + N_VAL];

/* Checkpoints: weights per trial number, behind a lock (n_jobs workers). */
typedef struct { double w[N_FEATURES][N_CLASSES]; double epochs; } checkpoint;
static checkpoint *checkpoints[MAX_TRIALS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* A seeded generator (SplitMix64), so the data are the same on every run. */
static double uniform(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static void make_data(void) {
    uint64_t s = 7;
    double truth[N_FEATURES][N_CLASSES];
    int i, j, k;
    for (j = 0; j < N_FEATURES; j++)
        for (k = 0; k < N_CLASSES; k++) truth[j][k] = 2 * uniform(&s) - 1;
    for (i = 0; i < N_TRAIN + N_VAL; i++) {
        double best = -1e300;
        for (j = 0; j < N_FEATURES; j++) X[i][j] = 2 * uniform(&s) - 1;
        for (k = 0; k < N_CLASSES; k++) {
            double score = 0.3 * (uniform(&s) - 0.5);
            for (j = 0; j < N_FEATURES; j++) score += X[i][j] * truth[j][k];
            if (score > best) { best = score; Y[i] = k; }
        }
    }
}

static double accuracy(double w[N_FEATURES][N_CLASSES]) {
    int i, j, k, right = 0;
    for (i = N_TRAIN; i < N_TRAIN + N_VAL; i++) {
        int arg = 0;
        double best = -1e300;
        for (k = 0; k < N_CLASSES; k++) {
            double z = 0;
            for (j = 0; j < N_FEATURES; j++) z += X[i][j] * w[j][k];
            if (z > best) { best = z; arg = k; }
        }
        right += arg == Y[i];
    }
    return (double)right / N_VAL;
}

static void sgd_epoch(double w[N_FEATURES][N_CLASSES], double lr, int batch, uint64_t *s) {
    int start, i, j, k;
    for (start = 0; start + batch <= N_TRAIN; start += batch) {
        double grad[N_FEATURES][N_CLASSES] = {{0}};
        for (i = 0; i < batch; i++) {
            int n = (int)(uniform(s) * N_TRAIN);
            double z[N_CLASSES], max = -1e300, sum = 0;
            for (k = 0; k < N_CLASSES; k++) {
                z[k] = 0;
                for (j = 0; j < N_FEATURES; j++) z[k] += X[n][j] * w[j][k];
                if (z[k] > max) max = z[k];
            }
            for (k = 0; k < N_CLASSES; k++) { z[k] = exp(z[k] - max); sum += z[k]; }
            for (k = 0; k < N_CLASSES; k++) {
                double p = z[k] / sum - (k == Y[n]);
                for (j = 0; j < N_FEATURES; j++) grad[j][k] += p * X[n][j];
            }
        }
        for (j = 0; j < N_FEATURES; j++)
            for (k = 0; k < N_CLASSES; k++) w[j][k] -= lr * grad[j][k] / batch;
    }
}

static hone_status objective(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double lr, start, budget, max_budget;
    int64_t batch, number, resume_from;
    checkpoint *c;
    uint64_t s;
    int epoch;
    hone_status status;
    (void)userdata; (void)n_values;
    if ((status = hone_trial_suggest_float(trial, "lr", 1e-3, 2, 0, HONE_LOG, &lr)) != HONE_OK) return status;
    if ((status = hone_trial_suggest_int(trial, "batch", 8, 256, 1, HONE_LOG, &batch)) != HONE_OK) return status;
    if ((status = hone_trial_number(trial, &number)) != HONE_OK) return status;
    if ((status = hone_trial_work(trial, &start, &budget, &max_budget, &resume_from)) != HONE_OK) return status;
    if (number >= MAX_TRIALS || !(c = calloc(1, sizeof *c))) return HONE_ERROR;
    if (resume_from >= 0) {           /* restore: a copy, as PBT may resume one checkpoint twice */
        pthread_mutex_lock(&lock);
        if (checkpoints[resume_from]) *c = *checkpoints[resume_from];
        pthread_mutex_unlock(&lock);
        if (c->epochs != start) { free(c); return HONE_ERROR; }
    }
    s = (uint64_t)number * 7919u + 1;
    for (epoch = (int)start; epoch < (int)budget; epoch++) {
        sgd_epoch(c->w, lr, (int)batch, &s);
        if ((status = hone_trial_report(trial, accuracy(c->w), epoch + 1)) != HONE_OK) { free(c); return status; }
    }
    c->epochs = budget;
    values[0] = accuracy(c->w);
    pthread_mutex_lock(&lock);         /* save */
    free(checkpoints[number]);
    checkpoints[number] = c;
    pthread_mutex_unlock(&lock);
    return HONE_OK;
}

/* Frees the checkpoints no later work resumes: a finished Hyperband trial's (it is never
 * promoted again); under PBT the trial JSON's system attribute "pbt.parent" names the
 * checkpoint a segment resumed, which nothing else needs once its generation is over
 * (kept simple here: PBT checkpoints are freed at the end). */
static hone_status finished(hone_study *study, const char *trial_json, void *userdata) {
    const char *n = strstr(trial_json, "\"number\":");
    long number;
    (void)study;
    if (!n || *(const int *)userdata) return HONE_OK;
    number = strtol(n + strlen("\"number\":"), NULL, 10);
    if (number >= 0 && number < MAX_TRIALS) {
        pthread_mutex_lock(&lock);
        free(checkpoints[number]);
        checkpoints[number] = NULL;
        pthread_mutex_unlock(&lock);
    }
    return HONE_OK;
}

int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "hyperband";
    int n_jobs = argc > 2 ? atoi(argv[2]) : 2, is_pbt = strcmp(which, "pbt") == 0, i;
    const char *options = is_pbt
        ? "{\"direction\": \"maximize\", \"seed\": 0, \"scheduler\": {\"name\": \"pbt\", \"population_size\": 6, "
          "\"generations\": 9, \"steps_per_generation\": 3, \"explored\": [\"lr\"]}}"
        : "{\"direction\": \"maximize\", \"seed\": 0, \"sampler\": \"tpe\", \"scheduler\": {\"name\": \"hyperband\", "
          "\"max_resource\": 27, \"iterations\": 1}}";
    hone_study *study;
    double best;
    int64_t trials;
    make_data();
    if (hone_study_open("memory:", "hyperband", options, &study) != HONE_OK ||
        hone_study_optimize_v2(study, objective, NULL, finished, &is_pbt, 0, 600, n_jobs) != HONE_OK ||
        hone_study_best_value(study, &best) != HONE_OK ||
        hone_study_trial_count(study, NULL, &trials) != HONE_OK) {
        fprintf(stderr, "hyperband: %s\n", hone_errmsg());
        return 1;
    }
    printf("%s: %lld trials, best validation accuracy %.3f\n", which, (long long)trials, best);
    hone_study_close(study);
    for (i = 0; i < MAX_TRIALS; i++) free(checkpoints[i]);
    return 0;
}
