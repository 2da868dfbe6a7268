# From Optuna's tutorial "Pythonic Search Space"
# (https://optuna.readthedocs.io/en/stable/tutorial/10_key_features/002_configurations.html):
# every suggest API, conditional parameters (branches) and loops.
import optuna


def objective(trial):
    # Categorical parameter
    optimizer = trial.suggest_categorical("optimizer", ["MomentumSGD", "Adam"])
    # Integer parameter
    num_layers = trial.suggest_int("num_layers", 1, 3)
    # Integer parameter (log)
    num_channels = trial.suggest_int("num_channels", 32, 512, log=True)
    # Integer parameter (discretized)
    num_units = trial.suggest_int("num_units", 10, 100, step=5)
    # Floating point parameter
    dropout_rate = trial.suggest_float("dropout_rate", 0.0, 1.0)
    # Floating point parameter (log)
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-2, log=True)
    # Floating point parameter (discretized)
    drop_path_rate = trial.suggest_float("drop_path_rate", 0.0, 1.0, step=0.1)

    assert optimizer in ("MomentumSGD", "Adam")
    assert 1 <= num_layers <= 3 and 32 <= num_channels <= 512 and (num_units - 10) % 5 == 0
    assert 1e-5 <= learning_rate <= 1e-2
    assert abs(drop_path_rate * 10 - round(drop_path_rate * 10)) < 1e-9

    # Branches
    classifier_name = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
    if classifier_name == "SVC":
        svc_c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
        score = abs(svc_c - 1.0) / 1e10
    else:
        rf_max_depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
        score = 1.0 / rf_max_depth

    # Loops
    n_layers = trial.suggest_int("n_layers", 1, 3)
    width = 0
    for i in range(n_layers):
        width += trial.suggest_int("n_units_l{}".format(i), 4, 128, log=True)
    return score + dropout_rate + learning_rate + width / 1000.0


study = optuna.create_study(direction="minimize")
study.optimize(objective, n_trials=30)
print(study.best_params)
names = set()
for t in study.trials:
    names.update(t.params)
assert {"optimizer", "num_layers", "classifier", "n_layers", "n_units_l0"} <= names
assert isinstance(study.best_params["num_layers"], int)
