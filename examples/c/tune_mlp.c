/*
 * tune_mlp.c: tune a small MLP on the caller's own arrays through hone.h.
 *
 * The data (three noisy Gaussian blobs in 4-D) are made here; a study (TPE sampler,
 * median pruner) asks for a learning rate, a width and an activation; each trial trains
 * a model through the model API and reports validation accuracy after every epoch, and
 * the epoch callback stops the training when the pruner says so.
 *
 *   cc -std=c99 -Iinclude examples/c/tune_mlp.c -L.build/debug -lhone -o tune_mlp && ./tune_mlp [n_trials]
 */
#include <hone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SAMPLES 600
#define N_FEATURES 4
#define N_CLASSES 3

typedef struct {
    hone_dataset *train;
    hone_dataset *validation;
} data_sets;

/* A seeded generator (SplitMix64), so the data are the same on every run. */
static double uniform(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static hone_status make_data(data_sets *d) {
    static float x[N_SAMPLES * N_FEATURES], y[N_SAMPLES];
    uint64_t state = 42;
    hone_dataset *all = NULL;
    hone_status s;
    for (int i = 0; i < N_SAMPLES; i++) {
        int c = i % N_CLASSES;
        y[i] = (float)c;
        for (int j = 0; j < N_FEATURES; j++) {
            double center = (j == c) ? 2.0 : (j == (c + 1) % N_FEATURES ? -1.0 : 0.0);
            /* A sum of uniforms: close enough to Gaussian noise. */
            double noise = uniform(&state) + uniform(&state) + uniform(&state) - 1.5;
            x[i * N_FEATURES + j] = (float)(center + 1.6 * noise);
        }
    }
    if ((s = hone_dataset_from_arrays(x, N_SAMPLES, N_FEATURES, y, N_CLASSES, &all)) != HONE_OK) return s;
    s = hone_dataset_split(all, 0.25, 7, &d->train, &d->validation);
    hone_dataset_free(all);
    return s;
}

/* The number after the last "val_accuracy": in a JSON text (a training result lists each
 * epoch's metrics first, then the final ones). */
static double val_accuracy(const char *json) {
    const char *key = "\"val_accuracy\":", *p, *last = NULL;
    for (p = strstr(json, key); p; p = strstr(p + 1, key)) last = p;
    return last ? strtod(last + strlen(key), NULL) : 0;
}

/* After every epoch: report validation accuracy and stop when the pruner says so. */
static hone_status on_epoch(int64_t epoch, const char *metrics_json, void *userdata) {
    hone_trial *trial = userdata;
    int prune = 0;
    hone_status s;
    if ((s = hone_trial_report(trial, epoch, val_accuracy(metrics_json))) != HONE_OK) return s;
    if ((s = hone_trial_should_prune(trial, &prune)) != HONE_OK) return s;
    return prune ? HONE_PRUNED : HONE_OK;
}

static hone_status objective(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    const data_sets *d = userdata;
    static const char *const activations[] = {"relu", "tanh", "gelu"};
    double lr;
    int64_t width;
    size_t act;
    char description[256], options[160], *result = NULL;
    hone_model *model = NULL;
    hone_status s;
    (void)n_values;
    if ((s = hone_trial_suggest_float(trial, "lr", 1e-4, 1e-1, 0, HONE_LOG, &lr)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_int(trial, "width", 4, 64, 1, HONE_LOG, &width)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_categorical(trial, "activation", activations, 3, &act)) != HONE_OK) return s;
    snprintf(description, sizeof description,
             "{\"kind\": \"mlp\", \"inputs\": %d, \"hidden\": [%lld], \"outputs\": %d, \"activation\": \"%s\"}",
             N_FEATURES, (long long)width, N_CLASSES, activations[act]);
    snprintf(options, sizeof options, "{\"epochs\": 8, \"batch_size\": 32, \"optimizer\": {\"name\": \"adam\", \"lr\": %g}}", lr);
    if ((s = hone_model_create(description, &model)) != HONE_OK) return s;
    s = hone_model_train(model, d->train, d->validation, options, on_epoch, trial, &result);
    if (s == HONE_OK) {
        values[0] = val_accuracy(result);
        hone_free(result);
    }
    hone_model_free(model);
    return s; /* HONE_PRUNED from the callback stores the trial as pruned */
}

int main(int argc, char **argv) {
    data_sets d = {NULL, NULL};
    hone_study *study = NULL;
    int64_t n_trials = argc > 1 ? atoll(argv[1]) : 12;
    double best = 0;
    char *params = NULL;
    int64_t pruned = 0, complete = 0;

    if (make_data(&d) != HONE_OK ||
        hone_study_open("memory:", "tune-mlp",
                        "{\"direction\": \"maximize\", \"sampler\": \"tpe\", \"seed\": 1,"
                        " \"pruner\": {\"name\": \"median\", \"n_startup_trials\": 3, \"n_warmup_steps\": 2}}",
                        &study) != HONE_OK ||
        hone_study_optimize(study, objective, &d, n_trials, 0, 1) != HONE_OK ||
        hone_study_best_value(study, &best) != HONE_OK ||
        hone_study_best_params_json(study, &params) != HONE_OK ||
        hone_study_trial_count(study, "pruned", &pruned) != HONE_OK ||
        hone_study_trial_count(study, "complete", &complete) != HONE_OK) {
        fprintf(stderr, "tune_mlp: %s\n", hone_errmsg());
        return 1;
    }
    printf("trials: %lld complete, %lld pruned\n", (long long)complete, (long long)pruned);
    printf("best validation accuracy %.4f with %s\n", best, params);
    hone_free(params);
    hone_study_close(study);
    hone_dataset_free(d.train);
    hone_dataset_free(d.validation);
    return 0;
}
