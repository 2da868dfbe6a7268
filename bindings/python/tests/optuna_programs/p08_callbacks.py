# From Optuna's tutorial "Callback for Study.optimize"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/007_optuna_callback.html)
# and the reference of optuna.study.MaxTrialsCallback
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.MaxTrialsCallback.html).
import optuna
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState


class StopWhenTrialKeepBeingPrunedCallback:
    def __init__(self, threshold: int):
        self.threshold = threshold
        self._consequtive_pruned_count = 0

    def __call__(self, study: optuna.study.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.state == optuna.trial.TrialState.PRUNED:
            self._consequtive_pruned_count += 1
        else:
            self._consequtive_pruned_count = 0

        if self._consequtive_pruned_count >= self.threshold:
            study.stop()


def objective(trial):
    if trial.number > 4:
        raise optuna.TrialPruned

    return trial.suggest_float("x", 0, 1)


study_stop_cb = StopWhenTrialKeepBeingPrunedCallback(2)
study = optuna.create_study()
study.optimize(objective, n_trials=10, callbacks=[study_stop_cb])
print(len(study.trials))
assert len(study.trials) == 7, len(study.trials)

# MaxTrialsCallback: stop once 10 trials completed, whatever n_trials says.
seen = []
study = optuna.create_study()
study.optimize(
    lambda trial: trial.suggest_float("x", -1, 1) ** 2,
    n_trials=50,
    callbacks=[MaxTrialsCallback(10, states=(TrialState.COMPLETE,)), lambda s, t: seen.append(t.number)],
)
assert len(study.trials) == 10, len(study.trials)
assert seen == list(range(10))
