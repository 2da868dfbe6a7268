"""`pip install ./bindings/python` gives a working package, and an installed package finds a
libhone.so placed beside it (where scripts/install.sh links it) without $HONE_LIBRARY."""
import os
import shutil
import subprocess
import sys

import pytest

import hone

PROBE = "import hone, os; print(hone.version()); print(os.path.realpath(hone.library_path)); print(hone.__file__)"


@pytest.fixture(scope="module")
def installed(tmp_path_factory, root):
    work = tmp_path_factory.mktemp("install")
    # A copy, so setuptools' build directory does not land in the source tree.
    shutil.copytree(root / "bindings" / "python", work / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "libhone.so*"))
    site = work / "site"
    run = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--target", str(site), str(work / "src")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return site


def probe(site, env_library):
    env = {k: v for k, v in os.environ.items() if k not in ("HONE_LIBRARY", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    if env_library:
        env["HONE_LIBRARY"] = env_library
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, cwd=site)


def test_pip_install_gives_a_working_package(installed):
    assert {"__init__.py", "_lib.py", "study.py", "trial.py", "model.py", "py.typed"} <= set(os.listdir(installed / "hone"))
    run = probe(installed, hone.library_path)
    assert run.returncode == 0, run.stderr
    version, library, module = run.stdout.split()
    assert version == hone.version()
    assert library == os.path.realpath(hone.library_path)
    assert module.startswith(str(installed))


def test_installed_package_finds_the_library_beside_it(installed):
    beside = installed / "hone" / "libhone.so"
    os.symlink(os.path.realpath(hone.library_path), beside)
    try:
        run = probe(installed, None)
        assert run.returncode == 0, run.stderr
        assert run.stdout.split()[1] == os.path.realpath(hone.library_path)
    finally:
        beside.unlink()
