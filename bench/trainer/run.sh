#!/usr/bin/env bash
# Trainer benchmark: the same MLPs trained by Hone and by PyTorch (CPU) in one run.
# Prints a Markdown table of samples/s, Hone/PyTorch ratios and GFLOP/s against the
# sgemm rate this machine reaches on the same GEMMs. Usage: bench/trainer/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-4}
python3 -c "import torch" 2>/dev/null || pip install -q torch
swift build -c release --product hone-bench-trainer >/dev/null
OUT=$(mktemp)
for threads in 1 2; do
  for cfg in "64,128,10 32" "784,256,256,10 64" "784,256,256,10 256" "784,1024,1024,10 256"; do
    set -- $cfg
    .build/release/hone-bench-trainer --sizes "$1" --batch "$2" --threads "$threads" --seconds "$SECONDS_PER_RUN" >>"$OUT"
    python3 bench/trainer/pytorch_mlp.py --sizes "$1" --batch "$2" --threads "$threads" --seconds "$SECONDS_PER_RUN" >>"$OUT"
  done
done
python3 - "$OUT" <<'PY'
import json, sys, platform, subprocess
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda r: (tuple(r["sizes"]), r["batch"], r["threads"])
by = {}
for r in rows:
    by.setdefault(key(r), {})[r["impl"]] = r
cpu = subprocess.run(["sh", "-c", "lscpu | grep 'Model name' | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"CPU: {cpu}, {platform.machine()}; torch {rows[1].get('torch')}; OpenBLAS core {rows[0].get('blas_core')}\n")
print("| MLP | batch | threads | Hone samples/s | PyTorch Adam | PyTorch fused Adam | Hone / Adam | Hone / fused | Hone GFLOP/s | sgemm GFLOP/s | Hone / sgemm |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for k, d in by.items():
    h, p, f = d["hone"], d["pytorch-adam"], d["pytorch-fused-adam"]
    print(f"| {'-'.join(map(str, k[0]))} | {k[1]} | {k[2]} | {h['samples_per_s']:.0f} | {p['samples_per_s']:.0f} | {f['samples_per_s']:.0f} "
          f"| {h['samples_per_s']/p['samples_per_s']:.2f}× | {h['samples_per_s']/f['samples_per_s']:.2f}× | {h['gflops']:.1f} "
          f"| {h['sgemm_gflops']:.1f} | {100*h['gflops']/h['sgemm_gflops']:.0f}% |")
PY
rm -f "$OUT"
