#!/usr/bin/env bash
# Runs every Hone test: installs what the tests need, starts PostgreSQL on loopback,
# runs the Swift suites (XCTest) and the Python interoperability tests.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
python3 -c "import pytest, numpy, safetensors, tensorboard" 2>/dev/null || python3 -m pip install -q pytest numpy safetensors tensorboard
export HONE_TEST_POSTGRES_URL="${HONE_TEST_POSTGRES_URL:-$(scripts/start-postgres.sh)}"
echo "test: PostgreSQL at $HONE_TEST_POSTGRES_URL"

swift build --build-tests
python3 -m pytest -q tests/python
swift test --skip-build --disable-swift-testing
