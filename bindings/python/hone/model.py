"""Training, evaluating, saving and loading Hone's networks on numpy arrays."""

from __future__ import annotations

import json
import math
import os
import struct
import weakref
from ctypes import POINTER, byref, c_char, c_float
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import errors
from ._lib import EPOCH_FN, call_handle, call_string, check, dumps, encode, lib, loads, take_string

if TYPE_CHECKING:
    import numpy as np

#: Called after every epoch with the metrics {"epoch", "train_loss", "val_loss",
#: "val_accuracy", "lr", ...}; return False to stop training (the model keeps what it
#: learned), raise :class:`hone.TrialPruned` to stop it as pruned.
EpochCallback = Callable[[Dict[str, Any]], Optional[bool]]
PathLike = Union[str, "os.PathLike[str]"]


def _np() -> Any:
    try:
        import numpy
    except ImportError as e:  # pragma: no cover - numpy is a dependency
        raise ImportError("hone.train and hone.Model need numpy (pip install numpy)") from e
    return numpy


def _float_rows(x: Any, what: str) -> "np.ndarray":
    """`x` as a C-contiguous float32 array of rows (n, features...), flattened to 2-D."""
    np = _np()
    a = np.ascontiguousarray(x, dtype=np.float32)
    if a.ndim == 1:
        raise errors.InvalidArgumentError(
            f"{what} has shape {a.shape}: it needs one row per sample (reshape(-1, 1) for one feature)")
    if a.ndim == 0 or a.shape[0] == 0:
        raise errors.InvalidArgumentError(f"{what} has shape {a.shape}: it needs at least one sample")
    return a.reshape(a.shape[0], -1)


def _ptr(a: "np.ndarray") -> Any:
    return a.ctypes.data_as(POINTER(c_float))


class _Dataset:
    """A data set made from arrays for one call, freed afterwards."""

    def __init__(self, x: Any, y: Any, n_classes: int, what: str) -> None:
        np = _np()
        rows = _float_rows(x, what)
        labels = np.ascontiguousarray(y, dtype=np.float32).reshape(-1)
        if labels.shape[0] != rows.shape[0]:
            raise errors.InvalidArgumentError(
                f"{what}: {rows.shape[0]} samples in X but {labels.shape[0]} labels in y")
        self.handle = call_handle(lib.hone_dataset_from_arrays, _ptr(rows), rows.shape[0], rows.shape[1],
                                  _ptr(labels), n_classes)
        self.n_features = rows.shape[1]

    def __enter__(self) -> "_Dataset":
        return self

    def __exit__(self, *exc: Any) -> None:
        lib.hone_dataset_free(self.handle)


def _classes(y: Any, task: Optional[str], n_classes: Optional[int]) -> int:
    """n_classes for hone_dataset_from_arrays: 0 for regression, else the class count."""
    np = _np()
    labels = np.asarray(y)
    if task not in (None, "classification", "regression"):
        raise errors.InvalidArgumentError(f"task must be 'classification' or 'regression', got {task!r}")
    if task == "regression":
        if n_classes:
            raise errors.InvalidArgumentError("n_classes is for classification, not task='regression'")
        return 0
    if n_classes is None:
        if task is None and not (np.issubdtype(labels.dtype, np.integer) or labels.dtype == np.bool_):
            return 0    # float targets: regression
        if labels.size == 0:
            raise errors.InvalidArgumentError("y is empty")
        n_classes = max(2, int(labels.max()) + 1)
    return int(n_classes)


