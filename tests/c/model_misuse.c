/* Misuse of the data set, model, script and plugin sections: NULLs, freed handles, handles
 * of the wrong kind, wild pointers, hostile strings and impossible sizes must all come back
 * as error statuses with a message, never as a crash. */
#include "check.h"
#include <math.h>
#include <stdint.h>

int main(void) {
    float x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, y[4] = {0, 1, 0, 1}, out[16];
    hone_dataset *d = NULL, *freed = NULL, *a = NULL, *b = NULL;
    hone_model *m = NULL, *freed_model = NULL;
    hone_study *study = NULL;
    char *json = NULL, long_name[5000];
    int local = 0;
    hone_dataset *wild = (hone_dataset *)(void *)&local;
    hone_model *wild_model = (hone_model *)(uintptr_t)0xdeadbeefull;

    OK(hone_dataset_from_arrays(x, 4, 2, y, 2, &d));
    OK(hone_dataset_from_arrays(x, 4, 2, y, 2, &freed));
    hone_dataset_free(freed);
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2}", &m));
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2}", &freed_model));
    hone_model_free(freed_model);
    OK(hone_study_open("memory:", NULL, NULL, &study));

    /* NULL / freed / wrong-kind / wild handles. */
    FAILS(HONE_MISUSE, hone_dataset_info_json(NULL, &json));
    FAILS_WITH(HONE_MISUSE, "freed", hone_dataset_info_json(freed, &json));
    FAILS(HONE_MISUSE, hone_dataset_info_json(wild, &json));
    FAILS_WITH(HONE_MISUSE, "hone_study", hone_dataset_info_json((hone_dataset *)(void *)study, &json));
    FAILS_WITH(HONE_MISUSE, "hone_model", hone_dataset_split((hone_dataset *)(void *)m, 0.5, 0, &a, &b));
    FAILS(HONE_MISUSE, hone_dataset_info_json(d, NULL));
    FAILS(HONE_MISUSE, hone_dataset_split(d, 0.5, 0, NULL, &b));
    FAILS(HONE_MISUSE, hone_model_train(NULL, d, NULL, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_train(freed_model, d, NULL, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_train(wild_model, d, NULL, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_train(m, freed, NULL, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_train(m, d, wild, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_train((hone_model *)(void *)d, d, NULL, NULL, NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_model_evaluate(m, (hone_dataset *)(void *)m, &json));
    FAILS(HONE_MISUSE, hone_model_evaluate(m, d, NULL));
    FAILS(HONE_MISUSE, hone_model_predict(freed_model, x, 4, 2, out, 16));
    FAILS(HONE_MISUSE, hone_model_predict(m, NULL, 4, 2, out, 16));
    FAILS(HONE_MISUSE, hone_model_predict(m, x, 4, 2, NULL, 16));
    FAILS(HONE_MISUSE, hone_model_save(wild_model, "m.safetensors"));
    FAILS(HONE_MISUSE, hone_model_save(m, NULL));
    FAILS(HONE_MISUSE, hone_model_load("m.safetensors", NULL));
    FAILS(HONE_MISUSE, hone_model_load_weights(NULL, "m.safetensors"));
    FAILS(HONE_MISUSE, hone_model_create(NULL, &m));
    FAILS(HONE_MISUSE, hone_model_create("{}", NULL));
    FAILS(HONE_MISUSE, hone_dataset_load(NULL, NULL, &a));
    FAILS(HONE_MISUSE, hone_dataset_load("fashion-mnist", NULL, NULL));
    FAILS(HONE_MISUSE, hone_dataset_from_arrays(NULL, 4, 2, y, 2, &a));
    FAILS(HONE_MISUSE, hone_dataset_from_arrays(x, 4, 2, NULL, 2, &a));
    FAILS(HONE_MISUSE, hone_dataset_from_arrays(x, 4, 2, y, 2, NULL));
    FAILS(HONE_MISUSE, hone_script_run(NULL, NULL, NULL));
    FAILS(HONE_MISUSE, hone_registry_json(NULL));
    /* Freeing NULL, twice, wild, wrong kind: no effect. */
    hone_dataset_free(NULL);
    hone_dataset_free(freed);
    hone_dataset_free(wild);
    hone_dataset_free((hone_dataset *)(void *)m);
    hone_model_free(NULL);
    hone_model_free(freed_model);
    hone_model_free(wild_model);
    hone_model_free((hone_model *)(void *)d);
    OK(hone_dataset_info_json(d, &json));   /* still alive after the wrong-kind frees */
    hone_free(json);
    OK(hone_model_predict(m, x, 4, 2, out, 16));

    /* Bad values. */
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_features is 0", hone_dataset_from_arrays(x, 4, 0, y, 2, &a));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_samples is 0", hone_dataset_from_arrays(x, 0, 2, y, 2, &a));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_classes is 1", hone_dataset_from_arrays(x, 4, 2, y, 1, &a));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "overflows", hone_dataset_from_arrays(x, SIZE_MAX / 2, 4, y, 2, &a));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_from_arrays(x, SIZE_MAX, 1, y, 2, &a));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "memory", hone_dataset_from_arrays(x, (size_t)1 << 40, 1, y, 2, &a));
    {
        float nan_x[8] = {0, 1, 2, NAN, 4, 5, 6, 7}, bad_y[4] = {0, 1, 2, 1}, frac_y[4] = {0, 0.5f, 1, 0};
        FAILS_WITH(HONE_INVALID_ARGUMENT, "x[1][1]", hone_dataset_from_arrays(nan_x, 4, 2, y, 2, &a));
        FAILS_WITH(HONE_INVALID_ARGUMENT, "y[2]", hone_dataset_from_arrays(x, 4, 2, bad_y, 2, &a));
        FAILS_WITH(HONE_INVALID_ARGUMENT, "y[1]", hone_dataset_from_arrays(x, 4, 2, frac_y, 2, &a));
        bad_y[0] = INFINITY;
        FAILS_WITH(HONE_INVALID_ARGUMENT, "y[0]", hone_dataset_from_arrays(x, 4, 2, bad_y, 0, &a));
    }
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_split(d, 0, 0, &a, &b));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_split(d, 1, 0, &a, &b));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_split(d, NAN, 0, &a, &b));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "unknown model kind 'rnn'", hone_model_create("{\"kind\": \"rnn\", \"inputs\": 2, \"outputs\": 2}", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("{\"kind\": \"mlp\"}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "inputs", hone_model_create("{\"kind\": \"mlp\", \"inputs\": 0, \"outputs\": 2}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "hidden", hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [-3], \"outputs\": 2}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "1073741824", hone_model_create("{\"kind\": \"mlp\", \"inputs\": 100000, \"hidden\": [100000, 100000], \"outputs\": 2}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "activation", hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2, \"activation\": \"swishy\"}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "layers", hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2, \"layers\": 3}", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("{\"kind\": \"cnn\", \"input_shape\": [1, 28], \"outputs\": 2}", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("not json", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("[1, 2]", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2, \"seed\": -1}", &m));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_create("{\"kind\": \"\xc3\x28\"}", &m));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "epochs", hone_model_train(m, d, NULL, "{\"epochs\": -1}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "epochs", hone_model_train(m, d, NULL, "{\"epochs\": 1e7}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "optimizer", hone_model_train(m, d, NULL, "{\"optimizer\": \"adamx\"}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "lr", hone_model_train(m, d, NULL, "{\"optimizer\": {\"name\": \"sgd\", \"lr\": -1}}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "schedule", hone_model_train(m, d, NULL, "{\"schedule\": \"zigzag\"}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "epochz", hone_model_train(m, d, NULL, "{\"epochz\": 3}", NULL, NULL, NULL));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "validation", hone_model_train(m, d, NULL, "{\"early_stopping_patience\": 2}", NULL, NULL, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_predict(m, x, 4, 2, out, 7));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_predict(m, x, 0, 2, out, 16));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_predict(m, x, SIZE_MAX, 2, out, SIZE_MAX));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_predict(m, x, (size_t)1 << 62, 2, out, SIZE_MAX / 2));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_save(m, ""));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "regular", hone_model_save(m, "/dev/null"));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_save(m, "."));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_load(".", &m));
    {
        FILE *f = fopen("junk.safetensors", "w");
        REQUIRE(f);
        fputs("\xff\xff\xff\xff\xff\xff\xff\x7fjunk", f);
        fclose(f);
        FAILS(HONE_INVALID_ARGUMENT, hone_model_load("junk.safetensors", &m));
        FAILS(HONE_INVALID_ARGUMENT, hone_model_load_weights(m, "junk.safetensors"));
    }
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    FAILS(HONE_NOT_FOUND, hone_dataset_load(long_name, NULL, &a));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_load("\xff\xfe", NULL, &a));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "part", hone_dataset_load("fashion-mnist", "{\"part\": \"validation\"}", &a));
    FAILS(HONE_INVALID_ARGUMENT, hone_dataset_load("x.csv", "{\"target\": 3", &a));
    FAILS(HONE_NOT_FOUND, hone_script_run("missing.lua", NULL, NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_script_run("missing.lua", "{\"trials\": 0}", NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_script_run("missing.lua", "{\"jobz\": 1}", NULL));
    FAILS(HONE_INVALID_ARGUMENT, hone_script_run("missing.lua", "{\"allow_read\": [1]}", NULL));

    hone_model_free(m);
    hone_dataset_free(d);
    hone_study_close(study);
    return check_done("model_misuse");
}
