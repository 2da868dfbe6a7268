"""Storage URLs from Python are SQLAlchemy's, as in Optuna (the library parses them, in one
place for C, Python, Lua and the command): sqlite:///rel.db is ./rel.db, sqlite:////abs.db
an absolute path, +driver suffixes are accepted."""
import os

import pytest

import hone


def test_three_slashes_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study = hone.create_study(storage="sqlite:///db.sqlite3", study_name="rel", seed=0)   # Optuna's README URL
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert (tmp_path / "db.sqlite3").is_file()
    absolute = "sqlite:///" + str(tmp_path / "db.sqlite3")          # "sqlite:////tmp/...": four slashes
    assert absolute.startswith("sqlite:////")
    assert len(hone.load_study(study_name="rel", storage=absolute).trials) == 3
    assert len(hone.load_study(study_name="rel", storage="sqlite+pysqlite:///db.sqlite3").trials) == 3


def test_url_written_for_the_old_rule_says_how_to_write_it_now(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(hone.InvalidArgumentError) as error:
        hone.create_study(storage="sqlite:///no-such-folder/x.db", study_name="old")
    message = str(error.value)
    assert "relative path no-such-folder/x.db" in message
    assert "write sqlite:////no-such-folder/x.db (four slashes)" in message
    assert not os.path.exists(tmp_path / "no-such-folder")
