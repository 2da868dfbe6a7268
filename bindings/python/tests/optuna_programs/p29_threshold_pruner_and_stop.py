# From the references of optuna.pruners.ThresholdPruner and optuna.study.Study.stop
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.pruners.ThresholdPruner.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.Study.html#optuna.study.Study.stop).
from optuna import create_study
from optuna.pruners import ThresholdPruner
from optuna import TrialPruned
import optuna


def objective_for_upper(trial):
    for step, y in enumerate(ys_for_upper):
        trial.report(y, step)

        if trial.should_prune():
            raise TrialPruned()
    return ys_for_upper[-1]


def objective_for_lower(trial):
    for step, y in enumerate(ys_for_lower):
        trial.report(y, step)

        if trial.should_prune():
            raise TrialPruned()
    return ys_for_lower[-1]


ys_for_upper = [0.0, 0.1, 0.2, 0.5, 1.2]
ys_for_lower = [100.0, 90.0, 0.1, 0.0, -1]

study = create_study(pruner=ThresholdPruner(upper=1.0))
study.optimize(objective_for_upper, n_trials=10)
assert all(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
assert all(t.last_step == 4 for t in study.trials)

study = create_study(pruner=ThresholdPruner(lower=0.0))
study.optimize(objective_for_lower, n_trials=10)
assert all(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
assert all(t.last_step == 4 for t in study.trials)


def objective(trial):
    if trial.number == 4:
        trial.study.stop()
    x = trial.suggest_float("x", 0, 10)
    return x**2


study = optuna.create_study()
study.optimize(objective, n_trials=10)
assert len(study.trials) == 5

# FixedTrial's reference example.
def fixed_objective(trial):
    x = trial.suggest_float("x", -100, 100)
    y = trial.suggest_categorical("y", [-1, 0, 1])
    return x**2 + y


assert fixed_objective(optuna.trial.FixedTrial({"x": 1, "y": 0})) == 1
