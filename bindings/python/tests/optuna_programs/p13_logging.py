# From the reference of optuna.logging (set_verbosity, get_verbosity, handlers)
# (https://optuna.readthedocs.io/en/stable/reference/logging.html) and the FAQ
# "How to suppress log messages of Optuna?" (https://optuna.readthedocs.io/en/stable/faq.html).
import io
import logging

import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


assert optuna.logging.get_verbosity() == optuna.logging.INFO

# Capture the library's messages with our own handler.
stream = io.StringIO()
handler = logging.StreamHandler(stream)
optuna.logging.get_logger("optuna").addHandler(handler)
study = optuna.create_study()
study.optimize(objective, n_trials=3)
text = stream.getvalue()
print(text)
assert "Trial 0 finished with value:" in text and "Best is trial" in text

# Silence everything below WARNING.
optuna.logging.set_verbosity(optuna.logging.WARNING)
assert optuna.logging.get_verbosity() == optuna.logging.WARNING
stream.truncate(0)
stream.seek(0)
study.optimize(objective, n_trials=3)
assert "finished with value" not in stream.getvalue()

optuna.logging.disable_default_handler()
optuna.logging.enable_default_handler()
optuna.logging.disable_propagation()
optuna.logging.enable_propagation()
optuna.logging.set_verbosity(optuna.logging.DEBUG)
optuna.logging.set_verbosity(optuna.logging.INFO)
