"""Strategies reached by name from Python (the same registry as hone.h's options JSON,
Lua study scripts and hone tune)."""
import pytest

import hone


def test_grid_runs_every_point_once_then_stops():
    study = hone.create_study(sampler={"name": "grid", "search_space": {"width": [32, 64, 128], "act": ["relu", "tanh"]}},
                              seed=0)
    study.optimize(lambda t: t.suggest_int("width", 16, 256) + (t.suggest_categorical("act", ["relu", "tanh"]) == "tanh"),
                   n_trials=50)
    points = {(t.params["width"], t.params["act"]) for t in study.trials}
    assert len(study.trials) == 6 and len(points) == 6


def test_bad_grid_names_the_option():
    with pytest.raises(hone.InvalidArgumentError, match="search_space"):
        hone.create_study(sampler="grid")
