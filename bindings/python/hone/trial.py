"""A running trial: suggestions, intermediate reports, pruning decisions."""

from __future__ import annotations

import datetime
import math
import warnings
from ctypes import byref, c_char_p, c_double, c_int, c_int64, c_size_t
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional, Sequence, Union

from . import errors
from ._lib import call_string, check, doubles, dumps, encode, integer, lib, loads
from .distributions import (BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution,
                            from_hone)
from .frozen import _CONSTRAINT_PREFIX, DeprecatedSuggestions, FrozenTrial, TrialState, create_trial, split_user_attrs

if TYPE_CHECKING:
    from .study import Study

#: The types suggest_categorical accepts as choices.
CategoricalChoice = Union[None, bool, int, float, str]

_HONE_LOG = 1
_constraint_warned = False


def choice_string(choice: CategoricalChoice) -> str:
    """The string the library stores for a categorical choice: a str as itself, any other
    accepted value as ``str(value)`` ("None", "True", "32", "0.5")."""
    if choice is None or isinstance(choice, (bool, int, float, str)):
        return choice if isinstance(choice, str) else str(choice)
    raise TypeError(f"categorical choices must be None, bool, int, float or str, "
                    f"got {type(choice).__name__} {choice!r}")


_EXACT = 2 ** 53
_NOT_TYPED = object()


def choice_value(choice: CategoricalChoice) -> Any:
    """The JSON value the library stores for a categorical choice (since 0.4.0 choices are
    typed: 32 stays a number, None is null), or ``_NOT_TYPED`` for one JSON cannot hold
    exactly (a non-finite float, an int beyond ±2^53), which is stored as its string."""
    choice_string(choice)  # type check
    if isinstance(choice, bool) or choice is None or isinstance(choice, str):
        return choice
    if isinstance(choice, int):
        return choice if -_EXACT <= choice <= _EXACT else _NOT_TYPED
    if not math.isfinite(choice):
        return _NOT_TYPED
    # The library keeps a float that is an exact integer as that int (one rule for JSON).
    return int(choice) if choice == int(choice) and abs(choice) <= _EXACT else choice


def find_choice(choices: Sequence[CategoricalChoice], stored: Any) -> Any:
    """The choice object a value read back from storage stands for: the choice whose
    typed value it is (booleans, numbers and strings kept apart), else — for studies
    written before 0.4.0, or choices JSON cannot hold — the one whose string it is; the
    stored value itself when none is."""
    for c in choices:
        typed = choice_value(c)
        if typed is _NOT_TYPED or type(typed) is not type(stored) and not (
                isinstance(typed, (int, float)) and isinstance(stored, (int, float))
                and not isinstance(typed, bool) and not isinstance(stored, bool)):
            continue
        if typed == stored:
            return c
    if isinstance(stored, str):
        for c in choices:
            if choice_string(c) == stored:
                return c
    return stored


_HONE_NOT_FOUND = 4


class TrialWork(NamedTuple):
    """A scheduler's work for one call of the objective (:attr:`Trial.work`)."""
    start: float
    budget: float
    max_budget: float
    resume_from: Optional[int]


