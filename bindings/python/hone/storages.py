"""Storages under Optuna's names (``optuna.storages``). Hone's storages are URLs
("memory:", "sqlite:///path.db", "postgresql://..."); these classes only carry one, so
code written for Optuna can pass ``RDBStorage(url)`` where a URL is expected."""

from __future__ import annotations

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
        self.url = url
        self.heartbeat_interval = heartbeat_interval

    def __repr__(self) -> str:
        return f"RDBStorage({self.url!r})"


class InMemoryStorage:
    """Hone's "memory:" storage: private to the study opened on it."""

    url = "memory:"


__all__ = ["RDBStorage", "InMemoryStorage"]
