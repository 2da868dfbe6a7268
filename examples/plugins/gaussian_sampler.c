/*
 * gaussian_sampler.c: a Hone sampler plugin in C, "local Gaussian around the best".
 *
 * For each parameter: during the first `n_startup` completed trials, or with
 * probability `p_uniform` afterwards, a uniform draw over the distribution; otherwise a
 * Gaussian step (standard deviation `sigma`, as a share of the range) from the value
 * the best completed trial used, on the same scale the distribution is searched on (log
 * scales in log space, integers and steps widened by half a step and snapped back).
 * Categorical parameters keep the best trial's choice with probability 1 - sigma, else
 * draw uniformly. Every random number comes from hone_context_random, so a seeded study
 * repeats exactly.
 *
 * Build:  cc -std=c99 -shared -fPIC -Iinclude examples/plugins/gaussian_sampler.c -o gaussian_sampler.so -lm
 * Use:    hone_plugin_load("gaussian_sampler.so", NULL); then "sampler": "gaussian"
 *         or {"name": "gaussian", "sigma": 0.1, "p_uniform": 0.2, "n_startup": 5}.
 */
#include <hone.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double sigma;
    double p_uniform;
    size_t n_startup;
} gaussian_sampler;

/* ---- a tiny reader for the flat JSON objects Hone passes ---------------------------- */

/* The text after "key": in a flat JSON object, or NULL. */
static const char *json_find(const char *json, const char *key) {
    size_t len = strlen(key);
    for (const char *p = strchr(json, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, len) == 0 && p[len + 1] == '"') {
            const char *q = p + len + 2;
            while (*q == ' ') q++;
            if (*q != ':') continue;
            q++;
            while (*q == ' ') q++;
            return q;
        }
    }
    return NULL;
}

static int json_number(const char *json, const char *key, double *out) {
    const char *v = json_find(json, key);
    char *end;
    if (!v) return 0;
    *out = strtod(v, &end);
    return end != v;
}

static int json_true(const char *json, const char *key) {
    const char *v = json_find(json, key);
    return v && strncmp(v, "true", 4) == 0;
}

static int json_is_string(const char *json, const char *key, const char *value) {
    const char *v = json_find(json, key);
    size_t len = strlen(value);
    return v && v[0] == '"' && strncmp(v + 1, value, len) == 0 && v[len + 1] == '"';
}

/* Every key of a flat object is one of `known` (NULL-terminated). */
static int json_keys_known(const char *json, const char *const *known) {
    int depth = 0;
    for (const char *p = json; *p; p++) {
        if (*p == '{' || *p == '[') { depth++; continue; }
        if (*p == '}' || *p == ']') { depth--; continue; }
        if (*p != '"') continue;
        const char *end = strchr(p + 1, '"');
        if (!end) return 0;
        const char *after = end + 1;
        while (*after == ' ') after++;
        if (depth == 1 && *after == ':') {
            int ok = 0;
            for (const char *const *k = known; *k; k++) {
                if ((size_t)(end - p - 1) == strlen(*k) && strncmp(p + 1, *k, strlen(*k)) == 0) ok = 1;
            }
            if (!ok) return 0;
        }
        p = end;
    }
    return 1;
}

/* ---- the sampler ---------------------------------------------------------------------- */

static void *create(const char *options_json, void *plugin_data) {
    static const char *const known[] = {"sigma", "p_uniform", "n_startup", NULL};
    gaussian_sampler *s;
    double x;
    (void)plugin_data;
    if (!json_keys_known(options_json, known)) return NULL;
    s = malloc(sizeof *s);
    if (!s) return NULL;
    s->sigma = 0.15;
    s->p_uniform = 0.2;
    s->n_startup = 5;
    if (json_number(options_json, "sigma", &x)) { if (!(x > 0 && x <= 1)) { free(s); return NULL; } s->sigma = x; }
    if (json_number(options_json, "p_uniform", &x)) { if (!(x >= 0 && x <= 1)) { free(s); return NULL; } s->p_uniform = x; }
    if (json_number(options_json, "n_startup", &x)) { if (!(x >= 0 && x <= 1e6)) { free(s); return NULL; } s->n_startup = (size_t)x; }
    return s;
}

static void destroy(void *instance) { free(instance); }

/* The searched axis of a numeric distribution: [lo, hi] in (log) space. */
typedef struct { double low, high, step, lo, hi; int log, is_int, has_step; } axis;

