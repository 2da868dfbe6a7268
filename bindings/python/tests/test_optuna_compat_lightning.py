"""hone.integration.PyTorchLightningPruningCallback with Lightning (from PyPI) on CPU: a
tiny regression model, several trials under a pruner, each epoch's validation loss
reported, bad learning rates pruned."""

from __future__ import annotations

import importlib.util

import pytest

import hone
from hone import TrialState

pytestmark = pytest.mark.skipif(importlib.util.find_spec("lightning") is None
                                and importlib.util.find_spec("pytorch_lightning") is None,
                                reason="needs lightning (pip install lightning)")


def _objective_factory(epochs):
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from hone.integration import PyTorchLightningPruningCallback, _lightning

    pl = _lightning()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(256, 4, generator=generator)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(256, 1, generator=generator)
    train = DataLoader(TensorDataset(x[:192], y[:192]), batch_size=32)
    valid = DataLoader(TensorDataset(x[192:], y[192:]), batch_size=64)

    class Regressor(pl.LightningModule):
        def __init__(self, lr):
            super().__init__()
            self.lr = lr
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, _):
            xb, yb = batch
            return torch.nn.functional.mse_loss(self.layer(xb), yb)

        def validation_step(self, batch, _):
            xb, yb = batch
            self.log("val_loss", torch.nn.functional.mse_loss(self.layer(xb), yb))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.lr)

    def objective(trial):
        torch.manual_seed(trial.number)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        model = Regressor(lr)
        trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                             enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                             callbacks=[PyTorchLightningPruningCallback(trial, monitor="val_loss")])
        trainer.fit(model, train, valid)
        return trainer.callback_metrics["val_loss"].item()

    return objective


def test_lightning_callback_reports_every_epoch_and_prunes():
    epochs = 4
    hone.logging.set_verbosity(hone.logging.WARNING)
    study = hone.create_study(sampler=hone.samplers.RandomSampler(seed=0),
                              pruner=hone.pruners.MedianPruner(n_startup_trials=2))
    # Two good learning rates first, then bad ones the median pruner stops.
    for lr in (0.1, 0.08, 1e-4, 2e-4, 0.05, 1.5e-4):
        study.enqueue_trial({"lr": lr})
    study.optimize(_objective_factory(epochs), n_trials=6)
    trials = study.trials
    assert len(trials) == 6
    for t in trials:
        assert t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        assert sorted(t.intermediate_values) == list(range(len(t.intermediate_values)))
        if t.state == TrialState.COMPLETE:
            assert len(t.intermediate_values) == epochs
    # The two first (good) trials complete; the tiny learning rates are far behind the
    # completed trials' median after the first epoch and are stopped there.
    assert [t.state for t in trials[:2]] == [TrialState.COMPLETE] * 2
    for t in trials:
        if t.params["lr"] < 1e-3:
            assert t.state == TrialState.PRUNED and list(t.intermediate_values) == [0]
    assert study.best_params["lr"] > 1e-2


def test_a_misnamed_metric_warns_and_the_trial_completes():
    import warnings
    from hone.integration import PyTorchLightningPruningCallback
    study = hone.create_study()
    trial = study.ask()
    callback = PyTorchLightningPruningCallback(trial, monitor="no_such_metric")

    class Trainer:
        sanity_checking = False
        callback_metrics = {}

    class Module:
        current_epoch = 0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback.on_validation_end(Trainer(), Module())
    assert any("no_such_metric" in str(w.message) for w in caught)
    study.tell(trial, 1.0)
