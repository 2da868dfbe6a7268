# From the reference of optuna.trial.Trial.report / should_prune and suggest_* examples
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.trial.Trial.html),
# which train sklearn's SGDClassifier on iris step by step.
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

import optuna

X, y = load_iris(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, random_state=0)
classes = np.unique(y)


def objective(trial):
    alpha = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
    loss = trial.suggest_categorical("loss", ["hinge", "log_loss"])
    clf = SGDClassifier(alpha=alpha, loss=loss, random_state=0)

    for step in range(30):
        clf.partial_fit(X_train, y_train, classes=classes)

        # Report intermediate objective value.
        intermediate_value = 1.0 - clf.score(X_valid, y_valid)
        trial.report(intermediate_value, step)

        # Handle pruning based on the intermediate value.
        if trial.should_prune():
            raise optuna.TrialPruned()

    return 1.0 - clf.score(X_valid, y_valid)


study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_warmup_steps=5),
                            sampler=optuna.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=10)
print(study.best_params, study.best_value)
assert study.best_value < 0.3
assert all(t.last_step is not None for t in study.trials)
