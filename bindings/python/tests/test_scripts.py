"""Lua study scripts and plugins from Python."""
import shutil
import subprocess
import textwrap

import pytest

import hone


def test_run_script_returns_the_study(root, sqlite_url):
    study = hone.run_script(root / "scripts" / "branin.lua", trials=8, seed=0, storage=sqlite_url)
    assert study.study_name == "branin" and study.trial_count() == 8
    best = study.best_trial
    assert set(best.params) == {"x1", "x2"} and study.best_value == min(t.value for t in study.trials)
    # The script's trials are in the storage it was told to use.
    assert "branin" in hone.get_all_study_names(sqlite_url)
    again = hone.load_study(study_name="branin", storage=sqlite_url)
    assert again.trial_count() == 8


def test_run_script_with_the_same_seed_repeats(root):
    a = hone.run_script(root / "scripts" / "branin.lua", trials=5, seed=3)
    b = hone.run_script(root / "scripts" / "branin.lua", trials=5, seed=3)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_script_errors_come_back_with_file_and_line(tmp_path):
    script = tmp_path / "broken.lua"
    script.write_text(textwrap.dedent("""\
        study { name = "broken", direction = "minimize", trials = 2 }
        function objective(trial)
          local x = trial:suggest_float("x", 0, 1)
          return x + nil_value.field
        end
        """))
    # An error in the objective fails each trial (with file:line); the study itself runs.
    study = hone.run_script(script)
    assert [t.state for t in study.trials] == [hone.TrialState.FAIL] * 2
    assert "broken.lua:4" in study.trials[0].fail_reason and "nil_value" in study.trials[0].fail_reason

    syntax = tmp_path / "syntax.lua"
    syntax.write_text("study { name = 'x' \nfunction objective(\n")
    with pytest.raises(hone.ScriptError, match="syntax.lua:") as info:
        hone.run_script(syntax)
    assert info.value.status_name == "HONE_SCRIPT"


def test_run_script_argument_errors(tmp_path, root):
    with pytest.raises(hone.NotFoundError, match="no such script"):
        hone.run_script(tmp_path / "missing.lua")
    with pytest.raises(hone.InvalidArgumentError, match="trail"):
        hone.run_script(root / "scripts" / "branin.lua", trail=5)
    with pytest.raises(hone.InvalidArgumentError, match="trials"):
        hone.run_script(root / "scripts" / "branin.lua", trials=0)


def test_lua_plugin_registers_a_sampler_usable_by_name(root):
    names = hone.load_plugin(root / "examples" / "plugins" / "local_rules.lua")
    assert "lua-local" in names["samplers"]
    assert hone.load_plugin(root / "examples" / "plugins" / "local_rules.lua") is not None   # again: no-op
    assert "lua-local" in hone.registry()["samplers"]
    study = hone.create_study(sampler="lua-local", seed=0)
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=20)
    assert study.trial_count(states=["complete"]) == 20 and study.best_value < 1.0


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_native_plugin_sampler(tmp_path, root):
    so = tmp_path / "gaussian_sampler.so"
    subprocess.run(["cc", "-std=c99", "-shared", "-fPIC", f"-I{root / 'include'}",
                    str(root / "examples" / "plugins" / "gaussian_sampler.c"), "-o", str(so), "-lm"], check=True)
    names = hone.load_plugin(so)
    assert names["samplers"] == ["gaussian"]
    study = hone.create_study(sampler={"name": "gaussian", "sigma": 0.1}, seed=0)
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=30)
    assert study.best_value < 0.5
    # The plugin's create() refuses options it does not accept.
    for options in ({"sigma": 5.0}, {"width": 1}):
        with pytest.raises(hone.InvalidArgumentError, match="gaussian"):
            hone.create_study(sampler={"name": "gaussian", **options})


def test_plugin_errors(tmp_path):
    with pytest.raises(hone.NotFoundError):
        hone.load_plugin(tmp_path / "missing.so")
    bad = tmp_path / "bad.lua"
    bad.write_text("hone.sampler('x', 42)\n")
    with pytest.raises(hone.HoneError) as info:
        hone.load_plugin(bad)
    assert "bad.lua" in str(info.value)
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"\x7fELF" + b"\x00" * 200)
    with pytest.raises(hone.HoneError, match="junk.so"):
        hone.load_plugin(junk)


def test_registry_lists_the_built_ins():
    r = hone.registry()
    assert {"tpe", "random", "gp", "cmaes", "nsga2"} <= set(r["samplers"])
    assert {"median", "hyperband", "none"} <= set(r["pruners"])
    assert {"hyperband", "pbt", "async_pbt"} <= set(r["schedulers"])
    assert set(r) == {"samplers", "pruners", "schedulers", "objectives", "datasets"}
