#!/usr/bin/env bash
# `hone auto fashion-mnist` against its Optuna + PyTorch twin (issue 18 item 4), one after
# the other on the same machine with the same search budget: Hone (--jobs 2), the twin with
# a per-trial deadline check (n_jobs 2, one torch thread each) and the twin with Optuna's
# plain `timeout=` (running trials finish past it). Each run's log goes to $LOGS; a
# Markdown table of search time, refit time, total, trials and test accuracy follows.
# Usage: bench/tuning/run_auto.sh [budget seconds] [seed] [logs directory]
# (The issue's comparison is 900 s and 3600 s, three seeds; short budgets check the setup.)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUDGET=${1:-900}
SEED=${2:-0}
LOGS=${3:-bench/tuning/logs}
mkdir -p "$LOGS"
python3 -c "import torch, optuna" 2>/dev/null || pip install -q torch optuna
swift build -c release --product hone-cli >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tag="b${BUDGET}-s${SEED}"

load=$(cut -d' ' -f1 /proc/loadavg)
start=$(date +%s.%N)
# The whole run (search + refit) is bounded so a stuck run cannot hold the machine.
timeout $((BUDGET * 4 + 1800)) .build/release/hone-cli auto fashion-mnist --time-budget "$BUDGET" --jobs 2 --seed "$SEED" \
    --no-baseline --storage "sqlite:///$WORK/auto.db" --output "$WORK/model.safetensors" 2>&1 | tee "$LOGS/hone-$tag.log"
end=$(date +%s.%N)
echo "HONE_TOTAL $(echo "$end - $start" | bc) load $load" >>"$LOGS/hone-$tag.log"

for mode in deadline plain; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  timeout $((BUDGET * 4 + 1800)) python3 bench/tuning/optuna_auto_twin.py --seconds "$BUDGET" --mode "$mode" --jobs 2 --threads 1 \
      --seed "$SEED" 2>&1 | tee "$LOGS/twin-$mode-$tag.log"
  echo "LOAD $load" >>"$LOGS/twin-$mode-$tag.log"
done

python3 - "$LOGS" "$tag" <<'PY'
import json, re, sys
logs, tag = sys.argv[1], sys.argv[2]
hone = open(f"{logs}/hone-{tag}.log").read()
num = lambda pattern: float(re.search(pattern, hone).group(1)) if re.search(pattern, hone) else float("nan")
search = num(r"search: (\d+) s,")
# The final model: "built in" (the search's networks averaged) or "retrained in" (--refit).
refit = num(r"(?:retrained|built) in (\d+) s")
trials = re.search(r"search: \d+ s, (.*)", hone)
trials = trials.group(1) if trials else "?"
best = re.search(r"best: trial \d+, (.*)", hone)
best = best.group(1) if best else "?"
total, test = num(r"HONE_TOTAL ([0-9.]+)"), num(r"test accuracy ([0-9.]+)")
print("| run | search s | final model s | total s | trials | best validation | test accuracy |")
print("|---|---|---|---|---|---|---|")
print(f"| hone auto --jobs 2 | {search:.0f} | {refit:.0f} | {total:.0f} | {trials} | {best} | {test:.4f} |")
for mode in ("deadline", "plain"):
    line = next((l for l in open(f"{logs}/twin-{mode}-{tag}.log") if l.startswith("TWIN ")), None)
    if not line:
        print(f"| Optuna + PyTorch ({mode}) | failed | | | | | |")
        continue
    r = json.loads(line[5:])
    states = ", ".join(f"{v} {k}" for k, v in sorted(r["trials"].items()))
    print(f"| Optuna + PyTorch ({mode}) | {r['search_seconds']:.0f} | {r['refit_seconds']:.0f} | {r['total_seconds']:.0f} | {states} "
          f"| {r['best_val']:.4f} | {r['test_accuracy']:.4f} |")
PY
