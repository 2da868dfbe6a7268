"""Studies written by Optuna itself — an RDB SQLite file and a JournalStorage file — come into
a Hone storage through hone.import_optuna_study and `hone import-optuna` with their trials:
states, values, parameters (float, log-int, categorical), intermediate values, attributes."""
import math
import os
import subprocess
from pathlib import Path

import pytest

import hone

optuna = pytest.importorskip("optuna")
ROOT = Path(__file__).resolve().parents[3]
HONE_CLI = Path(os.environ.get("HONE_CLI", ROOT / ".build" / "debug" / "hone-cli"))


def optuna_study(storage, name, directions=("minimize",)):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=name, storage=storage, directions=list(directions),
                                sampler=optuna.samplers.RandomSampler(seed=0))
    study.set_user_attr("owner", "tests")

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        width = trial.suggest_int("width", 8, 256, log=True)
        act = trial.suggest_categorical("act", ["relu", "tanh"])
        trial.set_user_attr("note", f"w{width}")
        if len(directions) == 1:
            for step in range(3):
                trial.report(x * x + step, step)
        if trial.number == 3 and len(directions) == 1:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise ValueError("boom")
        value = x * x + (act == "tanh") + 1 / width
        return value if len(directions) == 1 else (value, -value)

    study.optimize(objective, n_trials=8, catch=(ValueError,))
    return study


def same_trials(theirs, ours):
    assert len(ours) == len(theirs)
    for a, b in zip(theirs, ours):
        assert b.state.name == a.state.name
        assert b.params == a.params
        if a.state.name == "COMPLETE":
            assert list(b.values) == list(a.values)
        assert b.intermediate_values == a.intermediate_values
        assert b.user_attrs == a.user_attrs


@pytest.mark.parametrize("kind", ["rdb", "journal"])
def test_import_optuna_study_keeps_every_trial(tmp_path, kind):
    if kind == "rdb":
        source_path = tmp_path / "optuna.db"
        source = f"sqlite:///{source_path}"
    else:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend
        source_path = tmp_path / "optuna.log"
        source = JournalStorage(JournalFileBackend(str(source_path)))
    theirs = optuna_study(source, "mlp")
    optuna_study(source, "pareto", directions=("minimize", "maximize"))

    target = f"sqlite:///{tmp_path}/hone.db"
    assert sorted(hone.import_optuna_study(str(source_path), target)) == ["mlp", "pareto"]
    ours = hone.load_study(study_name="mlp", storage=target)
    same_trials(theirs.trials, ours.trials)
    assert ours.best_value == theirs.best_value and ours.best_params == theirs.best_params
    assert ours.user_attrs == {"owner": "tests"}
    assert [d.name for d in hone.load_study(study_name="pareto", storage=target).directions] == ["MINIMIZE", "MAXIMIZE"]
    with pytest.raises(hone.ExistsError):
        hone.import_optuna_study(str(source_path), target, study_name="mlp")

    # The command does the same.
    cli_target = tmp_path / "cli.db"
    run = subprocess.run([str(HONE_CLI), "import-optuna", str(source_path), "--storage", f"sqlite:///{cli_target}",
                          "--study", "mlp"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert 'imported "mlp": 8 trial(s)' in run.stdout
    same_trials(theirs.trials, hone.load_study(study_name="mlp", storage=f"sqlite:///{cli_target}").trials)


def test_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(hone.NotFoundError):
        hone.import_optuna_study(str(tmp_path / "missing.db"), "memory:")
    junk = tmp_path / "junk.log"
    junk.write_text("not json\n")
    with pytest.raises(hone.HoneError, match="not an Optuna journal line"):
        hone.import_optuna_study(str(junk), "memory:")
