#!/usr/bin/env bash
# Broad search benchmark of issue 14 (BENCHMARKS.md, "Search: COCO and HPO surfaces"):
# Hone's auto and TPE samplers through the Python bindings against Optuna (TPE, CMA-ES,
# GP) and nevergrad (NGOpt) on COCO's bbob (2-D, 5-D, then 10-D), bbob-mixint (5-D) and
# bbob-noisy (2-D, 5-D) and on the HPO surfaces of surfaces.py; 100 evaluations, seeds
# 0..SEEDS-1; then the tables at 25/50/100 evaluations.
#
#   bench/search/suite/run.sh [SEEDS] [OUT_DIR]      defaults: 5, bench/search/suite/out
#
# GP_SEEDS (default 3): seeds for Optuna's GP, which costs 3-10 min per 100-evaluation run
# on this machine, so it runs on the mixed/conditional/failing surfaces only. Every step is
# resumable (runs already in the output are skipped). Niced, one thread per process.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SEEDS=${1:-5}
OUT=${2:-bench/search/suite/out}
GP_SEEDS=${GP_SEEDS:-3}
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONWARNINGS=ignore

python3 -c "import optuna, nevergrad, cocoex, torch" 2>/dev/null || pip install optuna nevergrad coco-experiment cmaes torch
timeout 2400 swift build -c release --product hone >&2
export HONE_LIBRARY=${HONE_LIBRARY:-$PWD/.build/release/libhone.so}

RUN="nice python3 bench/search/suite/run.py --seeds $SEEDS --budget 100"
for spec in "surfaces" "bbob --dims 2,5" "bbob-mixint --dims 5" "bbob-noisy --dims 2,5" "bbob --dims 10"; do
    # shellcheck disable=SC2086
    $RUN --samplers hone-auto,hone-tpe --suite $spec --out "$OUT/hone.jsonl"
    # shellcheck disable=SC2086
    $RUN --samplers optuna-tpe,optuna-cmaes,ngopt --suite $spec --out "$OUT/peers.jsonl"
done
nice python3 bench/search/suite/run.py --seeds "$GP_SEEDS" --budget 100 --samplers optuna-gp --suite surfaces \
    --problems mlp-mixed-cliff,mlp-mixed-raise,mlp-mixed-noisy,sgd-mixed,sgd-mixed-noisy,conditional,conditional-noisy,branin-failing,branin-failing3,mlp-failing-region \
    --out "$OUT/peers-gp.jsonl"

# HEBO, SMAC3 and DEHB pin clashing packages: each runs from its own venv when there is one
# ($VENVS/venv-NAME, made as run.py's docstring says); on the surfaces (slow: HEBO and SMAC
# take about a minute per 100-evaluation run here).
VENVS=${VENVS:-/tmp}
for peer in dehb smac hebo; do
    py="$VENVS/venv-$peer/bin/python"
    if [ -x "$py" ]; then
        nice "$py" bench/search/suite/run.py --seeds "$GP_SEEDS" --budget 100 --samplers $peer --suite surfaces --out "$OUT/peers-venv.jsonl"
    else
        echo "# skipping $peer: no $py" >&2
    fi
done

# Main tables: every problem, peers without GP. Then the problems Optuna's GP ran on, with it
# (summarize.py keeps only problems where every peer in its input has runs).
cat "$OUT"/hone.jsonl "$OUT"/peers.jsonl > "$OUT/all.jsonl"
python3 bench/search/suite/summarize.py "$OUT/all.jsonl" --pair hone-tpe,optuna-tpe
cat "$OUT/all.jsonl" "$OUT"/peers-gp.jsonl > "$OUT/with-gp.jsonl"
python3 bench/search/suite/summarize.py "$OUT/with-gp.jsonl" --budgets 25,50,100 --per-problem
