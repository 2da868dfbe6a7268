/* The cost of one ask + 3 × suggest_float + tell round trip through the C API, once the
 * study already has `warm` finished trials (in-memory storage). Run by hand:
 *   bench/overhead/run.sh [BUILD_DIR]   (default .build/release)
 * Prints one line per sampler: median and mean microseconds per round trip over the
 * measured trials. */
#define _POSIX_C_SOURCE 199309L
#include <hone.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CHECKED(call) do { hone_status s_ = (call); if (s_ != HONE_OK) { \
    fprintf(stderr, "%s: %s: %s\n", #call, hone_status_name(s_), hone_errmsg()); exit(1); } } while (0)

/* One round trip; returns its duration in microseconds. */
static double round_trip(hone_study *study) {
    double t0 = now_us(), x, y, z, v;
    hone_trial *trial;
    CHECKED(hone_study_ask(study, &trial));
    CHECKED(hone_trial_suggest_float(trial, "x", -5, 5, 0, 0, &x));
    CHECKED(hone_trial_suggest_float(trial, "y", -5, 5, 0, 0, &y));
    CHECKED(hone_trial_suggest_float(trial, "lr", 1e-5, 1e-1, 0, HONE_LOG, &z));
    v = (x - 1) * (x - 1) + (y + 2) * (y + 2) + z;
    CHECKED(hone_study_tell(study, trial, HONE_TRIAL_COMPLETE, &v, 1));
    hone_trial_free(trial);
    return now_us() - t0;
}

int main(int argc, char **argv) {
    int warm = argc > 1 ? atoi(argv[1]) : 500;
    int measured = argc > 2 ? atoi(argv[2]) : 100;
    const char *samplers[] = {"{\"sampler\": \"tpe\", \"seed\": 0}", "{\"sampler\": \"random\", \"seed\": 0}"};
    const char *names[] = {"tpe", "random"};
    double *times = malloc(sizeof(double) * (size_t)measured);
    for (int k = 0; k < 2; k++) {
        hone_study *study;
        CHECKED(hone_study_open("memory:", "overhead", samplers[k], &study));
        for (int i = 0; i < warm; i++) round_trip(study);
        double sum = 0;
        for (int i = 0; i < measured; i++) { times[i] = round_trip(study); sum += times[i]; }
        qsort(times, (size_t)measured, sizeof(double), cmp);
        printf("%-6s after %d trials: median %.1f us, mean %.1f us per ask + 3 suggest_float + tell (%d measured)\n",
               names[k], warm, times[measured / 2], sum / measured, measured);
        hone_study_close(study);
    }
    free(times);
    return 0;
}
