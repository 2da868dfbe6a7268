#!/usr/bin/env bash
# Storage benchmark (issue 3): ask+tell throughput with 1 and 4 worker processes on Hone's
# SQLite and PostgreSQL backends and on Optuna's RDB storage on SQLite, in one run; then
# the cost of one ask+tell at 1,000 and 100,000 trials in one study.
#
#   bench/storage/run.sh            full run (about 10 minutes on 2 cores)
#   bench/storage/run.sh --quick    smaller counts, to check the harness
#
# PostgreSQL: the server of scripts/start-postgres.sh (or HONE_BENCH_POSTGRES_URL), in a
# fresh schema `hone_bench`. Results are JSON lines on stdout and in $OUT (default
# bench/storage/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
OUT=${OUT:-bench/storage/results.jsonl}

python3 -c "import optuna" 2>/dev/null || pip install optuna

swift build -c release --product hone-bench-storage >&2
BENCH="$(swift build -c release --show-bin-path)/hone-bench-storage"

SERVER=${HONE_BENCH_POSTGRES_URL:-$(scripts/start-postgres.sh)}
PGOPTIONS=--client-min-messages=warning psql "$SERVER" -qc "DROP SCHEMA IF EXISTS hone_bench CASCADE" -qc "CREATE SCHEMA hone_bench" >/dev/null
PG="$SERVER?options=-csearch_path%3Dhone_bench"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SQLITE="sqlite:///$WORK/hone.db"

if [ $QUICK = 1 ]; then
    HONE_TRIALS=400; OPTUNA_TRIALS=40; SIZES=1000,5000; WINDOW=200
else
    HONE_TRIALS=4000; OPTUNA_TRIALS=400; SIZES=1000,100000; WINDOW=2000
fi

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# swift $(swift --version 2>&1 | grep -o 'version [0-9.]*' | head -1), sqlite $(pkg-config --modversion sqlite3), libpq $(pkg-config --modversion libpq), optuna $(python3 -c 'import optuna; print(optuna.__version__)')"
    for workers in 1 4; do
        "$BENCH" throughput --storage "$SQLITE" --workers $workers --trials $HONE_TRIALS
        "$BENCH" throughput --storage "$PG" --workers $workers --trials $HONE_TRIALS
        python3 bench/storage/optuna_bench.py --db "$WORK/optuna.db" --workers $workers --trials $OPTUNA_TRIALS
        python3 bench/storage/optuna_bench.py --db "$WORK/optuna-wal.db" --workers $workers --trials $OPTUNA_TRIALS --wal
    done
    "$BENCH" scaling --storage "$SQLITE" --sizes $SIZES --window $WINDOW
    "$BENCH" scaling --storage "$PG" --sizes $SIZES --window $WINDOW
} | tee "$OUT"
