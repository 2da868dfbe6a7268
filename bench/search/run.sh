#!/usr/bin/env bash
# Search benchmark (issue 4, item 9): simple regret of every Hone sampler and of Optuna
# (TPE, GP, CMA-ES), Hyperopt (TPE) and nevergrad (NGOpt) on Branin, Hartmann3,
# Hartmann6 and Rosenbrock-4 — each also on a shifted box whose optimum sits near a corner
# — then the time per ask of TPE and GP against Optuna's at 100, 500 and 1000 trials.
#
#   bench/search/run.sh [SEEDS]     SEEDS per (problem, sampler), default 10; 100 evaluations
#
# Environment: GP_SEEDS (seeds for Optuna's GP, the slow peer; default SEEDS), EVALS
# (default 100), OUT (default bench/search/results.jsonl). Everything runs on one core,
# niced; about 35 minutes of CPU with the defaults. The tables for BENCHMARKS.md:
#   python3 bench/search/summarize.py bench/search/results.jsonl
set -euo pipefail
cd "$(dirname "$0")/../.."

SEEDS=${1:-10}
GP_SEEDS=${GP_SEEDS:-$SEEDS}
EVALS=${EVALS:-100}
OUT=${OUT:-bench/search/results.jsonl}
# nproc honours OMP_NUM_THREADS, so read it before the peers are pinned to one thread.
CORES=$(nproc)
PROBLEMS=branin,hartmann3,hartmann6,rosenbrock4,branin-shifted,hartmann3-shifted,hartmann6-shifted,rosenbrock4-shifted
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONWARNINGS=ignore

python3 -c "import optuna, hyperopt, nevergrad, cmaes, greenlet, torch" 2>/dev/null \
    || pip install optuna hyperopt nevergrad cmaes greenlet torch

swift build -c release --product hone-bench-search >&2
BENCH="$(swift build -c release --show-bin-path)/hone-bench-search"
PEERS="python3 bench/search/peers.py"

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), nproc $CORES, CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# swift $(swift --version 2>&1 | grep -o 'version [0-9.]*' | head -1), hone $(git rev-parse --short HEAD), $(python3 -c 'import optuna, hyperopt, nevergrad, torch; print(f"optuna {optuna.__version__}, hyperopt {hyperopt.__version__}, nevergrad {nevergrad.__version__}, torch {torch.__version__}")')"
    echo "# seeds $SEEDS (Optuna GP: $GP_SEEDS), evaluations $EVALS"
    nice "$BENCH" problems
    nice $PEERS problems
    nice "$BENCH" regret --problems $PROBLEMS --samplers auto,gp,trust-region,tpe,cmaes,nsga2,sobol,random,grid --seeds "$SEEDS" --evals "$EVALS"
    nice $PEERS regret --problems $PROBLEMS --samplers optuna-tpe,optuna-tpe-mv,optuna-cmaes,hyperopt-tpe,ngopt --seeds "$SEEDS" --evals "$EVALS"
    nice $PEERS regret --problems $PROBLEMS --samplers optuna-gp --seeds "$GP_SEEDS" --evals "$EVALS"
    nice "$BENCH" asktime --samplers tpe,gp --sizes 100,500,1000 --asks 20
    nice $PEERS asktime --samplers optuna-tpe,optuna-tpe-mv,optuna-gp --sizes 100,500,1000 --asks 20 --gp-asks 5
    echo "# finished $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"

python3 bench/search/summarize.py "$OUT"
