# From Optuna's tutorial "Efficient Optimization Algorithms", section "Activating Pruners"
# (https://optuna.readthedocs.io/en/stable/tutorial/10_key_features/003_efficient_optimization_algorithms.html).
# The tutorial trains sklearn's SGDClassifier step by step; this keeps its shape (report every
# step, should_prune, raise TrialPruned) with a small deterministic learning curve instead.
import logging
import sys

import optuna
from optuna.trial import TrialState


def objective(trial):
    alpha = trial.suggest_float("alpha", 0.0, 1.0)
    error = 1.0
    for step in range(100):
        # A curve that converges to alpha: bad alphas stay bad at every step.
        error = alpha + (1.0 - alpha) * 0.9 ** step

        # Report intermediate objective value.
        intermediate_value = error
        trial.report(intermediate_value, step)

        # Handle pruning based on the intermediate value.
        if trial.should_prune():
            raise optuna.TrialPruned()

    return error


# Add stream handler of stdout to show the messages
optuna.logging.get_logger("optuna").addHandler(logging.StreamHandler(sys.stdout))
study = optuna.create_study(pruner=optuna.pruners.MedianPruner(), sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=20)

pruned_trials = study.get_trials(deepcopy=False, states=[TrialState.PRUNED])
complete_trials = study.get_trials(deepcopy=False, states=[TrialState.COMPLETE])
print("Study statistics: ")
print("  Number of finished trials: ", len(study.trials))
print("  Number of pruned trials: ", len(pruned_trials))
print("  Number of complete trials: ", len(complete_trials))
assert len(pruned_trials) > 0
assert len(pruned_trials) + len(complete_trials) == 20
for t in pruned_trials:
    assert t.state == TrialState.PRUNED and t.last_step is not None
