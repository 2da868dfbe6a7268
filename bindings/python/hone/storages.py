"""Storages under Optuna's names (``optuna.storages``). Hone's storages are URLs
("memory:", "sqlite:///path.db", "postgresql://..."); these classes only carry one, so
code written for Optuna can pass ``RDBStorage(url)`` where a URL is expected."""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional


class RDBStorage:
    """A database storage given by its URL ("sqlite:///example.db", "postgresql://...").
    Optuna's engine and heartbeat options are accepted; ``heartbeat_interval`` maps to
    Hone's heartbeat."""

    def __init__(self, url: str, engine_kwargs: Optional[Dict[str, Any]] = None, skip_compatibility_check: bool = False,
                 *, heartbeat_interval: Optional[int] = None, grace_period: Optional[int] = None,
                 failed_trial_callback: Any = None, skip_table_creation: bool = False) -> None:
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, got {type(url).__name__}")
        # SQLAlchemy's in-memory SQLite is private to its connection, as Hone's "memory:".
        self.url = "memory:" if url in ("sqlite://", "sqlite:///:memory:") else url
        self.heartbeat_interval = heartbeat_interval
        if failed_trial_callback is not None:
            warnings.warn("RDBStorage(failed_trial_callback=...): Hone's heartbeat stores stale trials as FAIL but "
                          "calls no callback and retries nothing", stacklevel=2)

    def __repr__(self) -> str:
        return f"RDBStorage({self.url!r})"


class JournalFileBackend:
    """Optuna's journal file. Hone has no journal format: a JournalStorage over this file
    keeps the study in a SQLite database at that path, which several processes can share
    in the same way."""

    def __init__(self, file_path: str, lock_obj: Any = None) -> None:
        self.file_path = file_path


#: Optuna 3's name.
JournalFileStorage = JournalFileBackend


class JournalStorage:
    """``JournalStorage(JournalFileBackend(path))``: a SQLite storage at ``path`` (see
    JournalFileBackend)."""

    def __init__(self, log_storage: JournalFileBackend) -> None:
        import os
        if not isinstance(log_storage, JournalFileBackend):
            raise TypeError(f"Hone's JournalStorage takes a JournalFileBackend, got {type(log_storage).__name__}")
        # sqlite:////abs/path: four slashes, an absolute path (SQLAlchemy's rule).
        self.url = "sqlite:////" + os.path.abspath(log_storage.file_path).lstrip("/")


class RetryFailedTrialCallback:
    """Optuna's callback that re-enqueues trials failed by a missed heartbeat. Accepted for
    RDBStorage's signature; Hone does not retry (see RDBStorage)."""

    def __init__(self, max_retry: Optional[int] = None, inherit_intermediate_values: bool = False) -> None:
        self.max_retry = max_retry
        self.inherit_intermediate_values = inherit_intermediate_values


class InMemoryStorage:
    """Hone's "memory:" storage: private to the study opened on it."""

    url = "memory:"


def _journal_module() -> Any:
    """``hone.storages.journal`` as Optuna's ``optuna.storages.journal`` (a module object
    registered under that name, since this package ships as flat modules)."""
    import sys
    import types
    module = types.ModuleType(__name__ + ".journal", "Optuna's journal storage names (see hone.storages).")
    module.JournalFileBackend = JournalFileBackend  # type: ignore[attr-defined]
    module.JournalFileStorage = JournalFileBackend  # type: ignore[attr-defined]
    module.JournalStorage = JournalStorage  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


journal = _journal_module()

__all__ = ["RetryFailedTrialCallback", "RDBStorage", "InMemoryStorage", "JournalStorage", "JournalFileBackend", "JournalFileStorage", "journal"]
