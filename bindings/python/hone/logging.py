"""Hone's log output, with the functions of ``optuna.logging``.

Hone logs through the standard library's ``logging`` under the logger "hone". As Optuna
does, it gives that logger a handler on stderr and the level INFO the first time this
module is imported, so every finished trial of ``Study.optimize`` prints a line like
Optuna's::

    [I 2026-01-31 12:00:00,123] Trial 3 finished with value: 0.12 and parameters: {'x': 1.5}. Best is trial 3 with value: 0.12.

``set_verbosity(hone.logging.WARNING)`` silences those lines.
"""

# This module is named like the standard library's `logging`; absolute imports (the
# default in Python 3) make `import logging` below mean the standard one.
from __future__ import annotations

import logging as _logging
import sys
import threading
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING  # noqa: F401 — re-exported levels
from typing import Optional

_LIBRARY = "hone"
_lock = threading.Lock()
_default_handler: Optional[_logging.Handler] = None


class _Formatter(_logging.Formatter):
    """Optuna's line format: "[I 2026-01-31 12:00:00,123] message"."""

    def format(self, record: _logging.LogRecord) -> str:
        record.levelinitial = record.levelname[:1]
        return super().format(record)


def create_default_formatter() -> _logging.Formatter:
    return _Formatter("[%(levelinitial)s %(asctime)s] %(message)s")


def _get_library_root_logger() -> _logging.Logger:
    return _logging.getLogger(_LIBRARY)


def _configure_library_root_logger() -> None:
    global _default_handler
    with _lock:
        if _default_handler is not None:
            return
        _default_handler = _logging.StreamHandler()
        # Written to whatever sys.stderr is at the time of each record (pytest swaps it).
        _default_handler.stream = sys.stderr
        _default_handler.setFormatter(create_default_formatter())
        root = _get_library_root_logger()
        root.addHandler(_default_handler)
        root.setLevel(_logging.INFO)
        root.propagate = False


def _reset_library_root_logger() -> None:
    global _default_handler
    with _lock:
        if _default_handler is None:
            return
        root = _get_library_root_logger()
        root.removeHandler(_default_handler)
        root.setLevel(_logging.NOTSET)
        root.propagate = True
        _default_handler = None


def get_logger(name: str) -> _logging.Logger:
    """A logger under "hone" (the library's own modules use this). Optuna's names map to
    Hone's: ``get_logger("optuna")`` is the "hone" logger, so a handler added to it (as
    Optuna's tutorials do) receives Hone's messages."""
    _configure_library_root_logger()
    if name == "optuna" or name.startswith("optuna."):
        name = _LIBRARY + name[len("optuna"):]
    return _logging.getLogger(name)


def get_verbosity() -> int:
    """The "hone" logger's level (hone.logging.INFO by default)."""
    _configure_library_root_logger()
    return _get_library_root_logger().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Sets the "hone" logger's level: hone.logging.DEBUG, INFO, WARNING, ERROR or CRITICAL."""
    _configure_library_root_logger()
    _get_library_root_logger().setLevel(verbosity)


def disable_default_handler() -> None:
    """Removes the stderr handler (records still propagate if propagation is enabled)."""
    _configure_library_root_logger()
    assert _default_handler is not None
    _get_library_root_logger().removeHandler(_default_handler)


def enable_default_handler() -> None:
    _configure_library_root_logger()
    assert _default_handler is not None
    _get_library_root_logger().addHandler(_default_handler)


def disable_propagation() -> None:
    """Records stop at the "hone" logger (the default)."""
    _configure_library_root_logger()
    _get_library_root_logger().propagate = False


def enable_propagation() -> None:
    """Records also go to the root logger's handlers (e.g. to capture them in tests)."""
    _configure_library_root_logger()
    _get_library_root_logger().propagate = True


__all__ = ["CRITICAL", "DEBUG", "ERROR", "FATAL", "INFO", "WARN", "WARNING", "get_logger", "get_verbosity",
           "set_verbosity", "disable_default_handler", "enable_default_handler", "disable_propagation",
           "enable_propagation", "create_default_formatter"]