static axis make_axis(const char *d, int is_int) {
    axis a;
    memset(&a, 0, sizeof a);
    json_number(d, "low", &a.low);
    json_number(d, "high", &a.high);
    a.is_int = is_int;
    a.log = json_true(d, "log");
    a.has_step = json_number(d, "step", &a.step) && a.step > 0;
    if (is_int && !a.has_step) { a.step = 1; a.has_step = 1; }
    double half = a.has_step ? a.step / 2 : 0;
    if (a.log) {
        a.lo = log(is_int ? a.low - 0.5 : a.low);
        a.hi = log(is_int ? a.high + 0.5 : a.high);
    } else {
        a.lo = a.low - half;
        a.hi = a.high + half;
    }
    return a;
}

static double to_unit(const axis *a, double v) {
    double x = a->log ? log(v) : v;
    return a->hi > a->lo ? (x - a->lo) / (a->hi - a->lo) : 0.5;
}

static double from_unit(const axis *a, double u) {
    double x;
    if (u < 0) u = 0;
    if (u > 1) u = 1;
    x = a->lo + u * (a->hi - a->lo);
    if (a->log) x = exp(x);
    if (a->has_step) x = a->low + round((x - a->low) / a->step) * a->step;
    if (x < a->low) x = a->low;
    if (x > a->high) x = a->high;
    return x;
}

/* Index of the best completed trial that has `name`, or -1. */
static long best_with(const hone_plugin_context *ctx, const char *name, size_t n, double *value) {
    int maximize = 0;
    size_t n_obj;
    long best = -1;
    double best_y = 0;
    if (hone_context_directions(ctx, &maximize, 1, &n_obj) != HONE_OK) return -1;
    for (size_t i = 0; i < n; i++) {
        double y, v;
        int present;
        if (hone_context_completed_value(ctx, i, &y) != HONE_OK) return -1;
        if (hone_context_completed_param(ctx, i, name, &v, &present) != HONE_OK) return -1;
        if (!present) continue;
        if (best < 0 || (maximize ? y > best_y : y < best_y)) { best = (long)i; best_y = y; *value = v; }
    }
    return best;
}

static hone_status sample(void *instance, const hone_plugin_context *ctx, const char *name,
                          const char *distribution_json, double *out) {
    const gaussian_sampler *s = instance;
    size_t n;
    double u, center = 0;
    hone_status st;
    int categorical = json_is_string(distribution_json, "type", "categorical");
    int is_int = json_is_string(distribution_json, "type", "int");

    if ((st = hone_context_n_completed(ctx, &n)) != HONE_OK) return st;
    if ((st = hone_context_random(ctx, &u)) != HONE_OK) return st;
    int local = n >= s->n_startup && u >= s->p_uniform && best_with(ctx, name, n, &center) >= 0;

    if (categorical) {
        double high, r;
        json_number(distribution_json, "high", &high);
        if ((st = hone_context_random(ctx, &r)) != HONE_OK) return st;
        if (local && r >= s->sigma) { *out = center; return HONE_OK; }
        if ((st = hone_context_random(ctx, &r)) != HONE_OK) return st;
        *out = floor(r * (high + 1));
        if (*out > high) *out = high;
        return HONE_OK;
    }

    axis a = make_axis(distribution_json, is_int || categorical);
    double r1, r2;
    if ((st = hone_context_random(ctx, &r1)) != HONE_OK) return st;
    if (!local) { *out = from_unit(&a, r1); return HONE_OK; }
    if ((st = hone_context_random(ctx, &r2)) != HONE_OK) return st;
    /* Box-Muller; 1 - r1 is in (0, 1], so the log is finite. */
    double z = sqrt(-2.0 * log(1.0 - r1)) * cos(2.0 * 3.14159265358979323846 * r2);
    double v = to_unit(&a, center) + s->sigma * z;
    /* Reflect at the ends rather than pile up on them. */
    if (v < 0) v = -v;
    if (v > 1) v = 2 - v;
    *out = from_unit(&a, v);
    return HONE_OK;
}

hone_status hone_plugin_init(hone_registry *registry, int api_version);

hone_status hone_plugin_init(hone_registry *registry, int api_version) {
    hone_sampler_plugin plugin;
    if (api_version != HONE_PLUGIN_API_VERSION) return HONE_ERROR;
    plugin.struct_size = sizeof plugin;
    plugin.create = create;
    plugin.destroy = destroy;
    plugin.sample = sample;
    return hone_registry_add_sampler(registry, "gaussian", &plugin, NULL);
}
