"""Study.trials_dataframe: the trials as a pandas DataFrame with Optuna's columns.

Built from hone_study_trials_table_json, which gives the trials column by column (one
array per field), so no per-trial dict is built on either side; only the
"intermediate_values" attribute reads the per-trial JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple

from ._lib import call_string, lib, loads
from .frozen import _CONSTRAINT_PREFIX
from .trial import find_choice

if TYPE_CHECKING:
    from .study import Study

_METRIC_NAMES_KEY = "hone:metric_names"


def trials_dataframe(study: "Study", attrs: Sequence[str], multi_index: bool) -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover — depends on the environment
        raise ImportError("trials_dataframe needs pandas: pip install pandas") from e

    table = loads(call_string(lib.hone_study_trials_table_json, study._handle, None))
    n = len(table["number"])
    n_objectives = study.n_objectives
    metric_names = study.metric_names if n_objectives > 1 and ("value" in attrs or "values" in attrs) else None
    columns: List[Tuple[str, str]] = []
    data: Dict[Tuple[str, str], Any] = {}
    nan = float("nan")

    def times(key: str) -> Any:
        # Seconds since 1970 UTC → naive local times, as Optuna's (datetime.now()).
        ts = pd.to_datetime(pd.Series(table[key], dtype="float64"), unit="s", utc=True)
        return ts.dt.tz_convert(_local_zone()).dt.tz_localize(None)

    for attr in attrs:
        if attr == "number":
            data[("number", "")] = table["number"]
            columns.append(("number", ""))
        elif attr in ("value", "values"):
            values = table["values"]
            if n_objectives == 1:
                data[("value", "")] = pd.Series(values[0], dtype="float64")
                columns.append(("value", ""))
            else:
                for i in range(n_objectives):
                    key = ("values", metric_names[i] if metric_names else str(i))
                    data[key] = pd.Series(values[i], dtype="float64")
                    columns.append(key)
        elif attr in ("datetime_start", "datetime_complete"):
            data[(attr, "")] = times(attr)
            columns.append((attr, ""))
        elif attr == "duration":
            data[("duration", "")] = times("datetime_complete") - times("datetime_start")
            columns.append(("duration", ""))
        elif attr == "state":
            data[("state", "")] = table["state"]
            columns.append(("state", ""))
        elif attr == "params":
            for name, values in table["params"].items():
                if table["param_types"].get(name) == "categorical":
                    choices = study._choices.get(name)
                    if choices is not None:
                        values = [find_choice(choices, v) for v in values]
                data[("params", name)] = values
                columns.append(("params", name))
        elif attr in ("user_attrs", "system_attrs"):
            for key, values in table[attr].items():
                if attr == "user_attrs" and (key == _METRIC_NAMES_KEY or key.startswith(_CONSTRAINT_PREFIX)):
                    continue
                data[(attr, key)] = values
                columns.append((attr, key))
        elif attr == "intermediate_values":
            rows = loads(call_string(lib.hone_study_trials_json, study._handle, None))
            per_trial = [{int(x["step"]): (x["values"] or [None])[0]
                          for x in (r.get("intermediate_values") or []) if x.get("fold", 0) == 0} for r in rows]
            for s in sorted({s for d in per_trial for s in d}):
                data[("intermediate_values", str(s))] = [d.get(s, nan) for d in per_trial]
                columns.append(("intermediate_values", str(s)))
        else:
            raise ValueError(f"trials_dataframe: unknown attribute {attr!r}")

    frame = pd.DataFrame({c: data[c] for c in columns}, index=pd.RangeIndex(n))
    if multi_index:
        frame.columns = pd.MultiIndex.from_tuples(columns)
    else:
        frame.columns = ["_".join(p for p in c if p) for c in columns]
    return frame


def _local_zone() -> Any:
    import datetime
    return datetime.datetime.now().astimezone().tzinfo
