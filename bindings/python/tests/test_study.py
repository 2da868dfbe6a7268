"""Studies from Python: create/load/delete, ask/tell, optimize, results, and every error a
user can run into, each as the mapped exception carrying the library's message."""
import json
import os
import threading
import time
import uuid

import pytest

import hone
from hone import TrialState


def quadratic(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


# -- creating, loading, deleting ----------------------------------------------------------

def test_optimize_finds_the_minimum_and_best_agrees_with_trials():
    study = hone.create_study(sampler="tpe", seed=0)
    study.optimize(quadratic, n_trials=40)
    trials = study.trials
    assert len(trials) == 40 and [t.number for t in trials] == list(range(40))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    best = min(trials, key=lambda t: t.value)
    assert study.best_value == best.value
    assert study.best_trial.number == best.number
    assert study.best_params == best.params == {"x": best.params["x"]}
    assert best.value == pytest.approx((best.params["x"] - 2) ** 2)
    assert study.best_value < 0.5


def test_maximize_direction_is_honoured():
    study = hone.create_study(direction="maximize", sampler="random", seed=1)
    study.optimize(quadratic, n_trials=20)
    assert study.best_value == max(t.value for t in study.trials)


def test_same_seed_same_trials():
    runs = []
    for _ in range(2):
        study = hone.create_study(sampler="tpe", seed=7)
        study.optimize(quadratic, n_trials=15)
        runs.append([t.params["x"] for t in study.trials])
    assert runs[0] == runs[1]


def test_sqlite_study_is_reloaded_by_load_study(sqlite_url):
    study = hone.create_study(storage=sqlite_url, study_name="s", direction="maximize", seed=0)
    study.optimize(lambda t: t.suggest_int("n", 1, 100) + t.suggest_float("f", 0, 1), n_trials=6)
    study.set_user_attr("note", {"a": [1, 2]})
    before = study.trials
    study.close()

    again = hone.load_study(study_name="s", storage=sqlite_url)
    assert again.study_name == "s" and again.storage == sqlite_url
    after = again.trials
    assert [(t.number, t.state, t.values, t.params) for t in after] == \
           [(t.number, t.state, t.values, t.params) for t in before]
    assert isinstance(after[0].params["n"], int) and isinstance(after[0].params["f"], float)
    assert again.user_attrs == {"note": {"a": [1, 2]}}
    # The stored direction is kept: maximize.
    assert again.best_value == max(t.value for t in after)
    again.optimize(lambda t: t.suggest_int("n", 1, 100) + t.suggest_float("f", 0, 1), n_trials=2)
    assert again.trial_count() == 8


def test_study_names_and_delete(sqlite_url):
    hone.create_study(storage=sqlite_url, study_name="a")
    hone.create_study(storage=sqlite_url, study_name="b")
    assert sorted(hone.get_all_study_names(sqlite_url)) == ["a", "b"]
    hone.delete_study(study_name="a", storage=sqlite_url)
    assert hone.get_all_study_names(sqlite_url) == ["b"]
    with pytest.raises(hone.NotFoundError, match='no study named "a"') as info:
        hone.delete_study(study_name="a", storage=sqlite_url)
    assert isinstance(info.value, LookupError) and info.value.status_name == "HONE_NOT_FOUND"


def test_create_existing_raises_unless_load_if_exists(sqlite_url):
    first = hone.create_study(storage=sqlite_url, study_name="dup")
    first.optimize(quadratic, n_trials=2)
    with pytest.raises(hone.ExistsError, match="dup") as info:
        hone.create_study(storage=sqlite_url, study_name="dup")
    assert info.value.status == 5 and hone.DuplicatedStudyError is hone.ExistsError
    same = hone.create_study(storage=sqlite_url, study_name="dup", load_if_exists=True)
    assert same.trial_count() == 2


def test_load_missing_study_is_not_found(sqlite_url):
    with pytest.raises(hone.NotFoundError, match="nope"):
        hone.load_study(study_name="nope", storage=sqlite_url)


def test_load_with_other_direction_is_refused(sqlite_url):
    hone.create_study(storage=sqlite_url, study_name="d", direction="minimize")
    with pytest.raises(hone.InvalidArgumentError, match="d"):
        hone.create_study(storage=sqlite_url, study_name="d", direction="maximize", load_if_exists=True)


def test_unnamed_studies_get_unique_names():
    a, b = hone.create_study(), hone.create_study()
    assert a.study_name and b.study_name and a.study_name != b.study_name
    assert a.study_name in repr(a) or "?" in repr(a)


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"direction": "sideways"}, hone.InvalidArgumentError, ["direction", "sideways"]),
    ({"direction": "minimize", "directions": ["minimize"]}, hone.InvalidArgumentError, ["not both"]),
    ({"sampler": "no-such-sampler"}, hone.HoneError, ["no-such-sampler"]),
    ({"pruner": "no-such-pruner"}, hone.HoneError, ["no-such-pruner"]),
    ({"sampler": {"name": "tpe", "bogus_option": 1}}, hone.InvalidArgumentError, ["bogus_option"]),
    ({"seed": -1}, hone.InvalidArgumentError, ["seed"]),
    ({"storage": "bogus://x"}, hone.InvalidArgumentError, ["bogus"]),
])
def test_bad_study_arguments_raise_with_the_library_message(kwargs, exc, words):
    with pytest.raises(exc) as info:
        hone.create_study(**kwargs)
    for w in words:
        assert w in str(info.value)
    assert info.value.status in (3, 4)


