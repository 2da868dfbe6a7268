"""Parameter distributions with Optuna's names (``optuna.distributions``).

A trial's ``distributions`` maps each parameter to one of these; ``create_trial`` and
``Study.add_trial`` take them, and ``Study.ask(fixed_distributions)`` suggests from them.
The library describes a distribution as JSON ({"type": "float", "low", "high", "step",
"log", "choices"}); :func:`from_hone` and :meth:`BaseDistribution.to_hone` convert.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any, Dict, Mapping, Optional, Sequence, Union

CategoricalChoiceType = Union[None, bool, int, float, str]


class BaseDistribution:
    """What every distribution offers: membership tests, the internal (float) form of a
    value, and the library's JSON description."""

    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        return param_value_in_internal_repr

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        return float(param_value_in_external_repr)

    def single(self) -> bool:
        raise NotImplementedError

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        raise NotImplementedError

    def to_hone(self) -> Dict[str, Any]:
        raise NotImplementedError

    def _asdict(self) -> Dict[str, Any]:
        return dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__  # type: ignore[union-attr]

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + tuple(sorted((k, repr(v)) for k, v in self.__dict__.items())))

    def __repr__(self) -> str:
        kwargs = ", ".join(f"{k}={v!r}" for k, v in sorted(self._asdict().items()))
        return f"{type(self).__name__}({kwargs})"


class FloatDistribution(BaseDistribution):
    """A float in [low, high]; on the grid low + k·step when ``step`` is given; sampled on a
    log scale when ``log`` (low > 0, no step)."""

    def __init__(self, low: float, high: float, log: bool = False, step: Optional[float] = None) -> None:
        if log and step is not None:
            raise ValueError("The parameter `step` is not supported when `log` is true.")
        if low > high:
            raise ValueError(f"`low <= high` must hold, but got (low, high)=({low}, {high}).")
        if log and low <= 0.0:
            raise ValueError(f"`low > 0` must hold for `log=True`, but got (low, high)=({low}, {high}).")
        if step is not None and step <= 0:
            raise ValueError(f"`step > 0` must hold, but got step={step}.")
        self.step: Optional[float] = None
        if step is not None:
            high = _adjust_discrete_high(low, high, step)
            self.step = float(step)
        self.low = float(low)
        self.high = float(high)
        self.log = log

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        return self.high - self.low < self.step if self.low != self.high else True

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        v = param_value_in_internal_repr
        if self.step is None:
            return self.low <= v <= self.high
        k = (v - self.low) / self.step
        return self.low <= v <= self.high and abs(k - round(k)) < 1.0e-8

    def to_hone(self) -> Dict[str, Any]:
        return {"type": "float", "low": self.low, "high": self.high, "step": self.step, "log": self.log}


class IntDistribution(BaseDistribution):
    """An integer in [low, high] on the grid low + k·step; log scale when ``log`` (low ≥ 1,
    step 1)."""

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        if log and step != 1:
            raise ValueError("Samplers and other components in Optuna only accept step is 1 when `log` argument is True.")
        if low > high:
            raise ValueError(f"`low <= high` must hold, but got (low, high)=({low}, {high}).")
        if log and low < 1:
            raise ValueError(f"`low >= 1` must hold for `log=True`, but got (low, high)=({low}, {high}).")
        if step <= 0:
            raise ValueError(f"`step > 0` must hold, but got step={step}.")
        self.log = log
        self.step = int(step)
        self.low = int(low)
        self.high = int(high) - (int(high) - int(low)) % int(step)

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return int(param_value_in_internal_repr)

    def single(self) -> bool:
        return self.high - self.low < self.step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        v = param_value_in_internal_repr
        return self.low <= v <= self.high and (v - self.low) % self.step == 0

    def to_hone(self) -> Dict[str, Any]:
        return {"type": "int", "low": self.low, "high": self.high, "step": self.step, "log": self.log}


class CategoricalDistribution(BaseDistribution):
    """One of ``choices`` (None, bool, int, float or str); the internal form is the index."""

    def __init__(self, choices: Sequence[CategoricalChoiceType]) -> None:
        if len(choices) == 0:
            raise ValueError("The `choices` must contain one or more elements.")
        for choice in choices:
            if choice is not None and not isinstance(choice, (bool, int, float, str)):
                raise ValueError(f"Choices for a categorical distribution should be a tuple of None, bool, int, "
                                 f"float and str for persistent storage but contains {choice} which is of type "
                                 f"{type(choice).__name__}.")
        self.choices = tuple(choices)

    def to_external_repr(self, param_value_in_internal_repr: float) -> CategoricalChoiceType:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: CategoricalChoiceType) -> float:
        for i, c in enumerate(self.choices):
            if c == param_value_in_external_repr and type(c) is type(param_value_in_external_repr):
                return float(i)
        for i, c in enumerate(self.choices):
            if c == param_value_in_external_repr or (isinstance(c, float) and isinstance(param_value_in_external_repr, float)
                                                     and math.isnan(c) and math.isnan(param_value_in_external_repr)):
                return float(i)
        raise ValueError(f"'{param_value_in_external_repr}' not in {self.choices}.")

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = int(param_value_in_internal_repr)
        return 0 <= index < len(self.choices)

    def to_hone(self) -> Dict[str, Any]:
        from .trial import choice_string
        return {"type": "categorical", "choices": [choice_string(c) for c in self.choices]}

    def __hash__(self) -> int:
        return hash(("CategoricalDistribution", tuple(repr(c) for c in self.choices)))


