#!/usr/bin/env bash
# PostgreSQL scale benchmark (issue 17, item 3): many worker processes on one study over
# loopback, a trivial objective (random sampler, one float, x²), so what is measured is the
# storage path under contention: trials per second, p50/p99 of one ask+tell across all
# workers, and a check that no trial number was handed out twice (the run fails otherwise).
#
#   bench/storage/scale.sh [WORKERS [TRIALS]]     default 64 workers, 20,000 trials
#
# Server: HONE_BENCH_POSTGRES_URL, or the one of scripts/start-postgres.sh (fsync=off),
# in a fresh schema `hone_scale`. It needs max_connections > WORKERS + 1 (default 100).
# Results: one JSON line on stdout and appended to $OUT (bench/storage/scale-results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."

WORKERS=${1:-64}
TRIALS=${2:-20000}
OUT=${OUT:-bench/storage/scale-results.jsonl}

swift build -c release --product hone-bench-storage >&2
BENCH="$(swift build -c release --show-bin-path)/hone-bench-storage"

SERVER=${HONE_BENCH_POSTGRES_URL:-$(scripts/start-postgres.sh)}
PGOPTIONS=--client-min-messages=warning psql "$SERVER" -qc "DROP SCHEMA IF EXISTS hone_scale CASCADE" -qc "CREATE SCHEMA hone_scale" >/dev/null
SETTINGS=$(psql "$SERVER" -tAc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('max_connections','fsync','synchronous_commit','shared_buffers','server_version')")
PG="$SERVER?options=-csearch_path%3Dhone_scale"

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
    echo "# postgres: $SETTINGS; libpq $(pkg-config --modversion libpq)"
    "$BENCH" throughput --storage "$PG" --workers "$WORKERS" --trials "$TRIALS"
} | tee -a "$OUT"
