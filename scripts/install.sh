#!/usr/bin/env bash
# Installs Hone under PREFIX: the `hone` command, the C library, its header, pkg-config
# file, study scripts and the Python package:
#
#   PREFIX/bin/hone                                 PREFIX/include/hone.h (+ hone.hpp)
#   PREFIX/lib/libhone.so.ABI (+ libhone.so → it)   PREFIX/lib/pkgconfig/hone.pc
#   PREFIX/share/hone/scripts/*.lua                 PREFIX/share/licenses/hone/LICENSE
#   PREFIX/lib/pythonX.Y/site-packages/hone/ (with libhone.so → ../../../libhone.so.ABI)
#
#   scripts/install.sh PREFIX
#
# Builds libhone.so and the command in release mode first, unless HONE_BUILD_DIR names a
# build directory that already holds them (the tests install the debug build that way;
# the command is skipped when that directory has no hone-cli). SwiftPM builds the command
# as hone-cli, because the library product is named hone (libhone.so); it is installed as
# `hone`. libhone.so and the command carry the Swift runtime (Package.swift), so neither
# needs the toolchain once installed.
#
# Then the loader has to find libhone.so: as root, with PREFIX/lib among the loader's
# folders (/usr/local/lib on Debian), the script runs ldconfig; otherwise it says what to do.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"

if [ -n "${HONE_BUILD_DIR:-}" ]; then
    build="$HONE_BUILD_DIR"
else
    swift build -c release --product hone
    swift build -c release --product hone-cli
    build=.build/release
fi
[ -f "$build/libhone.so" ] || { echo "install: $build/libhone.so not found" >&2; exit 1; }

abi="$(sed -n 's/^#define HONE_ABI_VERSION \([0-9]*\).*/\1/p' include/hone.h)"
version="$(sed -n 's/^#define HONE_VERSION_STRING "\(.*\)".*/\1/p' include/hone.h)"
[ -n "$abi" ] && [ -n "$version" ] || { echo "install: cannot read the version from include/hone.h" >&2; exit 1; }

install -d "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/share/hone/scripts" "$prefix/share/licenses/hone"
install -m 755 "$build/libhone.so" "$prefix/lib/libhone.so.$abi"
if [ -f "$build/hone-cli" ]; then
    install -d "$prefix/bin"
    install -m 755 "$build/hone-cli" "$prefix/bin/hone"
elif [ -z "${HONE_BUILD_DIR:-}" ]; then
    echo "install: $build/hone-cli not found" >&2; exit 1
fi
install -m 644 LICENSE "$prefix/share/licenses/hone/LICENSE"
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
[ -f "$prefix/bin/hone" ] && echo "install: the command is $prefix/bin/hone"

# The loader's cache. ldconfig -n only makes the SONAME link in PREFIX/lib (harmless
# anywhere); the cache itself is rebuilt only as root and only when the loader searches
# PREFIX/lib, so a test's temporary prefix never touches /etc/ld.so.cache.
libdir="$prefix/lib"
if command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ]; then
    ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
    "$ldconfig_bin" -n "$libdir" 2>/dev/null || true
    # grep reads all of ldconfig's output (no -q): with pipefail, ldconfig's SIGPIPE
    # would turn a match into "not found".
    if "$ldconfig_bin" -v -N 2>/dev/null | grep "^$libdir:" >/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then
            "$ldconfig_bin" && echo "install: ran ldconfig; programs find libhone.so.$abi in $libdir"
        else
            echo "install: run 'sudo ldconfig' so that programs find libhone.so.$abi in $libdir"
        fi
    else
        echo "install: $libdir is not among the loader's folders: link programs with -Wl,-rpath,$libdir," \
             "or add it to /etc/ld.so.conf.d/ and run ldconfig as root, or set LD_LIBRARY_PATH=$libdir"
    fi
fi
