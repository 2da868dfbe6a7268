#!/usr/bin/env bash
# bench/overhead/run.sh [BUILD_DIR] [WARM_TRIALS] [MEASURED_TRIALS]: the C API's
# ask/suggest/tell round trip against libhone.so in BUILD_DIR (default .build/release).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="$(cd "${1:-.build/release}" && pwd)"
ln -sf libhone.so "$build/libhone.so.1"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
cc -std=c99 -O2 -Wall -Wextra -Iinclude bench/overhead/c_roundtrip.c -o "$out/c_roundtrip" \
    -L"$build" -lhone -Wl,-rpath,"$build"
"$out/c_roundtrip" "${2:-500}" "${3:-100}"
