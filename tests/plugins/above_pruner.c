/* A test plugin with one pruner, "test-above": once a trial has completed, it prunes a
 * trial whose last reported value is above the option "limit" (default 1); "refuse": true makes create refuse. It counts
 * its live instances (registrations_live_instances) so tests can see them destroyed.
 * Built alone it is a plugin of its own (it needs only the plugin calls, so any host can
 * load it); tests/plugins/registrations.c includes it. */
#include <hone.h>
#include <stdlib.h>
#include <string.h>

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
    size_t n, completed;
    hone_status s;
    stale_context = ctx;  /* checked by the objective, when no pruner call is running */
    if ((s = hone_context_intermediate(ctx, steps, values, 64, &n)) != HONE_OK) return s;
    if ((s = hone_context_random(ctx, &r)) != HONE_OK) return s;
    if (!(r >= 0 && r < 1)) return HONE_ERROR;
    /* Nothing is pruned before a trial completed: there is nothing to compare with. */
    if ((s = hone_context_n_completed(ctx, &completed)) != HONE_OK) return s;
    *out = completed > 0 && n > 0 && values[n < 64 ? n - 1 : 63] > ((above *)instance)->limit;
    return HONE_OK;
}

static hone_status add_above(hone_registry *registry) {
    hone_pruner_plugin p;
    p.struct_size = sizeof p;
    p.create = above_create;
    p.destroy = above_destroy;
    p.should_prune = above_should_prune;
    return hone_registry_add_pruner(registry, "test-above", &p, &instances);
}

int registrations_live_instances(void);
int registrations_live_instances(void) { return instances; }

#ifndef ABOVE_PRUNER_INCLUDED
hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    if (api_version != HONE_PLUGIN_API_VERSION) return HONE_ERROR;
    return add_above(registry);
}
#endif