def _adjust_discrete_high(low: float, high: float, step: float) -> float:
    """high moved down onto the grid low + k·step (as Optuna does, with a warning)."""
    r = (high - low) / step
    k = math.floor(r + 1e-8)
    adjusted = low + k * step
    if abs(adjusted - high) > 1e-8 * max(1.0, abs(high)):
        warnings.warn(f"The distribution is specified by [{low}, {high}] and step={step}, but the range is not "
                      f"divisible by `step`. It will be replaced by [{low}, {adjusted}].")
        return adjusted
    return high


# -- the deprecated Optuna 2 classes, still accepted by Optuna -----------------------------

class UniformDistribution(FloatDistribution):
    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high, log=False, step=None)


class LogUniformDistribution(FloatDistribution):
    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high, log=True, step=None)


class DiscreteUniformDistribution(FloatDistribution):
    def __init__(self, low: float, high: float, q: float) -> None:
        super().__init__(low, high, log=False, step=q)

    @property
    def q(self) -> float:
        return self.step  # type: ignore[return-value]


class IntUniformDistribution(IntDistribution):
    def __init__(self, low: int, high: int, step: int = 1) -> None:
        super().__init__(low, high, log=False, step=step)


class IntLogUniformDistribution(IntDistribution):
    def __init__(self, low: int, high: int, step: int = 1) -> None:
        super().__init__(low, high, log=True, step=step)


# -- conversions ----------------------------------------------------------------------------

def from_hone(d: Mapping[str, Any], choices: Optional[Sequence[CategoricalChoiceType]] = None) -> BaseDistribution:
    """A distribution from the library's JSON description. Categorical choices are the
    stored strings unless ``choices`` (the original objects, same order) are given."""
    kind = d.get("type")
    if kind == "float":
        dist = FloatDistribution.__new__(FloatDistribution)
        dist.low, dist.high = float(d["low"]), float(d["high"])
        dist.log = bool(d.get("log", False))
        step = d.get("step")
        dist.step = None if step is None else float(step)
        return dist
    if kind == "int":
        idist = IntDistribution.__new__(IntDistribution)
        idist.low, idist.high = int(d["low"]), int(d["high"])
        idist.log = bool(d.get("log", False))
        idist.step = int(d.get("step") or 1)
        return idist
    if kind == "categorical":
        stored = list(d.get("choices") or [])
        if choices is not None and len(choices) == len(stored):
            return CategoricalDistribution(choices)
        return CategoricalDistribution(stored)
    if kind == "fixed":
        return CategoricalDistribution([d.get("value")])
    raise ValueError(f"unknown distribution {dict(d)!r}")


def distribution_to_json(dist: BaseDistribution) -> str:
    """Optuna's JSON form: {"name": "FloatDistribution", "attributes": {...}}."""
    return json.dumps({"name": type(dist).__name__, "attributes": dist._asdict()})


def json_to_distribution(json_str: str) -> BaseDistribution:
    loaded = json.loads(json_str)
    classes = {c.__name__: c for c in (FloatDistribution, IntDistribution, CategoricalDistribution)}
    cls = classes.get(loaded["name"])
    if cls is None:
        raise ValueError(f"Unknown distribution class: {loaded['name']}")
    return cls(**loaded["attributes"])


def check_distribution_compatibility(dist_old: BaseDistribution, dist_new: BaseDistribution) -> None:
    """Raises ValueError when two distributions of one parameter cannot both hold (a
    different kind, or different categorical choices)."""
    if dist_old.__class__ != dist_new.__class__:
        raise ValueError("Cannot set different distribution kind to the same parameter name.")
    if isinstance(dist_old, (FloatDistribution, IntDistribution)) and dist_old.log != dist_new.log:  # type: ignore[attr-defined]
        raise ValueError("Cannot set different log configuration to the same parameter name.")
    if isinstance(dist_old, CategoricalDistribution) and dist_old.choices != dist_new.choices:  # type: ignore[attr-defined]
        raise ValueError(CategoricalDistribution.__name__ + " does not support dynamic value space.")


__all__ = [
    "BaseDistribution", "FloatDistribution", "IntDistribution", "CategoricalDistribution",
    "UniformDistribution", "LogUniformDistribution", "DiscreteUniformDistribution",
    "IntUniformDistribution", "IntLogUniformDistribution", "CategoricalChoiceType",
    "distribution_to_json", "json_to_distribution", "check_distribution_compatibility", "from_hone",
]
