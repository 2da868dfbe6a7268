/* Data sets and models through hone.h: arrays, CSV and NPY files, splits; training with an
 * epoch callback (which can stop it), evaluation, prediction, and .safetensors round trips. */
#include "check.h"
#include <math.h>

#define N 400

static float x[N * 2], y[N], yr[N];

/* Two classes split by the line x0 + x1 = 0 (with a margin); a linear regression target. */
static void make_data(void) {
    uint64_t s = 7;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 2; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i * 2 + j] = (float)((double)(s >> 11) * 0x1.0p-53 * 4 - 2);
        }
        if (fabsf(x[i * 2] + x[i * 2 + 1]) < 0.2f) x[i * 2] += x[i * 2] + x[i * 2 + 1] < 0 ? -0.4f : 0.4f;
        y[i] = x[i * 2] + x[i * 2 + 1] > 0 ? 1.0f : 0.0f;
        yr[i] = 3 * x[i * 2] - 2 * x[i * 2 + 1] + 0.5f;
    }
}

/* The number after the last "key": (results list the epochs' history before the totals). */
static double field(const char *json, const char *key) {
    char needle[64];
    const char *p, *last = NULL;
    snprintf(needle, sizeof needle, "\"%s\":", key);
    for (p = strstr(json, needle); p; p = strstr(p + 1, needle)) last = p;
    return last ? strtod(last + strlen(needle), NULL) : NAN;
}

typedef struct { int calls; int64_t last_epoch; int stop_at; hone_status stop_with; } epochs;

static hone_status on_epoch(int64_t epoch, const char *metrics_json, void *userdata) {
    epochs *e = userdata;
    e->calls++;
    e->last_epoch = epoch;
    if (!(field(metrics_json, "train_loss") >= 0) || isnan(field(metrics_json, "val_accuracy"))) return HONE_ERROR;
    return e->calls == e->stop_at ? e->stop_with : HONE_OK;
}

static void classification(void) {
    hone_dataset *all = NULL, *train = NULL, *val = NULL;
    hone_model *model = NULL, *loaded = NULL, *other = NULL;
    char *info = NULL, *result = NULL, *metrics = NULL;
    epochs e = {0, 0, 3, HONE_PRUNED};
    float probs[N * 2], again[N * 2];

    OK(hone_dataset_from_arrays(x, N, 2, y, 2, &all));
    OK(hone_dataset_info_json(all, &info));
    CHECK(strcmp(info, "{\"classes\":2,\"features\":2,\"samples\":400,\"shape\":[2],\"task\":\"classification\"}") == 0);
    hone_free(info);
    OK(hone_dataset_split(all, 0.25, 1, &train, &val));
    OK(hone_dataset_info_json(val, &info));
    CHECK(field(info, "samples") == 100);
    hone_free(info);

    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [16], \"outputs\": 2, \"seed\": 4}", &model));
    /* The callback stops training after its third epoch: HONE_PRUNED comes back. */
    FAILS_WITH(HONE_PRUNED, "epoch 3", hone_model_train(model, train, val, "{\"epochs\": 10}", on_epoch, &e, &result));
    CHECK(e.calls == 3 && e.last_epoch == 3);
    e.calls = 0; e.stop_at = 2; e.stop_with = HONE_ERROR;
    FAILS(HONE_ERROR, hone_model_train(model, train, val, "{\"epochs\": 10}", on_epoch, &e, NULL));
    CHECK(e.calls == 2);

    e.calls = 0; e.stop_at = -1;
    OK(hone_model_train(model, train, val, "{\"epochs\": 25, \"batch_size\": 16, \"optimizer\": {\"name\": \"adam\", \"lr\": 0.01},"
                                           " \"schedule\": \"cosine\", \"seed\": 3}", on_epoch, &e, &result));
    CHECK(e.calls == 25);
    CHECK(field(result, "epochs") == 25);
    CHECK(field(result, "val_accuracy") > 0.95);
    hone_free(result);
    OK(hone_model_evaluate(model, val, &metrics));
    CHECK(field(metrics, "accuracy") > 0.95 && field(metrics, "loss") < 0.3);
    hone_free(metrics);

    OK(hone_model_predict(model, x, N, 2, probs, N * 2));
    {
        int right = 0;
        for (int i = 0; i < N; i++) {
            CHECK(fabsf(probs[2 * i] + probs[2 * i + 1] - 1) < 1e-5f);
            right += (probs[2 * i + 1] > 0.5f) == (y[i] > 0.5f);
        }
        CHECK(right > 0.95 * N);
    }
    FAILS_WITH(HONE_INVALID_ARGUMENT, "too small", hone_model_predict(model, x, N, 2, probs, N * 2 - 1));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "n_features", hone_model_predict(model, x, N, 3, probs, N * 2));

    /* Save and load: same predictions; weights into a fresh model of the same shape. */
    OK(hone_model_save(model, "m.safetensors"));
    OK(hone_model_load("m.safetensors", &loaded));
    OK(hone_model_predict(loaded, x, N, 2, again, N * 2));
    CHECK(memcmp(probs, again, sizeof probs) == 0);
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [16], \"outputs\": 2, \"seed\": 99}", &other));
    OK(hone_model_load_weights(other, "m.safetensors"));
    OK(hone_model_predict(other, x, N, 2, again, N * 2));
    CHECK(memcmp(probs, again, sizeof probs) == 0);
    hone_model_free(other);
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [8], \"outputs\": 2}", &other));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "0.weight", hone_model_load_weights(other, "m.safetensors"));
    hone_model_free(other);
    FAILS(HONE_NOT_FOUND, hone_model_load("missing.safetensors", &other));
    FAILS(HONE_IO, hone_model_save(model, "no/such/dir/m.safetensors"));

    hone_model_free(model);
    hone_model_free(loaded);
    hone_dataset_free(all);
    hone_dataset_free(train);
    hone_dataset_free(val);
}

