"""Hone's status codes as Python exceptions.

Every failing call into libhone.so raises a subclass of :class:`HoneError` carrying the
library's message (``hone_errmsg()``), the numeric status and its ``HONE_*`` name. The
subclasses also derive from the built-in exception a Python caller would expect
(``ValueError`` for a bad argument, ``LookupError`` for something missing, ``OSError`` for a
file that cannot be read), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

# The HONE_* codes of include/hone.h.
OK = 0
ERROR = 1
MISUSE = 2
INVALID_ARGUMENT = 3
NOT_FOUND = 4
EXISTS = 5
WRONG_STATE = 6
STORAGE = 7
IO = 8
SCRIPT = 9
PRUNED = 10
INTERRUPTED = 11
NO_RESULT = 12

STATUS_NAMES: Dict[int, str] = {
    OK: "HONE_OK",
    ERROR: "HONE_ERROR",
    MISUSE: "HONE_MISUSE",
    INVALID_ARGUMENT: "HONE_INVALID_ARGUMENT",
    NOT_FOUND: "HONE_NOT_FOUND",
    EXISTS: "HONE_EXISTS",
    WRONG_STATE: "HONE_WRONG_STATE",
    STORAGE: "HONE_STORAGE",
    IO: "HONE_IO",
    SCRIPT: "HONE_SCRIPT",
    PRUNED: "HONE_PRUNED",
    INTERRUPTED: "HONE_INTERRUPTED",
    NO_RESULT: "HONE_NO_RESULT",
}


class HoneError(Exception):
    """A call into libhone.so failed.

    Attributes:
        message: the library's message for the failure (or the binding's own).
        status: the ``hone_status`` code (``HONE_ERROR`` = 1 when raised from Python).
        status_name: the code's name, e.g. ``"HONE_WRONG_STATE"``.
    """

    default_status = ERROR

    def __init__(self, message: str = "", status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = self.default_status if status is None else status

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, "HONE_UNKNOWN_STATUS")

    def __str__(self) -> str:
        return self.message


class MisuseError(HoneError):
    """HONE_MISUSE: a closed, freed or wrong-kind handle, or a NULL where one is needed."""

    default_status = MISUSE


class InvalidArgumentError(HoneError, ValueError):
    """HONE_INVALID_ARGUMENT: a value out of range, malformed JSON, an unknown option."""

    default_status = INVALID_ARGUMENT


class NotFoundError(HoneError, LookupError):
    """HONE_NOT_FOUND: no such study, trial, data set, file, sampler or plugin."""

    default_status = NOT_FOUND


class ExistsError(HoneError):
    """HONE_EXISTS: a study of that name already exists (``create_study`` without
    ``load_if_exists``)."""

    default_status = EXISTS


#: Optuna's name for the same condition.
DuplicatedStudyError = ExistsError


class WrongStateError(HoneError, RuntimeError):
    """HONE_WRONG_STATE: e.g. telling a trial twice, or reporting after tell."""

    default_status = WRONG_STATE


class StorageError(HoneError):
    """HONE_STORAGE: the database failed (lost connection, corrupt file, ...)."""

    default_status = STORAGE


class HoneIOError(HoneError, OSError):
    """HONE_IO: reading or writing a file failed."""

    default_status = IO

    def __init__(self, message: str = "", status: Optional[int] = None) -> None:
        # OSError's constructor gives its arguments meanings (errno, strerror); keep only
        # the message.
        HoneError.__init__(self, message, status)


class ScriptError(HoneError):
    """HONE_SCRIPT: a Lua script raised an error or broke a sandbox limit (the message
    has file:line and a traceback)."""

    default_status = SCRIPT


class StoppedError(HoneError):
    """HONE_INTERRUPTED: stopped by ``Study.stop()`` or by a callback's request."""

    default_status = INTERRUPTED


class NoResultError(HoneError, ValueError):
    """HONE_NO_RESULT: a best trial was asked for before any trial completed."""

    default_status = NO_RESULT


class TrialPruned(HoneError):
    """Raise in an objective (or an ``on_epoch`` callback) to stop a trial as PRUNED.

    Also raised by :func:`hone.train` when its ``on_epoch`` callback asked to prune.
    """

    default_status = PRUNED


class LibraryNotFoundError(ImportError):
    """libhone.so could not be loaded; the message lists every place tried and why each
    failed."""

    def __init__(self, attempts: "list[tuple[str, str]]") -> None:
        self.attempts = list(attempts)
        lines = ["cannot load libhone.so; tried:"]
        lines += [f"  {where}: {why}" for where, why in self.attempts]
        lines.append("Set HONE_LIBRARY to the path of libhone.so (e.g. .build/release/libhone.so), "
                     "or install Hone with scripts/install.sh.")
        super().__init__("\n".join(lines))


_BY_STATUS: Dict[int, Type[HoneError]] = {
    MISUSE: MisuseError,
    INVALID_ARGUMENT: InvalidArgumentError,
    NOT_FOUND: NotFoundError,
    EXISTS: ExistsError,
    WRONG_STATE: WrongStateError,
    STORAGE: StorageError,
    IO: HoneIOError,
    SCRIPT: ScriptError,
    PRUNED: TrialPruned,
    INTERRUPTED: StoppedError,
    NO_RESULT: NoResultError,
}


def error_for(status: int, message: str) -> HoneError:
    """The exception for a failed call's status and message."""
    cls = _BY_STATUS.get(status, HoneError)
    if not message:
        message = STATUS_NAMES.get(status, f"HONE_UNKNOWN_STATUS ({status})")
    return cls(message, status)
