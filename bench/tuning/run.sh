#!/usr/bin/env bash
# Tuning benchmark (issue 5, item 6): an MLP on Fashion-MNIST tuned by Hone's random search
# at full budget, Hyperband, BOHB and ASHA (2 workers), and by Optuna TPE + Hyperband
# driving PyTorch, each for the same wall-clock budget. Prints a Markdown table for
# BENCHMARKS.md. Usage: bench/tuning/run.sh [seconds per method] [max epochs] [seed]
#
# The Hone side runs as a test (Tests/HoneTuningTests/TuningBenchmark.swift, skipped
# unless HONE_TUNING_BENCH is set) in a release build. Run it on a quiet machine: every
# method gets the same wall time, so other load skews the comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_METHOD=${1:-600}
MAX_EPOCHS=${2:-9}
SEED=${3:-1}
OUT=bench/tuning/results-seed$SEED.jsonl
: >"$OUT"
HONE_TUNING_BENCH=1 HONE_BENCH_SECONDS=$SECONDS_PER_METHOD HONE_BENCH_MAX_EPOCHS=$MAX_EPOCHS HONE_BENCH_SEED=$SEED \
  swift test -c release -Xswiftc -enable-testing --filter 'HoneTuningTests.TuningBenchmark' 2>&1 | grep '^BENCH ' | sed 's/^BENCH //' >>"$OUT"
python3 bench/tuning/optuna_pytorch.py --seconds "$SECONDS_PER_METHOD" --max-epochs "$MAX_EPOCHS" --seed "$SEED" | grep '^BENCH ' | sed 's/^BENCH //' >>"$OUT"
python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rand = next((r for r in rows if r["method"] == "random"), None)
def time_to(r, target):
    return next((t for t, acc in r["curve"] if acc >= target), None)
print(f"Seed {rows[0].get('seed', 1)}. Budget {rows[0]['seconds']:.0f} s per method, at most {rows[0]['max_epochs']} epochs per configuration.\n")
print("| method | best val acc | epochs trained | time to random's best (s) | ≤ 1/3 of random's wall budget | ≤ 1/3 of random's time to its best | test acc (best retrained) |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    t = time_to(r, rand["best_val_acc"]) if rand else None
    rt = time_to(rand, rand["best_val_acc"]) if rand else None
    budget = "—" if t is None else ("yes" if t <= rand["seconds"] / 3 else "no")
    third = "—" if t is None or rt is None else ("yes" if t <= rt / 3 else "no")
    print(f"| {r['method']} | {r['best_val_acc']:.4f} | {r['epochs_trained']} | {'—' if t is None else f'{t:.0f}'} | {budget} | {third} | {r.get('test_acc_retrained', float('nan')):.4f} |")
PY
