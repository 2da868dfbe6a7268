# From the FAQ "How are exceptions from the objective handled?" / the reference of
# optuna.study.Study.optimize's `catch` (https://optuna.readthedocs.io/en/stable/faq.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.Study.html).
import math

import optuna
from optuna.trial import TrialState


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    if x < 0:
        raise ValueError("negative x")
    return x


# By default an exception stops the optimization and is re-raised; the trial is FAIL.
study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
raised = False
try:
    study.optimize(objective, n_trials=50)
except ValueError as e:
    raised = True
    print("re-raised:", e)
assert raised
assert study.trials[-1].state == TrialState.FAIL
assert all(t.state == TrialState.COMPLETE for t in study.trials[:-1])

# With catch, the failed trial is recorded and the optimization goes on.
study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
study.optimize(objective, n_trials=20, catch=(ValueError,))
assert len(study.trials) == 20
failed = study.get_trials(states=(TrialState.FAIL,))
assert len(failed) > 0
for t in failed:
    assert t.value is None and t.params["x"] < 0

# A NaN or None result fails the trial, and the study goes on.
study = optuna.create_study()
study.optimize(lambda t: float("nan") if t.suggest_int("i", 0, 1) == 0 else None, n_trials=4)
assert [t.state for t in study.trials] == [TrialState.FAIL] * 4
assert not math.isnan(study.trials[0].params["i"])
