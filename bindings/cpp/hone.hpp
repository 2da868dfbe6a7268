// hone.hpp: a header-only C++17 wrapper over hone.h.
//
// RAII handles (hone::Study, hone::Trial, hone::Dataset, hone::Model) and exceptions
// (hone::Error: the status and hone_errmsg()) on the C++ side only. No exception ever
// crosses a C frame: the trampolines that hone calls back (objectives, epoch callbacks)
// catch everything and return a status (hone::Pruned becomes HONE_PRUNED).
#ifndef HONE_HPP
#define HONE_HPP

#include <hone.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hone {

/// A failed hone call: its status and the library's message.
class Error : public std::runtime_error {
public:
    Error(hone_status status, const std::string &message)
        : std::runtime_error(std::string(hone_status_name(status)) + ": " + message), status_(status) {}
    hone_status status() const noexcept { return status_; }

private:
    hone_status status_;
};

/// Thrown by an objective or an epoch callback to end the trial as pruned.
struct Pruned : std::exception {
    const char *what() const noexcept override { return "trial pruned"; }
};

namespace detail {
inline void check(hone_status s) {
    if (s != HONE_OK) throw Error(s, hone_errmsg());
}

/// Takes ownership of a library string.
inline std::string take(char *p) {
    std::string s = p ? p : "";
    hone_free(p);
    return s;
}

/// What a trampoline does with an exception: a status, the message kept for the trial.
inline hone_status status_of_current_exception(std::string *message) noexcept {
    try {
        throw;
    } catch (const Pruned &) {
        return HONE_PRUNED;
    } catch (const Error &e) {
        if (message) *message = e.what();
        return e.status() == HONE_OK ? HONE_ERROR : e.status();
    } catch (const std::exception &e) {
        if (message) *message = e.what();
        return HONE_ERROR;
    } catch (...) {
        if (message) *message = "unknown C++ exception";
        return HONE_ERROR;
    }
}
}  // namespace detail

/// A trial: owned (from Study::ask) or borrowed (inside an objective).
class Trial {
public:
    Trial(hone_trial *t, bool owned) noexcept : t_(t), owned_(owned) {}
    Trial(Trial &&o) noexcept : t_(std::exchange(o.t_, nullptr)), owned_(o.owned_) {}
    Trial &operator=(Trial &&o) noexcept {
        if (this != &o) { reset(); t_ = std::exchange(o.t_, nullptr); owned_ = o.owned_; }
        return *this;
    }
    Trial(const Trial &) = delete;
    Trial &operator=(const Trial &) = delete;
    ~Trial() { reset(); }

    int64_t number() const { int64_t n = 0; detail::check(hone_trial_number(t_, &n)); return n; }

    double suggest_float(const std::string &name, double low, double high, bool log = false, double step = 0) {
        double v = 0;
        detail::check(hone_trial_suggest_float(t_, name.c_str(), low, high, step, log ? HONE_LOG : 0u, &v));
        return v;
    }
    int64_t suggest_int(const std::string &name, int64_t low, int64_t high, bool log = false, int64_t step = 1) {
        int64_t v = 0;
        detail::check(hone_trial_suggest_int(t_, name.c_str(), low, high, step, log ? HONE_LOG : 0u, &v));
        return v;
    }
    std::string suggest_categorical(const std::string &name, const std::vector<std::string> &choices) {
        std::vector<const char *> c;
        for (const auto &s : choices) c.push_back(s.c_str());
        size_t i = 0;
        detail::check(hone_trial_suggest_categorical(t_, name.c_str(), c.data(), c.size(), &i));
        return choices.at(i);
    }
    void report(int64_t step, double value) { detail::check(hone_trial_report(t_, step, value)); }
    bool should_prune() { int p = 0; detail::check(hone_trial_should_prune(t_, &p)); return p != 0; }
    std::string params_json() const { char *p = nullptr; detail::check(hone_trial_params_json(t_, &p)); return detail::take(p); }
    void set_user_attr(const std::string &key, const std::string &value_json) {
        detail::check(hone_trial_set_user_attr(t_, key.c_str(), value_json.c_str()));
    }

