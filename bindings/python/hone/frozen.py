"""Finished (or stored) trials as read back from the library's trials JSON."""

from __future__ import annotations

import enum
import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .distributions import (BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution,
                            from_hone)


class TrialState(enum.IntEnum):
    """A trial's state; the values are the HONE_TRIAL_* codes of hone.h."""

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def is_finished(self) -> bool:
        """COMPLETE, PRUNED or FAIL."""
        return self in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


#: Trial.set_constraint's values live among the user attributes under this prefix (Hone
#: has no writable trial system attributes); FrozenTrial shows them as ``constraints``.
_CONSTRAINT_PREFIX = "hone:constraint:"


def split_user_attrs(attrs: Mapping[str, Any]) -> "tuple[Dict[str, Any], Dict[str, float]]":
    """(user attributes, constraints) from the stored user attributes."""
    if not any(k.startswith(_CONSTRAINT_PREFIX) for k in attrs):
        return dict(attrs), {}
    user = {k: v for k, v in attrs.items() if not k.startswith(_CONSTRAINT_PREFIX)}
    constraints = {k[len(_CONSTRAINT_PREFIX):]: float(v) for k, v in attrs.items() if k.startswith(_CONSTRAINT_PREFIX)}
    return user, constraints


def _time(text: Optional[str]) -> Optional[datetime]:
    """A stored ISO 8601 UTC time as a naive local datetime, as Optuna's (which come from
    datetime.now()), so ``datetime.now() - trial.datetime_start`` works."""
    if text is None:
        return None
    # fromisoformat reads a trailing "Z" only from Python 3.11 on.
    aware = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return aware.astimezone().replace(tzinfo=None) if aware.tzinfo is not None else aware


class DeprecatedSuggestions:
    """Optuna's deprecated suggest functions (still in Optuna 4, with a warning), on top of
    a class's ``suggest_float``: Trial and FrozenTrial have them."""

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        warnings.warn("suggest_uniform has been deprecated; use suggest_float instead.", FutureWarning,
                      stacklevel=2)
        return self.suggest_float(name, low, high)  # type: ignore[attr-defined]

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        warnings.warn("suggest_loguniform has been deprecated; use suggest_float(..., log=True) instead.",
                      FutureWarning, stacklevel=2)
        return self.suggest_float(name, low, high, log=True)  # type: ignore[attr-defined]

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        warnings.warn("suggest_discrete_uniform has been deprecated; use suggest_float(..., step=q) instead.",
                      FutureWarning, stacklevel=2)
        return self.suggest_float(name, low, high, step=q)  # type: ignore[attr-defined]


