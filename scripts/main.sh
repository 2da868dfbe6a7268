#!/usr/bin/env bash
# Hone's main job: installs what it needs, builds Hone in release mode and trains an
# MLP on Fashion-MNIST (Debian's dataset-fashion-mnist), printing progress and the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product hone-cli
exec .build/release/hone-cli train --data fashion-mnist --hidden 256,128 --epochs 10 --seed 0 "$@"