static void regression_and_files(void) {
    hone_dataset *d = NULL, *csv = NULL, *npy = NULL, *capped = NULL;
    hone_model *model = NULL, *cnn = NULL;
    char *metrics = NULL, *info = NULL;
    FILE *f;

    OK(hone_dataset_from_arrays(x, N, 2, yr, 0, &d));
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [], \"outputs\": 1}", &model));
    OK(hone_model_train(model, d, NULL, "{\"epochs\": 40, \"batch_size\": 16, \"optimizer\": {\"name\": \"sgd\", \"lr\": 0.05}}", NULL, NULL, NULL));
    OK(hone_model_evaluate(model, d, &metrics));
    CHECK(field(metrics, "r2") > 0.99 && field(metrics, "rmse") < 0.2);
    hone_free(metrics);
    {
        float in[2] = {1, 1}, out[1];
        OK(hone_model_predict(model, in, 1, 2, out, 1));
        CHECK(fabsf(out[0] - 1.5f) < 0.2f);
    }

    /* CSV with a named label column. */
    f = fopen("t.csv", "w");
    REQUIRE(f);
    fputs("a,b,label\n", f);
    for (int i = 0; i < 50; i++) fprintf(f, "%g,%g,%s\n", x[2 * i], x[2 * i + 1], y[i] > 0.5f ? "yes" : "no");
    fclose(f);
    OK(hone_dataset_load("t.csv", "{\"target\": \"label\"}", &csv));
    OK(hone_dataset_info_json(csv, &info));
    CHECK(field(info, "samples") == 50 && field(info, "classes") == 2);
    hone_free(info);
    FAILS_WITH(HONE_INVALID_ARGUMENT, "target", hone_dataset_load("t.csv", NULL, &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "nope", hone_dataset_load("t.csv", "{\"target\": \"nope\"}", &d));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "colour", hone_dataset_load("t.csv", "{\"target\": \"label\", \"colour\": 1}", &d));
    OK(hone_dataset_load("t.csv", "{\"target\": \"label\", \"max_samples\": 10}", &capped));
    OK(hone_dataset_info_json(capped, &info));
    CHECK(field(info, "samples") == 10);
    hone_free(info);

    /* NPY: features float32 [3, 2], labels int64 [3]. */
    {
        static const char hx[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
        static const char hy[] = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
        float fx[6] = {0, 1, 2, 3, 4, 5};
        int64_t ly[3] = {0, 2, 1};
        const char *names[2] = {"x.npy", "y.npy"};
        const char *headers[2] = {hx, hy};
        for (int k = 0; k < 2; k++) {
            size_t len = strlen(headers[k]), total = 10 + len + 1, pad = (64 - total % 64) % 64;
            unsigned short hl = (unsigned short)(len + 1 + pad);
            f = fopen(names[k], "wb");
            REQUIRE(f);
            fwrite("\x93NUMPY\x01\x00", 1, 8, f);
            fputc(hl & 0xff, f);
            fputc(hl >> 8, f);
            fputs(headers[k], f);
            for (size_t i = 0; i < pad; i++) fputc(' ', f);
            fputc('\n', f);
            if (k == 0) fwrite(fx, sizeof fx, 1, f); else fwrite(ly, sizeof ly, 1, f);
            fclose(f);
        }
        OK(hone_dataset_load("x.npy", "{\"labels\": \"y.npy\"}", &npy));
        OK(hone_dataset_info_json(npy, &info));
        CHECK(field(info, "samples") == 3 && field(info, "classes") == 3 && field(info, "features") == 2);
        hone_free(info);
        FAILS_WITH(HONE_INVALID_ARGUMENT, "labels", hone_dataset_load("x.npy", NULL, &d));
    }
    FAILS(HONE_NOT_FOUND, hone_dataset_load("no-such-data-set", NULL, &d));
    FAILS(HONE_NOT_FOUND, hone_dataset_load("missing.csv", "{\"target\": \"y\"}", &d));

    /* A small CNN on 1×6×6 "images". */
    OK(hone_model_create("{\"kind\": \"cnn\", \"input_shape\": [1, 6, 6], \"channels\": [4], \"hidden\": [8], \"outputs\": 3}", &cnn));
    {
        float img[4 * 36], out[4 * 3];
        for (int i = 0; i < 4 * 36; i++) img[i] = (float)(i % 7) / 7;
        OK(hone_model_predict(cnn, img, 4, 36, out, 12));
        CHECK(fabsf(out[0] + out[1] + out[2] - 1) < 1e-5f);
    }
    FAILS_WITH(HONE_INVALID_ARGUMENT, "shape mismatch", hone_model_train(cnn, csv, NULL, NULL, NULL, NULL, NULL));
    hone_model_free(cnn);

    hone_model_free(model);
    hone_dataset_free(d);
    hone_dataset_free(csv);
    hone_dataset_free(npy);
    hone_dataset_free(capped);
}

