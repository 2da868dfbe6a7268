# From the FAQ "How can I save/re-use the best model / re-run the best trial?"
# (https://optuna.readthedocs.io/en/stable/faq.html#how-do-i-get-the-best-model-from-a-study)
# and the reference of optuna.trial.FixedTrial
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.trial.FixedTrial.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    n = trial.suggest_int("n", 1, 4)
    act = trial.suggest_categorical("act", ["relu", "tanh", None])
    trial.report(x, 0)
    if trial.should_prune():
        raise optuna.TrialPruned()
    trial.set_user_attr("act_name", str(act))
    return (x - 2) ** 2 + n + (0.5 if act is None else 0.0)


study = optuna.create_study()
study.optimize(objective, n_trials=20)

# A FrozenTrial works as a trial: suggest_* give back the stored values.
best_trial = study.best_trial
assert objective(best_trial) == study.best_value
assert best_trial.should_prune() is False

# FixedTrial runs the objective with given values.
assert objective(optuna.trial.FixedTrial(study.best_params)) == study.best_value
fixed = optuna.trial.FixedTrial({"x": 1.0, "n": 1, "act": "relu"})
assert objective(fixed) == 2.0
assert fixed.params == {"x": 1.0, "n": 1, "act": "relu"}

print(best_trial.number, best_trial.params, best_trial.value, best_trial.duration)
assert best_trial.datetime_start <= best_trial.datetime_complete
