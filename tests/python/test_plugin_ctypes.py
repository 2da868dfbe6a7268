"""libhone.so loaded by Python's ctypes (RTLD_LOCAL, as ctypes does by default) can still
load a native plugin: the plugin calls hone_registry_add_sampler and hone_context_* by
name, and hone_plugin_load makes the library's symbols visible to it first."""
import ctypes
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIB = Path(os.environ.get("HONE_LIB", ROOT / ".build" / "debug" / "libhone.so"))


def test_plugin_sampler_through_ctypes(tmp_path):
    plugin = tmp_path / "gaussian.so"
    subprocess.run(["cc", "-std=c99", "-shared", "-fPIC", "-I", str(ROOT / "include"),
                    str(ROOT / "examples" / "plugins" / "gaussian_sampler.c"), "-o", str(plugin), "-lm"], check=True)
    lib = ctypes.CDLL(str(LIB))
    lib.hone_errmsg.restype = ctypes.c_char_p
    lib.hone_free.argtypes = [ctypes.c_void_p]

    names = ctypes.c_void_p()
    assert lib.hone_plugin_load(str(plugin).encode(), ctypes.byref(names)) == 0, lib.hone_errmsg()
    assert json.loads(ctypes.string_at(names.value))["samplers"] == ["gaussian"]
    lib.hone_free(names)

    study = ctypes.c_void_p()
    assert lib.hone_study_open(b"memory:", None, b'{"sampler": "gaussian", "seed": 1}', ctypes.byref(study)) == 0, lib.hone_errmsg()
    trial = ctypes.c_void_p()
    value = ctypes.c_double()
    for _ in range(8):
        assert lib.hone_study_ask(study, ctypes.byref(trial)) == 0, lib.hone_errmsg()
        assert lib.hone_trial_suggest_float(trial, b"x", ctypes.c_double(-2.0), ctypes.c_double(2.0),
                                            ctypes.c_double(0.0), ctypes.c_uint(0), ctypes.byref(value)) == 0, lib.hone_errmsg()
        assert -2.0 <= value.value <= 2.0
        y = ctypes.c_double(value.value ** 2)
        assert lib.hone_study_tell(study, trial, 1, ctypes.byref(y), ctypes.c_size_t(1)) == 0, lib.hone_errmsg()
        lib.hone_trial_free(trial)
    lib.hone_study_close(study)
