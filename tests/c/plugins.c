/* Plugins through hone.h: the example Gaussian sampler (built here from
 * examples/plugins/gaussian_sampler.c) used by a study; a plugin registering a pruner,
 * an objective and a data set; the Lua plugin example; and every way loading can fail. */
#include "check.h"

static const char *root, *build;

/* Compiles a plugin source (relative to the package root) into ./NAME.so. */
static void build_plugin(const char *source, const char *name) {
    char command[4096];
    snprintf(command, sizeof command, "cc -std=c99 -Wall -Wextra -pedantic -Werror -shared -fPIC -I%s/include %s/%s -o %s.so -lm",
             root, root, source, name);
    REQUIRE(system(command) == 0);
}

static hone_status gaussian_objective(hone_trial *trial, void *userdata, double *values, size_t n_values) {
    double x, y;
    int64_t k;
    static const char *const colors[] = {"red", "green", "blue"};
    size_t c;
    hone_status s;
    (void)userdata; (void)n_values;
    if ((s = hone_trial_suggest_float(trial, "x", -5, 5, 0, 0, &x)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_float(trial, "y", 1e-3, 10, 0, HONE_LOG, &y)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_int(trial, "k", 0, 20, 5, 0, &k)) != HONE_OK) return s;
    if ((s = hone_trial_suggest_categorical(trial, "color", colors, 3, &c)) != HONE_OK) return s;
    if (k % 5 != 0 || y < 1e-3 || y > 10 || x < -5 || x > 5 || c > 2) return HONE_ERROR;
    values[0] = (x - 1) * (x - 1) + (y - 2) * (y - 2) + (double)k / 10 + (c == 1 ? 0 : 1);
    return HONE_OK;
}

