"""Plots of a study with Optuna's functions (``optuna.visualization``), as plotly
figures. plotly is imported when a function is called: without it the call raises an
ImportError saying what to install. ``hone.visualization.matplotlib`` has the same
functions drawing with matplotlib."""

from __future__ import annotations


from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence

from ._plot_data import (best_so_far, completed, hypervolume_history, is_log, objective_values, param_names,
                         pareto_split, values_of)

if TYPE_CHECKING:
    from .frozen import FrozenTrial
    from .study import Study


def is_available() -> bool:
    """Whether plotly can be imported."""
    try:
        import plotly  # noqa: F401
        return True
    except ImportError:
        return False


def _go() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError as e:
        raise ImportError("hone.visualization draws with plotly, which is not installed: pip install plotly "
                          "(or use hone.visualization.matplotlib with matplotlib)") from e
    return go


def plot_optimization_history(study: Any, *, target: Optional[Callable[["FrozenTrial"], float]] = None,
                              target_name: str = "Objective Value", error_bar: bool = False) -> Any:
    """Each completed trial's value by trial number, with the best value so far."""
    go = _go()
    studies = study if isinstance(study, (list, tuple)) else [study]
    fig = go.Figure()
    for s in studies:
        trials = completed(s)
        xs = [t.number for t in trials]
        ys = objective_values(s, trials, target)
        label = "" if len(studies) == 1 else f"{s.study_name}: "
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=f"{label}{target_name}"))
        if target is None:
            fig.add_trace(go.Scatter(x=xs, y=best_so_far(s, ys), mode="lines", name=f"{label}Best Value"))
    fig.update_layout(title="Optimization History Plot", xaxis={"title": "Trial"}, yaxis={"title": target_name})
    return fig


def plot_intermediate_values(study: "Study") -> Any:
    """Each trial's reported values by step."""
    go = _go()
    fig = go.Figure()
    for t in study.get_trials(deepcopy=False):
        if not t.intermediate_values:
            continue
        steps = sorted(t.intermediate_values)
        fig.add_trace(go.Scatter(x=steps, y=[t.intermediate_values[s] for s in steps], mode="lines+markers",
                                 name=f"Trial{t.number}", marker={"maxdisplayed": 10}))
    fig.update_layout(title="Intermediate Values Plot", xaxis={"title": "Step"},
                      yaxis={"title": "Intermediate Value"}, showlegend=False)
    return fig


def plot_parallel_coordinate(study: "Study", params: Optional[List[str]] = None, *,
                             target: Optional[Callable[["FrozenTrial"], float]] = None,
                             target_name: str = "Objective Value") -> Any:
    """One line per completed trial through the objective and each parameter's axis."""
    go = _go()
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    dims = [{"label": target_name, "values": ys}]
    for name in names:
        vals, ticks = values_of(trials, name)
        dim: Dict[str, Any] = {"label": name, "values": vals}
        if ticks is not None:
            dim["tickvals"], dim["ticktext"] = list(range(len(ticks))), ticks
        dims.append(dim)
    fig = go.Figure(data=[go.Parcoords(dimensions=dims, line={"color": ys, "colorscale": "Blues",
                                                               "showscale": True})])
    fig.update_layout(title="Parallel Coordinate Plot")
    return fig


def plot_slice(study: "Study", params: Optional[List[str]] = None, *,
               target: Optional[Callable[["FrozenTrial"], float]] = None,
               target_name: str = "Objective Value") -> Any:
    """The objective against each parameter, one panel per parameter."""
    go = _go()
    from plotly.subplots import make_subplots
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    fig = make_subplots(rows=1, cols=max(1, len(names)), shared_yaxes=True)
    for i, name in enumerate(names, start=1):
        xs = [t.params.get(name) for t in trials]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=name,
                                 marker={"color": [t.number for t in trials], "colorscale": "Blues"}),
                      row=1, col=i)
        fig.update_xaxes(title_text=name, type="log" if is_log(trials, name) else None, row=1, col=i)
    fig.update_yaxes(title_text=target_name, row=1, col=1)
    fig.update_layout(title="Slice Plot", showlegend=False)
    return fig