def test_wrong_argument_types_raise_type_error():
    with pytest.raises(TypeError):
        hone.create_study(directions="minimize")
    with pytest.raises(TypeError):
        hone.create_study(sampler=42)
    with pytest.raises(TypeError):
        hone.create_study(storage=123)


def test_storage_failures_are_storage_errors(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(hone.StorageError, match="not a SQLite database") as info:
        hone.create_study(storage=f"sqlite:///{garbage}")
    assert info.value.status_name == "HONE_STORAGE"
    assert garbage.read_bytes() == b"this is not a database" * 100      # left untouched
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(hone.StorageError, match="dir.db"):
        hone.create_study(storage=f"sqlite:///{tmp_path / 'dir.db'}")
    with pytest.raises(hone.StorageError, match="cannot connect"):
        hone.get_all_study_names("postgresql://nobody@127.0.0.1:1/none")


# -- ask and tell ---------------------------------------------------------------------------

def test_ask_tell_round_trip():
    study = hone.create_study(sampler="random", seed=3)
    t = study.ask()
    assert t.number == 0 and t.study is study
    x = t.suggest_float("x", 0.5, 2.0, log=True)
    s = t.suggest_float("s", 0.0, 1.0, step=0.25)
    n = t.suggest_int("n", 2, 20, step=2)
    m = t.suggest_int("m", 1, 1000, log=True)
    c = t.suggest_categorical("c", ["a", "b"])
    assert 0.5 <= x <= 2.0 and s in (0.0, 0.25, 0.5, 0.75, 1.0) and n % 2 == 0 and 1 <= m <= 1000
    assert t.suggest_float("x", 0.5, 2.0, log=True) == x       # same name, same value
    assert t.params == {"x": x, "s": s, "n": n, "m": m, "c": c}
    study.tell(t, 1.5)
    assert study.ask().number == 1
    (done,) = study.get_trials(states=["complete"])
    assert done.number == 0 and done.value == 1.5 and done.params == t.params
    assert study.trial_count(states=[TrialState.RUNNING]) == 1


def test_tell_twice_is_wrong_state():
    study = hone.create_study()
    t = study.ask()
    t.suggest_float("x", 0, 1)
    study.tell(t, 0.5)
    with pytest.raises(hone.WrongStateError, match="0") as info:
        study.tell(t, 0.7)
    assert isinstance(info.value, RuntimeError) and info.value.status_name == "HONE_WRONG_STATE"
    with pytest.raises(hone.WrongStateError):
        t.report(0.1, step=1)
    with pytest.raises(hone.WrongStateError):
        t.suggest_float("y", 0, 1)
    assert t.number == 0 and t.params["x"] == pytest.approx(t.params["x"])   # still readable
    assert study.trials[0].value == 0.5


def test_tell_by_number_and_states():
    study = hone.create_study()
    a, b, c, d = (study.ask() for _ in range(4))
    for t in (a, b, c, d):
        t.report(10.0 + t.number, step=0)
    study.tell(a.number, 1.0)
    study.tell(b, state=TrialState.PRUNED)
    c.set_fail_reason("diverged")
    study.tell(c, state="fail")
    study.tell(d.number, 4.0, state=TrialState.COMPLETE)
    states = {t.number: (t.state, t.values) for t in study.trials}
    assert states == {0: (TrialState.COMPLETE, [1.0]), 1: (TrialState.PRUNED, [11.0]),
                      2: (TrialState.FAIL, None), 3: (TrialState.COMPLETE, [4.0])}
    assert study.trials[2].fail_reason == "diverged"
    assert "hone.Trial 2" in repr(c)
    with pytest.raises(hone.WrongStateError):
        study.tell(0, 2.0)
    with pytest.raises(hone.NotFoundError):
        study.tell(99, 1.0)
    with pytest.raises(hone.InvalidArgumentError, match="state"):
        study.tell(study.ask(), 1.0, state=TrialState.RUNNING)
    with pytest.raises(hone.InvalidArgumentError, match="unknown trial state"):
        study.tell(0, 1.0, state="finished")
    with pytest.raises(TypeError):
        study.tell("0", 1.0)


def test_tell_without_state_fails_non_finite_values_like_optuna():
    study = hone.create_study()
    t = study.ask()
    with pytest.warns(UserWarning, match="not all finite"):
        study.tell(t, float("nan"))
    (frozen,) = study.trials
    assert frozen.state == TrialState.FAIL and "not all finite" in frozen.fail_reason
    with pytest.warns(UserWarning, match="no value"):
        study.tell(study.ask())
    assert study.trials[1].state == TrialState.FAIL


def test_tell_complete_with_nan_is_invalid_and_leaves_the_trial_running():
    study = hone.create_study()
    t = study.ask()
    with pytest.raises(hone.InvalidArgumentError, match="finite"):
        study.tell(t, float("nan"), state=TrialState.COMPLETE)
    with pytest.raises(hone.InvalidArgumentError, match="n_values"):
        study.tell(t, [1.0, 2.0])        # two values for one objective
    assert study.trials[0].state == TrialState.RUNNING
    study.tell(t, 3.0)
    assert study.best_value == 3.0


@pytest.mark.parametrize("call, words", [
    (lambda t: t.suggest_float("x", 2.0, 1.0), ["x"]),
    (lambda t: t.suggest_float("x", 0.0, 1.0, log=True), ["x"]),
    (lambda t: t.suggest_float("x", 0.0, 1.0, step=0.3), ["x"]),
    (lambda t: t.suggest_float("x", 0.0, float("inf")), ["x"]),
    (lambda t: t.suggest_int("n", 5, 1), ["n"]),
    (lambda t: t.suggest_int("n", 0, 10, log=True), ["n"]),
    (lambda t: t.suggest_int("n", 0, 10, step=0), ["n"]),
    (lambda t: t.suggest_float("", 0, 1), ["name"]),
    (lambda t: t.suggest_categorical("c", []), ["c"]),
    (lambda t: t.report(float("nan"), step=0), ["finite"]),
    (lambda t: t.report(1.0, step=-1), ["step"]),
    (lambda t: t.report([1.0, 2.0], step=0), ["2"]),
    (lambda t: t.suggest_float("\ud800", 0, 1), ["UTF-8"]),       # a lone surrogate is not UTF-8
    # (A NaN attribute is accepted since non-finite numbers have one JSON spelling:
    # test_non_finite.py.)
])
def test_bad_trial_arguments_raise_invalid_argument(call, words):
    study = hone.create_study()
    t = study.ask()
    with pytest.raises(hone.InvalidArgumentError) as info:
        call(t)
    assert isinstance(info.value, ValueError) and info.value.status == 3
    for w in words:
        assert w in str(info.value)


def test_changing_a_distribution_is_invalid():
    t = hone.create_study().ask()
    t.suggest_float("x", 0, 1)
    with pytest.raises(hone.InvalidArgumentError, match="x"):
        t.suggest_float("x", 0, 2)
    t.suggest_int("n", 0, 3)
    with pytest.raises(hone.InvalidArgumentError, match="n"):
        t.suggest_categorical("n", ["a"])


def test_python_side_argument_checks():
    t = hone.create_study().ask()
    with pytest.raises(TypeError):
        t.suggest_int("n", 0.5, 3)
    with pytest.raises(TypeError):
        t.suggest_int("n", True, 3)
    with pytest.raises(hone.InvalidArgumentError, match="64-bit"):
        t.suggest_int("n", 0, 2 ** 70)
    with pytest.raises(hone.InvalidArgumentError, match="64-bit"):
        t.report(1.0, step=2 ** 64 + 1)       # would wrap to step 1
    with pytest.raises(hone.InvalidArgumentError, match="32-bit"):
        t.study.optimize(quadratic, n_trials=1, n_jobs=2 ** 32 + 1)
    import numpy as np
    assert 0 <= t.suggest_int("k", np.int64(0), np.int32(5)) <= 5
    with pytest.raises(hone.InvalidArgumentError, match="NUL"):
        t.suggest_float("a\0b", 0, 1)
    with pytest.raises(TypeError):
        t.suggest_float(3, 0, 1)
    with pytest.raises(TypeError):
        t.set_user_attr("k", object())


# -- categorical choices ---------------------------------------------------------------------

CHOICES = [None, True, False, 3, 2.5, "relu", "3.5"]


def test_categorical_returns_the_original_objects():
    study = hone.create_study(sampler="random", seed=0)
    seen = []
    for _ in range(60):
        t = study.ask()
        c = t.suggest_categorical("c", CHOICES)
        assert any(c is x for x in CHOICES)      # the very object, not a copy or a string
        assert t.params["c"] is c
        seen.append(c)
        study.tell(t, 0.0)
    assert set(map(repr, seen)) == set(map(repr, CHOICES))      # every choice can come out
    frozen = study.trials
    assert [f.params["c"] for f in frozen] == seen
    assert isinstance(frozen[0].distributions["c"], hone.distributions.CategoricalDistribution)
    assert frozen[0].distributions["c"].choices == tuple(CHOICES)


def test_categorical_numbers_stay_numbers_in_a_new_process_view(sqlite_url):
    study = hone.create_study(storage=sqlite_url, study_name="cat", sampler="random", seed=0)
    objective = lambda t: float(t.suggest_categorical("units", [32, 64]))  # noqa: E731
    study.optimize(objective, n_trials=1)
    # Once the study has seen the parameter, numeric choices can be enqueued as numbers.
    study.enqueue_trial({"units": 64})
    study.enqueue_trial({"units": 32})
    study.optimize(objective, n_trials=3)
    assert [t.params["units"] for t in study.trials[1:3]] == [64, 32]
    # A fresh handle has not seen the choices: the stored values are typed (since 0.4.0),
    # so it shows the same numbers, and the trials JSON holds numbers, not strings.
    fresh = hone.load_study(study_name="cat", storage=sqlite_url)
    assert [t.params["units"] for t in fresh.trials] == [t.params["units"] for t in study.trials]
    assert all(type(t.params["units"]) is int for t in fresh.trials)
    assert study.best_params["units"] == 32
    assert fresh.trials[0].distributions["units"].choices == (32, 64)
    # A handle that never suggested "units" enqueues the number itself.
    fresh.enqueue_trial({"units": 64})
    fresh.optimize(objective, n_trials=1)
    assert fresh.trials[-1].state == TrialState.COMPLETE and fresh.trials[-1].params["units"] == 64


def test_categorical_bad_choices():
    t = hone.create_study().ask()
    # 1 and 1.0 are one JSON value (an exact integer is an int choice).
    with pytest.raises(hone.InvalidArgumentError, match="duplicate"):
        t.suggest_categorical("c", [1, 1.0])
    with pytest.raises(TypeError, match="list"):
        t.suggest_categorical("c", [[1], [2]])
    # Choices JSON cannot hold exactly fall back to strings, where 1 and "1" collide.
    with pytest.raises(hone.InvalidArgumentError, match="same string form"):
        t.suggest_categorical("d", [1, "1", float("nan")])


def test_categorical_choices_keep_their_types():
    """Typed choices (0.4.0): 1 and "1", True and 1 are different choices; None is null;
    each comes back as the object given, also from a new handle on the storage."""
    study = hone.create_study(sampler="random", seed=1)
    choices = [1, "1", True, None, 0.5, 2.0]
    seen = []
    study.optimize(lambda t: seen.append(t.suggest_categorical("c", choices)) or 0.0, n_trials=40)
    assert all(any(v is c or (v == c and type(v) is type(c)) for c in choices) for v in seen)
    assert {repr(v) for v in seen} == {repr(c) for c in choices}
    for trial, value in zip(study.trials, seen):
        assert trial.params["c"] is value or (trial.params["c"] == value and type(trial.params["c"]) is type(value))
    from hone._lib import call_string, lib
    rows = json.loads(call_string(lib.hone_study_trials_json, study._handle, None))
    assert {json.dumps(r["params"]["c"]) for r in rows} == {"1", '"1"', "true", "null", "0.5", "2"}
    # Enqueue by typed value picks that choice, not a look-alike.
    study.enqueue_trial({"c": "1"})
    study.enqueue_trial({"c": True})
    study.enqueue_trial({"c": None})
    got = []
    study.optimize(lambda t: got.append(t.suggest_categorical("c", choices)) or 0.0, n_trials=3)
    assert [repr(v) for v in got] == ["'1'", "True", "None"]


def test_enqueue_trial_runs_the_given_parameters_first():
    study = hone.create_study(sampler="random", seed=0)

    def objective(t):
        x = t.suggest_float("x", -10, 10)
        units = t.suggest_categorical("units", [16, 32, 64])
        act = t.suggest_categorical("act", ["relu", None])
        return x + units + (0 if act is None else 1)

    study.optimize(objective, n_trials=1)
    study.enqueue_trial({"x": 1.5, "units": 64, "act": None}, user_attrs={"why": "baseline"})
    study.enqueue_trial({"x": 2})          # the rest is sampled
    study.optimize(objective, n_trials=2)
    first, second = study.trials[1], study.trials[2]
    assert first.params == {"x": 1.5, "units": 64, "act": None}
    assert first.value == 65.5 and first.user_attrs == {"why": "baseline"}
    assert second.params["x"] == 2.0
    with pytest.raises(hone.InvalidArgumentError):
        study.enqueue_trial({"x": [1, 2]})


def test_enqueued_value_outside_the_space_fails_that_trial():
    study = hone.create_study()
    study.enqueue_trial({"x": 50.0})
    study.optimize(quadratic, n_trials=1, catch=(ValueError,))
    (t,) = study.trials
    assert t.state == TrialState.FAIL and "x" in t.fail_reason


# -- optimize and objectives --------------------------------------------------------------------

def test_exception_in_objective_fails_that_trial_and_the_study_goes_on(caplog):
    def objective(t):
        x = t.suggest_float("x", 0, 1)
        if t.number % 3 == 1:
            raise ValueError(f"boom {t.number}")
        return x

    hone.logging.enable_propagation()       # caplog listens on the root logger
    study = hone.create_study(seed=0)
    try:
        study.optimize(objective, n_trials=9, catch=(Exception,))
    finally:
        hone.logging.disable_propagation()
    trials = study.trials
    assert len(trials) == 9
    for t in trials:
        if t.number % 3 == 1:
            assert t.state == TrialState.FAIL and t.fail_reason == f"ValueError: boom {t.number}"
            assert t.values is None
        else:
            assert t.state == TrialState.COMPLETE
    assert "boom 1" in caplog.text


def test_bad_return_values_fail_the_trial():
    returns = iter([None, "abc", [1.0, 2.0], float("nan"), 1.0])
    study = hone.create_study()
    study.optimize(lambda t: next(returns), n_trials=5)
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.FAIL] * 4 + [TrialState.COMPLETE]
    assert "None" in trials[0].fail_reason and "TypeError" in trials[0].fail_reason
    assert "'abc'" in trials[1].fail_reason
    assert "2 value(s)" in trials[2].fail_reason


