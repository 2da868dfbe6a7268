# From Optuna's tutorial "Saving/Resuming Study with RDB Backend"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/001_rdb.html).
# Run in a scratch directory: sqlite:///example.db is example.db in the working directory.
import logging
import sys

import optuna

# Add stream handler of stdout to show the messages
optuna.logging.get_logger("optuna").addHandler(logging.StreamHandler(sys.stdout))
study_name = "example-study"  # Unique identifier of the study.
storage_name = "sqlite:///{}.db".format(study_name)
study = optuna.create_study(study_name=study_name, storage=storage_name)


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


study.optimize(objective, n_trials=3)

# Resume the study.
study = optuna.create_study(study_name=study_name, storage=storage_name, load_if_exists=True)
study.optimize(objective, n_trials=3)
assert len(study.trials) == 6

# Experimental history.
study = optuna.create_study(study_name=study_name, storage=storage_name, load_if_exists=True)
df = study.trials_dataframe(attrs=("number", "value", "params", "state"))
print(df)
assert len(df) == 6

print("Best params: ", study.best_params)
print("Best value: ", study.best_value)
print("Best Trial: ", study.best_trial)
print("Trials: ", study.trials)

loaded = optuna.load_study(study_name=study_name, storage=storage_name)
assert loaded.best_value == study.best_value
assert optuna.get_all_study_names(storage=storage_name) == [study_name]

import os
assert os.path.exists("example-study.db")
