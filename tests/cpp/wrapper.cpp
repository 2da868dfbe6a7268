// bindings/cpp/hone.hpp: RAII, exceptions on the C++ side, and trampolines that turn any
// exception into a status instead of letting it unwind through the library.
#include <hone.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { failures++; std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

template <class F> static hone_status status_of(F f) {
    try { f(); } catch (const hone::Error &e) { return e.status(); }
    return HONE_OK;
}

int main() {
    // Errors carry the status and the message.
    CHECK(status_of([] { hone::Study("memory:", "", R"({"sampler": "nope"})"); }) == HONE_INVALID_ARGUMENT);
    try {
        hone::Model("{\"kind\": \"rnn\"}");
        CHECK(false);
    } catch (const hone::Error &e) {
        CHECK(e.status() == HONE_INVALID_ARGUMENT);
        CHECK(std::strstr(e.what(), "rnn") != nullptr);
    }
    CHECK(status_of([] { hone::Dataset::from_arrays({1, 2, 3}, 2, {0, 1}, 2); }) == HONE_INVALID_ARGUMENT);

    // Objectives: a value completes, hone::Pruned prunes, any other exception fails only that trial.
    hone::Study study("memory:", "wrapper", R"({"sampler": "random", "seed": 1})");
    int calls = 0;
    study.optimize([&](hone::Trial &t) -> double {
        calls++;
        double x = t.suggest_float("x", -1, 1);
        int64_t k = t.suggest_int("k", 0, 4);
        std::string c = t.suggest_categorical("c", {"a", "b"});
        if (k == 0) throw hone::Pruned();
        if (k == 1) throw std::runtime_error("boom from C++");
        if (k == 2) throw 42;  // not even an std::exception
        if (k == 3) t.suggest_float("x", 0, 5);  // a changed distribution: hone::Error from the library
        return x * x + (c == "a" ? 0 : 1);
    }, 30);
    CHECK(calls == 30);
    CHECK(study.trial_count() == 30);
    CHECK(study.trial_count("pruned") > 0);
    CHECK(study.trial_count("fail") > 0);
    CHECK(study.trial_count("complete") > 0);
    std::string failed = study.trials_json("fail");
    CHECK(failed.find("boom from C++") != std::string::npos);
    CHECK(failed.find("unknown C++ exception") != std::string::npos);
    CHECK(study.best_value() >= 0);

    // Ask and tell; the trial handle is freed by its destructor.
    {
        hone::Trial t = study.ask();
        double x = t.suggest_float("x", -1, 1);
        study.tell(t, x * x);
        CHECK(status_of([&] { study.tell(t, 1.0); }) == HONE_WRONG_STATE);
    }

    // Data sets and models; an epoch callback that throws stops training with its status.
    std::vector<float> x, y;
    for (int i = 0; i < 200; i++) {
        float a = static_cast<float>(i % 20) / 10 - 1, b = static_cast<float>(i / 20) / 5 - 1;
        x.push_back(a);
        x.push_back(b);
        y.push_back(a + b > 0 ? 1.0f : 0.0f);
    }
    auto data = hone::Dataset::from_arrays(x, 2, y, 2);
    auto parts = data.split(0.2, 1);
    hone::Model model(R"({"kind": "mlp", "inputs": 2, "hidden": [8], "outputs": 2})");
    int epochs = 0;
    hone_status s = status_of([&] {
        model.train(parts.first, &parts.second, R"({"epochs": 5})", [&](int64_t, const std::string &) -> bool {
            if (++epochs == 2) throw std::runtime_error("stop here");
            return true;
        });
    });
    CHECK(s == HONE_ERROR && epochs == 2);
    CHECK(status_of([&] { model.train(parts.first, nullptr, R"({"epochs": 5})", [](int64_t e, const std::string &) { return e < 3; }); }) == HONE_PRUNED);
    std::string result = model.train(parts.first, &parts.second, R"({"epochs": 30, "optimizer": {"name": "adam", "lr": 0.02}})");
    CHECK(result.find("\"epochs\":30") != std::string::npos);
    auto probs = model.predict(x, 2, 2);
    CHECK(probs.size() == 400);
    CHECK(std::fabs(probs[0] + probs[1] - 1) < 1e-5);
    model.save("w.safetensors");
    auto loaded = hone::Model::load("w.safetensors");
    CHECK(loaded.predict(x, 2, 2) == probs);
    CHECK(status_of([] { hone::Model::load("missing.safetensors"); }) == HONE_NOT_FOUND);

    if (failures) { std::fprintf(stderr, "wrapper: %d check(s) failed\n", failures); return 1; }
    std::printf("wrapper: ok\n");
    return 0;
}
