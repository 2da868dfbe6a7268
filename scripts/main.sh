#!/usr/bin/env bash
# Hone's main job: installs what it needs, builds Hone in release mode and tunes a network
# for Fashion-MNIST (Debian's dataset-fashion-mnist) with `hone auto`, in about five minutes
# on 2 cores:
#   1. trial 0 is the default configuration (`hone train`'s MLP: 256-128, Adam 1e-3);
#   2. the auto sampler with Hyperband pruning (1–8 epochs) searches MLPs and CNNs (batch
#      norm, crop/flip augmentation, label smoothing, cosine / warm-up / one-cycle
#      schedules) for 3 minutes on 2 workers, printing one line per finished trial;
#   3. the search's best networks are averaged into one model (ensemble selection on the
#      validation images, no retraining), and its test accuracy is printed next to that of
#      the default configuration's network.
# Trials are stored in SQLite (hone.db here; run it again to continue the same study), the
# tuned model in out/fashion-mnist.safetensors.
# Extra arguments go to `hone auto`, e.g. `scripts/main.sh --time-budget 600`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product hone-cli
mkdir -p out
exec .build/release/hone-cli auto fashion-mnist --time-budget 180 --max-epochs 8 --jobs 2 --seed 0 \
    --study main-fashion-mnist --storage "sqlite:$PWD/hone.db" --output out/fashion-mnist.safetensors "$@"
