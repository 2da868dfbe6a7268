"""Pruners with Optuna's names, options and defaults (``optuna.pruners``).

Each class describes one of the library's pruners ({"name": ..., <options>}); the
library decides ``trial.should_prune()``. Some decisions are taken here in Python
instead, over the trial's own reports: :class:`PatientPruner` (its patience test, then
the wrapped pruner in the library), :class:`WilcoxonPruner` (a signed-rank test against
the best trial, through scipy) and a user-defined pruner: a subclass of
:class:`BasePruner` that implements ``prune(study, trial)`` as in Optuna's tutorial
"User-Defined Pruner" (``trial`` is then a FrozenTrial of the running trial, with its
parameters and the values reported so far).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Union

if TYPE_CHECKING:
    from .study import Study

#: The largest budget the library accepts; "no limit" for successive halving's rungs.
_NO_LIMIT = 1_000_000


class BasePruner:
    """A pruner as the library knows it: a registered name and its options."""

    name: str = ""

    def __init__(self, options: Optional[Mapping[str, Any]] = None) -> None:
        self._options: Dict[str, Any] = dict(options or {})

    def spec(self) -> Any:
        """The description handed to the library ("none" for a user-defined pruner,
        which decides in Python)."""
        if self._user_defined():
            return "none"
        return {"name": self.name, **getattr(self, "_options", {})}

    def python_gate(self) -> Optional["_PythonPruner"]:
        """A decision made in Python before (or instead of) the library's, if any."""
        return _UserPruner(self) if self._user_defined() else None

    def _user_defined(self) -> bool:
        """A subclass written by the user (Optuna's BasePruner protocol: prune(study, trial))."""
        return callable(getattr(self, "prune", None)) and not isinstance(self, _PythonPruner) and not self.name

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in getattr(self, "_options", {}).items())
        return f"{type(self).__name__}({opts})"


class NopPruner(BasePruner):
    """Never prunes."""

    name = "none"

    def __init__(self) -> None:
        super().__init__()

    def spec(self) -> Any:
        return "none"


class MedianPruner(BasePruner):
    """Prunes a trial whose best report so far is worse than the median of the completed
    trials' reports at the same step (after ``n_startup_trials`` completed trials and
    ``n_warmup_steps`` steps, every ``interval_steps``), as Optuna's."""

    name = "median"

    def __init__(self, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1, *,
                 n_min_trials: int = 1) -> None:
        super().__init__({"n_startup_trials": int(n_startup_trials), "n_warmup_steps": int(n_warmup_steps),
                          "interval_steps": int(interval_steps), "n_min_trials": int(n_min_trials)})


class PercentilePruner(BasePruner):
    """MedianPruner with another percentile (25.0: keep the best quarter)."""

    name = "percentile"

    def __init__(self, percentile: float, n_startup_trials: int = 5, n_warmup_steps: int = 0,
                 interval_steps: int = 1, *, n_min_trials: int = 1) -> None:
        if not 0.0 <= percentile <= 100:
            raise ValueError(f"Percentile must be between 0 and 100 inclusive but got {percentile}.")
        super().__init__({"percentile": float(percentile), "n_startup_trials": int(n_startup_trials),
                          "n_warmup_steps": int(n_warmup_steps), "interval_steps": int(interval_steps),
                          "n_min_trials": int(n_min_trials)})


