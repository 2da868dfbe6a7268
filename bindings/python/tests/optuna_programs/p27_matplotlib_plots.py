# From the reference of optuna.visualization.matplotlib
# (https://optuna.readthedocs.io/en/stable/reference/visualization/matplotlib/index.html):
# the same plots as the plotly module, drawn with matplotlib.
import matplotlib

matplotlib.use("Agg")

import optuna
from optuna.visualization.matplotlib import plot_optimization_history


def objective(trial):
    x = trial.suggest_float("x", -100, 100)
    y = trial.suggest_categorical("y", [-1, 0, 1])
    for step in range(3):
        trial.report(x ** 2 + step, step)
    return x ** 2 + y


sampler = optuna.samplers.TPESampler(seed=10)
study = optuna.create_study(sampler=sampler)
study.optimize(objective, n_trials=10)

ax = plot_optimization_history(study)
assert ax.get_title() == "Optimization History Plot"
optuna.visualization.matplotlib.plot_intermediate_values(study)
optuna.visualization.matplotlib.plot_parallel_coordinate(study, params=["x", "y"])
optuna.visualization.matplotlib.plot_slice(study)
optuna.visualization.matplotlib.plot_contour(study, params=["x", "y"])
optuna.visualization.matplotlib.plot_param_importances(study)
optuna.visualization.matplotlib.plot_edf(study)
assert optuna.visualization.matplotlib.is_available()
