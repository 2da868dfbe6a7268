/* hone_script_run: a Lua study script run to the end with overrides; its errors. */
#include "check.h"

int main(void) {
    const char *root = getenv("HONE_TEST_ROOT");
    char path[2048], *trials = NULL;
    hone_study *study = NULL;
    int64_t complete = 0;
    FILE *f;
    REQUIRE(root);

    snprintf(path, sizeof path, "%s/scripts/branin.lua", root);
    OK(hone_script_run(path, "{\"trials\": 6, \"jobs\": 2, \"seed\": 1, \"storage\": \"sqlite:runs.db\"}", &study));
    OK(hone_study_trial_count(study, "complete", &complete));
    CHECK(complete == 6);
    OK(hone_study_trials_json(study, NULL, &trials));
    CHECK(count_of(trials, "\"number\"") == 6);
    hone_free(trials);
    hone_study_close(study);
    /* Resumed from the same storage: six more. */
    OK(hone_script_run(path, "{\"trials\": 6, \"storage\": \"sqlite:runs.db\"}", &study));
    OK(hone_study_trial_count(study, NULL, &complete));
    CHECK(complete == 12);
    hone_study_close(study);
    OK(hone_script_run(path, "{\"trials\": 1}", NULL));

    f = fopen("bad.lua", "w");
    REQUIRE(f);
    fputs("study { name = 'x', trials = 2 }\nfunction objective(trial)\n  return nil + 1\nend\nlocal broken = \n", f);
    fclose(f);
    FAILS_WITH(HONE_SCRIPT, "bad.lua", hone_script_run("bad.lua", NULL, NULL));
    f = fopen("nostudy.lua", "w");
    REQUIRE(f);
    fputs("function objective(trial) return 1 end\n", f);
    fclose(f);
    FAILS_WITH(HONE_SCRIPT, "study", hone_script_run("nostudy.lua", NULL, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_script_run(path, "{\"seed\": -2}", NULL));
    return check_done("script_run");
}