static void gaussian_sampler_study(void) {
    char *names = NULL, *trials = NULL, *registry = NULL;
    hone_study *study = NULL, *again = NULL;
    int64_t complete = 0;
    double best = 0, best_again = 0;

    build_plugin("examples/plugins/gaussian_sampler.c", "gaussian");
    OK(hone_plugin_load("./gaussian.so", &names));
    CHECK(strcmp(names, "{\"datasets\":[],\"objectives\":[],\"pruners\":[],\"samplers\":[\"gaussian\"]}") == 0);
    hone_free(names);
    /* The same file again (by another spelling): HONE_OK, nothing new. */
    OK(hone_plugin_load("gaussian.so", &names));
    CHECK(count_of(names, "gaussian") == 0);
    hone_free(names);
    OK(hone_registry_json(&registry));
    CHECK(count_of(registry, "\"gaussian\"") == 1 && count_of(registry, "\"tpe\"") == 1);
    hone_free(registry);

    OK(hone_study_open("memory:", "g", "{\"sampler\": {\"name\": \"gaussian\", \"sigma\": 0.1, \"n_startup\": 4}, \"seed\": 3}", &study));
    OK(hone_study_optimize(study, gaussian_objective, NULL, 40, 0, 1));
    OK(hone_study_trial_count(study, "complete", &complete));
    CHECK(complete == 40);
    OK(hone_study_best_value(study, &best));
    /* The plugin, not a built-in, chose the values: random search with the same seed differs.
     * (That it searches well is checked over many seeds in Tests/HonePluginsTests.) */
    {
        hone_study *random = NULL;
        double best_random = 0;
        OK(hone_study_open("memory:", "r", "{\"sampler\": \"random\", \"seed\": 3}", &random));
        OK(hone_study_optimize(random, gaussian_objective, NULL, 40, 0, 1));
        OK(hone_study_best_value(random, &best_random));
        CHECK(best != best_random);
        hone_study_close(random);
    }
    /* Same seed, same trials. */
    OK(hone_study_open("memory:", "g", "{\"sampler\": {\"name\": \"gaussian\", \"sigma\": 0.1, \"n_startup\": 4}, \"seed\": 3}", &again));
    OK(hone_study_optimize(again, gaussian_objective, NULL, 40, 0, 1));
    OK(hone_study_best_value(again, &best_again));
    CHECK(best == best_again);
    OK(hone_study_trials_json(study, "fail", &trials));
    CHECK(strcmp(trials, "[]") == 0);
    hone_free(trials);
    hone_study_close(study);
    hone_study_close(again);

    /* Options the plugin refuses, and options of the wrong shape. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "gaussian", hone_study_open("memory:", NULL, "{\"sampler\": {\"name\": \"gaussian\", \"sigma\": 7}}", &study));
    FAILS(HONE_INVALID_ARGUMENT, hone_study_open("memory:", NULL, "{\"sampler\": {\"name\": \"gaussian\", \"sigmaa\": 0.1}}", &study));
}

static void registrations_plugin(void) {
    char *names = NULL, *info = NULL, *metrics = NULL;
    hone_study *study = NULL;
    hone_dataset *train = NULL, *test = NULL, *d_broken = NULL;
    hone_model *model = NULL;
    int64_t pruned = 0, complete = 0;
    double best = 0;

    build_plugin("tests/plugins/registrations.c", "registrations");
    OK(hone_plugin_load("./registrations.so", &names));
    CHECK(strcmp(names, "{\"datasets\":[\"test-line\"],\"objectives\":[\"test-quadratic\"],\"pruners\":[\"test-above\"],\"samplers\":[]}") == 0);
    hone_free(names);

    /* The objective and the pruner by name: trials with x > 1.5 are pruned by the plugin. */
    OK(hone_study_open("memory:", "r", "{\"sampler\": \"random\", \"pruner\": {\"name\": \"test-above\", \"limit\": 1.5}, \"seed\": 1}", &study));
    OK(hone_study_optimize_named(study, "test-quadratic", 30, 0, 1));
    OK(hone_study_trial_count(study, "pruned", &pruned));
    OK(hone_study_trial_count(study, "complete", &complete));
    CHECK(pruned > 0 && complete > 0 && pruned + complete == 30);
    OK(hone_study_best_value(study, &best));
    CHECK(best < 0.1);
    hone_study_close(study);
    FAILS(HONE_INVALID_ARGUMENT, hone_study_open("memory:", NULL, "{\"pruner\": {\"name\": \"test-above\", \"refuse\": true}}", &study));

    /* The data set by name, both parts. */
    OK(hone_dataset_load("test-line", NULL, &train));
    OK(hone_dataset_load("test-line", "{\"part\": \"test\"}", &test));
    FAILS_WITH(HONE_IO, "test-line", hone_dataset_load("test-line", "{\"broken\": true}", &d_broken));
    /* A plugin's options pass through as they come, keys DataSpec also knows included. */
    {
        hone_dataset *own = NULL;
        OK(hone_dataset_load("test-line", "{\"seed\": 3, \"target\": 7, \"count\": 1}", &own));
        hone_dataset_free(own);
    }
    OK(hone_dataset_info_json(test, &info));
    CHECK(count_of(info, "\"samples\":10") == 1 && count_of(info, "regression") == 1);
    hone_free(info);
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 1, \"hidden\": [8], \"outputs\": 1}", &model));
    OK(hone_model_train(model, train, NULL, "{\"epochs\": 60, \"batch_size\": 8, \"optimizer\": {\"name\": \"adam\", \"lr\": 0.03}}", NULL, NULL, NULL));
    OK(hone_model_evaluate(model, test, &metrics));
    CHECK(count_of(metrics, "\"r2\":0.9") == 1);
    hone_free(metrics);
    hone_model_free(model);
    hone_dataset_free(train);
    hone_dataset_free(test);

    /* Lua's hone.dataset finds the plugin's data set too (both parts). */
    {
        FILE *f = fopen("uses_plugin_data.lua", "w");
        REQUIRE(f);
        fputs("study { name = 'plugin-data', trials = 1 }\n"
              "function objective(trial)\n"
              "  local d = hone.dataset('test-line')\n"
              "  return d.count * 1000 + d.test_count\n"
              "end\n", f);
        fclose(f);
        OK(hone_script_run("uses_plugin_data.lua", NULL, &study));
        OK(hone_study_best_value(study, &best));
        CHECK(best == 40010);
        hone_study_close(study);
    }
}