def plot_contour(study: "Study", params: Optional[List[str]] = None, *,
                 target: Optional[Callable[["FrozenTrial"], float]] = None,
                 target_name: str = "Objective Value") -> Any:
    """The objective over each pair of parameters (contours of the completed trials)."""
    go = _go()
    from plotly.subplots import make_subplots
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    if len(names) < 2:
        fig = go.Figure()
        fig.update_layout(title="Contour Plot")
        return fig
    pairs = [(a, b) for a in names for b in names] if len(names) > 2 else [(names[0], names[1])]
    n = len(names) if len(names) > 2 else 1
    fig = make_subplots(rows=n, cols=n)
    for k, (a, b) in enumerate(pairs):
        row, col = k // n + 1, k % n + 1
        if a == b:
            continue
        xs, xt = values_of(trials, a)
        zs, yt = values_of(trials, b)
        fig.add_trace(go.Contour(x=xs, y=zs, z=ys, colorscale="Blues", showscale=k == 1, connectgaps=True,
                                 contours_coloring="heatmap"), row=row, col=col)
        fig.add_trace(go.Scatter(x=xs, y=zs, mode="markers", marker={"color": "black", "size": 4},
                                 showlegend=False), row=row, col=col)
        fig.update_xaxes(title_text=a, row=row, col=col)
        fig.update_yaxes(title_text=b, row=row, col=col)
    fig.update_layout(title="Contour Plot")
    return fig


def plot_param_importances(study: "Study", evaluator: Any = None, params: Optional[List[str]] = None, *,
                           target: Optional[Callable[["FrozenTrial"], float]] = None,
                           target_name: str = "Objective Value") -> Any:
    """hone.importance.get_param_importances as horizontal bars."""
    go = _go()
    from .importance import get_param_importances
    importances = get_param_importances(study, evaluator=evaluator, params=params, target=target)
    names = list(reversed(list(importances)))
    fig = go.Figure(data=[go.Bar(x=[importances[n] for n in names], y=names, orientation="h",
                                 text=[f"{importances[n]:.2f}" for n in names], textposition="outside",
                                 name=target_name)])
    fig.update_layout(title="Hyperparameter Importances", xaxis={"title": f"Importance for {target_name}"},
                      yaxis={"title": "Hyperparameter"})
    return fig


def plot_pareto_front(study: "Study", *, target_names: Optional[List[str]] = None,
                      include_dominated_trials: bool = True, axis_order: Optional[List[int]] = None,
                      constraints_func: Any = None,
                      targets: Optional[Callable[["FrozenTrial"], Sequence[float]]] = None) -> Any:
    """The completed trials' objective values (2 or 3 objectives), the Pareto front
    highlighted."""
    go = _go()
    front, dominated = pareto_split(study, targets)
    n = len((front or dominated)[0][1]) if (front or dominated) else study.n_objectives
    if n not in (2, 3):
        raise ValueError("`plot_pareto_front` function only supports 2 or 3 objective studies when using "
                         "`targets` is `None`. Please use `targets` if your objective studies have more than 3 "
                         "objectives.")
    order = axis_order or list(range(n))
    names = target_names or [f"Objective {i}" for i in range(n)]
    fig = go.Figure()
    for label, points, color in (("Trial", dominated if include_dominated_trials else [], "#cccccc"),
                                 ("Best Trial", front, "#1f77b4")):
        if not points:
            continue
        cols = [[p[1][i] for p in points] for i in order]
        text = [f"Trial {p[0]}" for p in points]
        if n == 2:
            fig.add_trace(go.Scatter(x=cols[0], y=cols[1], mode="markers", name=label, text=text,
                                     marker={"color": color}))
        else:
            fig.add_trace(go.Scatter3d(x=cols[0], y=cols[1], z=cols[2], mode="markers", name=label, text=text,
                                       marker={"color": color}))
    if n == 2:
        fig.update_layout(xaxis={"title": names[order[0]]}, yaxis={"title": names[order[1]]})
    else:
        fig.update_layout(scene={"xaxis_title": names[order[0]], "yaxis_title": names[order[1]],
                                 "zaxis_title": names[order[2]]})
    fig.update_layout(title="Pareto-front Plot")
    return fig


