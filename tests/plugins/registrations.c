/* A test plugin that registers one of everything: a pruner (above_pruner.c), an objective
 * and a data set loader. It also keeps the registry and a context past their calls and checks that
 * using them later is refused (HONE_MISUSE) rather than crashing. */
#define ABOVE_PRUNER_INCLUDED
#include "above_pruner.c"

static hone_registry *stale_registry;

/* "test-quadratic": (x - 0.25)^2, reporting x at steps 0..2. */
static hone_status quadratic(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x;
    int prune = 0;
    hone_status s;
    hone_sampler_plugin nothing;
    memset(&nothing, 0, sizeof nothing);
    if (userdata != (void *)&instances || n_values != 1) return HONE_ERROR;
    if (hone_registry_add_sampler(stale_registry, "late", &nothing, NULL) != HONE_MISUSE) return HONE_ERROR;
    if (stale_context && hone_context_random(stale_context, &x) != HONE_MISUSE) return HONE_ERROR;
    if ((s = hone_trial_suggest_float(trial, "x", -1, 3, 0, 0, &x)) != HONE_OK) return s;
    for (int step = 0; step < 3; step++) {
        if ((s = hone_trial_report(trial, step, x)) != HONE_OK) return s;
        if ((s = hone_trial_should_prune(trial, &prune)) != HONE_OK) return s;
        if (prune) return HONE_PRUNED;
    }
    values[0] = (x - 0.25) * (x - 0.25);
    return HONE_OK;
}

/* "test-line": y = 2x + 1 with 40 training samples, 10 test samples. */
static hone_status line_loader(const char *options_json, void *userdata, hone_dataset **out) {
    float x[40], y[40];
    int n = strstr(options_json, "\"part\":\"test\"") ? 10 : 40;
    (void)userdata;
    if (strstr(options_json, "\"broken\":true")) return HONE_IO;
    for (int i = 0; i < n; i++) { x[i] = (float)i / (float)n; y[i] = 2 * x[i] + 1; }
    return hone_dataset_from_arrays(x, (size_t)n, 1, y, 0, out);
}

hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    hone_status s;
    if (api_version != HONE_PLUGIN_API_VERSION) return HONE_ERROR;
    stale_registry = registry;
    if ((s = add_above(registry)) != HONE_OK) return s;
    if ((s = hone_registry_add_objective(registry, "test-quadratic", quadratic, &instances)) != HONE_OK) return s;
    return hone_registry_add_dataset(registry, "test-line", line_loader, NULL);
}
