"""Parameter importances with Optuna's function (``optuna.importance``), computed by
Hone's fANOVA (the random forest and variance decomposition of the HTML report;
Hutter, Hoos, Leyton-Brown 2014)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from ._lib import call_string, dumps, encode, lib, loads

if TYPE_CHECKING:
    from .frozen import FrozenTrial
    from .study import Study


class FanovaImportanceEvaluator:
    """fANOVA: ``n_trees`` trees (64, as Optuna); ``seed`` seeds the forest (None: 0, so
    the same trials always give the same importances). ``max_depth`` is accepted for
    Optuna's signature; Hone's trees grow to 64 levels."""

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: Optional[int] = None) -> None:
        if n_trees < 1:
            raise ValueError(f"n_trees must be at least 1, got {n_trees}")
        self.n_trees = int(n_trees)
        self.max_depth = int(max_depth)
        self.seed = seed

    def evaluate(self, study: "Study", params: Optional[List[str]] = None, *,
                 target: Optional[Callable[["FrozenTrial"], float]] = None) -> Dict[str, float]:
        source = study
        objective = 0
        if target is not None:
            source = _target_study(study, target)
        elif study.n_objectives > 1:
            raise ValueError("If the `study` is being used for multi-objective optimization, please specify the "
                             "`target`. For example, use `target=lambda t: t.values[0]` for the first objective "
                             "value.")
        options: Dict[str, Any] = {"objective": objective, "seed": 0 if self.seed is None else int(self.seed),
                                   "trees": self.n_trees}
        if params is not None:
            options["params"] = list(params)
        ranked = loads(call_string(lib.hone_study_importances_json, source._handle, encode(dumps(options), "options")))
        if params is not None:
            # Optuna lists every asked parameter, a constant one with importance 0.
            for name in params:
                ranked.setdefault(name, 0.0)
        return ranked


class MeanDecreaseImpurityImportanceEvaluator(FanovaImportanceEvaluator):
    """Optuna's random-forest impurity evaluator. Hone ranks with fANOVA's forest instead
    (said with a warning): the same kind of answer, a share of the objective explained
    by each parameter."""

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: Optional[int] = None) -> None:
        import warnings
        warnings.warn("MeanDecreaseImpurityImportanceEvaluator: Hone computes fANOVA importances", stacklevel=2)
        super().__init__(n_trees=n_trees, max_depth=max_depth, seed=seed)


class PedAnovaImportanceEvaluator(FanovaImportanceEvaluator):
    """Optuna's PED-ANOVA evaluator; Hone computes fANOVA importances (with a warning)."""

    def __init__(self, *, baseline_quantile: float = 0.1, evaluate_on_local: bool = True) -> None:
        import warnings
        warnings.warn("PedAnovaImportanceEvaluator: Hone computes fANOVA importances", stacklevel=2)
        super().__init__()


def _target_study(study: "Study", target: Callable[["FrozenTrial"], float]) -> "Study":
    """An in-memory copy of the study's COMPLETE trials with target(trial) as the value."""
    from .frozen import TrialState, create_trial
    from .study import create_study
    copy = create_study(direction="minimize")
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        copy.add_trial(create_trial(params=t.params, distributions=t.distributions, value=float(target(t))))
    return copy


def get_param_importances(study: "Study", *, evaluator: Optional[FanovaImportanceEvaluator] = None,
                          params: Optional[List[str]] = None,
                          target: Optional[Callable[["FrozenTrial"], float]] = None,
                          normalize: bool = True) -> Dict[str, float]:
    """Each parameter's importance over the study's COMPLETE trials, most important first
    (a dict in that order). Hone's fANOVA importances are fractions of the objective's
    variance that sum to 1, so ``normalize`` changes nothing. ``target`` picks the value
    to explain (needed for multi-objective studies)."""
    evaluator = evaluator or FanovaImportanceEvaluator()
    if not isinstance(evaluator, FanovaImportanceEvaluator):
        raise TypeError(f"Hone computes importances with fANOVA only (FanovaImportanceEvaluator), got "
                        f"{type(evaluator).__name__}")
    ranked = evaluator.evaluate(study, params, target=target)
    return dict(sorted(ranked.items(), key=lambda kv: kv[1], reverse=True))


__all__ = ["get_param_importances", "FanovaImportanceEvaluator", "MeanDecreaseImpurityImportanceEvaluator",
           "PedAnovaImportanceEvaluator"]