    hone_trial *get() const noexcept { return t_; }

private:
    void reset() noexcept {
        if (t_ && owned_) hone_trial_free(t_);
        t_ = nullptr;
    }
    hone_trial *t_;
    bool owned_;
};

/// A data set (values: never changed once made).
class Dataset {
public:
    static Dataset load(const std::string &name_or_path, const std::string &options_json = "") {
        hone_dataset *d = nullptr;
        detail::check(hone_dataset_load(name_or_path.c_str(), options_json.c_str(), &d));
        return Dataset(d);
    }
    /// Row-major x (n_samples × n_features); y: class indices (n_classes ≥ 2) or targets (0).
    static Dataset from_arrays(const std::vector<float> &x, size_t n_features, const std::vector<float> &y, size_t n_classes) {
        if (n_features == 0 || x.size() != y.size() * n_features)
            throw Error(HONE_INVALID_ARGUMENT, "x has " + std::to_string(x.size()) + " values, not " +
                                                   std::to_string(y.size()) + " samples × " + std::to_string(n_features) + " features");
        hone_dataset *d = nullptr;
        detail::check(hone_dataset_from_arrays(x.data(), y.size(), n_features, y.data(), n_classes, &d));
        return Dataset(d);
    }
    std::pair<Dataset, Dataset> split(double validation_fraction, uint64_t seed) const {
        hone_dataset *a = nullptr, *b = nullptr;
        detail::check(hone_dataset_split(d_.get(), validation_fraction, seed, &a, &b));
        return {Dataset(a), Dataset(b)};
    }
    std::string info_json() const { char *p = nullptr; detail::check(hone_dataset_info_json(d_.get(), &p)); return detail::take(p); }
    hone_dataset *get() const noexcept { return d_.get(); }

private:
    explicit Dataset(hone_dataset *d) : d_(d, hone_dataset_free) {}
    std::shared_ptr<hone_dataset> d_;
};

/// A network and its trainer.
class Model {
public:
    explicit Model(const std::string &description_json) {
        hone_model *m = nullptr;
        detail::check(hone_model_create(description_json.c_str(), &m));
        m_.reset(m);
    }
    static Model load(const std::string &path) {
        hone_model *m = nullptr;
        detail::check(hone_model_load(path.c_str(), &m));
        return Model(m);
    }

    /// Called after every epoch with (epoch, metrics JSON); return false (or throw
    /// hone::Pruned) to stop training, which then throws hone::Error(HONE_PRUNED or the status).
    using EpochCallback = std::function<bool(int64_t, const std::string &)>;

    std::string train(const Dataset &train, const Dataset *validation, const std::string &options_json,
                      EpochCallback on_epoch = nullptr) {
        EpochContext ctx{&on_epoch, ""};
        char *result = nullptr;
        hone_status s = hone_model_train(m_.get(), train.get(), validation ? validation->get() : nullptr, options_json.c_str(),
                                         on_epoch ? &Model::trampoline : nullptr, &ctx, &result);
        if (s != HONE_OK) throw Error(s, ctx.message.empty() ? hone_errmsg() : ctx.message);
        return detail::take(result);
    }
    std::string evaluate(const Dataset &data) const {
        char *p = nullptr;
        detail::check(hone_model_evaluate(m_.get(), data.get(), &p));
        return detail::take(p);
    }
    std::vector<float> predict(const std::vector<float> &x, size_t n_features, size_t n_outputs) const {
        if (n_features == 0 || x.size() % n_features) throw Error(HONE_INVALID_ARGUMENT, "x is not a whole number of rows");
        std::vector<float> out(x.size() / n_features * n_outputs);
        detail::check(hone_model_predict(m_.get(), x.data(), x.size() / n_features, n_features, out.data(), out.size()));
        return out;
    }
    void save(const std::string &path) const { detail::check(hone_model_save(m_.get(), path.c_str())); }
    void load_weights(const std::string &path) { detail::check(hone_model_load_weights(m_.get(), path.c_str())); }
    hone_model *get() const noexcept { return m_.get(); }

private:
    explicit Model(hone_model *m) : m_(m) {}
    struct Free { void operator()(hone_model *m) const noexcept { hone_model_free(m); } };
    struct EpochContext { EpochCallback *fn; std::string message; };
    std::unique_ptr<hone_model, Free> m_;

