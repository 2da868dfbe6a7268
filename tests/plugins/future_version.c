/* A plugin built for a plugin API this library does not speak: its init refuses. */
#include <hone.h>

hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    (void)registry;
    return api_version == HONE_PLUGIN_API_VERSION + 1 ? HONE_OK : HONE_INVALID_ARGUMENT;
}