class Model:
    """A network in libhone: made by :func:`train` or :func:`load_model`.

    ``predict`` returns class probabilities (classification) or predictions (regression)
    as a float32 array of shape (samples, outputs). Used from one thread at a time.
    """

    def __init__(self, handle: int, outputs: int, input_shape: Sequence[int], classification: bool,
                 description: Optional[Dict[str, Any]] = None) -> None:
        self._handle = handle
        self.outputs = outputs
        self.input_shape = tuple(input_shape)
        self.classification = classification
        self.description = description
        #: What the last training returned: {"epochs", "train_loss", "val_loss",
        #: "val_accuracy", "history", "stop_reason"}.
        self.result: Dict[str, Any] = {}
        self._free = weakref.finalize(self, lib.hone_model_free, handle)

    @property
    def n_features(self) -> int:
        return math.prod(self.input_shape)

    @property
    def history(self) -> List[Dict[str, Any]]:
        """The per-epoch metrics of the last training."""
        return list(self.result.get("history", []))

    def predict(self, x: Any) -> "np.ndarray":
        """The outputs for the rows of ``x`` (shape (n, features) or (n, *input_shape))."""
        np = _np()
        rows = _float_rows(x, "X")
        out = np.empty((rows.shape[0], self.outputs), dtype=np.float32)
        check(lib.hone_model_predict(self._handle, _ptr(rows), rows.shape[0], rows.shape[1], _ptr(out), out.size))
        return out

    def predict_classes(self, x: Any) -> "np.ndarray":
        """The most probable class of each row (classification models)."""
        if not self.classification:
            raise errors.InvalidArgumentError("predict_classes is for classification models; use predict")
        return self.predict(x).argmax(axis=1)

    def evaluate(self, x: Any, y: Any) -> Dict[str, float]:
        """{"loss", "accuracy"} (classification) or {"loss", "rmse", "r2"} (regression)
        on the arrays ``x``, ``y``."""
        with _Dataset(x, y, self.outputs if self.classification else 0, "evaluate") as data:
            return loads(call_string(lib.hone_model_evaluate, self._handle, data.handle))

    def save(self, path: PathLike) -> None:
        """Saves weights and description as .safetensors."""
        check(lib.hone_model_save(self._handle, encode(os.fspath(path), "path")))

    def load_weights(self, path: PathLike) -> None:
        """Copies the weights of a saved model where names and shapes match."""
        check(lib.hone_model_load_weights(self._handle, encode(os.fspath(path), "path")))

    def close(self) -> None:
        """Frees the model now (it is also freed when garbage-collected)."""
        self._free()

    def __repr__(self) -> str:
        kind = "classifier" if self.classification else "regressor"
        return f"<hone.Model {kind} {self.input_shape} -> {self.outputs}>"


class _EpochRelay:
    """Passes each epoch's metrics to the Python callback and remembers why it stopped."""

    def __init__(self, callback: Optional[EpochCallback]) -> None:
        self.callback = callback
        self.history: List[Dict[str, Any]] = []
        self.error: Optional[BaseException] = None
        self.stopped = False

    def __call__(self, epoch: int, metrics_json: Optional[bytes], _userdata: Any) -> int:
        try:
            metrics = loads(metrics_json or b"{}")
            self.history.append(metrics)
            if self.callback is not None and self.callback(metrics) is False:
                self.stopped = True
                return errors.INTERRUPTED
            return errors.OK
        except errors.TrialPruned as e:
            self.error = e
            return errors.PRUNED
        except BaseException as e:
            self.error = e
            return errors.ERROR


def _train(model: Model, x: Any, y: Any, n_classes: int, options: Dict[str, Any],
           validation: Optional[Tuple[Any, Any]], on_epoch: Optional[EpochCallback]) -> Dict[str, Any]:
    relay = _EpochRelay(on_epoch)
    callback = EPOCH_FN(relay)
    result = POINTER(c_char)()
    with _Dataset(x, y, n_classes, "train") as data:
        val = None
        try:
            if validation is not None:
                if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
                    raise TypeError("validation must be a pair (X_val, y_val)")
                val = _Dataset(validation[0], validation[1], n_classes, "validation")
            status = lib.hone_model_train(model._handle, data.handle, None if val is None else val.handle,
                                          encode(dumps(options), "options"), callback, None, byref(result))
            message = lib.hone_errmsg().decode("utf-8", "replace") if status else ""
        finally:
            if val is not None:
                lib.hone_dataset_free(val.handle)
    if relay.error is not None:
        raise relay.error
    if status == errors.INTERRUPTED and relay.stopped:
        last = relay.history[-1] if relay.history else {}
        return {**{k: v for k, v in last.items() if k != "epoch"}, "epochs": len(relay.history),
                "stop_reason": "on_epoch", "history": relay.history}
    if status:
        raise errors.error_for(status, message)
    return loads(take_string(result)) if result else {"history": relay.history}


