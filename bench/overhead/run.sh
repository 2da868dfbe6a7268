#!/usr/bin/env bash
# Python overhead benchmark (issue 7): one ask + 3 suggest_float + tell round trip from
# Python through ctypes (hone.create_study, in memory) against Optuna's ask/tell on its
# in-memory storage, TPE against TPESampler (and random against RandomSampler), in one
# process, at 500 finished trials; 50 timed round trips each.
#
#   bench/overhead/run.sh                 release libhone.so, 500 warm-up trials, 50 timed
#   bench/overhead/run.sh WARM MEASURED   other counts
#
# Results are JSON lines on stdout and in $OUT (default bench/overhead/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
WARM=${1:-500}
MEASURED=${2:-50}
OUT=${OUT:-bench/overhead/results.jsonl}

python3 -c "import optuna" 2>/dev/null || python3 -m pip install -q optuna
python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q numpy
swift build -c release --product hone >&2
LIB="$(swift build -c release --show-bin-path)/libhone.so"

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    HONE_LIBRARY="$LIB" PYTHONPATH="$PWD/bindings/python" \
        python3 bench/overhead/python_overhead.py --warm "$WARM" --measured "$MEASURED"
} | tee "$OUT"