    static hone_status trampoline(int64_t epoch, const char *metrics_json, void *userdata) noexcept {
        auto *c = static_cast<EpochContext *>(userdata);
        try {
            return (*c->fn)(epoch, metrics_json) ? HONE_OK : HONE_PRUNED;
        } catch (...) {
            return detail::status_of_current_exception(&c->message);
        }
    }
};

/// A study in a storage.
class Study {
public:
    Study(const std::string &storage_url, const std::string &name, const std::string &options_json = "") {
        hone_study *s = nullptr;
        detail::check(hone_study_open(storage_url.c_str(), name.empty() ? nullptr : name.c_str(), options_json.c_str(), &s));
        s_.reset(s);
    }

    /// The objective: return the value, or throw hone::Pruned to prune; any other
    /// exception fails that trial only (its message becomes the fail reason).
    using Objective = std::function<double(Trial &)>;

    void optimize(Objective objective, int64_t n_trials, double timeout_s = 0, int n_jobs = 1) {
        detail::check(hone_study_optimize(s_.get(), &Study::trampoline, &objective, n_trials, timeout_s, n_jobs));
    }

    Trial ask() { hone_trial *t = nullptr; detail::check(hone_study_ask(s_.get(), &t)); return Trial(t, true); }
    void tell(Trial &t, double value) { detail::check(hone_study_tell(s_.get(), t.get(), HONE_TRIAL_COMPLETE, &value, 1)); }
    void tell(Trial &t, hone_trial_state state) { detail::check(hone_study_tell(s_.get(), t.get(), state, nullptr, 0)); }
    void stop() { detail::check(hone_study_stop(s_.get())); }

    std::string name() const { const char *n = nullptr; detail::check(hone_study_name(s_.get(), &n)); return n; }
    double best_value() const { double v = 0; detail::check(hone_study_best_value(s_.get(), &v)); return v; }
    std::string best_params_json() const { char *p = nullptr; detail::check(hone_study_best_params_json(s_.get(), &p)); return detail::take(p); }
    std::string trials_json(const char *states = nullptr) const {
        char *p = nullptr;
        detail::check(hone_study_trials_json(s_.get(), states, &p));
        return detail::take(p);
    }
    int64_t trial_count(const char *states = nullptr) const { int64_t n = 0; detail::check(hone_study_trial_count(s_.get(), states, &n)); return n; }
    hone_study *get() const noexcept { return s_.get(); }

private:
    struct Close { void operator()(hone_study *s) const noexcept { hone_study_close(s); } };
    std::unique_ptr<hone_study, Close> s_;

    static hone_status trampoline(hone_trial *t, void *userdata, double *values, size_t n_values) noexcept {
        Trial trial(t, false);
        try {
            double v = (*static_cast<Objective *>(userdata))(trial);
            if (n_values > 0) values[0] = v;
            return HONE_OK;
        } catch (...) {
            std::string message;
            hone_status s = detail::status_of_current_exception(&message);
            if (!message.empty()) hone_trial_set_fail_reason(t, message.c_str());
            return s;
        }
    }
};

/// Loads a plugin (.so or .lua); returns what it registered as JSON.
inline std::string load_plugin(const std::string &path) {
    char *names = nullptr;
    detail::check(hone_plugin_load(path.c_str(), &names));
    return detail::take(names);
}

}  // namespace hone

#endif  // HONE_HPP
