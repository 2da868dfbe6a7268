"""hone.visualization.matplotlib: the plots of hone.visualization drawn with matplotlib
(Optuna's ``optuna.visualization.matplotlib``); each function returns the Axes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence

from ._plot_data import best_so_far, completed, is_log, objective_values, param_names, pareto_split, values_of

if TYPE_CHECKING:
    from .frozen import FrozenTrial
    from .study import Study


def is_available() -> bool:
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def _plt() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("hone.visualization.matplotlib draws with matplotlib, which is not installed: "
                          "pip install matplotlib") from e
    return plt


def plot_optimization_history(study: Any, *, target: Optional[Callable[["FrozenTrial"], float]] = None,
                              target_name: str = "Objective Value", error_bar: bool = False) -> Any:
    plt = _plt()
    _, ax = plt.subplots()
    for s in (study if isinstance(study, (list, tuple)) else [study]):
        trials = completed(s)
        xs, ys = [t.number for t in trials], objective_values(s, trials, target)
        ax.scatter(xs, ys, label=target_name)
        if target is None and ys:
            ax.plot(xs, best_so_far(s, ys), color="tab:red", label="Best Value")
    ax.set_title("Optimization History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel(target_name)
    ax.legend()
    return ax


def plot_intermediate_values(study: "Study") -> Any:
    plt = _plt()
    _, ax = plt.subplots()
    for t in study.get_trials(deepcopy=False):
        if t.intermediate_values:
            steps = sorted(t.intermediate_values)
            ax.plot(steps, [t.intermediate_values[s] for s in steps], marker=".", label=f"Trial{t.number}")
    ax.set_title("Intermediate Values Plot")
    ax.set_xlabel("Step")
    ax.set_ylabel("Intermediate Value")
    return ax


def plot_parallel_coordinate(study: "Study", params: Optional[List[str]] = None, *,
                             target: Optional[Callable[["FrozenTrial"], float]] = None,
                             target_name: str = "Objective Value") -> Any:
    plt = _plt()
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    columns = [ys] + [values_of(trials, n)[0] for n in names]
    scaled = []
    for col in columns:
        lo, hi = min(col, default=0.0), max(col, default=1.0)
        scaled.append([(v - lo) / (hi - lo) if hi > lo else 0.5 for v in col])
    _, ax = plt.subplots()
    for i in range(len(trials)):
        ax.plot(range(len(columns)), [c[i] for c in scaled], alpha=0.5)
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels([target_name] + names)
    ax.set_title("Parallel Coordinate Plot")
    return ax


def plot_slice(study: "Study", params: Optional[List[str]] = None, *,
               target: Optional[Callable[["FrozenTrial"], float]] = None,
               target_name: str = "Objective Value") -> Any:
    plt = _plt()
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    _, axes = plt.subplots(1, max(1, len(names)), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], names):
        xs, labels = values_of(trials, name)
        ax.scatter(xs, ys, c=[t.number for t in trials], cmap="Blues")
        if labels is not None:
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels(labels)
        elif is_log(trials, name):
            ax.set_xscale("log")
        ax.set_xlabel(name)
    axes[0][0].set_ylabel(target_name)
    axes[0][0].figure.suptitle("Slice Plot")
    return axes[0] if len(names) > 1 else axes[0][0]


def plot_contour(study: "Study", params: Optional[List[str]] = None, *,
                 target: Optional[Callable[["FrozenTrial"], float]] = None,
                 target_name: str = "Objective Value") -> Any:
    plt = _plt()
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    _, ax = plt.subplots()
    if len(names) >= 2 and len(trials) >= 3:
        xs, _ = values_of(trials, names[0])
        zs, _ = values_of(trials, names[1])
        try:
            ax.tricontourf(xs, zs, ys, cmap="Blues_r")
        except (ValueError, RuntimeError):
            pass  # collinear points: no triangulation, the scatter alone
        ax.scatter(xs, zs, color="black", s=8)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    ax.set_title("Contour Plot")
    return ax


def plot_param_importances(study: "Study", evaluator: Any = None, params: Optional[List[str]] = None, *,
                           target: Optional[Callable[["FrozenTrial"], float]] = None,
                           target_name: str = "Objective Value") -> Any:
    plt = _plt()
    from .importance import get_param_importances
    importances = get_param_importances(study, evaluator=evaluator, params=params, target=target)
    names = list(reversed(list(importances)))
    _, ax = plt.subplots()
    ax.barh(names, [importances[n] for n in names])
    ax.set_title("Hyperparameter Importances")
    ax.set_xlabel(f"Importance for {target_name}")
    ax.set_ylabel("Hyperparameter")
    return ax


def plot_pareto_front(study: "Study", *, target_names: Optional[List[str]] = None,
                      include_dominated_trials: bool = True, axis_order: Optional[List[int]] = None,
                      constraints_func: Any = None,
                      targets: Optional[Callable[["FrozenTrial"], Sequence[float]]] = None) -> Any:
    plt = _plt()
    front, dominated = pareto_split(study, targets)
    n = len((front or dominated)[0][1]) if (front or dominated) else study.n_objectives
    if n != 2:
        raise ValueError("hone.visualization.matplotlib.plot_pareto_front draws 2 objectives")
    names = target_names or ["Objective 0", "Objective 1"]
    order = axis_order or [0, 1]
    _, ax = plt.subplots()
    if include_dominated_trials and dominated:
        ax.scatter([p[1][order[0]] for p in dominated], [p[1][order[1]] for p in dominated], color="#cccccc",
                   label="Trial")
    ax.scatter([p[1][order[0]] for p in front], [p[1][order[1]] for p in front], color="tab:blue", label="Best Trial")
    ax.set_xlabel(names[order[0]])
    ax.set_ylabel(names[order[1]])
    ax.set_title("Pareto-front Plot")
    ax.legend()
    return ax


def plot_edf(study: Any, *, target: Optional[Callable[["FrozenTrial"], float]] = None,
             target_name: str = "Objective Value") -> Any:
    plt = _plt()
    _, ax = plt.subplots()
    for s in (study if isinstance(study, (list, tuple)) else [study]):
        ys = sorted(objective_values(s, completed(s), target))
        ax.step(ys, [(i + 1) / len(ys) for i in range(len(ys))], where="post", label=s.study_name)
    ax.set_title("Empirical Distribution Function Plot")
    ax.set_xlabel(target_name)
    ax.set_ylabel("Cumulative Probability")
    return ax


__all__ = ["is_available", "plot_optimization_history", "plot_intermediate_values", "plot_parallel_coordinate",
           "plot_slice", "plot_contour", "plot_param_importances", "plot_pareto_front", "plot_edf"]
