"""Exceptions under Optuna's names (``optuna.exceptions``); each is one of Hone's own
(:mod:`hone.errors`) so ``except hone.exceptions.X`` and ``except hone.X`` agree."""

from __future__ import annotations

from .errors import (ExistsError, HoneError, StorageError, TrialPruned, WrongStateError)

#: Optuna's base exception: every error Hone raises derives from it.
OptunaError = HoneError
#: A study of that name already exists.
DuplicatedStudyError = ExistsError
#: The storage failed.
StorageInternalError = StorageError
#: A finished trial cannot be changed.
UpdateFinishedTrialError = WrongStateError


class CLIUsageError(HoneError):
    """Wrong use of the command line."""


class ExperimentalWarning(Warning):
    """A feature whose interface may still change."""


__all__ = ["OptunaError", "HoneError", "TrialPruned", "DuplicatedStudyError", "StorageInternalError",
           "UpdateFinishedTrialError", "CLIUsageError", "ExperimentalWarning"]
