"""Every registered sampler, pruner and scheduler runs from Python, with the options of
tests/algorithms.json (shared with the C, Lua and CLI tests); a registered name missing
there fails. The README's algorithm × front-end table points here."""
import json
import os
import subprocess
import sys

import pytest

import hone

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "algorithms.json")
with open(FIXTURE) as f:
    ALGORITHMS = json.load(f)
# The built-ins: a fresh process's registry (plugins other tests load join this one's).
REGISTRY = json.loads(subprocess.run(
    [sys.executable, "-c", "import hone, json; print(json.dumps(hone.registry()))"],
    capture_output=True, text=True, check=True,
    env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(hone.__file__))}).stdout)


def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    k = trial.suggest_categorical("k", ["a", "b"])
    budget = trial.work.budget if trial.work else 4
    value = (x - 0.3) ** 2 + (k == "b")
    for step in range(1, int(budget) + 1):
        trial.report(value + 1 / (1 + step), step)
        if trial.should_prune():
            raise hone.TrialPruned()
    return value + 1 / (1 + budget)


@pytest.mark.parametrize("kind", ["samplers", "pruners", "schedulers"])
def test_the_fixture_names_every_registered_algorithm(kind):
    assert sorted(REGISTRY[kind]) == sorted(ALGORITHMS[kind])


@pytest.mark.parametrize("kind, name", [(k, n) for k in ("samplers", "pruners", "schedulers") for n in sorted(ALGORITHMS[k])])
def test_algorithm_runs(kind, name):
    spec = {"name": name, **ALGORITHMS[kind][name]}
    if kind == "samplers":
        study = hone.create_study(seed=1, sampler=spec)
    elif kind == "pruners":
        study = hone.create_study(seed=1, sampler="random", pruner=spec)
    else:
        study = hone.create_study(seed=1, scheduler=spec)
    study.optimize(objective, n_trials=8)
    states = [t.state for t in study.trials]
    assert hone.TrialState.FAIL not in states
    assert states.count(hone.TrialState.COMPLETE) >= 1 and len(states) >= 3