static void lua_plugin(void) {
    char path[2048], *names = NULL;
    hone_study *study = NULL;
    int64_t complete = 0;
    snprintf(path, sizeof path, "%s/examples/plugins/local_rules.lua", root);
    OK(hone_plugin_load(path, &names));
    CHECK(strcmp(names, "{\"datasets\":[],\"objectives\":[],\"pruners\":[\"lua-worse-than-best\"],\"samplers\":[\"lua-local\"]}") == 0);
    hone_free(names);
    OK(hone_study_open("memory:", "lua", "{\"sampler\": \"lua-local\", \"pruner\": \"lua-worse-than-best\", \"seed\": 2}", &study));
    OK(hone_study_optimize(study, gaussian_objective, NULL, 20, 0, 2));
    OK(hone_study_trial_count(study, "complete,pruned", &complete));
    CHECK(complete == 20);
    hone_study_close(study);
}

static void failures(void) {
    char *names = NULL;
    FILE *f;
    FAILS_WITH(HONE_NOT_FOUND, "no such file", hone_plugin_load("./missing.so", &names));
    FAILS(HONE_MISUSE, hone_plugin_load(NULL, &names));
    FAILS(HONE_INVALID_ARGUMENT, hone_plugin_load("", &names));
    FAILS(HONE_INVALID_ARGUMENT, hone_plugin_load("\xff\xfe.so", &names));
    FAILS(HONE_INVALID_ARGUMENT, hone_plugin_load(".", &names));

    build_plugin("tests/plugins/no_entry.c", "no_entry");
    FAILS_WITH(HONE_NOT_FOUND, "hone_plugin_init", hone_plugin_load("./no_entry.so", &names));
    build_plugin("tests/plugins/future_version.c", "future_version");
    FAILS_WITH(HONE_INVALID_ARGUMENT, "plugin API version is 1", hone_plugin_load("./future_version.so", &names));
    build_plugin("tests/plugins/bad_registrations.c", "bad_registrations");
    FAILS_WITH(HONE_INVALID_ARGUMENT, "built in", hone_plugin_load("./bad_registrations.so", &names));

    f = fopen("garbage.so", "w");
    REQUIRE(f);
    fputs("this is not an ELF file", f);
    fclose(f);
    FAILS_WITH(HONE_IO, "garbage.so", hone_plugin_load("./garbage.so", &names));

    f = fopen("broken.lua", "w");
    REQUIRE(f);
    fputs("hone.sampler('x', function(space, trials) return {} end\n", f);
    fclose(f);
    FAILS_WITH(HONE_SCRIPT, "broken.lua", hone_plugin_load("./broken.lua", &names));
    f = fopen("empty.lua", "w");
    REQUIRE(f);
    fputs("local x = 1\n", f);
    fclose(f);
    FAILS_WITH(HONE_SCRIPT, "registers nothing", hone_plugin_load("./empty.lua", &names));
    f = fopen("evil.lua", "w");
    REQUIRE(f);
    fputs("os.execute('touch pwned')\nhone.sampler('evil', function() return {} end)\n", f);
    fclose(f);
    FAILS(HONE_SCRIPT, hone_plugin_load("./evil.lua", &names));
    f = fopen("pwned", "r");
    CHECK(f == NULL);
    if (f) fclose(f);

    /* Context calls outside any plugin call. */
    {
        double r;
        int64_t n;
        size_t count;
        FAILS(HONE_MISUSE, hone_context_random(NULL, &r));
        FAILS(HONE_MISUSE, hone_context_trial_number((const hone_plugin_context *)(void *)&r, &n));
        FAILS(HONE_MISUSE, hone_context_n_completed((const hone_plugin_context *)(uintptr_t)0x70000000000048ull, &count));
        FAILS(HONE_MISUSE, hone_registry_add_objective(NULL, "x", NULL, NULL));
    }
}

int main(void) {
    root = getenv("HONE_TEST_ROOT");
    build = getenv("HONE_TEST_BUILD");
    REQUIRE(root && build);
    gaussian_sampler_study();
    registrations_plugin();
    lua_plugin();
    failures();
    return check_done("plugins");
}
