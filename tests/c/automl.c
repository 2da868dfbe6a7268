/* hone_auto from C: a small two-class problem is searched, refit and tested; the result
 * JSON, the saved model and the report exist; misuse gives error statuses. */
#include "check.h"
#include <math.h>
#include <stdint.h>

#define N 240
#define F 4

int main(void) {
    static float x[N * F], y[N];
    uint64_t s = 7;
    for (int i = 0; i < N; i++) {
        int label = i % 2;
        for (int j = 0; j < F; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            float noise = (float)((s >> 11) * (1.0 / 9007199254740992.0)) - 0.5f;
            /* Classes differ in the first two features; the scales differ a lot, which the
             * standardization of tabular data has to handle. */
            x[i * F + j] = (j < 2 ? (label ? 1.0f : -1.0f) : 0.0f) * (j == 0 ? 100.0f : 1.0f) + noise * (j == 0 ? 60.0f : 0.6f);
        }
        y[i] = (float)label;
    }
    hone_dataset *data = NULL;
    OK(hone_dataset_from_arrays(x, N, F, y, 2, &data));

    hone_model *model = NULL;
    char *result = NULL;
    OK(hone_auto(data, NULL, "{\"max_trials\": 4, \"max_epochs\": 20, \"seed\": 1, \"output\": \"auto.safetensors\", \"report\": \"auto.html\"}",
                 &model, &result));
    REQUIRE(result != NULL && model != NULL);
    CHECK(strstr(result, "\"task\":\"classification\"") != NULL || strstr(result, "\"task\": \"classification\"") != NULL);
    const char *acc = strstr(result, "\"test_accuracy\"");
    REQUIRE(acc != NULL);
    double accuracy = atof(strchr(acc, ':') + 1);
    CHECK(accuracy > 0.8);
    CHECK(strstr(result, "\"feature_mean\"") != NULL);
    FILE *f = fopen("auto.safetensors", "rb");
    CHECK(f != NULL);
    if (f) fclose(f);
    f = fopen("auto.html", "rb");
    CHECK(f != NULL);
    if (f) fclose(f);
    hone_free(result);
    hone_model_free(model);

    FAILS(HONE_MISUSE, hone_auto(NULL, NULL, "{\"max_trials\": 1}", NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "time_budget", hone_auto(data, NULL, "{}", NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "budget", hone_auto(data, NULL, "{\"max_trials\": 1, \"budget\": 3}", NULL, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_auto(data, NULL, "{\"max_trials\": 1, \"test_fraction\": 1.5}", NULL, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_auto(data, NULL, "not json", NULL, NULL));
    hone_dataset_free(data);
    return check_done("automl");
}