def test_trial_pruned_in_objective_stores_pruned_with_the_last_report():
    def objective(t):
        for step in range(5):
            t.report(float(step * 10 + t.number), step)
            if step == 2 and t.number == 1:
                raise hone.TrialPruned()
        return 1.0

    study = hone.create_study()
    study.optimize(objective, n_trials=3)
    t = study.trials[1]
    assert t.state == TrialState.PRUNED and t.values == [21.0]
    assert t.intermediate_values == {0: 1.0, 1: 11.0, 2: 21.0} and t.last_step == 2
    assert [r["step"] for r in t.intermediate] == [0, 1, 2]
    assert study.trials[0].state == study.trials[2].state == TrialState.COMPLETE


def test_pruner_decides_should_prune():
    study = hone.create_study(pruner={"name": "threshold", "upper": 5.0})

    def objective(t):
        limit = t.suggest_int("limit", 0, 10)
        for step in range(10):
            t.report(float(step), step)
            if t.should_prune():
                assert step > 5     # only above the threshold
                raise hone.TrialPruned()
        return float(limit)

    study.optimize(objective, n_trials=3)
    assert all(t.state == TrialState.PRUNED and t.last_step == 6 for t in study.trials)


def test_keyboard_interrupt_stops_the_study_and_is_reraised():
    def objective(t):
        t.suggest_float("x", 0, 1)
        if t.number == 3:
            raise KeyboardInterrupt
        return 0.0

    study = hone.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=100)
    trials = study.trials
    assert len(trials) == 4
    assert trials[3].state == TrialState.FAIL and trials[3].fail_reason == "interrupted"
    # The study is usable afterwards.
    study.optimize(objective, n_trials=1)
    assert study.trial_count() == 5


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_stops_the_study_lets_running_trials_finish_and_is_reraised(n_jobs, sigint_raises):
    import _thread

    def objective(t):
        x = t.suggest_float("x", 0, 1)
        if t.number == 5:
            _thread.interrupt_main()      # what Ctrl-C does: SIGINT for the main thread
        time.sleep(0.01)
        return x

    study = hone.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=500, n_jobs=n_jobs)
    trials = study.trials
    assert 6 <= len(trials) <= 60       # of 500: stopped within about 0.1 s of the signal
    assert study.trial_count(states=["running"]) == 0      # nothing left half-done
    if n_jobs == 2:
        # The main thread only waits; the workers' running trials complete. A worker that
        # was asking for a trial as the interrupt landed gets it stored FAIL "interrupted"
        # without running it (hone_interrupt's rule): at most one per worker.
        late = [t for t in trials if t.state != TrialState.COMPLETE]
        assert all(t.state == TrialState.FAIL and t.fail_reason == "interrupted" for t in late), late
        assert len(late) <= n_jobs


