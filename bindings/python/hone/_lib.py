"""Finding libhone.so and declaring the prototypes of include/hone.h for ctypes.

Search order: the ``HONE_LIBRARY`` environment variable (an explicit choice wins, e.g. a
debug build under test), then ``libhone.so`` / ``libhone.so.1`` in this package's
directory -- the hone-hpo wheel's own copy (scripts/build-wheel.sh; it carries the Swift runtime,
so nothing else is needed), or where ``scripts/install.sh`` links it -- then the system
loader (``ctypes.util.find_library("hone")``, then ``libhone.so.1``). So an installed
wheel uses its packaged library before any other on the loader path. A candidate that
loads but reports another ABI version is skipped. When nothing works,
:class:`~hone.errors.LibraryNotFoundError` lists every candidate and why it failed.

Handles (``hone_study *`` ...) are ``c_void_p``: the library's handles are opaque tokens
it checks on every call, so a stale one gives HONE_MISUSE rather than a crash.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import math
import operator
import os
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_double, c_float, c_int,
                    c_int64, c_size_t, c_uint, c_uint64, c_void_p)
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from . import errors

#: The ABI this package is written against (HONE_ABI_VERSION of include/hone.h).
ABI_VERSION = 1

ENV_VAR = "HONE_LIBRARY"
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
LOCAL_NAMES = ("libhone.so", "libhone.so.1")
SYSTEM_NAMES = ("libhone.so.1",)


#: Hone writes non-finite numbers, which JSON cannot hold, as these strings (everywhere:
#: the C API's JSON, storage, exports).
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _non_finite_to_floats(v):
    if isinstance(v, str):
        return _NON_FINITE.get(v, v)
    if isinstance(v, list):
        return [_non_finite_to_floats(x) for x in v]
    if isinstance(v, dict):
        return {k: _non_finite_to_floats(x) for k, x in v.items()}
    return v


def _non_finite_to_strings(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, (list, tuple)):
        return [_non_finite_to_strings(x) for x in v]
    if isinstance(v, dict):
        return {k: _non_finite_to_strings(x) for k, x in v.items()}
    return v


def dumps(value) -> str:
    """JSON for the library: non-finite floats as "NaN", "Infinity", "-Infinity" (Python's
    json module would write bare NaN/Infinity tokens, which are not JSON)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(_non_finite_to_strings(value), allow_nan=False)


def loads(text):
    """JSON the library wrote, with "NaN", "Infinity" and "-Infinity" read back as floats."""
    value = json.loads(text)
    # The walk costs as much as the parse: only where such a string occurs (searched in
    # the text as given, bytes or str, without decoding it a second time).
    nan, inf = (b'"NaN"', b'Infinity"') if isinstance(text, (bytes, bytearray)) else ('"NaN"', 'Infinity"')
    if nan in text or inf in text:
        value = _non_finite_to_floats(value)
    return value

# hone_objective_fn: (trial, userdata, values, n_values) -> status
OBJECTIVE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_double), c_size_t)
# hone_trial_finished_fn: (study, trial_json, userdata) -> status
TRIAL_FINISHED_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_void_p)
# hone_epoch_fn: (epoch, metrics_json, userdata) -> status
EPOCH_FN = CFUNCTYPE(c_int, c_int64, c_char_p, c_void_p)

_handle = c_void_p
_out_handle = POINTER(c_void_p)
_out_string = POINTER(POINTER(c_char))

