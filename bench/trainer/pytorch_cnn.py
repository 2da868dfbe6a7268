#!/usr/bin/env python3
"""PyTorch side of the CNN trainer benchmark: the network hone-bench-trainer --cnn trains
(1×28×28 input; per block 3×3 same conv [+ BatchNorm2d] + activation (ReLU, tanh or GELU's
tanh approximation, as Hone's) + 2×2 max pool; dense head of `hidden` units with the same
activation; 10 outputs), trained with Adam and cross-entropy on random data, timed
after a warm-up. Prints one JSON object per optimizer variant (Adam, fused Adam)."""
import argparse
import json

import torch

from pytorch_mlp import timed_steps   # this script's directory is on sys.path


ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": lambda: torch.nn.GELU(approximate="tanh")}


def bench(channels, hidden, batch_norm, batch, threads, fused, seconds, activation="relu", seed=0):
    torch.set_num_threads(threads)
    act = ACTIVATIONS[activation]
    torch.manual_seed(seed)
    layers, c, side = [], 1, 28
    for out in channels:
        layers.append(torch.nn.Conv2d(c, out, 3, padding=1, bias=not batch_norm))
        if batch_norm:
            layers.append(torch.nn.BatchNorm2d(out))
        layers += [act(), torch.nn.MaxPool2d(2)]
        c, side = out, side // 2
    layers += [torch.nn.Flatten(), torch.nn.Linear(c * side * side, hidden), act(), torch.nn.Linear(hidden, 10)]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused)
    n = 4096
    x_all = torch.randn(n, 1, 28, 28)
    y_all = torch.randint(0, 10, (n,))
    steps, elapsed, cpu = timed_steps(model, opt, x_all, y_all, batch, seconds, warmup=10, chunk=5)
    return {"impl": "pytorch-fused-adam" if fused else "pytorch-adam", "model": "cnn", "channels": channels,
            "hidden": hidden, "batch_norm": batch_norm, "activation": activation, "batch": batch, "threads": threads,
            "samples_per_s": steps * batch / elapsed,
            "samples_per_cpu_s": steps * batch / cpu, "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cnn", required=True, help="convolution channels, e.g. 32,64")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch-norm", action="store_true")
    ap.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    channels = [int(s) for s in args.cnn.split(",")]
    for fused in (False, True):
        print(json.dumps(bench(channels, args.hidden, args.batch_norm, args.batch, args.threads, fused, args.seconds,
                               args.activation)), flush=True)


if __name__ == "__main__":
    main()
