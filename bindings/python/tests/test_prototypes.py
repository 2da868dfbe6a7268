"""The ctypes prototypes of hone/_lib.py against include/hone.h, both ways: every
prototype is a function of the header with the header's argument and result types, and
every header function has a prototype unless it is one only plugins call (the C side is
checked by the compiler: Sources/Hone/HeaderSignatures.swift)."""
import re
import shutil
import subprocess
from ctypes import POINTER, c_char, c_char_p, c_double, c_float, c_int, c_int64, c_size_t, c_uint, c_uint64, c_void_p

import pytest

from hone import _lib

# Called by plugins from inside the library (hone_plugin_init, sampler/pruner callbacks),
# not by a Python program.
PLUGIN_ONLY = {"hone_registry_add_sampler", "hone_registry_add_pruner", "hone_registry_add_objective",
               "hone_registry_add_dataset", "hone_context_directions", "hone_context_trial_number",
               "hone_context_n_completed", "hone_context_completed_value", "hone_context_completed_param",
               "hone_context_intermediate", "hone_context_random"}

HANDLES = {"hone_study", "hone_trial", "hone_dataset", "hone_model", "hone_registry", "hone_plugin_context"}
SCALARS = {"double": c_double, "float": c_float, "int64_t": c_int64, "size_t": c_size_t, "int": c_int,
           "unsigned int": c_uint, "unsigned": c_uint, "uint32_t": c_uint, "uint64_t": c_uint64, "hone_status": c_int,
           "hone_trial_state": c_int, "void *": c_void_p}
CALLBACKS = {"hone_objective_fn": _lib.OBJECTIVE_FN, "hone_trial_finished_fn": _lib.TRIAL_FINISHED_FN,
             "hone_epoch_fn": _lib.EPOCH_FN}


def ctype(c_type):
    """The ctypes type a C parameter or result type must have in _PROTOTYPES."""
    t = re.sub(r"\s+", " ", c_type.replace("const ", "").replace("*", " * ")).strip().replace(" *", "*")
    base, stars = t.rstrip("*").strip(), len(t) - len(t.rstrip("*"))
    if base in HANDLES:
        return {1: c_void_p, 2: POINTER(c_void_p)}[stars]
    if base == "char":
        return {1: c_char_p, 2: POINTER(POINTER(c_char))}[stars] if "const" not in c_type or stars == 1 else POINTER(c_char_p)
    if base == "void":
        return {0: None, 1: c_void_p}[stars]
    if base in CALLBACKS and stars == 0:
        return CALLBACKS[base]
    if base in SCALARS:
        return SCALARS[base] if stars == 0 else POINTER(SCALARS[base])
    raise AssertionError(f"no ctypes mapping for C type {c_type!r}: extend test_prototypes.py")


def header_functions(root):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to preprocess hone.h")
    text = subprocess.run(["cc", "-E", "-P", str(root / "include" / "hone.h")], capture_output=True, text=True,
                          check=True).stdout
    functions = {}
    for decl in " ".join(text.split()).split(";"):
        decl = decl.strip()
        m = re.fullmatch(r"(.+?)\b(hone_\w+)\s*\((.*)\)", decl)
        if not m or decl.startswith(("typedef", "extern", "}")) or "(*" in m.group(1):
            continue
        params = [] if m.group(3).strip() in ("", "void") else [p.strip() for p in m.group(3).split(",")]
        # Drop each parameter's name (the last identifier, after the type).
        types = [re.sub(r"\b\w+$", "", p).strip() for p in params]
        functions[m.group(2)] = (m.group(1).strip(), types)
    return functions


def test_every_prototype_has_the_header_signature(root):
    header = header_functions(root)
    assert len(header) > 40
    for name, (restype, argtypes) in _lib._PROTOTYPES.items():
        assert name in header, f"{name} is not declared in hone.h"
        result, params = header[name]
        assert restype is ctype(result), f"{name}: result {restype} but hone.h says {result}"
        assert len(argtypes) == len(params), f"{name}: {len(argtypes)} arguments but hone.h has {params}"
        for i, (given, c_type) in enumerate(zip(argtypes, params)):
            assert given is ctype(c_type), f"{name}: argument {i} is {given} but hone.h says {c_type!r}"


def test_every_header_function_has_a_prototype(root):
    missing = set(header_functions(root)) - set(_lib._PROTOTYPES) - PLUGIN_ONLY
    assert not missing, f"hone.h functions without a ctypes prototype in hone/_lib.py: {sorted(missing)}"
