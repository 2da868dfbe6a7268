/* Typed categorical choices (hone_trial_suggest_categorical_json): the chosen value is
 * stored as itself — 32 not "32", null as null — through SQLite and back, enqueued
 * values pick the typed choice, and bad choices are refused with a message naming them. */
#include "check.h"

#define URL "sqlite:typed.db"
#define CHOICES "[32, 0.5, \"auto\", true, null]"

static int contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

int main(void) {
    hone_study *study = NULL;
    OK(hone_study_open(URL, "typed", "{\"sampler\": \"random\", \"seed\": 3}", &study));
    /* Each choice, enqueued as its JSON value, comes back as its own index. */
    static const char *const fixed[] = {"{\"c\": 32}", "{\"c\": 0.5}", "{\"c\": \"auto\"}",
                                        "{\"c\": true}", "{\"c\": null}"};
    for (size_t i = 0; i < 5; i++) OK(hone_study_enqueue(study, fixed[i], NULL));
    for (size_t i = 0; i < 5; i++) {
        hone_trial *t = NULL;
        size_t k = 99;
        OK(hone_study_ask(study, &t));
        OK(hone_trial_suggest_categorical_json(t, "c", CHOICES, &k));
        CHECK(k == i);
        /* Asking again with the same choices gives the same index. */
        size_t again = 99;
        OK(hone_trial_suggest_categorical_json(t, "c", CHOICES, &again));
        CHECK(again == k);
        double v = (double)i;
        OK(hone_study_tell(study, t, HONE_TRIAL_COMPLETE, &v, 1));
        hone_trial_free(t);
    }
    hone_study_close(study);

    /* Read back from the file: typed values in the trial encoding. */
    OK(hone_study_open(URL, "typed", NULL, &study));
    char *json = NULL;
    OK(hone_study_trials_json(study, NULL, &json));
    CHECK(contains(json, "\"params\":{\"c\":32}"));
    CHECK(contains(json, "\"params\":{\"c\":0.5}"));
    CHECK(contains(json, "\"params\":{\"c\":\"auto\"}"));
    CHECK(contains(json, "\"params\":{\"c\":true}"));
    CHECK(contains(json, "\"params\":{\"c\":null}"));
    CHECK(contains(json, "\"choices\":[32,0.5,\"auto\",true,null]"));
    if (check_failures) fprintf(stderr, "trials json: %s\n", json);
    hone_free(json);

    /* Bad choices: the message names the parameter and what is wrong. */
    hone_trial *t = NULL;
    size_t k = 0;
    OK(hone_study_ask(study, &t));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "JSON array", hone_trial_suggest_categorical_json(t, "d", "{\"a\": 1}", &k));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "choice 1", hone_trial_suggest_categorical_json(t, "d", "[1, [2]]", &k));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "1 to 65536", hone_trial_suggest_categorical_json(t, "d", "[]", &k));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "d", hone_trial_suggest_categorical_json(t, "d", "[1, 2", &k));
    FAILS(HONE_INVALID_ARGUMENT, hone_trial_suggest_categorical_json(t, "d", "[1, 1.0]", &k));   /* both the int 1 */
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical_json(t, "d", NULL, &k));
    FAILS(HONE_MISUSE, hone_trial_suggest_categorical_json(t, "d", "[1]", NULL));
    /* The same name with other choices is another distribution: refused. */
    OK(hone_trial_suggest_categorical_json(t, "c", CHOICES, &k));
    FAILS(HONE_INVALID_ARGUMENT, hone_trial_suggest_categorical_json(t, "c", "[32, 64]", &k));
    OK(hone_study_tell(study, t, HONE_TRIAL_FAIL, NULL, 0));
    hone_trial_free(t);
    hone_study_close(study);
    return check_done("typed_choices");
}