@dataclass(eq=False)
class FrozenTrial(DeprecatedSuggestions):
    """A snapshot of one trial (Optuna's ``FrozenTrial``).

    ``params`` maps names to values (categorical values as the original Python objects
    when this process suggested that parameter, else as their stored strings);
    ``distributions`` maps names to :mod:`hone.distributions` objects;
    ``intermediate_values`` maps step → the first objective's reported value (fold 0);
    ``intermediate`` keeps every report as {"step", "fold", "values"}.

    As in Optuna, a FrozenTrial can stand in for a trial: ``suggest_*`` return the stored
    parameter (so ``objective(study.best_trial)`` re-runs the best configuration),
    ``report`` does nothing and ``should_prune`` is False.
    """

    number: int
    state: TrialState
    values: Optional[List[float]]
    params: Dict[str, Any]
    distributions: Dict[str, BaseDistribution]
    intermediate_values: Dict[int, float]
    intermediate: List[Dict[str, Any]]
    user_attrs: Dict[str, Any]
    system_attrs: Dict[str, Any]
    datetime_start: Optional[datetime]
    datetime_complete: Optional[datetime]
    fail_reason: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Trial.set_constraint's values (feasible when all are ≤ 0).
    constraints: Dict[str, float] = field(default_factory=dict)

    @property
    def value(self) -> Optional[float]:
        """The single objective's value (None unless the trial completed or was pruned
        with a value); multi-objective trials: use ``values``."""
        if self.values is None:
            return None
        if len(self.values) != 1:
            raise ValueError(f"trial {self.number} has {len(self.values)} values; use .values")
        return self.values[0]

    @property
    def _trial_id(self) -> int:
        return self.number

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return (self.number, self.state, self.values, self.params, self.distributions, self.intermediate_values,
                self.user_attrs, self.system_attrs, self.datetime_start, self.datetime_complete) == \
            (other.number, other.state, other.values, other.params, other.distributions, other.intermediate_values,
             other.user_attrs, other.system_attrs, other.datetime_start, other.datetime_complete)

    def __lt__(self, other: "FrozenTrial") -> bool:
        return self.number < other.number

    __hash__ = None  # type: ignore[assignment]

    # -- standing in for a trial (Optuna's FrozenTrial.suggest_* etc.) ----------------------

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self.params:
            raise ValueError(f"The value of the parameter '{name}' is not found. Please set it at the "
                             "construction of the FrozenTrial object.")
        value = self.params[name]
        try:
            internal = distribution.to_internal_repr(value)
        except (ValueError, TypeError):
            internal = None
        if internal is None or not distribution._contains(internal):
            raise ValueError(f"The value {value} of the parameter '{name}' is out of the range of the "
                             f"distribution {distribution}.")
        return value

    def suggest_float(self, name: str, low: float, high: float, *, step: Optional[float] = None,
                      log: bool = False) -> float:
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return int(self._suggest(name, IntDistribution(low, high, log=log, step=step)))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        value = self.params.get(name)
        if name in self.params:
            # A categorical read back from storage without this process's objects is the
            # choice's JSON value (or, before 0.4.0, its string).
            from .trial import find_choice
            found = find_choice(choices, value)
            if found is not value or value in choices:
                return found
        return self._suggest(name, CategoricalDistribution(choices))

    def report(self, value: float, step: int) -> None:
        """Does nothing: a finished trial takes no reports (as Optuna's FrozenTrial)."""

    def should_prune(self) -> bool:
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self.user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        self.system_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        self.constraints[key] = float(value)

    @property
    def duration(self) -> Optional[timedelta]:
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> Optional[int]:
        return max(self.intermediate_values) if self.intermediate_values else None

    @classmethod
    def from_json(cls, o: Dict[str, Any], params: Optional[Dict[str, Any]] = None,
                  choices: Optional[Mapping[str, Sequence[Any]]] = None) -> "FrozenTrial":
        """A FrozenTrial from one element of hone_study_trials_json (``params`` replaces
        the stored ones, e.g. decoded categoricals; ``choices`` gives categorical
        distributions their original objects)."""
        intermediate = list(o.get("intermediate_values") or [])
        by_step: Dict[int, float] = {}
        for r in intermediate:
            vals = r.get("values")
            if r.get("fold", 0) == 0 and vals:
                by_step[int(r["step"])] = float("nan") if vals[0] is None else vals[0]
        values = o.get("values")
        user_attrs, constraints = split_user_attrs(o.get("user_attrs") or {})
        return cls(
            number=int(o["number"]),
            state=TrialState[o["state"]],
            values=None if values is None else [float("nan") if v is None else v for v in values],
            params=dict(o.get("params") or {}) if params is None else params,
            distributions={name: from_hone(d, (choices or {}).get(name))
                           for name, d in (o.get("distributions") or {}).items()},
            intermediate_values=by_step,
            intermediate=intermediate,
            user_attrs=user_attrs,
            constraints=constraints,
            system_attrs=dict(o.get("system_attrs") or {}),
            datetime_start=_time(o.get("datetime_start")),
            datetime_complete=_time(o.get("datetime_complete")),
            fail_reason=o.get("fail_reason"),
            raw=o,
        )


def create_trial(*, state: TrialState = TrialState.COMPLETE, value: Optional[float] = None,
                 values: Optional[Sequence[float]] = None, params: Optional[Dict[str, Any]] = None,
                 distributions: Optional[Dict[str, BaseDistribution]] = None,
                 user_attrs: Optional[Dict[str, Any]] = None, system_attrs: Optional[Dict[str, Any]] = None,
                 intermediate_values: Optional[Dict[int, float]] = None) -> FrozenTrial:
    """A finished trial to add to a study with :meth:`hone.Study.add_trial` (Optuna's
    ``create_trial``): each parameter needs a distribution that contains its value."""
    if value is not None and values is not None:
        raise ValueError("Specify only one of `value` and `values`.")
    vals: Optional[List[float]] = [float(value)] if value is not None else (
        None if values is None else [float(v) for v in values])
    params = dict(params or {})
    distributions = dict(distributions or {})
    if set(params) != set(distributions):
        raise ValueError(f"Inconsistent parameters {sorted(params)} and distributions {sorted(distributions)}.")
    for name, dist in distributions.items():
        if not isinstance(dist, BaseDistribution):
            raise TypeError(f"distribution of {name!r} must be a hone.distributions object, got {type(dist).__name__}")
        try:
            internal = dist.to_internal_repr(params[name])
        except (ValueError, TypeError):
            internal = None
        if internal is None or not dist._contains(internal):
            raise ValueError(f"The value {params[name]} of the parameter '{name}' isn't contained in the "
                             f"distribution {dist}.")
    if state == TrialState.COMPLETE:
        if vals is None:
            raise ValueError("`value` or `values` must be given for a COMPLETE trial.")
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"The values {vals} of a COMPLETE trial must be finite.")
    elif state in (TrialState.FAIL, TrialState.RUNNING, TrialState.WAITING) and vals is not None:
        raise ValueError(f"values must be None for a {state.name} trial.")
    now = datetime.now()
    finished = state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    inter = {int(k): float(v) for k, v in (intermediate_values or {}).items()}
    return FrozenTrial(number=-1, state=state, values=vals, params=params, distributions=distributions,
                       intermediate_values=inter,
                       intermediate=[{"step": k, "fold": 0, "values": [v]} for k, v in sorted(inter.items())],
                       user_attrs=dict(user_attrs or {}), system_attrs=dict(system_attrs or {}),
                       datetime_start=now if state != TrialState.WAITING else None,
                       datetime_complete=now if finished else None)
