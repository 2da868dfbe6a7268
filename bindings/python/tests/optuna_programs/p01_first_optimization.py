# From Optuna's tutorial "Lightweight, versatile, and platform agnostic architecture"
# (https://optuna.readthedocs.io/en/stable/tutorial/10_key_features/001_first.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


study = optuna.create_study()
study.optimize(objective, n_trials=60)  # the tutorial runs 100

best_params = study.best_params
found_x = best_params["x"]
print("Found x: {}, (x - 2)^2: {}".format(found_x, (found_x - 2) ** 2))
assert abs(found_x - 2) < 1.0

print(study.best_value)
print(study.best_trial)
assert study.best_trial.value == study.best_value
print(len(study.trials))
assert len(study.trials) == 60

# Running optimize again continues the same study.
study.optimize(objective, n_trials=10)
assert len(study.trials) == 70
for trial in study.trials[:2]:
    print(trial.number, trial.params, trial.value, trial.state)
