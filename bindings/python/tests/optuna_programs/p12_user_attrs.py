# From Optuna's tutorial "User Attributes"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/003_attributes.html),
# with the sklearn data set replaced by a formula.
import optuna


def objective(trial):
    trial.set_user_attr("BATCHSIZE", 128)
    momentum = trial.suggest_float("momentum", 0, 1.0)
    trial.set_user_attr("accuracy", 1.0 - abs(momentum - 0.9))
    return 1.0 - abs(momentum - 0.9)


study = optuna.create_study(direction="maximize")
study.set_user_attr("contributors", ["Akiba", "Sano"])
study.set_user_attr("dataset", "MNIST")
study.optimize(objective, n_trials=3)

print(study.user_attrs)
assert study.user_attrs == {"contributors": ["Akiba", "Sano"], "dataset": "MNIST"}
print(study.best_trial.user_attrs)
assert study.best_trial.user_attrs["BATCHSIZE"] == 128
assert study.best_trial.user_attrs["accuracy"] == study.best_value

# Attributes of running trials.
trial = study.ask()
trial.set_user_attr("note", "running")
assert trial.user_attrs == {"note": "running"}
study.tell(trial, 0.5)