def plot_edf(study: Any, *, target: Optional[Callable[["FrozenTrial"], float]] = None,
             target_name: str = "Objective Value") -> Any:
    """The empirical distribution function of the completed trials' values."""
    go = _go()
    studies = study if isinstance(study, (list, tuple)) else [study]
    fig = go.Figure()
    for s in studies:
        ys = sorted(objective_values(s, completed(s), target))
        fig.add_trace(go.Scatter(x=ys, y=[(i + 1) / len(ys) for i in range(len(ys))], mode="lines",
                                 name=s.study_name))
    fig.update_layout(title="Empirical Distribution Function Plot", xaxis={"title": target_name},
                      yaxis={"title": "Cumulative Probability"})
    return fig


def plot_rank(study: "Study", params: Optional[List[str]] = None, *,
              target: Optional[Callable[["FrozenTrial"], float]] = None,
              target_name: str = "Objective Value") -> Any:
    """Each pair of parameters, trials coloured by the rank of their objective value."""
    go = _go()
    from plotly.subplots import make_subplots
    trials = completed(study)
    names = param_names(trials, params)
    ys = objective_values(study, trials, target)
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    rank = [0.0] * len(ys)
    for r, i in enumerate(order):
        rank[i] = r / max(1, len(ys) - 1)
    n = max(1, len(names) - 1)
    fig = make_subplots(rows=n, cols=n)
    if len(names) == 1:
        xs, _ = values_of(trials, names[0])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", marker={"color": rank, "colorscale": "RdYlBu_r"}))
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            xs, _ = values_of(trials, names[a])
            zs, _ = values_of(trials, names[b])
            fig.add_trace(go.Scatter(x=xs, y=zs, mode="markers", showlegend=False,
                                     marker={"color": rank, "colorscale": "RdYlBu_r"}), row=b, col=a + 1)
            fig.update_xaxes(title_text=names[a], row=b, col=a + 1)
            fig.update_yaxes(title_text=names[b], row=b, col=a + 1)
    fig.update_layout(title=f"Rank ({target_name})")
    return fig


def plot_hypervolume_history(study: "Study", reference_point: Sequence[float]) -> Any:
    """The hypervolume of the completed trials so far, by trial number (multi-objective)."""
    go = _go()
    if study.n_objectives < 2:
        raise ValueError("Study must be multi-objective. For single-objective optimization, please use "
                         "plot_optimization_history instead.")
    numbers, volumes = hypervolume_history(study, reference_point)
    fig = go.Figure(data=[go.Scatter(x=numbers, y=volumes, mode="lines+markers", name="Hypervolume")])
    fig.update_layout(title="Hypervolume History Plot", xaxis={"title": "Trial"}, yaxis={"title": "Hypervolume"})
    return fig


def plot_timeline(study: "Study") -> Any:
    """Each trial's start and end, coloured by state."""
    go = _go()
    fig = go.Figure()
    for t in study.get_trials(deepcopy=False):
        if t.datetime_start is None:
            continue
        end = t.datetime_complete or t.datetime_start
        fig.add_trace(go.Bar(x=[(end - t.datetime_start).total_seconds() * 1000], y=[t.number],
                             base=[t.datetime_start.isoformat()], orientation="h", name=t.state.name,
                             showlegend=False))
    fig.update_layout(title="Timeline Plot", xaxis={"title": "Datetime", "type": "date"},
                      yaxis={"title": "Trial"})
    return fig


def _matplotlib_module() -> Any:
    """``hone.visualization.matplotlib``, Optuna's ``optuna.visualization.matplotlib``:
    hone._plot_matplotlib registered under that name too (this package ships as flat
    modules), so both ``hone.visualization.matplotlib.plot_slice`` and ``from
    hone.visualization.matplotlib import plot_slice`` work. Importing it does not import
    matplotlib."""
    import sys
    from . import _plot_matplotlib
    sys.modules[__name__ + ".matplotlib"] = _plot_matplotlib
    return _plot_matplotlib


matplotlib = _matplotlib_module()

__all__ = ["matplotlib", "is_available", "plot_optimization_history", "plot_intermediate_values", "plot_parallel_coordinate",
           "plot_slice", "plot_contour", "plot_param_importances", "plot_pareto_front", "plot_edf",
           "plot_rank", "plot_timeline", "plot_hypervolume_history"]


