#!/usr/bin/env bash
# Hone's main job: installs what it needs, builds Hone in release mode and tunes an MLP on
# Fashion-MNIST (Debian's dataset-fashion-mnist) with TPE and median pruning, storing every
# trial in SQLite (hone.db here; run it again to resume), printing progress and the best result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product hone-cli
exec .build/release/hone-cli tune scripts/fashion_mnist_mlp.lua --storage "sqlite:///$PWD/hone.db" "$@"
