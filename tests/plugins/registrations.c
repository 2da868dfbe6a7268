/* A test plugin that registers one of everything: a pruner, an objective and a data set
 * loader. It also keeps the registry and a context past their calls and checks that
 * using them later is refused (HONE_MISUSE) rather than crashing. */
#include <hone.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static hone_registry *stale_registry;
static const hone_plugin_context *stale_context;
static int instances;

/* "test-above": prunes a trial whose last reported value is above the option "limit". */
typedef struct { double limit; } above;

static void *above_create(const char *options_json, void *plugin_data) {
    above *a;
    const char *p = strstr(options_json, "\"limit\":");
    if (plugin_data != (void *)&instances) return NULL;
    if (strstr(options_json, "\"refuse\"")) return NULL;
    a = malloc(sizeof *a);
    if (!a) return NULL;
    a->limit = p ? strtod(p + 8, NULL) : 1.0;
    instances++;
    return a;
}

static void above_destroy(void *instance) { free(instance); instances--; }

static hone_status above_should_prune(void *instance, const hone_plugin_context *ctx, int *out) {
    int64_t steps[64];
    double values[64], r;
    size_t n;
    hone_status s;
    if (stale_context && hone_context_random(stale_context, &r) != HONE_MISUSE) return HONE_ERROR;
    stale_context = ctx;
    if ((s = hone_context_intermediate(ctx, steps, values, 64, &n)) != HONE_OK) return s;
    if ((s = hone_context_random(ctx, &r)) != HONE_OK) return s;
    if (!(r >= 0 && r < 1)) return HONE_ERROR;
    *out = n > 0 && values[n < 64 ? n - 1 : 63] > ((above *)instance)->limit;
    return HONE_OK;
}

/* "test-quadratic": (x - 0.25)^2, reporting x at steps 0..2. */
static hone_status quadratic(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x;
    int prune = 0;
    hone_status s;
    hone_sampler_plugin nothing;
    memset(&nothing, 0, sizeof nothing);
    if (userdata != (void *)&instances || n_values != 1) return HONE_ERROR;
    if (hone_registry_add_sampler(stale_registry, "late", &nothing, NULL) != HONE_MISUSE) return HONE_ERROR;
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
    for (int i = 0; i < n; i++) { x[i] = (float)i / (float)n; y[i] = 2 * x[i] + 1; }
    return hone_dataset_from_arrays(x, (size_t)n, 1, y, 0, out);
}

hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    hone_pruner_plugin p;
    hone_status s;
    if (api_version != HONE_PLUGIN_API_VERSION) return HONE_ERROR;
    stale_registry = registry;
    p.struct_size = sizeof p;
    p.create = above_create;
    p.destroy = above_destroy;
    p.should_prune = above_should_prune;
    if ((s = hone_registry_add_pruner(registry, "test-above", &p, &instances)) != HONE_OK) return s;
    if ((s = hone_registry_add_objective(registry, "test-quadratic", quadratic, &instances)) != HONE_OK) return s;
    return hone_registry_add_dataset(registry, "test-line", line_loader, NULL);
}

/* How many pruner instances are alive (the test checks that closing a study frees them). */
int registrations_live_instances(void);
int registrations_live_instances(void) { return instances; }
