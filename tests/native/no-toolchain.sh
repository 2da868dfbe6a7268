#!/usr/bin/env bash
# libhone.so needs no Swift toolchain at run time: the Swift runtime and Foundation are
# linked into it (Package.swift, swiftRuntimeStatically). Checks, on BUILD_DIR/libhone.so:
#
#   1. its dynamic section: no NEEDED Swift runtime library, no RUNPATH into the toolchain;
#   2. `ldd`: every dependency resolves, none from the toolchain;
#   3. with the toolchain's library folder made unreadable (a tmpfs mounted over it in a
#      private mount namespace, `unshare -rm`): the C and C++ examples (examples/c,
#      examples/cpp) and the Python package (bindings/python: a study in SQLite) run, and
#      no toolchain path is mapped into the process (/proc/self/maps); given CLI (a built
#      hone-cli, which links the runtime in the same way), `hone tune` and `hone studies`
#      run too.
#
#   tests/native/no-toolchain.sh BUILD_DIR [CLI]
#
# Where mount namespaces are not allowed, step 3 runs without hiding the toolchain and
# rests on the /proc/self/maps and LD_DEBUG=libs checks alone (it says so): those also
# fail if any toolchain path is loaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR [CLI]" >&2; exit 2; }
build="$(cd "$1" && pwd)"
lib="$build/libhone.so"
[ -f "$lib" ] || { echo "no-toolchain: $lib not found" >&2; exit 1; }
cli=""
if [ $# -eq 2 ]; then
    cli="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
    [ -x "$cli" ] || { echo "no-toolchain: $2 is not an executable" >&2; exit 1; }
fi

# The toolchain's library folder (usr/lib: swift/linux and swift_static), from swiftc.
swiftc="$(command -v swiftc || true)"
[ -n "$swiftc" ] || { echo "no-toolchain: swiftc not on PATH (needed to find the toolchain)" >&2; exit 1; }
toolchain_lib="$(cd "$(dirname "$(readlink -f "$swiftc")")/../lib" && pwd)"
[ -d "$toolchain_lib/swift/linux" ] || { echo "no-toolchain: $toolchain_lib/swift/linux not found" >&2; exit 1; }
toolchain="$(dirname "$(dirname "$toolchain_lib")")"   # e.g. /opt/swift

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "no-toolchain: FAIL: $*" >&2; exit 1; }

# 1. The dynamic section.
readelf -d "$lib" >"$work/dynamic"
# (No `grep -q` after a pipe: with pipefail, the writer's SIGPIPE when grep -q stops
# reading early would make a match look like no match.)
if grep -E '\((NEEDED)\)' "$work/dynamic" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime' >/dev/null; then
    grep NEEDED "$work/dynamic"; fail "libhone.so needs a Swift runtime library"
fi
if grep -E '\((RUNPATH|RPATH)\)' "$work/dynamic" | grep -F "$toolchain" >/dev/null; then
    grep -E 'RUNPATH|RPATH' "$work/dynamic"; fail "libhone.so has a RUNPATH into the toolchain"
fi
echo "no-toolchain: ok   no Swift runtime among NEEDED, no RUNPATH into $toolchain"

# 2. ldd: all found, nothing from the toolchain.
env -i ldd "$lib" >"$work/ldd"
! grep -q "not found" "$work/ldd" || { cat "$work/ldd"; fail "a dependency is not found"; }
! grep -qF "$toolchain" "$work/ldd" || { cat "$work/ldd"; fail "ldd resolves a dependency from the toolchain"; }
echo "no-toolchain: ok   ldd resolves $(grep -c '=>' "$work/ldd") libraries, none from $toolchain"

