/* Every registered sampler, pruner and scheduler runs from C (hone_study_open's options
 * JSON), with the options of tests/algorithms.json; a registered name missing there fails
 * the test. The README's algorithm × front-end table points here. */
#include "check.h"

static char fixture[1 << 16];

/* Copies the `{...}` that follows `"name": ` inside the fixture's `section` into out;
 * 0 when the section has no such name. */
static int options_of(const char *section, const char *name, char *out, size_t size) {
    char key[128];
    const char *s = strstr(fixture, section), *p;
    int depth = 0;
    size_t n = 0;
    if (!s) return 0;
    snprintf(key, sizeof key, "\"%s\": {", name);
    p = strstr(s, key);
    /* The key must lie inside this section, which ends at the first "\n  }". */
    if (!p || !strstr(s, "\n  }") || p > strstr(s, "\n  }")) return 0;
    p += strlen(key) - 1;
    do {
        if (*p == '{') depth++;
        if (*p == '}') depth--;
        if (n + 1 >= size) return 0;
        out[n++] = *p++;
    } while (depth > 0 && *p);
    out[n] = '\0';
    return 1;
}

static hone_status objective(hone_trial *t, void *userdata, double *values, size_t n) {
    double x, budget = 4;
    size_t k;
    int step;
    hone_status s;
    (void)userdata; (void)n;
    if ((s = hone_trial_suggest_float(t, "x", 0, 1, 0, 0, &x)) != HONE_OK) return s;
    {
        static const char *const choices[] = {"a", "b"};
        if ((s = hone_trial_suggest_categorical(t, "k", choices, 2, &k)) != HONE_OK) return s;
    }
    if (hone_trial_work(t, NULL, &budget, NULL, NULL) != HONE_OK) budget = 4;
    for (step = 1; step <= (int)budget; step++) {
        int prune = 0;
        double v = (x - 0.3) * (x - 0.3) + (k == 1) + 1.0 / (1 + step);
        if ((s = hone_trial_report(t, v, step)) != HONE_OK) return s;
        if ((s = hone_trial_should_prune(t, &prune)) != HONE_OK) return s;
        if (prune) return HONE_PRUNED;
    }
    values[0] = (x - 0.3) * (x - 0.3) + (k == 1) + 1.0 / (1 + budget);
    return HONE_OK;
}

static void run_every(const char *kind, const char *section, const char *registry) {
    char list[64], *names_start, *end, name[128], options[2048], json[4096];
    snprintf(list, sizeof list, "\"%s\":[", kind);
    names_start = strstr(registry, list);
    REQUIRE(names_start);
    names_start += strlen(list);
    end = strchr(names_start, ']');
    REQUIRE(end);
    while (names_start < end) {
        char *q = strchr(names_start, '"'), *r;
        hone_study *study;
        int64_t complete = 0, failed = 0, total = 0;
        if (!q || q >= end) break;
        r = strchr(q + 1, '"');
        snprintf(name, sizeof name, "%.*s", (int)(r - q - 1), q + 1);
        names_start = r + 1;
        if (!options_of(section, name, options, sizeof options)) {
            CHECK(!"a registered algorithm is missing from tests/algorithms.json");
            fprintf(stderr, "    %s '%s'\n", kind, name);
            continue;
        }
        if (strcmp(kind, "samplers") == 0)
            snprintf(json, sizeof json, "{\"seed\": 1, \"sampler\": {\"name\": \"%s\", %s", name, options + 1);
        else if (strcmp(kind, "pruners") == 0)
            snprintf(json, sizeof json, "{\"seed\": 1, \"sampler\": \"random\", \"pruner\": {\"name\": \"%s\", %s", name, options + 1);
        else
            snprintf(json, sizeof json, "{\"seed\": 1, \"scheduler\": {\"name\": \"%s\", %s", name, options + 1);
        /* `options + 1` drops the object's '{': {"name": ..., <options>}; an empty object
         * leaves a dangling comma. */
        {
            char *dangling = strstr(json, ", }");
            if (dangling) memmove(dangling, dangling + 2, strlen(dangling + 2) + 1);
        }
        strcat(json, "}");
        if (hone_study_open("memory:", name, json, &study) != HONE_OK) {
            CHECK(!"hone_study_open");
            fprintf(stderr, "    %s '%s': %s (%s)\n", kind, name, hone_errmsg(), json);
            continue;
        }
        if (hone_study_optimize(study, objective, NULL, 8, 120, 1) != HONE_OK) {
            CHECK(!"hone_study_optimize");
            fprintf(stderr, "    %s '%s': %s\n", kind, name, hone_errmsg());
        }
        OK(hone_study_trial_count(study, "complete", &complete));
        OK(hone_study_trial_count(study, "fail", &failed));
        OK(hone_study_trial_count(study, NULL, &total));
        if (complete < 1 || failed != 0 || total < 3) fprintf(stderr, "    %s '%s': %d complete, %d failed of %d\n",
                                                              kind, name, (int)complete, (int)failed, (int)total);
        CHECK(complete >= 1 && failed == 0 && total >= 3);
        hone_study_close(study);
    }
}

int main(void) {
    char path[4096], *registry = NULL;
    FILE *f;
    size_t n;
    const char *root = getenv("HONE_TEST_ROOT");
    REQUIRE(root);
    snprintf(path, sizeof path, "%s/tests/algorithms.json", root);
    REQUIRE((f = fopen(path, "rb")) != NULL);
    n = fread(fixture, 1, sizeof fixture - 1, f);
    fixture[n] = '\0';
    fclose(f);
    OK(hone_registry_json(&registry));
    run_every("samplers", "\"samplers\": {", registry);
    run_every("pruners", "\"pruners\": {", registry);
    run_every("schedulers", "\"schedulers\": {", registry);
    hone_free(registry);
    return check_done("every_algorithm");
}
