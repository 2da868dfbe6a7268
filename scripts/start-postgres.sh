#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's package) on loopback for the storage tests
# and prints the URL to reach it. Idempotent: reuses a server this script already started.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${HONE_PG_PORT:-54329}
DIR=${HONE_PG_DIR:-/tmp/hone-pg-$PORT}
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi

if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
    if [ ! -f "$DIR/PG_VERSION" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$DIR"
        "${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
"$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hone_test'" | grep -q 1 \
    || "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE hone_test" >/dev/null
echo "postgresql://postgres@127.0.0.1:$PORT/hone_test"
