# From the reference of optuna.logging.enable_propagation and disable_default_handler
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.logging.enable_propagation.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.logging.disable_default_handler.html),
# and of Study.add_trials (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.Study.html).
import logging

import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


logger = logging.getLogger()

logger.setLevel(logging.INFO)  # Setup the root logger.
logger.addHandler(logging.FileHandler("foo.log", mode="w"))

optuna.logging.enable_propagation()  # Propagate logs to the root logger.
optuna.logging.disable_default_handler()  # Stop showing logs in sys.stderr.

study = optuna.create_study()

logger.info("Start optimization.")
study.optimize(objective, n_trials=10)

with open("foo.log") as f:
    assert f.readline().startswith("A new study created")
    assert f.readline() == "Start optimization.\n"
    assert f.readline().startswith("Trial 0 finished with value:")

# Study.add_trials: copy the trials of one study into another.
other_study = optuna.create_study()
other_study.add_trials(study.trials)
assert len(other_study.trials) == len(study.trials)

other_study.optimize(objective, n_trials=2)
assert len(other_study.trials) == len(study.trials) + 2
assert other_study.trials[3].params == study.trials[3].params
assert other_study.trials[3].value == study.trials[3].value
