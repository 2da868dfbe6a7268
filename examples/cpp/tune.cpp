// tune.cpp: tune a small MLP from C++ through bindings/cpp/hone.hpp.
//
//   c++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/tune.cpp -L.build/debug -lhone -o tune && ./tune [n_trials]
//
// The objective throws hone::Pruned when the pruner says so; hone.hpp's trampolines
// turn that (and any other exception) into a status, so nothing unwinds through C.
#include <hone.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// Two interleaved half-moons in 2-D, from a seeded generator (SplitMix64).
struct Moons {
    std::vector<float> x, y;
    explicit Moons(size_t n) {
        uint64_t state = 11;
        auto uniform = [&state] {
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
        };
        for (size_t i = 0; i < n; i++) {
            int c = static_cast<int>(i % 2);
            double t = 3.14159265358979 * uniform();
            double px = c ? 1 - std::cos(t) : std::cos(t), py = c ? 0.5 - std::sin(t) : std::sin(t);
            x.push_back(static_cast<float>(px + 0.15 * (uniform() - 0.5)));
            x.push_back(static_cast<float>(py + 0.15 * (uniform() - 0.5)));
            y.push_back(static_cast<float>(c));
        }
    }
};

// The number after the last "key": (a training result lists each epoch's metrics first).
double field(const std::string &json, const std::string &key) {
    auto at = json.rfind("\"" + key + "\":");
    if (at == std::string::npos) throw std::runtime_error("no " + key + " in " + json);
    return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

}  // namespace

int main(int argc, char **argv) {
    try {
        Moons moons(800);
        auto all = hone::Dataset::from_arrays(moons.x, 2, moons.y, 2);
        auto [train, validation] = all.split(0.25, 3);

        hone::Study study("memory:", "moons-cpp",
                          R"({"direction": "maximize", "sampler": "tpe", "seed": 5,
                              "pruner": {"name": "median", "n_startup_trials": 3, "n_warmup_steps": 2}})");
        study.optimize([&](hone::Trial &trial) {
            double lr = trial.suggest_float("lr", 1e-3, 0.3, true);
            int64_t width = trial.suggest_int("width", 4, 64, true);
            std::string activation = trial.suggest_categorical("activation", {"relu", "tanh"});
            hone::Model model(R"({"kind": "mlp", "inputs": 2, "hidden": [)" + std::to_string(width) + ", " +
                              std::to_string(width) + R"(], "outputs": 2, "activation": ")" + activation + "\"}");
            auto result = model.train(train, &validation,
                                      R"({"epochs": 10, "batch_size": 32, "optimizer": {"name": "adam", "lr": )" + std::to_string(lr) + "}}",
                                      [&](int64_t epoch, const std::string &metrics) {
                                          trial.report(epoch, field(metrics, "val_accuracy"));
                                          if (trial.should_prune()) throw hone::Pruned();
                                          return true;
                                      });
            return field(result, "val_accuracy");
        }, argc > 1 ? std::atoll(argv[1]) : 12);

        std::printf("trials: %lld complete, %lld pruned\n", static_cast<long long>(study.trial_count("complete")),
                    static_cast<long long>(study.trial_count("pruned")));
        std::printf("best validation accuracy %.4f with %s\n", study.best_value(), study.best_params_json().c_str());
    } catch (const hone::Error &e) {
        std::fprintf(stderr, "tune: %s\n", e.what());
        return 1;
    }
    return 0;
}