def test_ctrl_c_with_jobs_fails_running_trials_that_check_should_prune(sigint_raises):
    import _thread

    def objective(t):
        x = t.suggest_float("x", 0, 1)
        if t.number < 2:
            return x
        if t.number == 3:
            time.sleep(0.05)              # trial 2 is running too
            _thread.interrupt_main()      # Ctrl-C: the main thread calls hone_interrupt
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if t.should_prune():          # answers True once interrupted
                raise hone.TrialPruned()
            time.sleep(0.002)
        return x

    study = hone.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=100, n_jobs=2)
    trials = study.trials
    assert [t.number for t in trials] == [0, 1, 2, 3]      # no trial after the interrupt
    assert [t.state for t in trials[:2]] == [TrialState.COMPLETE] * 2
    assert all(t.state == TrialState.FAIL and t.fail_reason == "interrupted" for t in trials[2:])
    # Resumes: the next optimize goes on after them.
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert study.trial_count() == 6


def test_exceptions_outside_catch_stop_the_study_and_are_reraised():
    def objective(t):
        t.suggest_float("x", 0, 1)
        if t.number == 0:
            raise ValueError("caught")
        if t.number == 2:
            raise RuntimeError("not caught")
        return 1.0

    study = hone.create_study()
    with pytest.raises(RuntimeError, match="not caught") as info:
        study.optimize(objective, n_trials=50, catch=(ValueError,))
    assert info.value.__traceback__ is not None
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.FAIL]
    assert study.trials[2].fail_reason == "RuntimeError: not caught"


