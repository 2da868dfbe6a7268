/* A plugin whose registrations are all wrong: each must be refused with a status, and
 * the plugin then fails its init with the last one. */
#include <hone.h>
#include <string.h>

static hone_status nothing(void *instance, const hone_plugin_context *ctx, const char *name, const char *d, double *out) {
    (void)instance; (void)ctx; (void)name; (void)d; (void)out;
    return HONE_OK;
}

static void *create(const char *options_json, void *plugin_data) { (void)options_json; return plugin_data; }
static void destroy(void *instance) { (void)instance; }

hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    hone_sampler_plugin s;
    (void)api_version;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.sample = nothing;
    /* create/destroy missing */
    if (hone_registry_add_sampler(registry, "bad-1", &s, NULL) != HONE_INVALID_ARGUMENT) return HONE_ERROR;
    s.struct_size = 3;
    if (hone_registry_add_sampler(registry, "bad-2", &s, NULL) != HONE_INVALID_ARGUMENT) return HONE_ERROR;
    if (hone_registry_add_sampler(registry, "bad-3", NULL, NULL) != HONE_MISUSE) return HONE_ERROR;
    if (hone_registry_add_sampler(registry, NULL, &s, NULL) != HONE_MISUSE) return HONE_ERROR;
    if (hone_registry_add_pruner(NULL, "bad-4", NULL, NULL) != HONE_MISUSE) return HONE_ERROR;
    if (hone_registry_add_objective(registry, "bad-5", NULL, NULL) != HONE_MISUSE) return HONE_ERROR;
    if (hone_registry_add_dataset((hone_registry *)(void *)&s, "bad-6", NULL, NULL) != HONE_MISUSE) return HONE_ERROR;
    s.struct_size = sizeof s;
    s.create = create;
    s.destroy = destroy;
    /* a built-in name cannot be taken */
    return hone_registry_add_sampler(registry, "tpe", &s, NULL);
}
