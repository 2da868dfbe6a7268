"""Budget schedulers and PBT from Python: create_study(scheduler=...), trial.work, and
the example bindings/python/examples/hyperband.py (the same shape as tests/c/schedulers.c
and Tests/HoneScriptTests/RegistrySchedulersTests.swift)."""
import os
import subprocess
import sys

import pytest

import hone
from hone import schedulers

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "hyperband.py")


def _checked_objective(saved, calls):
    """(x − 0.3)² + 1/(1 + budget); fails if the work names a checkpoint that does not
    hold exactly `start` units."""
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        work = trial.work
        assert work is not None and work.start < work.budget <= work.max_budget
        if work.resume_from is None:
            assert work.start == 0
        else:
            assert saved[work.resume_from] == work.start, (work, saved.get(work.resume_from))
        saved[trial.number] = work.budget
        calls.append(work)
        return (x - 0.3) ** 2 + 1 / (1 + work.budget)
    return objective


@pytest.mark.parametrize("scheduler, trials", [
    (schedulers.SuccessiveHalvingScheduler(n_configurations=9, max_resource=9), 9),
    (schedulers.HyperbandScheduler(max_resource=9, iterations=1), 15),
    (schedulers.BOHBScheduler(max_resource=9, iterations=1), 15),
    (schedulers.ASHAScheduler(max_resource=9), 15),
    (schedulers.PopulationBasedTraining(population_size=4, generations=3, steps_per_generation=2), 12),
    (schedulers.AsynchronousPBT(population_size=4, total_steps=6, steps_per_ready=2), 12),
    ({"name": "hyperband", "max_resource": 9, "iterations": 1}, 15),
])
def test_every_scheduler_runs_and_resumes_the_checkpoint_it_names(scheduler, trials):
    saved, calls = {}, []
    study = hone.create_study(seed=1, scheduler=scheduler)
    finished = []
    study.optimize(_checked_objective(saved, calls), n_trials=15, catch=(AssertionError,),
                   callbacks=[lambda s, t: finished.append(t.number)])
    states = [t.state for t in study.trials]
    assert len(states) == trials
    assert hone.TrialState.FAIL not in states, [t.user_attrs for t in study.trials]
    assert sorted(finished) == list(range(trials)), "a callback per finished trial"
    assert len(calls) >= trials


def test_bohb_brings_its_sampler_and_plain_trials_have_no_work():
    with pytest.raises(hone.InvalidArgumentError, match="'bohb' sampler"):
        hone.create_study(sampler="tpe", scheduler=schedulers.BOHBScheduler(max_resource=9))
    with pytest.raises(hone.InvalidArgumentError, match="max_resource"):
        hone.create_study(scheduler="hyperband")
    with pytest.raises(TypeError, match="scheduler"):
        hone.create_study(scheduler=3)
    study = hone.create_study()
    works = []
    study.optimize(lambda t: works.append(t.work) or 1.0, n_trials=2)
    assert works == [None, None]


def test_stop_from_a_callback_ends_a_scheduled_run():
    study = hone.create_study(seed=2, scheduler=schedulers.PopulationBasedTraining(
        population_size=4, generations=20, steps_per_generation=1))
    saved, calls = {}, []
    study.optimize(_checked_objective(saved, calls), n_trials=100,
                   callbacks=[lambda s, t: s.stop() if t.number >= 5 else None])
    assert len(study.trials) == 6


@pytest.mark.parametrize("name", ["hyperband", "pbt"])
def test_example_runs(name):
    env = dict(os.environ)
    package_root = os.path.dirname(os.path.dirname(hone.__file__))
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, EXAMPLE, name], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert "best validation accuracy" in out.stdout
    accuracy = float(out.stdout.split("best validation accuracy ")[1].split()[0])
    assert accuracy > 0.7, out.stdout


def test_bohb_sampler_object_with_its_scheduler():
    from hone.samplers import BOHBSampler
    study = hone.create_study(seed=3, sampler=BOHBSampler(n_candidates=16),
                              scheduler=schedulers.BOHBScheduler(max_resource=9, iterations=1))
    saved, calls = {}, []
    study.optimize(_checked_objective(saved, calls), n_trials=17)
    assert len(study.trials) == 17 and hone.TrialState.FAIL not in [t.state for t in study.trials]