def test_stop_from_the_objective_ends_optimize_normally():
    study = hone.create_study()

    def objective(t):
        if t.number == 4:
            study.stop()
        return t.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=100)
    assert study.trial_count() == 5


def test_n_jobs_two_runs_objectives_concurrently():
    lock = threading.Lock()
    running, peak, threads = [0], [0], set()

    def objective(t):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.02)
        x = t.suggest_float("x", -1, 1)
        with lock:
            running[0] -= 1
        return x * x

    study = hone.create_study(sampler="tpe", seed=0)
    study.optimize(objective, n_trials=20, n_jobs=2)
    assert study.trial_count(states=["complete"]) == 20
    assert peak[0] == 2 and len(threads) >= 2
    assert sorted(t.number for t in study.trials) == list(range(20))


def test_n_jobs_two_with_failures_and_interrupts():
    def objective(t):
        x = t.suggest_float("x", 0, 1)
        if t.number == 1:
            raise ZeroDivisionError("one")
        if t.number == 6:
            raise KeyboardInterrupt
        time.sleep(0.005)
        return x

    study = hone.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=200, n_jobs=2, catch=(Exception,))
    trials = study.trials
    assert 7 <= len(trials) < 20
    assert trials[1].fail_reason == "ZeroDivisionError: one"


