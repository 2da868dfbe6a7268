"""Pruning callbacks for training libraries, with the names of ``optuna.integration``.

``PyTorchLightningPruningCallback(trial, monitor="val_loss")`` reports the monitored
metric after every validation epoch and stops the trial as pruned when the study's pruner
says so. The class is built on first use, importing ``lightning`` (or the older
``pytorch_lightning``); ``import hone`` imports neither.

A plain PyTorch loop needs no callback: report after each epoch and ask the pruner::

    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        accuracy = evaluate(model)
        trial.report(accuracy, epoch)
        if trial.should_prune():
            raise hone.TrialPruned()
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["PyTorchLightningPruningCallback"]


def _lightning() -> Any:
    try:
        import lightning.pytorch as pl
        return pl
    except ImportError:
        pass
    try:
        import pytorch_lightning as pl  # type: ignore[no-redef]
        return pl
    except ImportError as e:
        raise ImportError("PyTorchLightningPruningCallback needs Lightning: pip install lightning") from e


def _make_lightning_callback() -> type:
    pl = _lightning()

    class PyTorchLightningPruningCallback(pl.Callback):
        """Reports ``trainer.callback_metrics[monitor]`` at the end of each validation epoch
        (``trial.report(value, step=epoch)``) and raises :class:`hone.TrialPruned` when
        ``trial.should_prune()``; ``Study.optimize`` then stores the trial as PRUNED.

        Single-process training only: with a distributed strategy (DDP) every process
        would report, so the callback refuses it when fitting starts."""

        def __init__(self, trial: Any, monitor: str) -> None:
            super().__init__()
            self._trial = trial
            self.monitor = monitor

        def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
            if getattr(trainer, "world_size", 1) > 1:
                raise ValueError("PyTorchLightningPruningCallback supports single-process training only "
                                 f"(this trainer has world_size {trainer.world_size})")

        def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
            # Lightning also validates before training (the sanity check): that is no epoch.
            if trainer.sanity_checking:
                return
            current_score = trainer.callback_metrics.get(self.monitor)
            if current_score is None:
                warnings.warn(f"The metric '{self.monitor}' is not in the evaluation logs for pruning. Please make "
                              "sure you set the correct metric name.")
                return
            epoch = pl_module.current_epoch
            self._trial.report(float(current_score), step=epoch)
            if self._trial.should_prune():
                from .errors import TrialPruned
                raise TrialPruned(f"Trial was pruned at epoch {epoch}.")

        def check_pruned(self) -> None:
            """Optuna needs this after ``fit`` under DDP; single-process training has
            raised already, so there is nothing to do."""

    return PyTorchLightningPruningCallback


def __getattr__(name: str) -> Any:
    if name == "PyTorchLightningPruningCallback":
        cls = _make_lightning_callback()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module 'hone.integration' has no attribute {name!r}")
