"""Behaviours of Hone's Optuna-named API that the compatibility programs do not pin down
one by one."""

from __future__ import annotations

import importlib.util
import sys
import warnings

import pytest

import hone
from hone import TrialState
from hone.distributions import CategoricalDistribution, FloatDistribution, IntDistribution


@pytest.fixture(autouse=True)
def quiet():
    hone.logging.set_verbosity(hone.logging.WARNING)
    yield
    hone.logging.set_verbosity(hone.logging.INFO)


def test_optimize_reraises_by_default_and_stores_the_trial_as_fail():
    study = hone.create_study()

    def objective(trial):
        trial.suggest_float("x", 0, 1)
        if trial.number == 2:
            raise KeyError("bug in the objective")
        return 1.0

    with pytest.raises(KeyError, match="bug in the objective"):
        study.optimize(objective, n_trials=10)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    assert study.trials[2].fail_reason.startswith("KeyError")


@pytest.mark.skipif(importlib.util.find_spec("optuna") is None, reason="needs optuna")
def test_optunas_trial_pruned_counts_as_pruned():
    import optuna
    study = hone.create_study()

    def objective(trial):
        trial.report(0.5, 0)
        if trial.number % 2:
            raise optuna.TrialPruned("from code written for Optuna")
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=4)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.PRUNED] * 2


def test_optuna_is_not_imported_by_hone():
    import os
    import pathlib
    import subprocess
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(hone.__file__).resolve().parent.parent))
    code = ("import sys, hone; s = hone.create_study(); s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=2);"
            "assert not [m for m in ('optuna', 'pandas', 'plotly', 'matplotlib') if m in sys.modules]")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_sampler_seed_seeds_the_study_and_unsupported_options_warn():
    def params(sampler):
        study = hone.create_study(sampler=sampler)
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        return [t.params for t in study.trials]

    assert params(hone.samplers.TPESampler(seed=3)) == params(hone.samplers.TPESampler(seed=3))
    assert params(hone.samplers.TPESampler(seed=3)) != params(hone.samplers.TPESampler(seed=4))
    with pytest.warns(UserWarning, match="prior_weight"):
        hone.samplers.TPESampler(prior_weight=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hone.samplers.TPESampler(prior_weight=1.0, n_startup_trials=3)   # Optuna's default: no warning
    assert hone.samplers.TPESampler(n_startup_trials=3).spec()["n_startup_trials"] == 3
    assert hone.samplers.TPESampler().spec()["bandwidths"] == "shared"
    assert hone.samplers.TPESampler(bandwidths="per_side").spec()["bandwidths"] == "per_side"
    study = hone.create_study(sampler=hone.samplers.TPESampler(bandwidths="per_side", seed=1))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=12)     # the library takes the option
    assert len(study.trials) == 12


def test_create_trial_checks_values_against_distributions():
    with pytest.raises(ValueError):
        hone.trial.create_trial(params={"x": 11.0}, distributions={"x": FloatDistribution(0, 10)}, value=1.0)
    with pytest.raises(ValueError):
        hone.trial.create_trial(params={"x": 1.0}, distributions={"x": FloatDistribution(0, 10)})  # no value
    with pytest.raises(ValueError):
        hone.trial.create_trial(params={"c": "z"}, distributions={"c": CategoricalDistribution(["a"])}, value=0.0)
    t = hone.trial.create_trial(params={"n": 4}, distributions={"n": IntDistribution(0, 10, step=2)}, value=0.0,
                                intermediate_values={0: 1.0, 1: 0.5})
    study = hone.create_study()
    study.add_trial(t)
    (stored,) = study.trials
    assert stored.intermediate_values == {0: 1.0, 1: 0.5}
    assert stored.distributions == {"n": IntDistribution(0, 10, step=2)}


def test_add_trial_refuses_while_enqueued_trials_wait():
    study = hone.create_study()
    study.enqueue_trial({"x": 0.5})
    with pytest.raises(hone.WrongStateError, match="enqueued"):
        study.add_trial(hone.trial.create_trial(params={"x": 0.1}, distributions={"x": FloatDistribution(0, 1)},
                                                value=0.1))


def test_tell_skip_if_finished_and_the_returned_trial():
    study = hone.create_study()
    trial = study.ask()
    trial.suggest_int("n", 0, 3)
    frozen = study.tell(trial, 2.0)
    assert frozen.state == TrialState.COMPLETE and frozen.value == 2.0
    with pytest.raises(hone.WrongStateError):
        study.tell(trial, 3.0)
    study.tell(trial, 3.0, skip_if_finished=True)
    assert study.trials[0].value == 2.0


def test_patient_pruner_waits_for_its_patience():
    study = hone.create_study(pruner=hone.pruners.PatientPruner(None, patience=2))
    trial = study.ask()
    decisions = []
    for step, value in enumerate([1.0, 0.5, 0.6, 0.7, 0.8]):   # best at step 1, then worse
        trial.report(value, step)
        decisions.append(trial.should_prune())
    # Optuna's rule: prune when the best of the last patience + 1 reports is worse than the
    # best before them; at step 4 those are 0.6, 0.7, 0.8 against 0.5.
    assert decisions == [False, False, False, False, True]


def test_hyperband_auto_learns_max_resource_from_the_first_completed_trial():
    pruner = hone.pruners.HyperbandPruner()
    assert pruner.spec() == {"name": "hyperband", "min_resource": 1, "max_resource": "auto", "reduction_factor": 3}
    assert hone.pruners.HyperbandPruner(max_resource=27).spec() == {
        "name": "hyperband", "min_resource": 1, "max_resource": 27, "reduction_factor": 3}
    study = hone.create_study(pruner=pruner, sampler=hone.samplers.RandomSampler(seed=0))
    early = []

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        for step in range(9):
            trial.report(x + 1 / (step + 1), step)
            if trial.should_prune():
                early.append(not any(t.state == hone.TrialState.COMPLETE for t in study.get_trials(deepcopy=False)))
                raise hone.TrialPruned()
        return x

    study.optimize(objective, n_trials=40)
    assert early and not any(early), "nothing is pruned before a trial completes; later trials are"


def test_study_directions_of_a_loaded_study(tmp_path):
    url = f"sqlite:///{tmp_path}/d.db"
    hone.create_study(study_name="s", storage=url, directions=["maximize", "minimize"])
    loaded = hone.load_study(study_name="s", storage=url)
    assert loaded.directions == [hone.StudyDirection.MAXIMIZE, hone.StudyDirection.MINIMIZE]
    with pytest.raises(RuntimeError):
        loaded.direction


def test_frozen_trial_suggest_checks_the_range():
    study = hone.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    best = study.best_trial
    assert best.suggest_float("x", 0, 1) == best.params["x"]
    with pytest.raises(ValueError):
        best.suggest_float("x", 2, 3)
    with pytest.raises(ValueError):
        best.suggest_float("y", 0, 1)