def train(x: Any, y: Any, *, hidden: Sequence[int] = (64,), activation: str = "relu", dropout: float = 0.0,
          batch_norm: bool = False, model: Optional[Mapping[str, Any]] = None,
          epochs: int = 10, batch_size: int = 128, lr: float = 1e-3, optimizer: str = "adam",
          weight_decay: Optional[float] = None, momentum: Optional[float] = None,
          schedule: Optional[Union[str, Mapping[str, Any]]] = None, seed: int = 0,
          early_stopping_patience: Optional[int] = None, threads: Optional[int] = None,
          validation: Optional[Tuple[Any, Any]] = None, validation_fraction: Optional[float] = None,
          on_epoch: Optional[EpochCallback] = None, task: Optional[str] = None,
          n_classes: Optional[int] = None, init: Optional[PathLike] = None,
          crop_padding: Optional[int] = None, horizontal_flip: Optional[bool] = None,
          label_smoothing: Optional[float] = None) -> Model:
    """Trains a network on numpy arrays and returns it.

    ``x``: (samples, features) or (samples, *input_shape); ``y``: one label per sample.
    Integer (or bool) labels mean classification into ``n_classes`` (default max + 1)
    classes, float labels regression; ``task`` overrides. The network is an MLP with
    ``hidden`` widths unless ``model`` gives a description of hone.h's
    hone_model_create ({"kind": "cnn", "input_shape": [1, 28, 28], "channels": [32],
    ...}, with "batch_norm" and "residual" for BatchNorm and residual-block CNNs;
    "inputs"/"outputs" are filled in when absent). ``schedule`` is a name or {"name": ...}
    (constant, cosine, step, exponential, one_cycle). Image models can augment training
    batches: ``crop_padding`` (pad and crop back at a random offset) and
    ``horizontal_flip``; ``label_smoothing`` smooths the cross-entropy target.
    ``validation=(x_val, y_val)`` is
    evaluated after every epoch; without it ``validation_fraction`` of the data is held out
    (default 0.1, as in every front end since 0.4.0; 0 trains on all of it).
    ``on_epoch(metrics)`` is called after every epoch: return False to stop early, raise
    :class:`hone.TrialPruned` to stop as pruned (``train`` then raises it). Weights,
    shuffling and dropout are drawn from ``seed``; ``init`` (a saved .safetensors model)
    starts from its weights instead (fine-tuning: tensors must match by name and shape).
    """
    np = _np()
    rows = np.asarray(x)
    if rows.ndim < 2:
        raise errors.InvalidArgumentError(
            f"X has shape {rows.shape}: it needs one row per sample (reshape(-1, 1) for one feature)")
    classes = _classes(y, task, n_classes)
    classification = classes >= 2
    input_shape = tuple(int(d) for d in rows.shape[1:])
    description: Dict[str, Any] = dict(model) if model is not None else {
        "kind": "mlp", "hidden": list(hidden), "activation": activation, "dropout": dropout,
        "batch_norm": batch_norm}
    if description.get("kind") == "mlp":
        description.setdefault("inputs", math.prod(input_shape))
    elif description.get("kind") == "cnn" and "input_shape" in description:
        input_shape = tuple(description["input_shape"])
    description.setdefault("outputs", classes if classification else 1)
    description.setdefault("task", "classification" if classification else "regression")
    description.setdefault("seed", seed)
    handle = call_handle(lib.hone_model_create, encode(dumps(description), "model description"))
    net = Model(handle, int(description["outputs"]), input_shape, classification, description)
    if init is not None:
        net.load_weights(init)

    opt: Dict[str, Any] = {"name": optimizer, "lr": lr}
    if weight_decay is not None:
        opt["weight_decay"] = weight_decay
    if momentum is not None:
        opt["momentum"] = momentum
    options: Dict[str, Any] = {"epochs": epochs, "batch_size": batch_size, "optimizer": opt, "seed": seed}
    for key, value in (("schedule", schedule), ("early_stopping_patience", early_stopping_patience),
                       ("threads", threads), ("validation_fraction", validation_fraction),
                       ("crop_padding", crop_padding), ("horizontal_flip", horizontal_flip),
                       ("label_smoothing", label_smoothing)):
        if value is not None:
            options[key] = value
    net.result = _train(net, x, y, classes, options, validation, on_epoch)
    return net


def _safetensors_metadata(path: str) -> Dict[str, str]:
    """The __metadata__ of a .safetensors file (8-byte little-endian header length, then
    a JSON header)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise ValueError("shorter than a safetensors header")
        (length,) = struct.unpack("<Q", head)
        if length > 100_000_000:
            raise ValueError(f"header length {length} is implausible")
        header = json.loads(f.read(length))
    return dict(header.get("__metadata__") or {})


def load_model(path: PathLike) -> Model:
    """Loads a model saved by :meth:`Model.save` (or by ``hone-cli train --save``)."""
    file = os.fspath(path)
    handle = call_handle(lib.hone_model_load, encode(file, "path"))
    try:
        # hone.h has no call that describes a loaded model, so its shape is read from the
        # description the library stored in the file's metadata.
        meta = _safetensors_metadata(file)
        stored = json.loads(meta["hone.model"])
        # An ensemble's members share their input and output shapes.
        network = stored["members"][0] if stored.get("kind") == "ensemble" else stored
        outputs = int(network["outputCount"])
        shape = network.get("inputShape") or [network["inputCount"]]
        classification = meta.get("hone.task", "classification" if outputs >= 2 else "regression") == "classification"
    except (OSError, ValueError, KeyError, TypeError) as e:
        lib.hone_model_free(handle)
        raise errors.InvalidArgumentError(f"{file}: cannot read the model's shape from its metadata ({e})") from None
    return Model(handle, outputs, shape, classification, stored)
