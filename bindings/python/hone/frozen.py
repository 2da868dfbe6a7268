"""Finished (or stored) trials as read back from the library's trials JSON."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional


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


def _time(text: Optional[str]) -> Optional[datetime]:
    if text is None:
        return None
    # fromisoformat reads a trailing "Z" only from Python 3.11 on.
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


@dataclass(frozen=True)
class FrozenTrial:
    """A snapshot of one trial.

    ``params`` maps names to values (categorical values as the original Python objects
    when this process suggested that parameter, else as their stored strings);
    ``intermediate_values`` maps step → the first objective's reported value (fold 0);
    ``intermediate`` keeps every report as {"step", "fold", "values"}.
    """

    number: int
    state: TrialState
    values: Optional[List[float]]
    params: Dict[str, Any]
    distributions: Dict[str, Dict[str, Any]]
    intermediate_values: Dict[int, float]
    intermediate: List[Dict[str, Any]]
    user_attrs: Dict[str, Any]
    system_attrs: Dict[str, Any]
    datetime_start: Optional[datetime]
    datetime_complete: Optional[datetime]
    fail_reason: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
    def duration(self) -> Optional[timedelta]:
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> Optional[int]:
        return max(self.intermediate_values) if self.intermediate_values else None

    @classmethod
    def from_json(cls, o: Dict[str, Any], params: Optional[Dict[str, Any]] = None) -> "FrozenTrial":
        """A FrozenTrial from one element of hone_study_trials_json (``params`` replaces
        the stored ones, e.g. decoded categoricals)."""
        intermediate = list(o.get("intermediate") or [])
        by_step: Dict[int, float] = {}
        for r in intermediate:
            vals = r.get("values")
            if r.get("fold", 0) == 0 and vals:
                by_step[int(r["step"])] = float("nan") if vals[0] is None else vals[0]
        values = o.get("values")
        return cls(
            number=int(o["number"]),
            state=TrialState[o["state"]],
            values=None if values is None else [float("nan") if v is None else v for v in values],
            params=dict(o.get("params") or {}) if params is None else params,
            distributions=dict(o.get("distributions") or {}),
            intermediate_values=by_step,
            intermediate=intermediate,
            user_attrs=dict(o.get("user_attrs") or {}),
            system_attrs=dict(o.get("system_attrs") or {}),
            datetime_start=_time(o.get("datetime_start")),
            datetime_complete=_time(o.get("datetime_complete")),
            fail_reason=o.get("fail_reason"),
            raw=o,
        )
