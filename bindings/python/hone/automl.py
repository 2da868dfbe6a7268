"""AutoML from Python: ``hone.auto(X, y, time_budget=...)`` over hone.h's hone_auto."""

from __future__ import annotations

from ctypes import POINTER, byref, c_char, c_void_p
from typing import Any, Dict, Optional, Sequence

from . import errors
from ._lib import check, dumps, encode, lib, loads, take_string
from .model import Model, _Dataset, _classes, _np


class AutoResult:
    """What :func:`auto` found: the final network (the search's best, averaged) and the search's summary.

    ``result`` holds hone_auto's JSON ("study", "task", "params", "test_accuracy" or
    "test_rmse"/"test_r2", ...). :meth:`predict` takes raw feature rows and returns
    class probabilities or predictions in the target's units: it applies the feature
    standardization the search used (``model`` itself expects standardized rows).
    """

    def __init__(self, model: Model, result: Dict[str, Any]) -> None:
        self.model = model
        self.result = result
        np = _np()
        self._mean = np.asarray(result["feature_mean"], dtype=np.float32) if "feature_mean" in result else None
        self._std = np.asarray(result["feature_std"], dtype=np.float32) if "feature_std" in result else None

    @property
    def params(self) -> Dict[str, Any]:
        return dict(self.result.get("params", {}))

    @property
    def test_score(self) -> float:
        """Test accuracy (classification) or test RMSE (regression)."""
        return float(self.result["test_accuracy"] if "test_accuracy" in self.result else self.result["test_rmse"])

    def _scaled(self, x: Any) -> Any:
        np = _np()
        rows = np.asarray(x, dtype=np.float32).reshape(len(x), -1)
        if self._mean is None or self._std is None:
            return rows
        if rows.shape[1] != self._mean.shape[0]:
            raise errors.InvalidArgumentError(f"X has {rows.shape[1]} features, the model was searched on {self._mean.shape[0]}")
        return (rows - self._mean) / self._std

    def predict(self, x: Any) -> Any:
        out = self.model.predict(self._scaled(x))
        if "target_mean" in self.result:
            out = out * float(self.result["target_std"]) + float(self.result["target_mean"])
        return out

    def predict_classes(self, x: Any) -> Any:
        return self.model.predict_classes(self._scaled(x))

    def __repr__(self) -> str:
        return f"AutoResult(task={self.result.get('task')!r}, test={self.test_score:.4g}, params={self.params!r})"


def auto(x: Any, y: Any, *, time_budget: Optional[float] = None, max_trials: Optional[int] = None,
         x_test: Any = None, y_test: Any = None, task: Optional[str] = None, n_classes: Optional[int] = None,
         jobs: int = 1, seed: int = 0, storage: Optional[str] = None, study_name: Optional[str] = None,
         validation_fraction: Optional[float] = None, test_fraction: Optional[float] = None,
         max_epochs: Optional[int] = None, ensemble: Optional[int] = None, models: Optional[Sequence[str]] = None,
         refit: bool = False, output: Optional[str] = None, report: Optional[str] = None) -> AutoResult:
    """Finds a good network for ``x`` → ``y`` without a search space: MLP architectures
    and training settings searched by the automatic sampler with Hyperband over epochs for
    ``time_budget`` seconds and/or ``max_trials`` trials; the final model averages up to
    ``ensemble`` (default 5; 1: the best alone) of the search's networks, chosen by
    ensemble selection on the validation split (``refit=True`` retrains them on all of
    ``x`` instead), and is tested on ``(x_test, y_test)`` (default: a seeded
    ``test_fraction`` of the data held out). Labels are classes when integer
    (``task``/``n_classes`` override), else regression targets. ``models`` names the
    model families searched (``["mlp"]``, ``["cnn"]``, ``["mlp", "cnn"]``; CNNs need
    images; default: both for images, MLPs otherwise). ``output`` saves the model (.safetensors), ``report`` writes
    the HTML report of the search; the study goes to ``storage`` (default in memory).
    """
    if time_budget is None and max_trials is None:
        raise errors.InvalidArgumentError("auto needs time_budget (seconds) or max_trials")
    classes = _classes(y, task, n_classes)
    options: Dict[str, Any] = {"jobs": jobs, "seed": seed}
    for key, value in (("time_budget", time_budget), ("max_trials", max_trials), ("storage", storage),
                       ("study_name", study_name), ("validation_fraction", validation_fraction),
                       ("test_fraction", test_fraction), ("max_epochs", max_epochs), ("ensemble", ensemble),
                       ("models", list(models) if models is not None else None),
                       ("refit", refit or None), ("output", output), ("report", report)):
        if value is not None:
            options[key] = value
    if (x_test is None) != (y_test is None):
        raise errors.InvalidArgumentError("give both x_test and y_test, or neither")
    model_handle = c_void_p()
    result_p = POINTER(c_char)()
    with _Dataset(x, y, classes, "X") as train:
        if x_test is not None:
            with _Dataset(x_test, y_test, classes, "x_test") as test:
                check(lib.hone_auto(train.handle, test.handle, encode(dumps(options), "options"),
                                    byref(model_handle), byref(result_p)))
        else:
            check(lib.hone_auto(train.handle, None, encode(dumps(options), "options"),
                                byref(model_handle), byref(result_p)))
        n_features = train.n_features
    result = loads(take_string(result_p))
    classification = classes >= 2
    model = Model(model_handle.value, classes if classification else 1, (n_features,), classification)
    return AutoResult(model, result)
