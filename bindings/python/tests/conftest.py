"""Runs the suite against the source tree's package and the library named by
$HONE_LIBRARY (scripts/test.sh sets it to the debug build); without it, the debug build
of this checkout if there is one."""
import os
import signal
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
ROOT = PYTHON_DIR.parents[1]

sys.path.insert(0, str(PYTHON_DIR))
if "HONE_LIBRARY" not in os.environ and (ROOT / ".build" / "debug" / "libhone.so").exists():
    os.environ["HONE_LIBRARY"] = str(ROOT / ".build" / "debug" / "libhone.so")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'studies.db'}"


@pytest.fixture
def sigint_raises():
    """Python's own SIGINT handler for the test: a process started in the background of a
    non-interactive shell (`cmd &`, as CI runners and nohup scripts do) inherits SIGINT
    ignored, and then `_thread.interrupt_main()` — the tests' Ctrl-C — does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
