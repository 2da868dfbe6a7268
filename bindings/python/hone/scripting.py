"""Lua study scripts and plugins."""

from __future__ import annotations

import os
from ctypes import POINTER, byref, c_char
from typing import Any, Dict, List, Union

from ._lib import call_handle, call_string, check, dumps, encode, lib, loads, take_string
from .study import Study

PathLike = Union[str, "os.PathLike[str]"]


def run_script(path: PathLike, **overrides: Any) -> Study:
    """Runs a Lua study script (its ``study { ... }`` and objective) to the end and
    returns the study.

    Keyword arguments override the script: ``storage``, ``trials``, ``jobs``, ``seed``,
    ``timeout``, ``allow_read`` (directories the script may read), ``max_epochs``,
    ``max_samples``. An unknown key raises :class:`InvalidArgumentError`; an error in
    the script raises :class:`ScriptError` with file:line.
    """
    file = os.fspath(path)
    handle = call_handle(lib.hone_script_run, encode(file, "path"), encode(dumps(overrides), "overrides"))
    storage = overrides.get("storage")
    return Study(handle, storage if isinstance(storage, str) else "(the script's storage)")


def load_plugin(path: PathLike) -> Dict[str, List[str]]:
    """Loads a plugin (a native .so or a .lua script of registrations) and returns what it
    registered: {"samplers", "pruners", "objectives", "datasets"}. Loading the same path
    again does nothing."""
    out = POINTER(c_char)()
    check(lib.hone_plugin_load(encode(os.fspath(path), "path"), byref(out)))
    return loads(take_string(out) or "{}")


def registry() -> Dict[str, List[str]]:
    """Every registered sampler, pruner, scheduler, objective and data set (built-ins and
    plugins; schedulers are built in only)."""
    return loads(call_string(lib.hone_registry_json))
