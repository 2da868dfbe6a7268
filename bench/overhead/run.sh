#!/usr/bin/env bash
# Overhead of one ask + 3 suggest_float + tell round trip (issue 7), in one run:
#   - from C (bench/overhead/c_roundtrip.c): the C API's own cost, TPE and random;
#   - from Python through ctypes (bench/overhead/python_overhead.py) against Optuna's
#     ask/tell on its in-memory storage, TPE vs TPESampler and random vs RandomSampler.
# Every study is warmed up to WARM finished trials first, then MEASURED round trips are
# timed one by one.
#
#   bench/overhead/run.sh [BUILD_DIR] [WARM] [MEASURED]
#       BUILD_DIR  holds libhone.so (default: .build/release, built first)
#       WARM       finished trials before timing (default 500)
#       MEASURED   timed round trips per side (default 50)
#
# Output on stdout and in $OUT (default bench/overhead/results.jsonl): a header line, the C
# lines (prefixed "# C:"), then one JSON line per Python sampler pair.
set -euo pipefail
cd "$(dirname "$0")/../.."
WARM=${2:-500}
MEASURED=${3:-50}
OUT=${OUT:-bench/overhead/results.jsonl}

python3 -c "import optuna" 2>/dev/null || python3 -m pip install -q optuna
python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q numpy
[ -n "${1:-}" ] || swift build -c release --product hone >&2
build="$(cd "${1:-.build/release}" && pwd)"
ln -sf libhone.so "$build/libhone.so.1"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cc -std=c99 -O2 -Wall -Wextra -Iinclude bench/overhead/c_roundtrip.c -o "$work/c_roundtrip" \
    -L"$build" -lhone -Wl,-rpath,"$build"

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$work/c_roundtrip" "$WARM" "$MEASURED" | sed 's/^/# C: /'
    HONE_LIBRARY="$build/libhone.so" PYTHONPATH="$PWD/bindings/python" \
        python3 bench/overhead/python_overhead.py --warm "$WARM" --measured "$MEASURED"
} | tee "$OUT"