class Trial(DeprecatedSuggestions):
    """One trial of a study: ask it for parameter values, report progress, ask whether to
    prune.

    Trials come from :meth:`Study.ask` (the caller tells them with :meth:`Study.tell`) or
    are passed to the objective of :meth:`Study.optimize` (valid only during that call).
    A trial is used from one thread at a time.
    """

    __slots__ = ("_handle", "_study", "_number", "_choices", "_owned", "_reports", "_ranges")

    def __init__(self, handle: int, study: "Study", owned: bool) -> None:
        self._handle = handle
        self._study = study
        self._number: Optional[int] = None
        # name -> choices of suggest_categorical, to give the original objects back.
        self._choices: Dict[str, Sequence[CategoricalChoice]] = {}
        self._owned = owned
        # step -> value, kept only when a pruner decides in Python (PatientPruner, ...).
        self._reports: Optional[Dict[int, float]] = None
        # name -> (kind, low, high, step, log) of suggest_float/int, for `distributions`
        # (the library stores a running trial's parameters only when it is told).
        self._ranges: Dict[str, tuple] = {}

    # __del__ rather than weakref.finalize: a trial per ask makes the finalizer's cost
    # (several µs) show in the ask/tell round trip. The default argument keeps the
    # function reachable while modules are torn down at exit.
    def __del__(self, _free: Any = lib.hone_trial_free) -> None:
        if getattr(self, "_owned", False):
            _free(self._handle)

    @property
    def number(self) -> int:
        """The trial's number in its study (0, 1, ...)."""
        if self._number is None:
            out = c_int64()
            check(lib.hone_trial_number(self._handle, byref(out)))
            self._number = out.value
        return self._number

    @property
    def study(self) -> "Study":
        """The study this trial belongs to."""
        return self._study

    @property
    def work(self) -> Optional["TrialWork"]:
        """What the study's scheduler (``create_study(scheduler=...)``, see
        :mod:`hone.schedulers`) asks of this call of the objective: train from ``start`` to
        ``budget`` of ``max_budget``, first restoring the checkpoint of trial
        ``resume_from`` (None: fresh weights). None without a scheduler."""
        start, budget, max_budget, resume_from = c_double(), c_double(), c_double(), c_int64()
        status = lib.hone_trial_work(self._handle, byref(start), byref(budget), byref(max_budget), byref(resume_from))
        if status == _HONE_NOT_FOUND:
            return None
        check(status)
        return TrialWork(start.value, budget.value, max_budget.value,
                         resume_from.value if resume_from.value >= 0 else None)

    def suggest_float(self, name: str, low: float, high: float, *, step: Optional[float] = None,
                      log: bool = False) -> float:
        """A float in [low, high]: continuous, on the grid low + k·step when ``step`` is
        given, or sampled on a log scale with ``log=True`` (low > 0).

        Suggesting the same name again returns the same value; with a different range it
        raises :class:`InvalidArgumentError`.
        """
        out = c_double()
        check(lib.hone_trial_suggest_float(self._handle, encode(name, "name"), low, high,
                                           0.0 if step is None else step, _HONE_LOG if log else 0,
                                           byref(out)))
        self._ranges[name] = ("float", low, high, step, log)
        return out.value

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        """An integer in [low, high] on the grid low + k·step; ``log=True`` samples on a log
        scale (low ≥ 1, step 1)."""
        low, high, step = (integer(v, f"suggest_int {name!r}: {what}")
                           for what, v in (("low", low), ("high", high), ("step", step)))
        out = c_int64()
        check(lib.hone_trial_suggest_int(self._handle, encode(name, "name"), low, high, step,
                                         _HONE_LOG if log else 0, byref(out)))
        self._ranges[name] = ("int", low, high, step, log)
        return out.value

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoice]) -> Any:
        """One of ``choices`` (None, bool, int, float or str values), returned as the
        original object. The library stores the choice as its JSON value (32, 0.5, "relu",
        true, null), so trials, exports and Optuna journals keep its type; a choice JSON
        cannot hold exactly (NaN, an int beyond ±2^53) makes the library store every
        choice's string (see :func:`choice_string`) instead, as before 0.4.0."""
        choices = list(choices) if not isinstance(choices, (list, tuple)) else choices
        typed = [choice_value(c) for c in choices]
        if all(t is not _NOT_TYPED for t in typed):
            out = c_size_t()
            check(lib.hone_trial_suggest_categorical_json(self._handle, encode(name, "name"),
                                                          encode(dumps(typed), "choices"), byref(out)))
            self._choices[name] = choices
            self._study._remember_choices(name, choices)
            return choices[out.value]
        strings = [choice_string(c) for c in choices]
        if len(set(strings)) != len(strings):
            seen: Dict[str, int] = {}
            for i, s in enumerate(strings):
                if s in seen:
                    raise errors.InvalidArgumentError(
                        f"suggest_categorical {name!r}: choices {choices[seen[s]]!r} and {choices[i]!r} "
                        f"have the same string form {s!r}")
                seen[s] = i
        array = (c_char_p * len(strings))(*[encode(s, "choice") for s in strings])
        out = c_size_t()
        check(lib.hone_trial_suggest_categorical(self._handle, encode(name, "name"), array,
                                                 len(strings), byref(out)))
        self._choices[name] = choices
        self._study._remember_choices(name, choices)
        return choices[out.value]

    def report(self, value: Union[float, Sequence[float]], step: int) -> None:
        """Reports an intermediate value at ``step`` (≥ 0) for the pruner; a sequence
        reports one value per objective (multi-objective studies)."""
        step = integer(step, "step")
        if isinstance(value, (list, tuple)):
            check(lib.hone_trial_report_values(self._handle, step, doubles(value), len(value)))
        else:
            check(lib.hone_trial_report(self._handle, step, value))
            if self._study._python_pruner is not None:
                if self._reports is None:
                    self._reports = {}
                self._reports[step] = float(value)

    def should_prune(self) -> bool:
        """True when the study's pruner says to stop this trial now (then raise
        :class:`hone.TrialPruned`)."""
        gate = self._study._python_pruner
        if gate is not None:
            if not gate.gate(self._study, self):
                return False
            if not gate.then_library:
                return True
        out = c_int()
        check(lib.hone_trial_should_prune(self._handle, byref(out)))
        return bool(out.value)

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """Suggests from a distribution object (Study.ask's fixed_distributions)."""
        if isinstance(distribution, FloatDistribution):
            return self.suggest_float(name, distribution.low, distribution.high, step=distribution.step,
                                      log=distribution.log)
        if isinstance(distribution, IntDistribution):
            return self.suggest_int(name, distribution.low, distribution.high, step=distribution.step,
                                    log=distribution.log)
        if isinstance(distribution, CategoricalDistribution):
            return self.suggest_categorical(name, distribution.choices)
        raise TypeError(f"{name!r}: not a hone.distributions distribution: {distribution!r}")

    # -- what the storage knows of this running trial ----------------------------------------

    def _stored(self) -> Dict[str, Any]:
        number = self.number
        for o in loads(call_string(lib.hone_study_trials_json, self._study._handle, b"running")):
            if o["number"] == number:
                return o
        for o in loads(call_string(lib.hone_study_trials_json, self._study._handle, None)):
            if o["number"] == number:
                return o
        raise errors.NotFoundError(f"trial {number} is not in its study")

    def _frozen(self) -> FrozenTrial:
        o = self._stored()
        params = self._study._decode_params(o.get("params") or {}, self._choices, o.get("distributions") or {})
        choices = dict(self._study._choices)
        choices.update(self._choices)
        return FrozenTrial.from_json(o, params, choices)

    @property
    def distributions(self) -> Dict[str, BaseDistribution]:
        """The distribution of each parameter suggested so far (through this object)."""
        out: Dict[str, BaseDistribution] = {}
        for name, (kind, low, high, step, log) in self._ranges.items():
            out[name] = (FloatDistribution(low, high, log=log, step=step) if kind == "float"
                         else IntDistribution(low, high, log=log, step=step))
        for name, choices in self._choices.items():
            out[name] = CategoricalDistribution(choices)
        return out

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return split_user_attrs(self._stored().get("user_attrs") or {})[0]

    @property
    def system_attrs(self) -> Dict[str, Any]:
        return dict(self._stored().get("system_attrs") or {})

    @property
    def datetime_start(self) -> Optional[datetime.datetime]:
        return self._frozen().datetime_start

    @property
    def relative_params(self) -> Dict[str, Any]:
        return self.params

    def set_constraint(self, key: str, value: float) -> None:
        """Optuna's constraint value (feasible when every value is ≤ 0), kept with the
        trial and read back as ``FrozenTrial.constraints``. Hone's samplers do not use
        constraints (said once with a warning)."""
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"The `value` argument is of type '{type(value)}' but supposed to be a float.") from None
        if value != value:
            raise ValueError(f"Attempted to set a constraint for {key!r}, but NaN is not allowed.")
        global _constraint_warned
        if not _constraint_warned:
            _constraint_warned = True
            warnings.warn("Trial.set_constraint: the value is stored, but Hone's samplers do not use constraints",
                          stacklevel=2)
        attr = _CONSTRAINT_PREFIX + key
        if attr in (self._stored().get("user_attrs") or {}):
            warnings.warn(f"The constraint value is ignored because this constraint `key={key!r}` is already set.",
                          stacklevel=2)
            return
        self.set_user_attr(attr, value)
        self._study._constrained = True

    @property
    def constraints(self) -> Dict[str, float]:
        return split_user_attrs(self._stored().get("user_attrs") or {})[1]

    def set_system_attr(self, key: str, value: Any) -> None:
        """Optuna deprecates this; Hone stores it as a user attribute."""
        warnings.warn("set_system_attr is deprecated; use set_user_attr", FutureWarning, stacklevel=2)
        self.set_user_attr(key, value)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Stores a JSON-serializable value with the trial."""
        check(lib.hone_trial_set_user_attr(self._handle, encode(key, "key"),
                                           encode(dumps(value), "value")))

    def set_fail_reason(self, reason: Optional[str]) -> None:
        """The reason stored if this trial ends as FAIL (None clears it)."""
        check(lib.hone_trial_set_fail_reason(self._handle, encode(reason, "reason")))

    @property
    def params(self) -> Dict[str, Any]:
        """The parameters suggested so far (categorical ones as the original objects)."""
        params = loads(call_string(lib.hone_trial_params_json, self._handle))
        return self._study._decode_params(params, self._choices)

    def __repr__(self) -> str:
        number = self._number if self._number is not None else "?"
        return f"<hone.Trial {number} of {self._study!r}>"


class FixedTrial:
    """A stand-in for a trial that suggests the given ``params`` (Optuna's FixedTrial):
    to run an objective once with chosen values, outside any study."""

    def __init__(self, params: Dict[str, Any], number: int = 0) -> None:
        self._params = dict(params)
        self._suggested: Dict[str, Any] = {}
        self._distributions: Dict[str, BaseDistribution] = {}
        self._user_attrs: Dict[str, Any] = {}
        self._system_attrs: Dict[str, Any] = {}
        self._datetime_start = datetime.datetime.now()
        self._number = number

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(f"The value of the parameter '{name}' is not found. Please set it at the "
                             "construction of the FixedTrial object.")
        value = self._params[name]
        internal = distribution.to_internal_repr(value)
        if not distribution._contains(internal):
            warnings.warn(f"The value {value} of the parameter '{name}' is out of the range of the distribution "
                          f"{distribution}.")
        self._suggested[name] = value
        self._distributions[name] = distribution
        return value

    def suggest_float(self, name: str, low: float, high: float, *, step: Optional[float] = None,
                      log: bool = False) -> float:
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return int(self._suggest(name, IntDistribution(low, high, log=log, step=step)))

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoice]) -> Any:
        return self._suggest(name, CategoricalDistribution(choices))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        return self.suggest_float(name, low, high, step=q)

    def report(self, value: float, step: int) -> None:
        pass

    def should_prune(self) -> bool:
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        self._system_attrs[key] = value

    @property
    def params(self) -> Dict[str, Any]:
        return dict(self._suggested)

    @property
    def distributions(self) -> Dict[str, BaseDistribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> Dict[str, Any]:
        return dict(self._system_attrs)

    @property
    def datetime_start(self) -> Optional[datetime.datetime]:
        return self._datetime_start

    @property
    def number(self) -> int:
        return self._number


#: Optuna's base class of trials, for isinstance checks and annotations.
BaseTrial = Trial

__all__ = ["Trial", "FixedTrial", "FrozenTrial", "TrialState", "BaseTrial", "create_trial"]