def test_optimize_limits():
    study = hone.create_study()
    # Neither n_trials nor timeout: runs until stopped, as Optuna.
    def stops_at_five(t):
        if t.number == 4:
            t.study.stop()
        return quadratic(t)
    unlimited = hone.create_study()
    unlimited.optimize(stops_at_five)
    assert unlimited.trial_count() == 5
    with pytest.raises(hone.InvalidArgumentError, match="n_jobs"):
        study.optimize(quadratic, n_trials=1, n_jobs=0)
    start = time.monotonic()
    study.optimize(lambda t: time.sleep(0.05) or 1.0, timeout=0.3)
    elapsed = time.monotonic() - start
    assert 0.25 < elapsed < 2.0 and 3 <= study.trial_count() <= 8


def test_objective_trial_is_dead_after_its_call():
    kept = []
    study = hone.create_study()
    study.optimize(lambda t: kept.append(t) or 1.0, n_trials=1)
    with pytest.raises(hone.MisuseError, match="hone_trial") as info:
        kept[0].suggest_float("x", 0, 1)
    assert info.value.status_name == "HONE_MISUSE"


def test_closed_study_is_misuse():
    study = hone.create_study()
    t = study.ask()
    study.close()
    study.close()      # twice is harmless
    with pytest.raises(hone.MisuseError, match="closed"):
        study.ask()
    with pytest.raises(hone.MisuseError):
        t.suggest_float("x", 0, 1)
    with hone.create_study() as s:
        s.optimize(quadratic, n_trials=1)
    with pytest.raises(hone.MisuseError):
        s.trials


