# From the reference of optuna.TrialPruned and optuna.exceptions
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.TrialPruned.html,
# https://optuna.readthedocs.io/en/stable/reference/exceptions.html).
import optuna
from optuna.exceptions import TrialPruned
from optuna.trial import TrialState


def objective(trial):
    x = trial.suggest_int("x", 0, 9)
    trial.report(float(x), 0)
    if x % 2 == 0:
        raise optuna.TrialPruned()
    if x == 9:
        raise TrialPruned("nine")
    return float(x)


study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=30)
for t in study.trials:
    if t.params["x"] % 2 == 0 or t.params["x"] == 9:
        assert t.state == TrialState.PRUNED, t
        # A pruned trial keeps its last reported value.
        assert t.value == float(t.params["x"])
    else:
        assert t.state == TrialState.COMPLETE
assert issubclass(optuna.TrialPruned, optuna.exceptions.OptunaError)
assert optuna.exceptions.TrialPruned is optuna.TrialPruned

# Other exceptions of the module.
try:
    optuna.create_study(study_name="dup", storage="sqlite:///dup.db")
    optuna.create_study(study_name="dup", storage="sqlite:///dup.db")
except optuna.exceptions.DuplicatedStudyError:
    print("duplicated")
else:
    raise AssertionError("expected DuplicatedStudyError")
