#!/usr/bin/env bash
# CNN trainer benchmark: the same CNNs trained by Hone and by PyTorch (CPU) in one run,
# alternating per configuration so both see the same machine load. Prints a Markdown
# table of samples/s, Hone/PyTorch ratios, Hone's GEMM FLOP rate and the rate sgemm
# reaches on the same GEMM products (per image, as Hone's Conv2D issues them), and the
# load average at the start of each configuration. The "CPU" ratios divide samples per CPU
# second of each process (all its threads): on a machine shared with other jobs they vary
# less than the wall-clock ones, which lose whatever time the scheduler gives elsewhere.
# Usage: bench/trainer/run_cnn.sh [seconds per run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-4}
REPEATS=${2:-1}
python3 -c "import torch" 2>/dev/null || pip install -q torch
swift build -c release --product hone-bench-trainer >/dev/null
OUT=$(mktemp)
for repeat in $(seq "$REPEATS"); do
  for threads in 1 2; do
    for cfg in "32,64 128" "32,64 128 --batch-norm" "64,128 256" "32,64 128 --activation tanh" "32,64 128 --activation gelu"; do
      set -- $cfg
      load=$(cut -d' ' -f1 /proc/loadavg)
      OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads .build/release/hone-bench-trainer --cnn "$1" --hidden "$2" ${3:-} ${4:-} \
          --batch 128 --threads "$threads" --seconds "$SECONDS_PER_RUN" | sed "s/}\$/, \"load\": $load}/" >>"$OUT"
      OMP_NUM_THREADS=$threads python3 bench/trainer/pytorch_cnn.py --cnn "$1" --hidden "$2" ${3:-} ${4:-} \
          --batch 128 --threads "$threads" --seconds "$SECONDS_PER_RUN" >>"$OUT"
    done
  done
done
python3 - "$OUT" <<'PY'
import json, sys, platform, statistics, subprocess
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda r: (tuple(r["channels"]), r["hidden"], r["batch_norm"], r.get("activation", "relu"), r["threads"])
by = {}
for r in rows:
    by.setdefault(key(r), {}).setdefault(r["impl"], []).append(r)
cpu = subprocess.run(["sh", "-c", "lscpu | grep 'Model name' | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
torch = next(r["torch"] for r in rows if "torch" in r)
core = next(r["blas_core"] for r in rows if "blas_core" in r)
print(f"CPU: {cpu}, {platform.machine()}; torch {torch}; OpenBLAS core {core}; medians of {len(next(iter(by.values()))['hone'])} runs\n")
print("| CNN | threads | load | Hone samples/s | PyTorch Adam | PyTorch fused Adam | Hone / Adam | Hone / fused | Hone / Adam (CPU) | Hone / fused (CPU) | Hone GEMM GFLOP/s | sgemm GFLOP/s | Hone / sgemm |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
med = lambda rs, f: statistics.median(r[f] for r in rs)
for (ch, hidden, bn, act, threads), d in by.items():
    h, p, f = d["hone"], d["pytorch-adam"], d["pytorch-fused-adam"]
    hs, ps, fs = med(h, "samples_per_s"), med(p, "samples_per_s"), med(f, "samples_per_s")
    name = "-".join(map(str, ch)) + f" h{hidden}" + (" BN" if bn else "") + ("" if act == "relu" else f" {act}")
    hc, pc, fc = med(h, "samples_per_cpu_s"), med(p, "samples_per_cpu_s"), med(f, "samples_per_cpu_s")
    print(f"| {name} | {threads} | {med(h, 'load'):.1f} | {hs:.0f} | {ps:.0f} | {fs:.0f} | {hs/ps:.2f}× | {hs/fs:.2f}× | {hc/pc:.2f}× | {hc/fc:.2f}× "
          f"| {med(h, 'gflops'):.1f} | {med(h, 'sgemm_gflops'):.1f} | {100*med(h, 'gflops')/med(h, 'sgemm_gflops'):.0f}% |")
PY
rm -f "$OUT"
