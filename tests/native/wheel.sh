#!/usr/bin/env bash
# The Python wheel: scripts/build-wheel.sh on BUILD_DIR's libhone.so gives
# hone_hpo-VERSION-py3-none-<platform>.whl with libhone.so inside; it installs into a fresh
# venv, and there, with no environment variable at all (env -i), `import hone` loads the
# packaged library and runs a study in SQLite.
#
#   tests/native/wheel.sh BUILD_DIR
#
# The wheel is installed with --no-deps from the file alone (no network): the test's study
# does not touch numpy, and the dependency on it is checked in the wheel's metadata.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "wheel: FAIL: $*" >&2; exit 1; }

version="$(sed -n 's/^#define HONE_VERSION_STRING "\(.*\)".*/\1/p' "$root/include/hone.h")"
platform="$(python3 -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')"
wheel="$(HONE_BUILD_DIR="$build" "$root/scripts/build-wheel.sh" "$work/dist")"
expected="hone_hpo-$version-py3-none-$platform.whl"
[ "$(basename "$wheel")" = "$expected" ] || fail "built $(basename "$wheel"), expected $expected"
echo "wheel: ok   $(basename "$wheel") ($(du -m "$wheel" | cut -f1) MB)"

python3 - "$wheel" <<'PY' || fail "wheel contents"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for needed in ("hone/__init__.py", "hone/_lib.py", "hone/libhone.so"):
    assert needed in names, f"{needed} missing from the wheel: {names}"
meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
wheel_info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
metadata = zipfile.ZipFile(sys.argv[1]).read(meta).decode()
info = zipfile.ZipFile(sys.argv[1]).read(wheel_info).decode()
assert "Name: hone-hpo" in metadata, metadata[:400]
assert "Requires-Dist: numpy" in metadata, metadata[:800]
assert "Root-Is-Purelib: false" in info, info
assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names), names
assert not any("tests/" in n for n in names), "tests are not packaged"
PY
echo "wheel: ok   hone/libhone.so, LICENSE and metadata (hone-hpo, numpy) inside"

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --no-index --no-deps "$wheel" || fail "pip install of the wheel"
mkdir "$work/elsewhere"   # not the source tree, so `import hone` can only find the installed one
cat >"$work/elsewhere/probe.py" <<'PY'
import os, sys
import hone
prefix = sys.prefix
assert hone.__file__.startswith(prefix), f"hone imported from {hone.__file__}, not the venv {prefix}"
assert hone.library_path.startswith(prefix), f"library from {hone.library_path}, not the wheel's"
assert hone.version() == sys.argv[1], (hone.version(), sys.argv[1])
study = hone.create_study(direction="minimize", sampler="tpe", seed=0, storage="sqlite:///wheel.db", study_name="wheel")
study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 2) ** 2 + t.suggest_int("k", 0, 3), n_trials=20)
assert os.path.isfile("wheel.db")
assert abs(study.best_params["x"] - 2) < 1.5 and study.best_value < 2.5, (study.best_params, study.best_value)
print(f"wheel: ok   venv study: best {study.best_value:.4f}, library {hone.library_path}")
PY
# The study's per-trial log lines go to stderr: shown only on failure.
(cd "$work/elsewhere" && env -i "$work/venv/bin/python" probe.py "$version" 2>"$work/probe.err") \
    || { tail -20 "$work/probe.err"; fail "the installed wheel does not work without environment variables"; }
