# From Optuna's tutorial "Quick Visualization for Hyperparameter Optimization Analysis"
# (https://optuna.readthedocs.io/en/stable/tutorial/10_key_features/005_visualization.html),
# with the classifier replaced by a formula that reports intermediate values.
import optuna
from optuna.visualization import plot_contour
from optuna.visualization import plot_edf
from optuna.visualization import plot_intermediate_values
from optuna.visualization import plot_optimization_history
from optuna.visualization import plot_parallel_coordinate
from optuna.visualization import plot_param_importances
from optuna.visualization import plot_slice

SEED = 42


def objective(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n_units = trial.suggest_int("n_units", 4, 64)
    act = trial.suggest_categorical("act", ["relu", "tanh"])
    acc = 0.0
    for step in range(10):
        acc = (1 - 0.5 ** (step + 1)) * (1 - abs(lr - 0.01)) * (n_units / 64) * (1.0 if act == "relu" else 0.9)
        trial.report(acc, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return acc


study = optuna.create_study(
    direction="maximize",
    sampler=optuna.samplers.TPESampler(seed=SEED),
    pruner=optuna.pruners.MedianPruner(),
)
study.optimize(objective, n_trials=30, timeout=600)

figures = [
    plot_optimization_history(study),
    plot_intermediate_values(study),
    plot_parallel_coordinate(study),
    plot_parallel_coordinate(study, params=["lr", "n_units"]),
    plot_contour(study),
    plot_contour(study, params=["lr", "n_units"]),
    plot_slice(study),
    plot_slice(study, params=["lr", "n_units"]),
    plot_param_importances(study),
    plot_param_importances(study, target=lambda t: t.duration.total_seconds(), target_name="duration"),
    plot_edf(study),
]
for fig in figures:
    assert fig.__class__.__name__ == "Figure"
    fig.to_dict()
assert optuna.visualization.is_available()
print(len(figures), "figures")