/* An ensemble: members described by the same spec keys, trained as one model, saved and
 * loaded back with the same predictions; bad ensembles named. */
static void ensemble(void) {
    hone_dataset *d = NULL;
    hone_model *model = NULL, *loaded = NULL;
    char *metrics = NULL;
    float in[8] = {1, 1, -1, -1, 0.5f, -2, 2, 0.3f}, out[8], again[8];
    static const char *spec = "{\"kind\": \"ensemble\", \"seed\": 3, \"members\": ["
        "{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [16], \"outputs\": 2},"
        "{\"kind\": \"mlp\", \"inputs\": 2, \"hidden\": [8, 8], \"activation\": \"tanh\", \"outputs\": 2}]}";

    OK(hone_dataset_from_arrays(x, N, 2, y, 2, &d));
    OK(hone_model_create(spec, &model));
    OK(hone_model_train(model, d, NULL, "{\"epochs\": 10, \"batch_size\": 32}", NULL, NULL, NULL));
    OK(hone_model_evaluate(model, d, &metrics));
    CHECK(field(metrics, "accuracy") > 0.95);
    hone_free(metrics);
    OK(hone_model_predict(model, in, 4, 2, out, 8));
    for (int i = 0; i < 4; i++) CHECK(fabsf(out[2 * i] + out[2 * i + 1] - 1) < 1e-5f);
    OK(hone_model_save(model, "ensemble.safetensors"));
    OK(hone_model_load("ensemble.safetensors", &loaded));
    OK(hone_model_predict(loaded, in, 4, 2, again, 8));
    CHECK(memcmp(out, again, sizeof out) == 0);

    FAILS_WITH(HONE_INVALID_ARGUMENT, "members", hone_model_create("{\"kind\": \"ensemble\", \"members\": []}", &loaded));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "not ensembles", hone_model_create(
        "{\"kind\": \"ensemble\", \"members\": [{\"kind\": \"ensemble\", \"members\": []}]}", &loaded));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "member 0", hone_model_create(
        "{\"kind\": \"ensemble\", \"members\": [{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2, \"colour\": 1}]}", &loaded));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "all classify", hone_model_create(
        "{\"kind\": \"ensemble\", \"members\": [{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2},"
        " {\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 1}]}", &loaded));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "member 1 maps", hone_model_create(
        "{\"kind\": \"ensemble\", \"members\": [{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2},"
        " {\"kind\": \"mlp\", \"inputs\": 3, \"outputs\": 2}]}", &loaded));
    FAILS_WITH(HONE_INVALID_ARGUMENT, "average", hone_model_create(
        "{\"kind\": \"ensemble\", \"average\": \"vote\", \"members\": [{\"kind\": \"mlp\", \"inputs\": 2, \"outputs\": 2}]}", &loaded));
    hone_model_free(model);
    hone_model_free(loaded);
    hone_dataset_free(d);
}

int main(void) {
    make_data();
    classification();
    regression_and_files();
    ensemble();
    return check_done("dataset_model");
}