# -- results and attributes --------------------------------------------------------------------

def test_no_result_before_a_completed_trial():
    study = hone.create_study()
    for getter in (lambda: study.best_value, lambda: study.best_trial, lambda: study.best_params):
        with pytest.raises(hone.NoResultError) as info:
            getter()
        assert isinstance(info.value, ValueError) and info.value.status_name == "HONE_NO_RESULT"
        assert str(info.value)


def test_multi_objective_best_trials_is_the_pareto_front():
    study = hone.create_study(directions=["minimize", "minimize"], sampler="random", seed=0)
    assert study.n_objectives == 2

    def objective(t):
        x = t.suggest_float("x", 0, 1)
        y = t.suggest_float("y", 0, 1)
        return x, (1 - x) ** 2 + y

    study.optimize(objective, n_trials=30)
    trials = study.trials
    front = study.best_trials

    def dominates(a, b):
        return all(p <= q for p, q in zip(a.values, b.values)) and a.values != b.values

    expected = {t.number for t in trials if not any(dominates(o, t) for o in trials)}
    assert {t.number for t in front} == expected and len(expected) >= 2
    with pytest.raises(hone.InvalidArgumentError, match="objective"):
        study.best_value
    with pytest.raises(hone.InvalidArgumentError, match="best_trials"):
        study.best_trial
    with pytest.raises(ValueError):
        trials[0].value
    t = study.ask()
    t.report([0.5, 0.5], step=0)
    study.tell(t, [0.1, 0.2])
    assert study.trials[-1].values == [0.1, 0.2]


def test_single_objective_best_trials_is_the_best_trial():
    study = hone.create_study(seed=0)
    study.optimize(quadratic, n_trials=5)
    (best,) = study.best_trials
    assert best.number == study.best_trial.number


def test_frozen_trial_fields():
    study = hone.create_study()
    t = study.ask()
    t.suggest_float("lr", 1e-4, 1e-1, log=True)
    t.set_user_attr("arch", ["dense", 3])
    t.report(0.5, step=1)
    study.tell(t, 0.25)
    (f,) = study.trials
    assert f.user_attrs == {"arch": ["dense", 3]}
    assert f.distributions["lr"] == hone.distributions.FloatDistribution(1e-4, 1e-1, log=True)
    assert f.intermediate_values == {1: 0.5}
    assert f.datetime_start is not None and f.datetime_complete >= f.datetime_start
    # Naive local times, as Optuna's.
    assert f.datetime_start.tzinfo is None and f.duration.total_seconds() >= 0
    assert f.fail_reason is None and f.state.is_finished() and not TrialState.RUNNING.is_finished()


def test_study_attributes():
    study = hone.create_study()
    study.set_user_attr("dataset", "fashion-mnist")
    study.set_user_attr("n", 3)
    assert study.user_attrs == {"dataset": "fashion-mnist", "n": 3}
    assert isinstance(study.system_attrs, dict)
    with pytest.raises(hone.InvalidArgumentError, match="key"):
        study.set_user_attr("", 1)


def test_trial_states_filter_and_bad_state():
    study = hone.create_study()
    study.optimize(quadratic, n_trials=3)
    study.ask()
    assert study.trial_count(states=["complete", "running"]) == 4
    assert study.trial_count(states="running") == 1
    assert [t.number for t in study.get_trials(states=[TrialState.RUNNING])] == [3]
    with pytest.raises(hone.InvalidArgumentError, match="unknown trial state"):
        study.get_trials(states=["done"])


def test_copy_trials_from_warm_starts():
    source = hone.create_study(seed=0)
    source.optimize(quadratic, n_trials=5)
    target = hone.create_study(seed=1)
    assert target.copy_trials_from(source) == 5
    assert sorted(t.params["x"] for t in target.trials) == sorted(t.params["x"] for t in source.trials)
    with pytest.raises(hone.InvalidArgumentError, match="itself"):
        target.copy_trials_from(target)
    with pytest.raises(TypeError):
        target.copy_trials_from("source")


