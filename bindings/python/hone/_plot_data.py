"""What the plots of hone.visualization (plotly) and hone.visualization.matplotlib share:
the trials and values they draw."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from .frozen import FrozenTrial
    from .study import Study


def completed(study: "Study") -> List["FrozenTrial"]:
    from .frozen import TrialState
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def objective_values(study: "Study", trials: Sequence["FrozenTrial"],
                     target: Optional[Callable[["FrozenTrial"], float]]) -> List[float]:
    if target is not None:
        return [float(target(t)) for t in trials]
    if study.n_objectives > 1:
        raise ValueError("If the `study` is being used for multi-objective optimization, please specify the "
                         "`target`.")
    return [t.values[0] for t in trials if t.values]


def best_so_far(study: "Study", ys: Sequence[float]) -> List[float]:
    """The best value up to each of ``ys`` (in the study's direction)."""
    better = max if study.direction.name == "MAXIMIZE" else min
    best: List[float] = []
    for y in ys:
        best.append(y if not best else better(best[-1], y))
    return best


def param_names(trials: Sequence["FrozenTrial"], params: Optional[List[str]]) -> List[str]:
    present = sorted({name for t in trials for name in t.params})
    if params is None:
        return present
    for p in params:
        if p not in present:
            raise ValueError(f"Parameter {p} does not exist in your study.")
    return list(params)


def values_of(trials: Sequence["FrozenTrial"], name: str) -> Tuple[List[Any], Optional[List[str]]]:
    """A parameter's values as numbers for an axis; categorical ones as indices, with
    their labels."""
    raw = [t.params.get(name) for t in trials]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw if v is not None):
        return raw, None
    labels = sorted({str(v) for v in raw})
    index = {label: i for i, label in enumerate(labels)}
    return [index[str(v)] for v in raw], labels


def is_log(trials: Sequence["FrozenTrial"], name: str) -> bool:
    for t in trials:
        d = t.distributions.get(name)
        if d is not None:
            return bool(getattr(d, "log", False))
    return False


def pareto_split(study: "Study", targets: Optional[Callable[["FrozenTrial"], Sequence[float]]] = None
                 ) -> Tuple[List[Tuple[int, List[float]]], List[Tuple[int, List[float]]]]:
    """(front, dominated) as (trial number, values oriented as stored) pairs."""
    trials = completed(study)
    points = [(t.number, list(targets(t)) if targets is not None else list(t.values or [])) for t in trials]
    signs = [1.0 if d.name == "MINIMIZE" else -1.0 for d in study.directions] if targets is None else None

    def dominates(a: List[float], b: List[float]) -> bool:
        s = signs or [1.0] * len(a)
        return all(x * k <= y * k for x, y, k in zip(a, b, s)) and any(x * k < y * k for x, y, k in zip(a, b, s))

    front, dominated = [], []
    for i, p in enumerate(points):
        if any(dominates(q[1], p[1]) for j, q in enumerate(points) if j != i):
            dominated.append(p)
        else:
            front.append(p)
    return front, dominated


def hypervolume(points: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """The volume dominated by ``points`` (minimization) and bounded by ``reference``,
    by slicing along the last objective (exact; fine for the few hundred points a plot
    shows)."""
    pts = [list(p) for p in points if all(x < r for x, r in zip(p, reference))]
    if not pts:
        return 0.0
    if len(reference) == 1:
        return reference[0] - min(p[0] for p in pts)
    pts.sort(key=lambda p: p[-1])
    volume = 0.0
    for i, p in enumerate(pts):
        upper = pts[i + 1][-1] if i + 1 < len(pts) else reference[-1]
        if upper > p[-1]:
            volume += hypervolume([q[:-1] for q in pts[: i + 1]], reference[:-1]) * (upper - p[-1])
    return volume


def hypervolume_history(study: "Study", reference_point: Sequence[float]) -> Tuple[List[int], List[float]]:
    """(trial numbers, hypervolume of the completed trials up to each), objectives turned
    to minimization (maximized ones and their reference coordinate negated)."""
    signs = [1.0 if d.name == "MINIMIZE" else -1.0 for d in study.directions]
    if len(reference_point) != len(signs):
        raise ValueError(f"The reference point has {len(reference_point)} coordinates; the study has "
                         f"{len(signs)} objectives.")
    ref = [r * s for r, s in zip(reference_point, signs)]
    numbers, volumes, seen = [], [], []
    for t in completed(study):
        seen.append([v * s for v, s in zip(t.values or [], signs)])
        numbers.append(t.number)
        volumes.append(hypervolume(seen, ref))
    return numbers, volumes
