#!/usr/bin/env python3
"""PyTorch side of the trainer benchmark: MLP training steps (forward, cross-entropy,
backward, Adam) on random data of the given shape, timed after a warm-up.

Prints one JSON object per configuration on stdout. The Hone side (hone-bench-trainer)
prints the same fields, and run.sh puts them side by side.
"""
import argparse
import json
import time

import torch


def timed_steps(model, opt, x_all, y_all, batch, seconds, warmup, chunk):
    """Adam steps with cross-entropy on consecutive batches of (x_all, y_all): `warmup`
    steps untimed, then `chunk` steps at a time until `seconds` have passed. Returns
    (steps, elapsed seconds, CPU seconds of this process over the same steps: on a shared
    machine the CPU rate is the steadier comparison). Shared by the MLP and CNN benchmarks."""
    n = len(x_all)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i):
        lo = (i * batch) % (n - batch)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_all[lo:lo + batch]), y_all[lo:lo + batch])
        loss.backward()
        opt.step()

    for i in range(warmup):
        step(i)
    steps, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        for _ in range(chunk):
            step(steps)
            steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps, elapsed, time.process_time() - cpu_start


def bench(sizes, batch, threads, fused, seconds, seed=0):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused)
    n = 8192
    x_all = torch.randn(n, sizes[0])
    y_all = torch.randint(0, sizes[-1], (n,))
    steps, elapsed, _ = timed_steps(model, opt, x_all, y_all, batch, seconds, warmup=50, chunk=20)
    params = sum(p.numel() for p in model.parameters())
    sps = steps * batch / elapsed
    return {"impl": "pytorch-fused-adam" if fused else "pytorch-adam", "sizes": sizes, "batch": batch,
            "threads": threads, "samples_per_s": sps, "us_per_step": 1e6 * elapsed / steps,
            "gflops": 6 * params * sps / 1e9, "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", required=True, help="layer widths, e.g. 784,256,256,10")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for fused in (False, True):
        print(json.dumps(bench(sizes, args.batch, args.threads, fused, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
