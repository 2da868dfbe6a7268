"""Models Hone saves are ordinary .safetensors files: Python's `safetensors` reads them."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from safetensors import safe_open

ROOT = Path(__file__).resolve().parents[2]
HONE = Path(os.environ.get("HONE_CLI", ROOT / ".build" / "debug" / "hone-cli"))


def test_saved_model_loads_in_python(tmp_path):
    out = tmp_path / "moons.safetensors"
    run = subprocess.run(
        [str(HONE), "train", "--data", str(ROOT / "scripts" / "data" / "moons.csv"), "--target", "label",
         "--hidden", "16,8", "--epochs", "2", "--batch-size", "32", "--save", str(out)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "test accuracy" in run.stdout

    tensors = load_file(str(out))
    with safe_open(str(out), framework="numpy") as f:
        metadata = f.metadata()
    description = json.loads(metadata["hone.model"])
    assert description["kind"] == "mlp" and description["hiddenWidths"] == [16, 8]

    widths = [description["inputCount"], 16, 8, description["outputCount"]]
    weights = sorted((k for k in tensors if k.endswith(".weight")), key=lambda k: int(k.split(".")[0]))
    assert [tensors[k].shape for k in weights] == [(a, b) for a, b in zip(widths, widths[1:])]
    for k, v in tensors.items():
        assert v.dtype == np.float32 and np.all(np.isfinite(v)), k


def test_bad_flag_is_a_clear_error():
    run = subprocess.run([str(HONE), "train", "--data", "no-such-set"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "no-such-set" in run.stderr
