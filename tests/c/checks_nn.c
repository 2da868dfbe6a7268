/* Bad model descriptions and training settings come back as HONE_INVALID_ARGUMENT with
 * a message naming the field, never as a crash, in every build. HoneNN and HoneTensor
 * are compiled with -Ounchecked in release builds, where `precondition` is not evaluated:
 * the layer initializers' checks (Dense, Conv2D, BatchNorm, LayerNorm, Dropout, MaxPool2D,
 * AvgPool2D) and the optimizers' are reached here through hone_model_create (whose own
 * reader checks first), through hone_model_load of a file whose stored description is
 * bad (nothing but the core checks it), and through hone_model_train's options. Run it
 * against a release build too: tests/native/release.sh. */
#include "check.h"
#include <stdint.h>

static int cases = 0;

static void created_refused(const char *description, const char *needle) {
    hone_model *model = NULL;
    hone_status s = hone_model_create(description, &model);
    cases++;
    if (s != HONE_INVALID_ARGUMENT) {
        check_failures++;
        fprintf(stderr, "create %s: got %s, expected HONE_INVALID_ARGUMENT (errmsg: %s)\n", description, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL) {
        check_failures++;
        fprintf(stderr, "create %s: message lacks \"%s\": %s\n", description, needle, hone_errmsg());
    }
    CHECK(model == NULL);
    if (model) hone_model_free(model);
}

/* A .safetensors file with no tensors whose metadata "hone.model" is `description`
 * (written with ' for "), as a crafted or corrupted saved model would be. */
static void write_model_file(const char *path, const char *description) {
    char header[4096];
    size_t n = 0;
    n += (size_t)snprintf(header + n, sizeof header - n, "{\"__metadata__\":{\"hone.model\":\"");
    for (const char *p = description; *p && n < sizeof header - 8; p++) {
        if (*p == '\'') { header[n++] = '\\'; header[n++] = '"'; } else header[n++] = *p;
    }
    n += (size_t)snprintf(header + n, sizeof header - n, "\"}}");
    while (n % 8) header[n++] = ' ';
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    uint64_t len = n;
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(len >> (8 * i));
    REQUIRE(fwrite(le, 1, 8, f) == 8);
    REQUIRE(fwrite(header, 1, n, f) == n);
    fclose(f);
}

static void loaded_refused(const char *description, const char *needle) {
    hone_model *model = NULL;
    write_model_file("bad.safetensors", description);
    hone_status s = hone_model_load("bad.safetensors", &model);
    cases++;
    if (s != HONE_INVALID_ARGUMENT) {
        check_failures++;
        fprintf(stderr, "load %s: got %s, expected HONE_INVALID_ARGUMENT (errmsg: %s)\n", description, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL) {
        check_failures++;
        fprintf(stderr, "load %s: message lacks \"%s\": %s\n", description, needle, hone_errmsg());
    }
    CHECK(model == NULL);
    if (model) hone_model_free(model);
}

static void train_refused(hone_model *model, hone_dataset *data, const char *options, const char *needle) {
    hone_status s = hone_model_train(model, data, NULL, options, NULL, NULL, NULL);
    cases++;
    if (s != HONE_INVALID_ARGUMENT) {
        check_failures++;
        fprintf(stderr, "train %s: got %s, expected HONE_INVALID_ARGUMENT (errmsg: %s)\n", options, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL) {
        check_failures++;
        fprintf(stderr, "train %s: message lacks \"%s\": %s\n", options, needle, hone_errmsg());
    }
}

/* A study script whose top level runs `code` must fail with HONE_SCRIPT naming `needle`
 * (a Lua table is input too: hone.mlp / hone.cnn build their model in hone.fit). */
static void script_refused(const char *code, const char *needle) {
    FILE *f = fopen("model.lua", "w");
    REQUIRE(f);
    fprintf(f, "study { trials = 1 }\nlocal data = hone.dataset { synthetic = 'moons', count = 10 }\n%s\n"
               "function objective(trial) return 1 end\n", code);
    fclose(f);
    hone_status s = hone_script_run("model.lua", "{\"storage\": \"memory:\"}", NULL);
    cases++;
    if (s != HONE_SCRIPT) {
        check_failures++;
        fprintf(stderr, "%s: got %s, expected HONE_SCRIPT (errmsg: %s)\n", code, hone_status_name(s), hone_errmsg());
    } else if (strstr(hone_errmsg(), needle) == NULL || strstr(hone_errmsg(), "model.lua:3") == NULL) {
        check_failures++;
        fprintf(stderr, "%s: message lacks \"%s\" or model.lua:3: %s\n", code, needle, hone_errmsg());
    }
}

int main(void) {
    /* hone_model_create: the C reader's checks, before the core's. */
    created_refused("{\"kind\": \"mlp\", \"inputs\": 4, \"hidden\": [-3], \"outputs\": 2}", "hidden");
    created_refused("{\"kind\": \"mlp\", \"inputs\": 0, \"outputs\": 2}", "inputs");
    created_refused("{\"kind\": \"mlp\", \"inputs\": 4, \"outputs\": 0}", "outputs");
    created_refused("{\"kind\": \"mlp\", \"inputs\": 4, \"outputs\": 2, \"dropout\": 1.5}", "dropout");
    created_refused("{\"kind\": \"mlp\", \"inputs\": 4, \"outputs\": 2, \"dropout\": -0.1}", "dropout");
    created_refused("{\"kind\": \"mlp\", \"inputs\": 100000, \"hidden\": [100000], \"outputs\": 2}", "1073741824");
    created_refused("{\"kind\": \"cnn\", \"input_shape\": [1, 8, 8], \"channels\": [0], \"outputs\": 2}", "channels");
    created_refused("{\"kind\": \"cnn\", \"input_shape\": [1, 8, 8], \"channels\": [4], \"kernel_size\": 0, \"outputs\": 2}", "kernel_size");
    created_refused("{\"kind\": \"cnn\", \"input_shape\": [1, 8, 8], \"channels\": [4], \"pool_size\": 0, \"outputs\": 2}", "pool_size");
    created_refused("{\"kind\": \"cnn\", \"input_shape\": [1, 0, 8], \"channels\": [4], \"outputs\": 2}", "input_shape");
    created_refused("{\"kind\": \"cnn\", \"input_shape\": [1, 4, 4], \"channels\": [4, 4, 4], \"outputs\": 2}", "pool");

    /* hone_model_load: a stored description reaches the core's checks directly
     * (ModelDescription.build, then each layer's initializer). */
    loaded_refused("{'kind':'mlp','inputCount':0,'outputCount':2}", "inputCount");
    loaded_refused("{'kind':'mlp','inputCount':4,'outputCount':-2}", "outputCount");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[8,-3],'outputCount':2}", "hidden widths");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[0],'normalization':'batch','outputCount':2}", "hidden widths");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[0],'normalization':'layer','outputCount':2}", "hidden widths");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[8],'dropout':1.5,'outputCount':2}", "dropout");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[8],'dropout':1,'outputCount':2}", "dropout");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[8],'dropout':-1e-3,'outputCount':2}", "dropout");
    loaded_refused("{'kind':'mlp','inputCount':4,'activation':'bogus','outputCount':2}", "bogus");
    loaded_refused("{'kind':'mlp','inputCount':4,'normalization':'group','outputCount':2}", "normalization");
    /* Sizes whose products overflow Int or exceed memory: one layer, the sum of layers
     * each below the limit (30000² < 2^30 < 2·30000²), a product past Int.max. */
    loaded_refused("{'kind':'mlp','inputCount':1000000,'hiddenWidths':[1000000],'outputCount':2}", "1073741824");
    loaded_refused("{'kind':'mlp','inputCount':4611686018427387904,'hiddenWidths':[4],'outputCount':2}", "1073741824");
    loaded_refused("{'kind':'mlp','inputCount':4,'hiddenWidths':[30000,30000,30000],'outputCount':2}", "1073741824");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[0],'outputCount':2}", "convChannels");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'kernelSize':0,'outputCount':2}", "kernelSize");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'kernelSize':-3,'outputCount':2}", "kernelSize");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'poolSize':0,'outputCount':2}", "poolSize");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'pooling':'average','poolSize':-2,'outputCount':2}", "poolSize");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'batchNorm':true,'dropout':2,'outputCount':2}", "dropout");
    loaded_refused("{'kind':'cnn','inputShape':[1,0,8],'convChannels':[4],'outputCount':2}", "inputShape");
    loaded_refused("{'kind':'cnn','inputShape':[8,8],'convChannels':[4],'outputCount':2}", "inputShape");
    loaded_refused("{'kind':'cnn','inputShape':[1,3037000500,3037000500],'convChannels':[4],'outputCount':2}", "1073741824");
    loaded_refused("{'kind':'cnn','inputShape':[1,4,4],'convChannels':[4,4,4],'outputCount':2}", "pool");
    loaded_refused("{'kind':'cnn','inputShape':[1,8,8],'convChannels':[65536],'kernelSize':15,'hiddenWidths':[65536],'outputCount':2}", "1073741824");

    /* A good description builds (the checks refuse only what they should): the file
     * then fails only for want of the weights the built model asks for. */
    write_model_file("good.safetensors", "{'kind':'mlp','inputCount':4,'hiddenWidths':[8],'dropout':0.5,'normalization':'batch','outputCount':2}");
    hone_model *loaded = NULL;
    FAILS_WITH(HONE_INVALID_ARGUMENT, "missing tensor '0.weight' (the model expects shape [4, 8])", hone_model_load("good.safetensors", &loaded));
    write_model_file("good.safetensors", "{'kind':'cnn','inputShape':[1,8,8],'convChannels':[4],'pooling':'average','batchNorm':true,'outputCount':2}");
    FAILS_WITH(HONE_INVALID_ARGUMENT, "missing tensor '0.weight' (the model expects shape [4, 1, 3, 3])", hone_model_load("good.safetensors", &loaded));
    CHECK(loaded == NULL);

    /* Lua: the same checks behind hone.mlp / hone.cnn, and a description with a
     * non-finite dropout can still be shown (m.json) before hone.fit refuses it. */
    script_refused("hone.fit { model = hone.mlp { inputs = 2, hidden = { 1000000, 1000000 }, outputs = 2 }, data = data, epochs = 1 }",
                   "1073741824");
    script_refused("hone.fit { model = hone.mlp { inputs = 2, hidden = { 4, -4 }, outputs = 2 }, data = data, epochs = 1 }", "\"hidden\"");
    script_refused("hone.fit { model = hone.mlp { inputs = 2, outputs = 2, dropout = 1 }, data = data, epochs = 1 }", "dropout");
    script_refused("local m = hone.mlp { inputs = 2, outputs = 2, dropout = 1e300 }; assert(m.json:find('inf'), m.json); "
                   "hone.fit { model = m, data = data, epochs = 1 }", "dropout");
    script_refused("hone.fit { model = hone.cnn { input_shape = { 1, 2, 1 }, channels = { 2 }, kernel_size = 0, outputs = 2 }, data = data, epochs = 1 }",
                   "kernel_size");
    script_refused("hone.fit { model = hone.cnn { input_shape = { 1, 2, 1 }, channels = { 0 }, outputs = 2 }, data = data, epochs = 1 }",
                   "\"channels\"");

    /* hone_model_train: optimizer and schedule settings (the optimizers' checks). */
    hone_model *model = NULL;
    hone_dataset *data = NULL;
    float x[40], y[10];
    for (int i = 0; i < 10; i++) { for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)(i * j % 5); y[i] = (float)(i % 2); }
    OK(hone_model_create("{\"kind\": \"mlp\", \"inputs\": 4, \"hidden\": [8], \"outputs\": 2}", &model));
    OK(hone_dataset_from_arrays(x, 10, 4, y, 2, &data));
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adam\", \"lr\": -1}}", "lr");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"sgd\", \"lr\": 0.1, \"momentum\": 1}}", "momentum");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"rmsprop\", \"momentum\": -0.5}}", "momentum");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adam\", \"beta1\": 1}}", "beta1");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adamw\", \"beta2\": 1.5}}", "beta2");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adamw\", \"weight_decay\": -1}}", "weight_decay");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adam\", \"clip_norm\": 0}}", "clip_norm");
    train_refused(model, data, "{\"optimizer\": {\"name\": \"adam\", \"lr\": 1e300}}", "lr");
    train_refused(model, data, "{\"epochs\": -1}", "epochs");
    train_refused(model, data, "{\"batch_size\": 0}", "batch_size");
    {   /* 0 epochs trains nothing (the model as it is; Lua's hone.fit { epochs = 0, init = … }). */
        char *result = NULL;
        OK(hone_model_train(model, data, NULL, "{\"epochs\": 0}", NULL, NULL, &result));
        CHECK(result != NULL && strstr(result, "\"epochs\":0") != NULL && strstr(result, "\"history\":[]") != NULL);
        hone_free(result);
    }
    OK(hone_model_train(model, data, NULL, "{\"epochs\": 1, \"optimizer\": {\"name\": \"sgd\", \"lr\": 0.1, \"momentum\": 0}}", NULL, NULL, NULL));

    /* Shapes that reach HoneTensor's op checks if nothing stops them before. */
    float out[20];
    FAILS_WITH(HONE_INVALID_ARGUMENT, "feature", hone_model_predict(model, x, 8, 5, out, 20));
    hone_dataset *wide = NULL, *many = NULL;
    float xw[50], yc[10];
    for (int i = 0; i < 50; i++) xw[i] = (float)i;
    for (int i = 0; i < 10; i++) yc[i] = (float)(i % 5);
    OK(hone_dataset_from_arrays(xw, 10, 5, y, 2, &wide));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_train(model, wide, NULL, "{\"epochs\": 1}", NULL, NULL, NULL));
    OK(hone_dataset_from_arrays(x, 10, 4, yc, 5, &many));
    FAILS(HONE_INVALID_ARGUMENT, hone_model_train(model, many, NULL, "{\"epochs\": 1}", NULL, NULL, NULL));
    char *metrics = NULL;
    FAILS(HONE_INVALID_ARGUMENT, hone_model_evaluate(model, many, &metrics));
    CHECK(metrics == NULL);
    hone_dataset_free(wide);
    hone_dataset_free(many);
    hone_dataset_free(data);
    hone_model_free(model);

    fprintf(stderr, "%d bad inputs tried\n", cases);
    return check_done("checks_nn");
}