# name: (restype, argtypes). Every function that returns hone_status returns c_int.
_PROTOTYPES = {
    "hone_version": (c_char_p, []),
    "hone_abi_version": (c_int, []),
    "hone_status_name": (c_char_p, [c_int]),
    "hone_errmsg": (c_char_p, []),
    "hone_free": (None, [c_void_p]),
    # studies
    "hone_study_open": (c_int, [c_char_p, c_char_p, c_char_p, _out_handle]),
    "hone_study_close": (None, [_handle]),
    "hone_study_name": (c_int, [_handle, POINTER(c_char_p)]),
    "hone_study_n_objectives": (c_int, [_handle, POINTER(c_size_t)]),
    "hone_study_ask": (c_int, [_handle, _out_handle]),
    "hone_study_tell": (c_int, [_handle, _handle, c_int, POINTER(c_double), c_size_t]),
    "hone_study_tell_number": (c_int, [_handle, c_int64, c_int, POINTER(c_double), c_size_t]),
    "hone_study_optimize": (c_int, [_handle, OBJECTIVE_FN, c_void_p, c_int64, c_double, c_int]),
    "hone_study_optimize_v2": (c_int, [_handle, OBJECTIVE_FN, c_void_p, TRIAL_FINISHED_FN, c_void_p, c_int64, c_double, c_int]),
    "hone_study_optimize_named": (c_int, [_handle, c_char_p, c_int64, c_double, c_int]),
    "hone_study_stop": (c_int, [_handle]),
    "hone_interrupt": (c_int, []),
    "hone_study_enqueue": (c_int, [_handle, c_char_p, c_char_p]),
    "hone_study_best_value": (c_int, [_handle, POINTER(c_double)]),
    "hone_study_best_trial_json": (c_int, [_handle, _out_string]),
    "hone_study_best_params_json": (c_int, [_handle, _out_string]),
    "hone_study_trials_json": (c_int, [_handle, c_char_p, _out_string]),
    "hone_study_trials_table_json": (c_int, [_handle, c_char_p, _out_string]),
    "hone_study_trial_count": (c_int, [_handle, c_char_p, POINTER(c_int64)]),
    "hone_study_set_user_attr": (c_int, [_handle, c_char_p, c_char_p]),
    "hone_study_attrs_json": (c_int, [_handle, _out_string]),
    "hone_study_copy_trials": (c_int, [_handle, _handle, POINTER(c_int64)]),
    "hone_study_directions_json": (c_int, [_handle, _out_string]),
    "hone_study_importances_json": (c_int, [_handle, c_char_p, _out_string]),
    "hone_storage_studies_json": (c_int, [c_char_p, _out_string]),
    "hone_storage_delete_study": (c_int, [c_char_p, c_char_p]),
    "hone_import_optuna": (c_int, [c_char_p, c_char_p, c_char_p, _out_string]),
    # trials
    "hone_trial_number": (c_int, [_handle, POINTER(c_int64)]),
    "hone_trial_work": (c_int, [_handle, POINTER(c_double), POINTER(c_double), POINTER(c_double), POINTER(c_int64)]),
    "hone_trial_suggest_float": (c_int, [_handle, c_char_p, c_double, c_double, c_double, c_uint,
                                         POINTER(c_double)]),
    "hone_trial_suggest_int": (c_int, [_handle, c_char_p, c_int64, c_int64, c_int64, c_uint,
                                       POINTER(c_int64)]),
    "hone_trial_suggest_categorical": (c_int, [_handle, c_char_p, POINTER(c_char_p), c_size_t,
                                               POINTER(c_size_t)]),
    "hone_trial_suggest_categorical_json": (c_int, [_handle, c_char_p, c_char_p, POINTER(c_size_t)]),
    "hone_trial_report": (c_int, [_handle, c_int64, c_double]),
    "hone_trial_report_values": (c_int, [_handle, c_int64, POINTER(c_double), c_size_t]),
    "hone_trial_should_prune": (c_int, [_handle, POINTER(c_int)]),
    "hone_trial_set_user_attr": (c_int, [_handle, c_char_p, c_char_p]),
    "hone_trial_set_fail_reason": (c_int, [_handle, c_char_p]),
    "hone_trial_params_json": (c_int, [_handle, _out_string]),
    "hone_trial_free": (None, [_handle]),
    # data sets and models
    "hone_dataset_load": (c_int, [c_char_p, c_char_p, _out_handle]),
    "hone_dataset_from_arrays": (c_int, [POINTER(c_float), c_size_t, c_size_t, POINTER(c_float),
                                         c_size_t, _out_handle]),
    "hone_dataset_info_json": (c_int, [_handle, _out_string]),
    "hone_dataset_split": (c_int, [_handle, c_double, c_uint64, _out_handle, _out_handle]),
    "hone_dataset_free": (None, [_handle]),
    "hone_model_create": (c_int, [c_char_p, _out_handle]),
    "hone_model_train": (c_int, [_handle, _handle, _handle, c_char_p, EPOCH_FN, c_void_p, _out_string]),
    "hone_model_evaluate": (c_int, [_handle, _handle, _out_string]),
    "hone_model_predict": (c_int, [_handle, POINTER(c_float), c_size_t, c_size_t, POINTER(c_float),
                                   c_size_t]),
    "hone_model_save": (c_int, [_handle, c_char_p]),
    "hone_model_load": (c_int, [c_char_p, _out_handle]),
    "hone_model_load_weights": (c_int, [_handle, c_char_p]),
    "hone_model_free": (None, [_handle]),
    "hone_auto": (c_int, [_handle, _handle, c_char_p, _out_handle, _out_string]),
    # scripts and plugins
    "hone_script_run": (c_int, [c_char_p, c_char_p, _out_handle]),
    "hone_plugin_load": (c_int, [c_char_p, _out_string]),
    "hone_registry_json": (c_int, [_out_string]),
}


def _declare(cdll: ctypes.CDLL) -> ctypes.CDLL:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(cdll, name)   # AttributeError names the missing symbol
        fn.restype = restype
        fn.argtypes = argtypes
    return cdll


