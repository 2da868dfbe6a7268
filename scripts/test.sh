#!/usr/bin/env bash
# Runs every Hone test: installs what the tests need, starts PostgreSQL on loopback,
# runs the Swift test suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export HONE_TEST_POSTGRES_URL="${HONE_TEST_POSTGRES_URL:-$(scripts/start-postgres.sh)}"
echo "test: PostgreSQL at $HONE_TEST_POSTGRES_URL"

swift build --build-tests
swift test --skip-build --disable-swift-testing
