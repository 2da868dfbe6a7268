"""Study.trials_dataframe: the trials as a pandas DataFrame with Optuna's columns.

Built column by column straight from the library's trials JSON (no FrozenTrial objects
and no per-row dicts), so 10,000 trials take about as long as parsing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple

from ._lib import call_string, lib, loads
from .trial import choice_string

if TYPE_CHECKING:
    from .study import Study

_NESTED = ("params", "user_attrs", "system_attrs", "intermediate_values")


def _column(rows: List[Dict[str, Any]], field: str, key: str, decode: Any = None) -> List[Any]:
    if decode is None:
        return [(r.get(field) or {}).get(key) for r in rows]
    out = []
    for r in rows:
        v = (r.get(field) or {}).get(key)
        out.append(decode.get(v, v) if isinstance(v, str) else v)
    return out


def trials_dataframe(study: "Study", attrs: Sequence[str], multi_index: bool) -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover — depends on the environment
        raise ImportError("trials_dataframe needs pandas: pip install pandas") from e

    rows = loads(call_string(lib.hone_study_trials_json, study._handle, None))
    n_objectives = study.n_objectives
    metric_names = study.metric_names if n_objectives > 1 and ("value" in attrs or "values" in attrs) else None
    columns: List[Tuple[str, str]] = []
    data: Dict[Tuple[str, str], Any] = {}

    def starts_and_ends() -> Tuple[Any, Any]:
        def times(key: str) -> Any:
            ts = pd.to_datetime([r.get(key) for r in rows], utc=True, format="ISO8601")
            # Naive local times, as Optuna's (datetime.now()).
            return ts.tz_convert(_local_zone()).tz_localize(None)
        return times("datetime_start"), times("datetime_complete")

    start_end = None
    for attr in attrs:
        if attr == "number":
            data[("number", "")] = [r["number"] for r in rows]
            columns.append(("number", ""))
        elif attr in ("value", "values"):
            vals = [r.get("values") for r in rows]
            if n_objectives == 1:
                data[("value", "")] = [float("nan") if v is None or v[0] is None else v[0] for v in vals]
                columns.append(("value", ""))
            else:
                for i in range(n_objectives):
                    name = metric_names[i] if metric_names else str(i)
                    key = ("values", name)
                    data[key] = [float("nan") if v is None or v[i] is None else v[i] for v in vals]
                    columns.append(key)
        elif attr in ("datetime_start", "datetime_complete", "duration"):
            if start_end is None:
                start_end = starts_and_ends()
            if attr == "datetime_start":
                data[(attr, "")] = start_end[0]
            elif attr == "datetime_complete":
                data[(attr, "")] = start_end[1]
            else:
                data[(attr, "")] = start_end[1] - start_end[0]
            columns.append((attr, ""))
        elif attr == "state":
            data[("state", "")] = [r["state"] for r in rows]
            columns.append(("state", ""))
        elif attr == "params":
            names = sorted({k for r in rows for k in (r.get("params") or ())})
            for name in names:
                decode = None
                choices = study._choices.get(name)
                if choices is not None:
                    decode = {choice_string(c): c for c in choices}
                data[("params", name)] = _column(rows, "params", name, decode)
                columns.append(("params", name))
        elif attr in ("user_attrs", "system_attrs"):
            keys = sorted({k for r in rows for k in (r.get(attr) or ())})
            for k in keys:
                if attr == "user_attrs" and k == "hone:metric_names":
                    continue
                data[(attr, k)] = _column(rows, attr, k)
                columns.append((attr, k))
        elif attr == "intermediate_values":
            per_trial = []
            for r in rows:
                per_trial.append({int(x["step"]): (x["values"] or [None])[0]
                                  for x in (r.get("intermediate") or []) if x.get("fold", 0) == 0})
            steps = sorted({s for d in per_trial for s in d})
            for s in steps:
                data[("intermediate_values", str(s))] = [d.get(s, float("nan")) for d in per_trial]
                columns.append(("intermediate_values", str(s)))
        else:
            raise ValueError(f"trials_dataframe: unknown attribute {attr!r}")

    frame = pd.DataFrame({c: data[c] for c in columns})
    if multi_index:
        frame.columns = pd.MultiIndex.from_tuples(columns)
    else:
        frame.columns = ["_".join(p for p in c if p) for c in columns]
    return frame


def _local_zone() -> Any:
    import datetime
    return datetime.datetime.now().astimezone().tzinfo
