"""A running trial: suggestions, intermediate reports, pruning decisions."""

from __future__ import annotations

from ctypes import byref, c_char_p, c_double, c_int, c_int64, c_size_t
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union

from . import errors
from ._lib import call_string, check, doubles, dumps, encode, integer, lib, loads

if TYPE_CHECKING:
    from .study import Study

#: The types suggest_categorical accepts as choices.
CategoricalChoice = Union[None, bool, int, float, str]

_HONE_LOG = 1


def choice_string(choice: CategoricalChoice) -> str:
    """The string the library stores for a categorical choice: a str as itself, any other
    accepted value as ``str(value)`` ("None", "True", "32", "0.5")."""
    if choice is None or isinstance(choice, (bool, int, float, str)):
        return choice if isinstance(choice, str) else str(choice)
    raise TypeError(f"categorical choices must be None, bool, int, float or str, "
                    f"got {type(choice).__name__} {choice!r}")


class Trial:
    """One trial of a study: ask it for parameter values, report progress, ask whether to
    prune.

    Trials come from :meth:`Study.ask` (the caller tells them with :meth:`Study.tell`) or
    are passed to the objective of :meth:`Study.optimize` (valid only during that call).
    A trial is used from one thread at a time.
    """

    __slots__ = ("_handle", "_study", "_number", "_choices", "_owned")

    def __init__(self, handle: int, study: "Study", owned: bool) -> None:
        self._handle = handle
        self._study = study
        self._number: Optional[int] = None
        # name -> choices of suggest_categorical, to give the original objects back.
        self._choices: Dict[str, Sequence[CategoricalChoice]] = {}
        self._owned = owned

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
        return out.value

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        """An integer in [low, high] on the grid low + k·step; ``log=True`` samples on a log
        scale (low ≥ 1, step 1)."""
        low, high, step = (integer(v, f"suggest_int {name!r}: {what}")
                           for what, v in (("low", low), ("high", high), ("step", step)))
        out = c_int64()
        check(lib.hone_trial_suggest_int(self._handle, encode(name, "name"), low, high, step,
                                         _HONE_LOG if log else 0, byref(out)))
        return out.value

    def suggest_categorical(self, name: str, choices: Sequence[CategoricalChoice]) -> Any:
        """One of ``choices`` (None, bool, int, float or str values), returned as the
        original object. The library stores each choice's string form (see
        :func:`choice_string`), so two choices must not share one (``1`` and ``"1"``)."""
        choices = list(choices) if not isinstance(choices, (list, tuple)) else choices
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

    def should_prune(self) -> bool:
        """True when the study's pruner says to stop this trial now (then raise
        :class:`hone.TrialPruned`)."""
        out = c_int()
        check(lib.hone_trial_should_prune(self._handle, byref(out)))
        return bool(out.value)

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
