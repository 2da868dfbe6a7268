# From the reference of optuna.importance.get_param_importances
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.importance.get_param_importances.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    z = trial.suggest_categorical("z", ["a", "b"])
    return x ** 2 + 0.01 * y + (0.0 if z == "a" else 0.001)


study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=60)

importances = optuna.importance.get_param_importances(study)
print(importances)
assert set(importances) == {"x", "y", "z"}
assert list(importances)[0] == "x"  # most important first
assert abs(sum(importances.values()) - 1.0) < 1e-6

only = optuna.importance.get_param_importances(study, params=["x", "y"])
assert set(only) == {"x", "y"}

evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
again = optuna.importance.get_param_importances(study, evaluator=evaluator)
assert list(again)[0] == "x"

# Multi-objective: importances for one target.
mo = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=0))
mo.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1) ** 2), n_trials=30)
imp = optuna.importance.get_param_importances(mo, target=lambda t: t.values[1])
assert list(imp)[0] == "b"
