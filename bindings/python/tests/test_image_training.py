"""hone.train's image-training options through the C API: residual BatchNorm CNNs,
crop/flip augmentation, label smoothing and the one-cycle schedule; misuse raises with
the library's message."""
import numpy as np
import pytest

import hone


def bars(n, seed):
    """8×8 images with a bright horizontal (class 0) or vertical (class 1) bar over noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.2, size=(n, 1, 8, 8)).astype(np.float32)
    y = np.arange(n) % 2
    for i in range(n):
        k = 1 + rng.integers(0, 6)
        if y[i] == 0:
            x[i, 0, k, :] += 1
        else:
            x[i, 0, :, k] += 1
    return x, y


def test_residual_cnn_with_augmentation_smoothing_and_one_cycle_learns(tmp_path):
    x, y = bars(256, 0)
    xt, yt = bars(128, 1)
    description = {"kind": "cnn", "input_shape": [1, 8, 8], "channels": [4], "batch_norm": True, "residual": True}
    options = dict(epochs=6, batch_size=32, lr=3e-3, seed=3, crop_padding=1, horizontal_flip=True,
                   label_smoothing=0.1, schedule="one_cycle", validation_fraction=0)
    model = hone.train(x, y, model=description, **options)
    assert model.evaluate(xt, yt)["accuracy"] > 0.9
    # Same seed, same augmented run; the rates follow one cycle (last epoch's last batch far below the peak).
    again = hone.train(x, y, model=description, **options)
    assert np.array_equal(model.predict(xt), again.predict(xt))
    assert model.history[-1]["lr"] < 1e-4
    # The description (with "residual") is saved with the weights.
    model.save(tmp_path / "residual.safetensors")
    loaded = hone.load_model(tmp_path / "residual.safetensors")
    assert np.array_equal(loaded.predict(xt), model.predict(xt))


@pytest.mark.parametrize("kwargs, words", [
    ({"crop_padding": 2}, ["augmentation", "[channels, height, width]"]),
    ({"crop_padding": 100}, ["crop_padding"]),
    ({"label_smoothing": 1.5}, ["label_smoothing"]),
    ({"schedule": {"name": "one_cycle", "warmup": 2}}, ["one_cycle", "warm-up"]),
    ({"schedule": {"name": "one_cycle", "peak_fraction": 2}}, ["peak_fraction"]),
])
def test_bad_image_training_options_raise(kwargs, words):
    x, y = np.zeros((8, 64), dtype=np.float32), np.arange(8) % 2
    with pytest.raises(hone.HoneError) as info:
        hone.train(x, y, hidden=[4], epochs=1, **kwargs)
    for w in words:
        assert w in str(info.value)
