#!/usr/bin/env bash
# Installs the Hone C library, its header, pkg-config file, study scripts and the
# Python package under PREFIX:
#
#   PREFIX/lib/libhone.so.ABI (+ libhone.so → it)   PREFIX/include/hone.h (+ hone.hpp)
#   PREFIX/lib/pkgconfig/hone.pc                    PREFIX/share/hone/scripts/*.lua
#   PREFIX/lib/pythonX.Y/site-packages/hone/ (with libhone.so → ../../../libhone.so.ABI)
#
#   scripts/install.sh PREFIX
#
# Builds libhone.so in release mode first, unless HONE_BUILD_DIR names a build directory
# that already holds libhone.so (the tests install the debug build that way). The library
# finds the Swift runtime through its RUNPATH (the toolchain's usr/lib/swift/linux).
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"

if [ -n "${HONE_BUILD_DIR:-}" ]; then
    build="$HONE_BUILD_DIR"
else
    swift build -c release --product hone
    build=.build/release
fi
[ -f "$build/libhone.so" ] || { echo "install: $build/libhone.so not found" >&2; exit 1; }

abi="$(sed -n 's/^#define HONE_ABI_VERSION \([0-9]*\).*/\1/p' include/hone.h)"
version="$(sed -n 's/^#define HONE_VERSION_STRING "\(.*\)".*/\1/p' include/hone.h)"
[ -n "$abi" ] && [ -n "$version" ] || { echo "install: cannot read the version from include/hone.h" >&2; exit 1; }

install -d "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/share/hone/scripts"
install -m 755 "$build/libhone.so" "$prefix/lib/libhone.so.$abi"
ln -sfn "libhone.so.$abi" "$prefix/lib/libhone.so"
install -m 644 include/hone.h "$prefix/include/hone.h"
[ -f bindings/cpp/hone.hpp ] && install -m 644 bindings/cpp/hone.hpp "$prefix/include/hone.hpp"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" scripts/hone.pc.in >"$prefix/lib/pkgconfig/hone.pc"
install -m 644 scripts/*.lua "$prefix/share/hone/scripts/"

if [ -d bindings/python/hone ]; then
    pyver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    site="$prefix/lib/python$pyver/site-packages"
    rm -rf "$site/hone"
    install -d "$site"
    cp -r bindings/python/hone "$site/hone"
    find "$site/hone" -name __pycache__ -prune -exec rm -rf {} +
    # The package loads the library that sits beside it.
    ln -sfn "../../../libhone.so.$abi" "$site/hone/libhone.so"
    echo "install: Python package in $site (add it to PYTHONPATH)"
fi
echo "install: Hone $version (ABI $abi) in $prefix"
