"""hone.train on numpy arrays: it learns, predicts, evaluates, saves and loads; callbacks
stop or prune it; bad arrays and options raise with the library's message."""
import numpy as np
import pytest

import hone


def blobs(n, seed, classes=3, features=4):
    """Gaussian clusters around well-separated centres: easy for an MLP, chance = 1/classes."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(100).normal(0, 3, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    x = centres[y] + rng.normal(0, 1, size=(n, features))
    return x.astype(np.float32), y


@pytest.fixture(scope="module")
def data():
    return blobs(600, 0), blobs(300, 1)


@pytest.fixture(scope="module")
def trained(data):
    (x, y), (xv, yv) = data
    return hone.train(x, y, hidden=[32], epochs=15, lr=1e-2, batch_size=32, validation=(xv, yv), seed=0)


def test_train_learns_well_above_chance(data, trained):
    (_, _), (xv, yv) = data
    accuracy = float((trained.predict_classes(xv) == yv).mean())
    assert accuracy > 0.9            # chance is 1/3
    metrics = trained.evaluate(xv, yv)
    assert metrics["accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert metrics["loss"] < 0.5
    assert trained.result["epochs"] == 15 and len(trained.history) == 15
    assert trained.history[-1]["val_accuracy"] == pytest.approx(metrics["accuracy"], abs=1e-6)
    assert trained.classification and trained.outputs == 3 and trained.input_shape == (4,)


def test_predict_gives_probabilities(data, trained):
    (_, _), (xv, _) = data
    p = trained.predict(xv)
    assert p.shape == (300, 3) and p.dtype == np.float32
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5) and (p >= 0).all()
    # Row-wise, batch-independent up to rounding: OpenBLAS picks a different sgemm path for 7
    # rows than for 300 (and AVX-512 kernels round differently from AVX2 ones), so the sums
    # of 4- and 32-term float32 dot products may differ in their last bits; after softmax
    # that is a few float32 ulps of a value <= 1.
    assert np.allclose(trained.predict(xv[:7]), p[:7], rtol=0, atol=1e-5)


def test_save_load_round_trip_predicts_the_same(tmp_path, data, trained):
    (_, _), (xv, yv) = data
    path = tmp_path / "model.safetensors"
    trained.save(path)
    loaded = hone.load_model(path)
    assert loaded.outputs == 3 and loaded.input_shape == (4,) and loaded.classification
    assert np.array_equal(loaded.predict(xv), trained.predict(xv))
    assert loaded.evaluate(xv, yv) == trained.evaluate(xv, yv)
    # Weights into a fresh, untrained model of the same shape.
    fresh = hone.train(xv, yv, hidden=[32], epochs=1, seed=5)
    assert not np.array_equal(fresh.predict(xv), trained.predict(xv))
    fresh.load_weights(path)
    assert np.array_equal(fresh.predict(xv), trained.predict(xv))


def test_same_seed_same_weights(data):
    (x, y), (xv, _) = data
    a = hone.train(x[:200], y[:200], hidden=[8], epochs=2, seed=3)
    b = hone.train(x[:200], y[:200], hidden=[8], epochs=2, seed=3)
    c = hone.train(x[:200], y[:200], hidden=[8], epochs=2, seed=4)
    assert np.array_equal(a.predict(xv), b.predict(xv))
    assert not np.array_equal(a.predict(xv), c.predict(xv))


def test_regression_from_float_targets():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(500, 3)).astype(np.float32)
    y = (x @ np.array([1.5, -2.0, 0.5]) + 0.3).astype(np.float32)
    model = hone.train(x[:400], y[:400], hidden=[32], epochs=40, lr=1e-2, batch_size=32, seed=0)
    assert not model.classification and model.outputs == 1
    pred = model.predict(x[400:])
    assert pred.shape == (100, 1)
    metrics = model.evaluate(x[400:], y[400:])
    assert metrics["r2"] > 0.9 and metrics["rmse"] == pytest.approx(
        float(np.sqrt(((pred[:, 0] - y[400:]) ** 2).mean())), rel=1e-3)
    with pytest.raises(hone.InvalidArgumentError, match="classification"):
        model.predict_classes(x)


def test_on_epoch_sees_every_epoch_and_can_stop_early(data):
    (x, y), (xv, yv) = data
    seen = []

    def on_epoch(m):
        seen.append(m)
        return len(seen) < 3

    model = hone.train(x, y, hidden=[8], epochs=10, validation=(xv, yv), on_epoch=on_epoch)
    assert len(seen) == 3 and model.result["stop_reason"] == "on_epoch" and len(model.history) == 3
    assert [m["epoch"] for m in seen] == sorted(m["epoch"] for m in seen)
    assert all({"train_loss", "val_loss", "val_accuracy"} <= set(m) for m in seen)
    assert model.predict(xv).shape == (300, 3)     # the model keeps what it learned


def test_on_epoch_prune_and_errors_propagate(data):
    (x, y), (xv, yv) = data

    def prune(m):
        raise hone.TrialPruned()

    with pytest.raises(hone.TrialPruned):
        hone.train(x, y, epochs=5, validation=(xv, yv), on_epoch=prune)

    def broken(m):
        raise KeyError("no such metric")

    with pytest.raises(KeyError, match="no such metric"):
        hone.train(x, y, epochs=5, on_epoch=broken)


def test_training_inside_an_objective_with_pruning(data):
    (x, y), (xv, yv) = data
    study = hone.create_study(direction="maximize", pruner={"name": "threshold", "lower": 0.99}, seed=0)

    def objective(trial):
        width = trial.suggest_categorical("width", [4, 16])

        def on_epoch(m):
            trial.report(m["val_accuracy"], m["epoch"])
            if trial.should_prune():
                raise hone.TrialPruned()

        model = hone.train(x, y, hidden=[width], epochs=3, validation=(xv, yv), on_epoch=on_epoch)
        return model.evaluate(xv, yv)["accuracy"]

    study.optimize(objective, n_trials=2)
    # Accuracy below 0.99 after the first epoch: the threshold pruner stops each trial.
    assert [t.state for t in study.trials] == [hone.TrialState.PRUNED] * 2
    assert all(len(t.intermediate_values) == 1 for t in study.trials)


def test_cnn_description(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1, 6, 6)).astype(np.float32)
    y = (x[:, 0, :3].mean(axis=(1, 2)) > x[:, 0, 3:].mean(axis=(1, 2))).astype(np.int64)
    model = hone.train(x, y, model={"kind": "cnn", "input_shape": [1, 6, 6], "channels": [4], "hidden": [8]},
                       epochs=2, batch_size=16)
    assert model.input_shape == (1, 6, 6) and model.predict(x).shape == (64, 2)
    model.save(tmp_path / "cnn.safetensors")
    loaded = hone.load_model(tmp_path / "cnn.safetensors")
    assert loaded.input_shape == (1, 6, 6) and np.array_equal(loaded.predict(x), model.predict(x))


@pytest.mark.parametrize("kwargs, words", [
    ({"x": np.zeros(10), "y": np.zeros(10, dtype=int)}, ["one row per sample"]),
    ({"x": np.zeros((10, 2)), "y": np.zeros(9, dtype=int)}, ["10 samples", "9 labels"]),
    ({"x": np.full((4, 2), np.nan), "y": np.array([0, 1, 0, 1])}, ["x[0][0]", "finite"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 5]), "n_classes": 2}, ["y[3]", "class"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 1]), "optimizer": "adagrad"}, ["adagrad"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 1]), "epochs": -1}, ["epochs"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 1]), "activation": "swishy"}, ["swishy"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 1]), "model": {"kind": "rnn"}}, ["rnn"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0, 1, 0, 1]), "task": "ranking"}, ["ranking"]),
    ({"x": np.zeros((4, 2)), "y": np.array([0.5, 1, 0, 1]), "task": "regression", "n_classes": 2}, ["n_classes"]),
])
def test_bad_training_input_raises_invalid_argument(kwargs, words):
    with pytest.raises(hone.InvalidArgumentError) as info:
        hone.train(**kwargs)
    for w in words:
        assert w in str(info.value)


def test_bad_use_of_a_model(tmp_path, trained):
    with pytest.raises(hone.InvalidArgumentError, match="shape mismatch"):
        trained.predict(np.zeros((2, 5)))
    with pytest.raises(hone.InvalidArgumentError, match="samples"):
        trained.evaluate(np.zeros((2, 4)), np.zeros(3, dtype=int))
    with pytest.raises(hone.HoneIOError) as info:
        trained.save(tmp_path / "no" / "such" / "dir" / "m.safetensors")
    assert isinstance(info.value, OSError) and "m.safetensors" in str(info.value)
    with pytest.raises(hone.NotFoundError, match="no such file"):
        hone.load_model(tmp_path / "missing.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(hone.InvalidArgumentError, match="junk.safetensors"):
        hone.load_model(tmp_path / "junk.safetensors")
    with pytest.raises(hone.InvalidArgumentError):
        trained.load_weights(tmp_path / "junk.safetensors")
    with pytest.raises(TypeError):
        hone.train(np.zeros((4, 2)), np.array([0, 1, 0, 1]), validation=np.zeros((4, 2)))


def test_closed_model_is_misuse(data):
    (x, y), _ = data
    model = hone.train(x[:50], y[:50], hidden=[4], epochs=1)
    model.close()
    with pytest.raises(hone.MisuseError):
        model.predict(x[:2])


def test_init_starts_from_a_saved_model(tmp_path, data, trained):
    (x, y), (xv, yv) = data
    path = str(tmp_path / "warm.safetensors")
    trained.save(path)
    # Zero epochs of training: the network is exactly the saved one.
    warm = hone.train(x, y, hidden=[32], epochs=1, lr=1e-12, batch_size=32, seed=5, init=path)
    assert np.allclose(warm.predict(xv), trained.predict(xv), atol=1e-4)
    cold = hone.train(x, y, hidden=[32], epochs=1, lr=1e-12, batch_size=32, seed=5)
    assert not np.allclose(cold.predict(xv), trained.predict(xv), atol=1e-2)
    with pytest.raises(hone.InvalidArgumentError):
        hone.train(x, y, hidden=[16], epochs=1, init=path)
