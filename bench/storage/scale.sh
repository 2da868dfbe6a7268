#!/usr/bin/env bash
# PostgreSQL scale benchmark (issue 17, item 3): many worker processes on one study over
# loopback, a trivial objective (random sampler, one float, x²), so what is measured is the
# storage path under contention: trials per second, p50/p99 of one ask+tell across all
# workers, and a check that no trial number was handed out twice (the run fails otherwise).
#
#   bench/storage/scale.sh [WORKERS [TRIALS]]     default 64 workers, 20,000 trials
#   BENCH=.build/release/hone-bench-storage bench/storage/scale.sh    without building
#
# Server: HONE_BENCH_POSTGRES_URL, or the one of scripts/start-postgres.sh (fsync=off),
# in a fresh schema `hone_scale`. It needs max_connections > WORKERS + 1 (default 100).
# Results: one JSON line on stdout and appended to $OUT (bench/storage/scale-results.jsonl),
# after comment lines saying what limited the run: CPU seconds spent by the workers
# (clients) and by the server's backends, the machine's idle share, and what the server's
# sessions were waiting on (pg_stat_activity sampled every 0.2 s).
set -euo pipefail
cd "$(dirname "$0")/../.."

WORKERS=${1:-64}
TRIALS=${2:-20000}
OUT=${OUT:-bench/storage/scale-results.jsonl}

# BENCH=path skips the build (e.g. when other builds hold the package's build lock).
if [ -z "${BENCH:-}" ]; then
    swift build -c release --product hone-bench-storage >&2
    BENCH="$(swift build -c release --show-bin-path)/hone-bench-storage"
fi

SERVER=${HONE_BENCH_POSTGRES_URL:-$(scripts/start-postgres.sh)}
PGOPTIONS=--client-min-messages=warning psql "$SERVER" -qc "DROP SCHEMA IF EXISTS hone_scale CASCADE" -qc "CREATE SCHEMA hone_scale" >/dev/null
SETTINGS=$(psql "$SERVER" -tAc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('max_connections','fsync','synchronous_commit','shared_buffers','server_version')")
PG="$SERVER?options=-csearch_path%3Dhone_scale"

WAITS=$(mktemp)
trap 'rm -f "$WAITS"' EXIT
sample_waits() {
    while :; do
        psql "$SERVER" -tAc "SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, state) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'" >>"$WAITS" 2>/dev/null || true
        sleep 0.2
    done
}
# The postmaster's reaped children are the backends: their CPU time lands in its cutime/cstime.
POSTMASTER=$(head -1 "$(psql "$SERVER" -tAc 'SHOW data_directory')/postmaster.pid" 2>/dev/null || echo "")
server_cpu() { [ -n "$POSTMASTER" ] && awk '{print ($14 + $15 + $16 + $17) / 100}' "/proc/$POSTMASTER/stat" || echo 0; }
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
    echo "# postgres: $SETTINGS; libpq $(pkg-config --modversion libpq)"
    SERVER_BEFORE=$(server_cpu); read -r BUSY_BEFORE IDLE_BEFORE < <(machine)
    sample_waits & SAMPLER=$!
    /usr/bin/time -f "%U %S" -o "$WAITS.time" "$BENCH" throughput --storage "$PG" --workers "$WORKERS" --trials "$TRIALS"
    kill "$SAMPLER"
    SERVER_AFTER=$(server_cpu); read -r BUSY_AFTER IDLE_AFTER < <(machine)
    echo "# cpu seconds: clients $(awk '{print $1 + $2}' "$WAITS.time"), server backends $(awk -v a="$SERVER_AFTER" -v b="$SERVER_BEFORE" 'BEGIN {printf "%.2f", a - b}'); machine idle $(awk -v i=$((IDLE_AFTER - IDLE_BEFORE)) -v b=$((BUSY_AFTER - BUSY_BEFORE)) 'BEGIN {printf "%.1f", 100 * i / (i + b)}')%"
    echo "# active server sessions by wait (type:event, share of $(wc -l <"$WAITS") samples): $(sort "$WAITS" | uniq -c | sort -rn | head -8 | awk -v n="$(wc -l <"$WAITS")" '{printf "%s %.0f%%, ", $2, 100 * $1 / n}')"
    rm -f "$WAITS.time"
} | tee -a "$OUT"
