"""hone.auto: AutoML on numpy arrays through hone_auto."""
import numpy as np
import pytest

import hone


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[0, 0], [3, 0], [0, 3]], dtype=np.float32)
    # A feature on a scale 1000× the others: the search standardizes tabular features.
    x = np.hstack([centres[y] + rng.normal(0, 0.6, (n, 2)), rng.normal(0, 1000, (n, 1))]).astype(np.float32)
    return x, y


def test_auto_classifies_and_predicts_on_raw_rows(tmp_path):
    x, y = blobs(300, 0)
    xt, yt = blobs(120, 1)
    found = hone.auto(x, y, x_test=xt, y_test=yt, max_trials=3, max_epochs=15, seed=0,
                      output=str(tmp_path / "m.safetensors"), report=str(tmp_path / "r.html"))
    assert found.result["task"] == "classification"
    assert found.test_score > 0.85
    accuracy = (found.predict_classes(xt) == yt).mean()
    assert accuracy == pytest.approx(found.result["test_accuracy"], abs=1e-6)
    assert found.predict(xt).shape == (120, 3)
    assert (tmp_path / "m.safetensors").exists() and (tmp_path / "r.html").exists()
    assert set(found.params) >= {"lr", "optimizer"}


def test_auto_ensemble_averages_the_best_trials_into_one_model(tmp_path):
    x, y = blobs(300, 0)
    xt, yt = blobs(120, 1)
    url = "sqlite:///" + str(tmp_path / "auto.db")
    found = hone.auto(x, y, x_test=xt, y_test=yt, max_trials=6, max_epochs=8, seed=0, jobs=2, ensemble=2,
                      storage=url, study_name="ens")
    complete = [t for t in hone.load_study(study_name="ens", storage=url).trials if t.state == hone.TrialState.COMPLETE]
    # Members: the best, then what ensemble selection adds among the next best complete trials.
    members = found.result["ensemble_trials"]
    assert members[0] == found.result["trial"] and 1 <= len(members) == len(set(members)) <= 2
    assert set(members) <= {t.number for t in complete}
    probabilities = found.predict(xt)
    assert probabilities.shape == (120, 3)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    accuracy = (found.predict_classes(xt) == yt).mean()
    assert accuracy == pytest.approx(found.result["test_accuracy"], abs=1e-6)
    # The saved ensemble loads as one model, and the same spec builds it from scratch.
    found.model.save(str(tmp_path / "ensemble.safetensors"))
    loaded = hone.load_model(str(tmp_path / "ensemble.safetensors"))
    rows = found._scaled(xt)
    assert np.array_equal(loaded.predict(rows), found.model.predict(rows))
    # Regression members average their outputs, in the target's units.
    rng = np.random.default_rng(2)
    xr = rng.uniform(-1, 1, (200, 3)).astype(np.float32)
    yr = (50 + 20 * xr[:, 0]).astype(np.float32)
    regressor = hone.auto(xr, yr, max_trials=4, max_epochs=10, seed=0, ensemble=2)
    assert 1 <= len(regressor.result["ensemble_trials"]) <= 2
    assert abs(float(regressor.predict(xr).mean()) - float(yr.mean())) < 5
    with pytest.raises(hone.InvalidArgumentError, match="ensemble"):
        hone.auto(x, y, max_trials=1, ensemble=0)
    # refit=True retrains the members on all the data; models names the families searched.
    refit = hone.auto(x, y, x_test=xt, y_test=yt, max_trials=3, max_epochs=4, seed=0, ensemble=1, refit=True)
    assert len(refit.result["ensemble_trials"]) == 1
    with pytest.raises(hone.InvalidArgumentError, match="needs image data"):
        hone.auto(x, y, max_trials=1, models=["cnn"])


def test_auto_regression_predicts_in_target_units():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (300, 3)).astype(np.float32)
    y = (50 + 20 * x[:, 0] - 10 * x[:, 1]).astype(np.float32)
    found = hone.auto(x, y, max_trials=3, max_epochs=20, seed=0)
    assert found.result["task"] == "regression"
    assert found.result["test_rmse"] < 10          # std of y is ~13
    assert abs(float(found.predict(x).mean()) - float(y.mean())) < 5


def test_auto_needs_a_budget_and_consistent_test_data():
    x, y = blobs(50, 0)
    with pytest.raises(hone.InvalidArgumentError, match="time_budget"):
        hone.auto(x, y)
    with pytest.raises(hone.InvalidArgumentError, match="x_test"):
        hone.auto(x, y, max_trials=1, x_test=x)
    with pytest.raises(hone.InvalidArgumentError, match="test_fraction"):
        hone.auto(x, y, max_trials=1, test_fraction=2.0)
