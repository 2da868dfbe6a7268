"""Optuna compatibility: programs written for Optuna (bindings/python/tests/optuna_programs,
each from a page of Optuna's documentation, cited at its top) run unchanged under Hone
once their import lines say `hone` instead of `optuna`.

Each program runs twice in a subprocess, in a scratch working directory (programs use
sqlite:///relative.db as Optuna's tutorials do): once under Optuna as written (skipped
when Optuna is not installed; this checks that the program is right Optuna code), once
under Hone with only the import lines rewritten by :func:`hone_imports`. Both must exit 0.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
PROGRAMS = sorted((HERE / "optuna_programs").glob("*.py"))
BINDINGS = HERE.parent
HAVE_OPTUNA = importlib.util.find_spec("optuna") is not None
HAVE_PLOTLY = importlib.util.find_spec("plotly") is not None
HAVE_PANDAS = importlib.util.find_spec("pandas") is not None
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None

# `import optuna`, `import optuna as o`, `import optuna.x[.y] [as o]`, `from optuna[.x] import ...`
_IMPORT = re.compile(r"^(?P<indent>[ \t]*)import[ \t]+optuna(?P<sub>(?:\.\w+)*)(?:[ \t]+as[ \t]+(?P<alias>\w+))?[ \t]*$")
_FROM = re.compile(r"^(?P<indent>[ \t]*)from[ \t]+optuna(?P<rest>(?:\.\w+)*[ \t]+import\b.*)$")


def hone_imports(source: str) -> str:
    """The program with its Optuna imports turned into Hone's, and nothing else changed:
    `import optuna` → `import hone as optuna`, `from optuna.x import y` → `from hone.x
    import y`, `import optuna.x` → `import hone.x` plus `import hone as optuna` (what
    `import optuna.x` binds)."""
    out = []
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        m = _IMPORT.match(body)
        if m:
            indent, sub, alias = m.group("indent"), m.group("sub"), m.group("alias")
            if alias:
                out.append(f"{indent}import hone{sub} as {alias}{end}")
            elif sub:
                out.append(f"{indent}import hone{sub}; import hone as optuna{end}")
            else:
                out.append(f"{indent}import hone as optuna{end}")
            continue
        m = _FROM.match(body)
        if m:
            out.append(f"{m.group('indent')}from hone{m.group('rest')}{end}")
            continue
        out.append(line)
    return "".join(out)


def test_hone_imports_rewrites_only_import_lines():
    src = ("import optuna\nimport optuna as op\nfrom optuna.trial import TrialState\n"
           "from optuna import samplers\n    import optuna.visualization\nx = 'import optuna'\n"
           "optuna.create_study()\nimport optuna_integration\n")
    assert hone_imports(src) == (
        "import hone as optuna\nimport hone as op\nfrom hone.trial import TrialState\n"
        "from hone import samplers\n    import hone.visualization; import hone as optuna\nx = 'import optuna'\n"
        "optuna.create_study()\nimport optuna_integration\n")


def _run(code: str, cwd: pathlib.Path, env_extra: dict) -> subprocess.CompletedProcess:
    script = cwd / "program.py"
    script.write_text(code)
    env = dict(os.environ)
    env.update(env_extra)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180)


def _needs(program: pathlib.Path) -> None:
    text = program.read_text()
    if "import matplotlib" in text:
        if not HAVE_MATPLOTLIB:
            pytest.skip("needs matplotlib")
    elif ("visualization" in text or "plot_" in text) and not HAVE_PLOTLY:
        pytest.skip("needs plotly")
    if "sklearn" in text and not HAVE_SKLEARN:
        pytest.skip("needs scikit-learn")
    if "dataframe" in text and not HAVE_PANDAS:
        pytest.skip("needs pandas")


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_runs_under_optuna(program, tmp_path):
    if not HAVE_OPTUNA:
        pytest.skip("optuna is not installed")
    _needs(program)
    run = _run(program.read_text(), tmp_path, {})
    assert run.returncode == 0, f"under Optuna:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_runs_under_hone(program, tmp_path):
    _needs(program)
    pythonpath = os.pathsep.join(p for p in (str(BINDINGS), os.environ.get("PYTHONPATH")) if p)
    run = _run(hone_imports(program.read_text()), tmp_path, {"PYTHONPATH": pythonpath})
    assert run.returncode == 0, f"under Hone:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