# 3. Programs. Built before the toolchain is hidden (cc is the system compiler).
soname="$(sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p' "$work/dynamic")"
mkdir -p "$work/lib"
cp "$lib" "$work/lib/libhone.so"
[ -n "$soname" ] && [ "$soname" != libhone.so ] && ln -s libhone.so "$work/lib/$soname"
link=(-L"$work/lib" -lhone -Wl,-rpath,"$work/lib" -lm)
cc -std=c99 -Wall -Wextra -I"$root/include" "$root/examples/c/tune_mlp.c" -o "$work/tune_mlp" "${link[@]}"
c++ -std=c++17 -Wall -Wextra -I"$root/include" -I"$root/bindings/cpp" "$root/examples/cpp/tune.cpp" -o "$work/tune_cpp" "${link[@]}"
cat >"$work/study.py" <<'PY'
import os, sys
import hone
toolchain = sys.argv[1]
study = hone.create_study(direction="minimize", sampler="tpe", seed=0,
                          storage="sqlite:///study.db", study_name="no-toolchain")
study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 2) ** 2, n_trials=15)
assert os.path.exists("study.db"), "sqlite:///study.db is ./study.db"
assert len(hone.load_study(study_name="no-toolchain", storage="sqlite:///study.db").trials) == 15
mapped = sorted({line.split()[-1] for line in open("/proc/self/maps") if toolchain in line})
assert not mapped, f"toolchain files mapped into the process: {mapped}"
print(f"python: best {study.best_value:.4f} with {hone.library_path}")
PY
cat >"$work/run.sh" <<SH
set -eu
cd "$work"
# The examples' own output, then the maps of a process that loaded the library.
./tune_mlp 4 >tune_mlp.out
./tune_cpp 4 >tune_cpp.out
env -i LD_DEBUG=libs ./tune_mlp 1 >/dev/null 2>ld_debug.out
env -i PYTHONPATH="$root/bindings/python" HONE_LIBRARY="$work/lib/libhone.so" /usr/bin/python3 study.py "$toolchain"
SH
if [ -n "$cli" ]; then
    cat >>"$work/run.sh" <<SH
env -i "$cli" tune "$root/scripts/branin.lua" --storage sqlite:///cli.db --trials 5 >cli.out
env -i "$cli" studies --storage sqlite:///cli.db >>cli.out
env -i LD_DEBUG=libs "$cli" --help >/dev/null 2>>ld_debug.out
SH
fi

hidden=no
if unshare -rm true 2>/dev/null; then
    # The tmpfs hides everything under the toolchain's usr/lib for these commands only.
    unshare -rm sh -c "mount -t tmpfs -o mode=000 none '$toolchain_lib' && [ -z \"\$(ls -A '$toolchain_lib')\" ] && sh '$work/run.sh'" \
        >"$work/out" 2>&1 || { cat "$work/out"; fail "a program failed with $toolchain_lib hidden"; }
    hidden=yes
else
    echo "no-toolchain: mount namespaces are not available here; running with the toolchain in place," \
         "relying on the /proc/self/maps and LD_DEBUG checks"
    sh "$work/run.sh" >"$work/out" 2>&1 || { cat "$work/out"; fail "a program failed"; }
fi
! grep -qF "$toolchain" "$work/ld_debug.out" || { grep -F "$toolchain" "$work/ld_debug.out" | head; fail "the loader looked into the toolchain"; }
grep -q "calling init: $work/lib/libhone.so" "$work/ld_debug.out" \
    || { tail -20 "$work/ld_debug.out"; fail "LD_DEBUG shows no load of libhone.so"; }
grep -q "best" "$work/tune_mlp.out" || { cat "$work/tune_mlp.out"; fail "examples/c/tune_mlp.c printed no result"; }
[ -s "$work/tune_cpp.out" ] || fail "examples/cpp/tune.cpp printed nothing"
sed -n 's/^python: /no-toolchain: python: /p' "$work/out"
echo "no-toolchain: examples/c/tune_mlp.c: $(tail -1 "$work/tune_mlp.out")"
if [ -n "$cli" ]; then
    grep -q "branin" "$work/cli.out" || { cat "$work/cli.out"; fail "hone studies does not list the study hone tune made"; }
    echo "no-toolchain: ok   $(basename "$cli") tune and studies ran"
fi
echo "no-toolchain: ok   C and C++ examples and the Python package ran" \
     "$([ "$hidden" = yes ] && echo "with $toolchain_lib hidden" || echo "(toolchain not hidden)"), nothing mapped from $toolchain"