class ThresholdPruner(BasePruner):
    """Prunes a trial whose report leaves [lower, upper] (or is NaN)."""

    name = "threshold"

    def __init__(self, lower: Optional[float] = None, upper: Optional[float] = None, n_warmup_steps: int = 0,
                 interval_steps: int = 1) -> None:
        if lower is None and upper is None:
            raise TypeError("Either lower or upper must be specified.")
        if lower is not None and upper is not None and lower > upper:
            raise ValueError(f"lower should be smaller than upper. But lower={lower} and upper={upper}.")
        if interval_steps != 1:
            warnings.warn(f"ThresholdPruner: Hone checks at every step; interval_steps={interval_steps} is ignored",
                          stacklevel=2)
        options: Dict[str, Any] = {"n_warmup_steps": int(n_warmup_steps)}
        if lower is not None:
            options["lower"] = float(lower)
        if upper is not None:
            options["upper"] = float(upper)
        super().__init__(options)


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving (ASHA, Li et al. 2020): rungs at
    min_resource·η^(min_early_stopping_rate + k); a trial reaching a rung goes on only if
    it is in the top 1/η there. ``min_resource="auto"`` starts at step 1 (Optuna instead
    estimates it from the first finished trial's steps)."""

    name = "asha"

    def __init__(self, min_resource: Union[str, int] = "auto", reduction_factor: int = 4,
                 min_early_stopping_rate: int = 0, bootstrap_count: int = 0) -> None:
        if isinstance(min_resource, str) and min_resource != "auto":
            raise ValueError(f"The value of `min_resource` is {min_resource}, but must be either `min_resource` >= 1 "
                             "or 'auto'")
        if bootstrap_count != 0:
            warnings.warn("SuccessiveHalvingPruner: bootstrap_count is not supported by Hone and is ignored",
                          stacklevel=2)
        r = 1 if min_resource == "auto" else int(min_resource)
        first_rung = r * int(reduction_factor) ** int(min_early_stopping_rate)
        super().__init__({"min_resource": first_rung, "reduction_factor": int(reduction_factor),
                          "max_resource": _NO_LIMIT})


class HyperbandPruner(BasePruner):
    """Hyperband (Li et al. 2018) over asynchronous successive halving brackets, between
    ``min_resource`` and ``max_resource`` steps; ``max_resource="auto"`` (Optuna's default)
    takes the last step of the first completed trial + 1, and prunes nothing before.
    Trials go to brackets in the paper's proportions, evenly interleaved by trial number
    (Optuna: by a hash of it); a trial competes only within its bracket, but samplers see
    the whole study (Optuna's see only the trial's bracket)."""

    name = "hyperband"

    def __init__(self, min_resource: int = 1, max_resource: Union[str, int] = "auto", reduction_factor: int = 3,
                 bootstrap_count: int = 0) -> None:
        if bootstrap_count != 0:
            warnings.warn("HyperbandPruner: bootstrap_count is not supported by Hone and is ignored", stacklevel=2)
        if isinstance(max_resource, str) and max_resource != "auto":
            raise ValueError(f"The value of `max_resource` is {max_resource}, but must be either "
                             "`max_resource` >= 1 or 'auto'")
        super().__init__({"min_resource": int(min_resource),
                          "max_resource": max_resource if max_resource == "auto" else int(max_resource),
                          "reduction_factor": int(reduction_factor)})


class _PythonPruner:
    """A pruning decision taken in Python: ``gate(study, trial)`` with the running
    :class:`hone.Trial` (its reports are ``trial._reports``, {step: value});
    ``then_library`` says whether a "prune" must still be confirmed by the library's
    pruner."""

    then_library = False

    def gate(self, study: "Study", trial: Any) -> bool:
        raise NotImplementedError


class _UserPruner(_PythonPruner):
    """Calls a user-defined pruner's ``prune(study, frozen_trial)`` with the running trial
    as a FrozenTrial (number, RUNNING, parameters, distributions, reports so far)."""

    def __init__(self, pruner: BasePruner) -> None:
        self.pruner = pruner

    def gate(self, study: "Study", trial: Any) -> bool:
        from .frozen import FrozenTrial, TrialState
        reports = dict(trial._reports or {})
        frozen = FrozenTrial(number=trial.number, state=TrialState.RUNNING, values=None, params=trial.params,
                             distributions=trial.distributions, intermediate_values=reports,
                             intermediate=[{"step": k, "fold": 0, "values": [v]} for k, v in sorted(reports.items())],
                             user_attrs={}, system_attrs={}, datetime_start=None, datetime_complete=None)
        return bool(self.pruner.prune(study, frozen))  # type: ignore[attr-defined]


class PatientPruner(BasePruner, _PythonPruner):
    """Prunes only after ``patience`` steps without an improvement of more than
    ``min_delta``, and then only if ``wrapped_pruner`` (None: always) agrees."""

    def __init__(self, wrapped_pruner: Optional[BasePruner], patience: int, min_delta: float = 0.0) -> None:
        if patience < 0:
            raise ValueError(f"patience cannot be negative but got {patience}.")
        if min_delta < 0:
            raise ValueError(f"min_delta cannot be negative but got {min_delta}.")
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise TypeError(f"wrapped_pruner must be a pruner of hone.pruners, got {type(wrapped_pruner).__name__}")
        if isinstance(wrapped_pruner, _PythonPruner):
            raise ValueError("PatientPruner cannot wrap another PatientPruner or a WilcoxonPruner in Hone")
        self.wrapped_pruner = wrapped_pruner
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.then_library = wrapped_pruner is not None
        super().__init__()

    def spec(self) -> Any:
        return self.wrapped_pruner.spec() if self.wrapped_pruner is not None else "none"

    def python_gate(self) -> Optional[_PythonPruner]:
        return self

    def gate(self, study: "Study", trial: Any) -> bool:
        reports: Dict[int, float] = trial._reports or {}
        # Optuna's rule: compare the best score before the last patience+1 steps with the
        # best score among them.
        steps = sorted(reports)
        if len(steps) <= self.patience + 1:
            return False
        before = [reports[s] for s in steps[: -self.patience - 1] if not math.isnan(reports[s])]
        after = [reports[s] for s in steps[-self.patience - 1:] if not math.isnan(reports[s])]
        if not before or not after:
            return False
        if study.direction.name == "MINIMIZE":
            return min(before) + self.min_delta < min(after)
        return max(before) - self.min_delta > max(after)

    def __repr__(self) -> str:
        return f"PatientPruner({self.wrapped_pruner!r}, patience={self.patience}, min_delta={self.min_delta})"


class WilcoxonPruner(BasePruner, _PythonPruner):
    """For objectives that are a mean over instances (folds, problems), each reported as
    a step: prunes a trial when a one-sided Wilcoxon signed-rank test says it is worse
    than the best completed trial on the instances both reported (p < p_threshold), after
    ``n_startup_steps`` instances. Needs scipy."""

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        if n_startup_steps < 0:
            raise ValueError(f"n_startup_steps must be nonnegative but got {n_startup_steps}.")
        if not 0.0 <= p_threshold <= 1.0:
            raise ValueError(f"p_threshold must be between 0 and 1 but got {p_threshold}.")
        self.p_threshold = float(p_threshold)
        self.n_startup_steps = int(n_startup_steps)
        super().__init__()

    def spec(self) -> Any:
        return "none"

    def python_gate(self) -> Optional[_PythonPruner]:
        return self

    def gate(self, study: "Study", trial: Any) -> bool:
        reports: Dict[int, float] = trial._reports or {}
        if len(reports) < self.n_startup_steps or not reports:
            return False
        try:
            best = study.best_trial
        except Exception:  # noqa: BLE001 — no completed trial yet: nothing to compare with
            return False
        best_reports = best.intermediate_values
        common = sorted(set(reports) & set(best_reports))
        if len(common) < max(1, self.n_startup_steps):
            return False
        import scipy.stats  # lazily: only this pruner needs scipy
        diffs = [reports[s] - best_reports[s] for s in common]
        if study.direction.name == "MAXIMIZE":
            diffs = [-d for d in diffs]
        if all(d == 0 for d in diffs):
            return False
        # H1: this trial's values are greater (worse, minimizing) than the best's.
        p = scipy.stats.wilcoxon(diffs, alternative="greater", zero_method="zsplit").pvalue
        return bool(p < self.p_threshold)


def spec_of(pruner: Any) -> Any:
    if isinstance(pruner, BasePruner):
        return pruner.spec()
    return pruner


__all__ = ["BasePruner", "NopPruner", "MedianPruner", "PercentilePruner", "ThresholdPruner",
           "SuccessiveHalvingPruner", "HyperbandPruner", "PatientPruner", "WilcoxonPruner"]
