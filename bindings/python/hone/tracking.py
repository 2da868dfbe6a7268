"""Experiment-tracking callbacks: log every finished trial to MLflow or Weights & Biases.

Pass them to :meth:`hone.Study.optimize` (``callbacks=[...]``). Each trial becomes one
run: its parameters, its intermediate values as a step-indexed metric, its final
value(s) and its state. The tracking packages are imported only when a callback is made,
so Hone itself never depends on them.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Sequence

from .frozen import FrozenTrial, TrialState

__all__ = ["MLflowCallback", "WandbCallback"]


def _require(module: str, package: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as e:
        raise ImportError(f"{package} is not installed (pip install {package}); "
                          f"it is needed for this tracking callback") from e


def _value_names(trial: FrozenTrial, metric_name: Sequence[str] | str) -> List[str]:
    n = len(trial.values or [])
    if isinstance(metric_name, str):
        return [metric_name] if n <= 1 else [f"{metric_name}_{i}" for i in range(n)]
    names = list(metric_name)
    if len(names) != n:
        raise ValueError(f"metric_name has {len(names)} names, trial {trial.number} has {n} values")
    return names


def _curves(trial: FrozenTrial) -> Dict[str, List[tuple]]:
    """Intermediate values by metric name: "intermediate" (fold 0, first objective),
    "intermediate_<k>" for further objectives, "fold_<f>/..." for other folds."""
    curves: Dict[str, List[tuple]] = {}
    for report in trial.intermediate:
        fold = int(report.get("fold", 0))
        for k, v in enumerate(report.get("values") or []):
            name = "intermediate" + (f"_{k}" if k else "")
            if fold:
                name = f"fold_{fold}/{name}"
            curves.setdefault(name, []).append((int(report["step"]), v))
    for points in curves.values():
        points.sort()
    return curves


class MLflowCallback:
    """Logs each finished trial as an MLflow run in the experiment named after the study
    (or ``experiment_name``): params, the ``intermediate`` metric by step, the final
    ``metric_name`` metric(s), tags ``hone.study``, ``hone.trial``, ``hone.state``, and the
    run status FINISHED (complete), KILLED (pruned) or FAILED.

    Uses an ``MlflowClient`` (no global active run), so it is safe with ``n_jobs`` > 1.
    ``tracking_uri`` None uses MLflow's default (``MLFLOW_TRACKING_URI``).
    """

    def __init__(self, tracking_uri: Optional[str] = None, experiment_name: Optional[str] = None,
                 metric_name: Sequence[str] | str = "value") -> None:
        mlflow = _require("mlflow", "mlflow")
        self._entities = _require("mlflow.entities", "mlflow")
        self._client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri)
        self._experiment_name = experiment_name
        self._metric_name = metric_name
        self._lock = threading.Lock()
        self._experiments: Dict[str, str] = {}

    def _experiment_id(self, name: str) -> str:
        with self._lock:
            if name not in self._experiments:
                found = self._client.get_experiment_by_name(name)
                self._experiments[name] = found.experiment_id if found else self._client.create_experiment(name)
            return self._experiments[name]

    def __call__(self, study: Any, trial: FrozenTrial) -> None:
        e = self._entities
        experiment = self._experiment_id(self._experiment_name or study.study_name)
        start_ms = int(trial.datetime_start.timestamp() * 1000) if trial.datetime_start else None
        end_ms = int(trial.datetime_complete.timestamp() * 1000) if trial.datetime_complete else start_ms
        run = self._client.create_run(
            experiment, start_time=start_ms, run_name=f"trial-{trial.number}",
            tags={"hone.study": study.study_name, "hone.trial": str(trial.number), "hone.state": trial.state.name})
        run_id = run.info.run_id
        params = [e.Param(k, str(v)) for k, v in sorted(trial.params.items())]
        metrics = [e.Metric(name, float(v), end_ms or 0, step)
                   for name, points in _curves(trial).items() for step, v in points]
        if trial.values is not None:
            last = trial.last_step or 0
            metrics += [e.Metric(name, float(v), end_ms or 0, last)
                        for name, v in zip(_value_names(trial, self._metric_name), trial.values)]
        tags = [e.RunTag(f"hone.user_attr.{k}", str(v)) for k, v in sorted(trial.user_attrs.items())]
        if trial.fail_reason:
            tags.append(e.RunTag("hone.fail_reason", trial.fail_reason[:5000]))
        # MLflow takes at most 1000 metrics per batch.
        for i in range(0, max(len(metrics), 1), 1000):
            self._client.log_batch(run_id, metrics=metrics[i:i + 1000],
                                   params=params if i == 0 else [], tags=tags if i == 0 else [])
        status = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED"}.get(trial.state, "FAILED")
        self._client.set_terminated(run_id, status=status, end_time=end_ms)


class WandbCallback:
    """Logs each finished trial as a Weights & Biases run (``group`` = the study's name):
    the parameters as the run's config, the intermediate values with ``step`` = the
    reported step, and the final value(s) and state in the run summary. Pruned and failed
    runs finish with exit code 1 and the state in the summary.

    ``mode="offline"`` writes runs under ``dir`` without a network; ``wandb sync`` uploads
    them later. Extra keyword arguments go to ``wandb.init``. Runs are logged one at a
    time (W&B's run state is per process).
    """

    def __init__(self, project: str = "hone", metric_name: Sequence[str] | str = "value",
                 mode: Optional[str] = None, dir: Optional[str] = None, **init_kwargs: Any) -> None:
        self._wandb = _require("wandb", "wandb")
        self._project = project
        self._metric_name = metric_name
        self._mode = mode
        self._dir = dir
        self._init_kwargs = init_kwargs
        self._lock = threading.Lock()

    def __call__(self, study: Any, trial: FrozenTrial) -> None:
        with self._lock:
            run = self._wandb.init(project=self._project, group=study.study_name,
                                   name=f"{study.study_name}-trial-{trial.number}",
                                   config=dict(trial.params), mode=self._mode, dir=self._dir,
                                   reinit="create_new", **self._init_kwargs)
            try:
                by_step: Dict[int, Dict[str, float]] = {}
                for name, points in _curves(trial).items():
                    for step, v in points:
                        by_step.setdefault(step, {})[name] = v
                for step in sorted(by_step):
                    run.log(by_step[step], step=step)
                if trial.values is not None:
                    for name, v in zip(_value_names(trial, self._metric_name), trial.values):
                        run.summary[name] = v
                run.summary["state"] = trial.state.name
                run.summary["trial_number"] = trial.number
                if trial.fail_reason:
                    run.summary["fail_reason"] = trial.fail_reason
            finally:
                run.finish(exit_code=0 if trial.state == TrialState.COMPLETE else 1)
