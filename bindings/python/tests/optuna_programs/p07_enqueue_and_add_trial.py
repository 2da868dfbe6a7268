# From Optuna's tutorial "Specify Hyperparameters Manually"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/008_specify_params.html):
# enqueue_trial for the first trials, add_trial with create_trial for results obtained elsewhere.
import optuna


def objective(trial):
    lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
    depth = trial.suggest_int("max_depth", 3, 10)
    return (lr - 0.01) ** 2 + depth / 100.0


study = optuna.create_study(direction="minimize", pruner=optuna.pruners.MedianPruner())
study.enqueue_trial({"learning_rate": 0.05, "max_depth": 6})
study.enqueue_trial({"learning_rate": 0.001, "max_depth": 9})
study.enqueue_trial({"learning_rate": 0.05, "max_depth": 6}, skip_if_exists=True)
# Parameters left out are sampled.
study.enqueue_trial({"max_depth": 4}, user_attrs={"memo": "partial"})
study.optimize(objective, n_trials=5)

assert study.trials[0].params == {"learning_rate": 0.05, "max_depth": 6}
assert study.trials[1].params == {"learning_rate": 0.001, "max_depth": 9}
assert study.trials[2].params["max_depth"] == 4
assert study.trials[2].user_attrs == {"memo": "partial"}

# add_trial: results computed outside the study.
study.add_trial(
    optuna.trial.create_trial(
        params={"learning_rate": 0.01, "max_depth": 3},
        distributions={
            "learning_rate": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
            "max_depth": optuna.distributions.IntDistribution(3, 10),
        },
        value=0.03,
    )
)
study.add_trials([
    optuna.trial.create_trial(
        params={"learning_rate": 0.02, "max_depth": 5},
        distributions={
            "learning_rate": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
            "max_depth": optuna.distributions.IntDistribution(3, 10),
        },
        value=0.1,
    ),
    optuna.trial.create_trial(
        params={"learning_rate": 0.02, "max_depth": 7},
        distributions={
            "learning_rate": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
            "max_depth": optuna.distributions.IntDistribution(3, 10),
        },
        state=optuna.trial.TrialState.FAIL,
    ),
])
assert len(study.trials) == 8
assert study.trials[5].value == 0.03 and study.trials[5].params == {"learning_rate": 0.01, "max_depth": 3}
assert study.trials[7].state == optuna.trial.TrialState.FAIL
study.optimize(objective, n_trials=3)
print(study.best_trial.params, study.best_value)