def test_error_classes_map_every_status():
    from hone import errors
    expected = {1: hone.HoneError, 2: hone.MisuseError, 3: hone.InvalidArgumentError, 4: hone.NotFoundError,
                5: hone.ExistsError, 6: hone.WrongStateError, 7: hone.StorageError, 8: hone.HoneIOError,
                9: hone.ScriptError, 10: hone.TrialPruned, 11: hone.StoppedError, 12: hone.NoResultError}
    lib = hone._clib
    for status, cls in expected.items():
        e = errors.error_for(status, "message")
        assert type(e) is cls and e.status == status and str(e) == "message"
        assert e.status_name == lib.hone_status_name(status).decode()
    assert type(errors.error_for(99, "")) is hone.HoneError
    assert str(errors.error_for(6, "")) == "HONE_WRONG_STATE"
    assert isinstance(errors.error_for(8, "x"), OSError)


def test_dropped_trials_free_their_handles():
    import ctypes
    from hone._lib import check, lib
    study = hone.create_study()
    t = study.ask()
    handle = t._handle
    check(lib.hone_trial_number(handle, ctypes.byref(ctypes.c_int64())))      # live
    del t
    with pytest.raises(hone.MisuseError, match="closed or freed"):
        check(lib.hone_trial_number(handle, ctypes.byref(ctypes.c_int64())))
    # Freeing does not tell: the trial is still running in the study.
    assert study.trial_count(states=["running"]) == 1


@pytest.mark.skipif(not os.environ.get("HONE_TEST_POSTGRES_URL"),
                    reason="needs HONE_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
def test_postgresql_study_shared_by_two_handles():
    url = os.environ["HONE_TEST_POSTGRES_URL"]
    name = f"python-{uuid.uuid4().hex[:12]}"
    a = hone.create_study(storage=url, study_name=name, sampler="random", seed=0)
    try:
        b = hone.load_study(study_name=name, storage=url, seed=1)
        workers = [threading.Thread(target=a.optimize, args=(quadratic,), kwargs={"n_trials": 10, "n_jobs": 2}),
                   threading.Thread(target=b.optimize, args=(quadratic,), kwargs={"n_trials": 10})]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        numbers = sorted(t.number for t in a.trials)
        assert numbers == list(range(20))                       # no number handed out twice
        assert b.trial_count(states=["complete"]) == 20
        assert name in hone.get_all_study_names(url)
    finally:
        hone.delete_study(study_name=name, storage=url)
    assert name not in hone.get_all_study_names(url)


def test_numeric_categorical_enqueued_as_string_before_the_first_trial():
    study = hone.create_study()
    study.enqueue_trial({"units": "64", "act": None})
    study.optimize(lambda t: t.suggest_categorical("units", [32, 64]) + (t.suggest_categorical("act", [None, "relu"]) is None),
                   n_trials=1)
    (t,) = study.trials
    assert t.state == TrialState.COMPLETE and t.params == {"units": 64, "act": None} and t.value == 65


def test_noisy_objective_recommends_by_posterior_mean_not_the_luckiest_value():
    """noisy_objective=True (the C options' "noisy_objective"): best_trial is, among the
    best observed trials, the one a GP's posterior mean confidently ranks first; over 30
    seeds of 60 random trials with large noise it is better in noise-free value than the
    trial with the lowest noisy value, and best_value/best_params follow best_trial."""
    import random

    def truth(p):
        return (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2

    better, worse, rec_total, obs_total = 0, 0, 0.0, 0.0
    for seed in range(30):
        noise = random.Random(seed)
        study = hone.create_study(sampler="random", seed=seed, noisy_objective=True)
        plain = hone.create_study(sampler="random", seed=seed)
        for _ in range(60):
            t = study.ask()
            p = {"x": t.suggest_float("x", 0, 1), "y": t.suggest_float("y", 0, 1)}
            v = truth(p) + noise.gauss(0, 0.2)
            study.tell(t, v)
            plain.add_trial(hone.trial.create_trial(params=p, distributions=t.distributions, value=v))
        rec, obs = study.best_trial, plain.best_trial
        assert obs.value == min(t.value for t in study.trials)
        assert study.best_value == rec.value and study.best_params == rec.params
        better += truth(rec.params) < truth(obs.params)
        worse += truth(rec.params) > truth(obs.params)
        rec_total += truth(rec.params)
        obs_total += truth(obs.params)
    # It moves away from the best observed trial only when the model is confident.
    assert better >= 4 * worse and better >= 4, (better, worse)
    assert rec_total < 0.75 * obs_total, (rec_total, obs_total)


def test_noisy_objective_must_be_a_bool():
    with pytest.raises(TypeError, match="noisy_objective"):
        hone.create_study(noisy_objective="yes")
    with pytest.raises(hone.errors.InvalidArgumentError, match="noisy_objective"):
        hone.study._open(None, None, {"noisy_objective": 1})