def _try(path: str) -> ctypes.CDLL:
    """Loads one candidate; raises OSError/AttributeError/ValueError saying why it is unusable."""
    cdll = ctypes.CDLL(path)
    try:
        abi_fn = cdll.hone_abi_version
    except AttributeError:
        raise ValueError("loads, but has no hone_abi_version: not libhone") from None
    abi_fn.restype = c_int
    abi_fn.argtypes = []
    abi = abi_fn()
    if abi != ABI_VERSION:
        raise ValueError(f"ABI version {abi}, this package needs {ABI_VERSION}")
    try:
        return _declare(cdll)
    except AttributeError as e:
        raise ValueError(f"lacks a function of hone.h ({e})") from None


def candidates(environ: Mapping[str, str] = os.environ, package_dir: str = PACKAGE_DIR,
               find_library: Callable[[str], Optional[str]] = ctypes.util.find_library,
               system_names: Sequence[str] = SYSTEM_NAMES) -> List[Tuple[str, Optional[str]]]:
    """The places to try, in order, as (description, path or None when it is no path)."""
    out: List[Tuple[str, Optional[str]]] = []
    env = environ.get(ENV_VAR)
    out.append((f"${ENV_VAR}={env}" if env else f"${ENV_VAR}", env or None))
    for name in LOCAL_NAMES:
        path = os.path.join(package_dir, name)
        out.append((path, path))
    found = find_library("hone")
    out.append((f"ctypes.util.find_library('hone') -> {found}", found))
    for name in system_names:
        if name != found:
            out.append((f"system loader: {name}", name))
    return out


def load(environ: Mapping[str, str] = os.environ, package_dir: str = PACKAGE_DIR,
         find_library: Callable[[str], Optional[str]] = ctypes.util.find_library,
         system_names: Sequence[str] = SYSTEM_NAMES) -> Tuple[ctypes.CDLL, str]:
    """The first candidate that loads and has the right ABI, and its path. (The
    arguments exist for the tests.)"""
    attempts: List[Tuple[str, str]] = []
    for where, path in candidates(environ, package_dir, find_library, system_names):
        if path is None:
            attempts.append((where, "not set" if where.startswith("$") else "found nothing"))
            continue
        if os.sep in path and not os.path.exists(path):
            attempts.append((where, "no such file"))
            continue
        try:
            return _try(path), path
        except (OSError, ValueError) as e:
            attempts.append((where, str(e)))
    raise errors.LibraryNotFoundError(attempts)


lib, path = load()


# ---------------------------------------------------------------------------------------
# Small helpers every module uses.

def check(status: int) -> None:
    """Raises the mapped exception with this thread's hone_errmsg() when status != HONE_OK.

    Must run on the thread that made the failing call, before any other hone_ call there.
    """
    if status:
        raise errors.error_for(status, lib.hone_errmsg().decode("utf-8", "replace"))


def take_string(p: "ctypes._Pointer[c_char]") -> str:
    """Copies a `char **` output the library allocated, then releases it with hone_free."""
    if not p:
        return ""
    try:
        return ctypes.string_at(p).decode("utf-8")
    finally:
        lib.hone_free(p)


def call_string(fn: Callable[..., int], *args: object) -> str:
    """Calls a function whose last argument is a `char **` output; returns that string."""
    out = POINTER(c_char)()
    check(fn(*args, byref(out)))
    return take_string(out)


def call_handle(fn: Callable[..., int], *args: object) -> int:
    """Calls a function whose last argument is a handle output; returns that handle."""
    out = c_void_p()
    check(fn(*args, byref(out)))
    if out.value is None:
        raise errors.HoneError(f"{fn.__name__} returned HONE_OK without a handle")
    return out.value


def encode(s: Optional[str], what: str) -> Optional[bytes]:
    """A Python string as a C string argument (NUL characters cannot cross)."""
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, got {type(s).__name__}")
    if "\0" in s:
        raise errors.InvalidArgumentError(f"{what} contains a NUL character")
    return s.encode("utf-8", "surrogatepass")


def integer(v: object, what: str, bits: int = 64) -> int:
    """An int argument checked to fit a C integer of `bits` bits (ctypes would silently
    wrap a wider one)."""
    if isinstance(v, bool):
        raise TypeError(f"{what} must be an int, got bool")
    try:
        i = operator.index(v)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what} must be an int, got {type(v).__name__} {v!r}") from None
    if not -(1 << (bits - 1)) <= i < (1 << (bits - 1)):
        raise errors.InvalidArgumentError(f"{what} is {i}, outside the {bits}-bit range of the C API")
    return i


def doubles(values: Sequence[float]) -> "ctypes.Array[c_double]":
    return (c_double * len(values))(*values)
