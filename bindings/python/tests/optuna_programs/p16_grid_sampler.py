# From the reference of optuna.samplers.GridSampler
# (https://optuna.readthedocs.io/en/stable/reference/samplers/generated/optuna.samplers.GridSampler.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -100, 100)
    y = trial.suggest_int("y", -100, 100)
    return x**2 + y**2


search_space = {"x": [-50, 0, 50], "y": [-99, 0, 99]}
study = optuna.create_study(sampler=optuna.samplers.GridSampler(search_space))
study.optimize(objective)  # stops once the grid is exhausted

assert len(study.trials) == 9
seen = sorted((t.params["x"], t.params["y"]) for t in study.trials)
assert seen == sorted((x, y) for x in [-50, 0, 50] for y in [-99, 0, 99]), seen
assert study.best_value == 0.0

# Categorical grid with a seed, and n_trials larger than the grid.
study = optuna.create_study(
    sampler=optuna.samplers.GridSampler({"act": ["relu", "tanh"], "units": [16, 32]}, seed=0)
)
study.optimize(
    lambda t: len(t.suggest_categorical("act", ["relu", "tanh"])) + t.suggest_int("units", 16, 32, step=16),
    n_trials=20,
)
assert len(study.trials) == 4

# Numeric categorical choices in the grid (the reference's note on GridSampler: values
# are the choices themselves).
study = optuna.create_study(sampler=optuna.samplers.GridSampler({"batch_size": [32, 64], "act": [None, "relu"]}))
study.optimize(
    lambda t: t.suggest_categorical("batch_size", [16, 32, 64]) + (1 if t.suggest_categorical("act", [None, "relu"]) else 0)
)
assert sorted((t.params["batch_size"], str(t.params["act"])) for t in study.trials) == [
    (32, "None"), (32, "relu"), (64, "None"), (64, "relu")]
