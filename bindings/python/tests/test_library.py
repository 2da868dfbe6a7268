"""Finding libhone.so: the order of the search, and the error that lists every place tried."""
import os
import shutil
import subprocess
import sys

import pytest

import hone
from hone import _lib


def test_version_and_abi_match_the_header(root):
    header = (root / "include" / "hone.h").read_text()
    assert f'#define HONE_VERSION_STRING "{hone.version()}"' in header
    assert f"#define HONE_ABI_VERSION {hone.abi_version()}" in header
    assert hone.abi_version() == hone.ABI_VERSION
    assert os.path.exists(hone.library_path) or "/" not in hone.library_path


def test_hone_library_comes_first(tmp_path):
    # A library beside the package would be found too, but $HONE_LIBRARY wins.
    os.symlink(hone.library_path, tmp_path / "libhone.so")
    _, path = _lib.load(environ={"HONE_LIBRARY": hone.library_path}, package_dir=str(tmp_path),
                        find_library=lambda name: None)
    assert path == hone.library_path


def test_beside_the_package_when_the_variable_is_unset(tmp_path):
    os.symlink(hone.library_path, tmp_path / "libhone.so.1")
    cdll, path = _lib.load(environ={}, package_dir=str(tmp_path), find_library=lambda name: None)
    assert path == str(tmp_path / "libhone.so.1")
    assert cdll.hone_abi_version() == hone.ABI_VERSION


def test_system_loader_last(tmp_path):
    asked = []

    def find(name):
        asked.append(name)
        return hone.library_path   # what ldconfig would answer for an installed library

    _, path = _lib.load(environ={}, package_dir=str(tmp_path), find_library=find)
    assert asked == ["hone"] and path == hone.library_path


def test_nothing_found_lists_every_path_and_why(tmp_path):
    garbage = tmp_path / "garbage.so"
    garbage.write_bytes(b"not an ELF file" * 100)
    with pytest.raises(hone.LibraryNotFoundError) as info:
        # In this process libhone.so.1 is loaded already (dlopen would find it by its
        # SONAME), so the system name tried here is one that exists nowhere.
        _lib.load(environ={"HONE_LIBRARY": str(garbage)}, package_dir=str(tmp_path / "pkg"),
                  find_library=lambda name: None, system_names=["libhone-missing.so.1"])
    e = info.value
    assert isinstance(e, ImportError)
    where = [w for w, _ in e.attempts]
    assert where[0] == f"$HONE_LIBRARY={garbage}"
    assert str(tmp_path / "pkg" / "libhone.so") in where and str(tmp_path / "pkg" / "libhone.so.1") in where
    assert "ctypes.util.find_library('hone') -> None" in where
    assert "system loader: libhone-missing.so.1" in where
    why = dict(e.attempts)
    assert "header" in why[where[0]] or "ELF" in why[where[0]]      # dlopen's own reason
    assert why[str(tmp_path / "pkg" / "libhone.so")] == "no such file"
    assert why["ctypes.util.find_library('hone') -> None"] == "found nothing"
    assert "libhone-missing.so.1" in why["system loader: libhone-missing.so.1"]   # dlopen's message
    for w, reason in e.attempts:
        assert w in str(e) and reason in str(e)
    assert "HONE_LIBRARY" in str(e)


def test_unset_variable_is_reported_as_unset(tmp_path):
    with pytest.raises(hone.LibraryNotFoundError) as info:
        _lib.load(environ={}, package_dir=str(tmp_path), find_library=lambda name: None, system_names=[])
    assert info.value.attempts[0] == ("$HONE_LIBRARY", "not set")


def test_a_library_that_is_not_hone_is_skipped_with_the_reason(tmp_path):
    libm = "libm.so.6"
    with pytest.raises(hone.LibraryNotFoundError) as info:
        _lib.load(environ={"HONE_LIBRARY": libm}, package_dir=str(tmp_path), find_library=lambda name: None,
                  system_names=[])
    assert dict(info.value.attempts)[f"$HONE_LIBRARY={libm}"] == "loads, but has no hone_abi_version: not libhone"


def test_import_fails_with_the_list_when_nothing_loads(tmp_path):
    # A copy of the package with no library beside it, and a variable naming nothing.
    shutil.copytree(_lib.PACKAGE_DIR, tmp_path / "hone",
                    ignore=shutil.ignore_patterns("__pycache__", "libhone.so*"))
    env = dict(os.environ, HONE_LIBRARY=str(tmp_path / "missing" / "libhone.so"), PYTHONPATH=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", "import hone"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    if run.returncode == 0:
        pytest.skip("a libhone.so is installed on the system loader path")
    assert "LibraryNotFoundError" in run.stderr
    assert f"$HONE_LIBRARY={tmp_path / 'missing' / 'libhone.so'}: no such file" in run.stderr
    assert f"{tmp_path / 'hone' / 'libhone.so'}: no such file" in run.stderr
