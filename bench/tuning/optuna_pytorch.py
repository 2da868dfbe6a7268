#!/usr/bin/env python3
"""Optuna TPE + HyperbandPruner driving PyTorch: the reference side of Hone's tuning
benchmark (bench/tuning/run.sh). Same data split sizes, search space, maximum epochs and
wall-clock budget as the Hone side (Tests/HoneTuningTests/TuningBenchmark.swift).

Prints one line "BENCH {json}" with the same fields as the Hone methods.
"""
import argparse
import gzip
import json
import time

import numpy as np
import optuna
import torch

DIR = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load():
    xs = idx(f"{DIR}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    ys = idx(f"{DIR}/train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = idx(f"{DIR}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    yt = idx(f"{DIR}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    rng = np.random.default_rng(0)
    val = np.concatenate([rng.permutation(np.flatnonzero(ys == c))[:1000] for c in range(10)])  # stratified 1/6
    mask = np.ones(len(ys), bool)
    mask[val] = False
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return (t(xs[mask]), t(ys[mask])), (t(xs[val]), t(ys[val])), (t(xs), t(ys)), (t(xt), t(yt))


def build(trial_params):
    p = trial_params
    layers, width_in = [], 784
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU}[p["activation"]]
    for i in range(p["depth"]):
        layers += [torch.nn.Linear(width_in, p[f"width{i}"]), act()]
        if p["dropout"] > 0:
            layers.append(torch.nn.Dropout(p["dropout"]))
        width_in = p[f"width{i}"]
    layers.append(torch.nn.Linear(width_in, 10))
    model = torch.nn.Sequential(*layers)
    if p["optimizer"] == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=0.9, nesterov=True, weight_decay=p["weight_decay"])
    return model, opt


def suggest(trial):
    depth = trial.suggest_int("depth", 1, 3)
    for i in range(depth):
        trial.suggest_int(f"width{i}", 32, 512, log=True)
    trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])
    trial.suggest_float("dropout", 0, 0.5)
    trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True)
    trial.suggest_categorical("batch_size", [64, 128, 256])
    trial.suggest_categorical("optimizer", ["adamw", "sgd"])
    return trial.params


def epoch(model, opt, x, y, batch, gen):
    model.train()
    order = torch.randperm(len(y), generator=gen)
    loss_fn = torch.nn.CrossEntropyLoss()
    for lo in range(0, len(y), batch):
        i = order[lo:lo + batch]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x[i]), y[i]).backward()
        opt.step()


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--max-epochs", type=int, default=9)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    (xtr, ytr), (xv, yv), (xf, yf), (xt, yt) = load()
    start, best, curve, epochs = time.perf_counter(), None, [], [0]

    def objective(trial):
        p = suggest(trial)
        torch.manual_seed(trial.number)
        model, opt = build(p)
        gen = torch.Generator().manual_seed(trial.number)
        acc = 0.0
        for e in range(1, a.max_epochs + 1):
            epoch(model, opt, xtr, ytr, p["batch_size"], gen)
            epochs[0] += 1
            acc = accuracy(model, xv, yv)
            trial.report(acc, e)
            if trial.should_prune():
                raise optuna.TrialPruned()
        nonlocal best
        if best is None or acc > best[0]:
            best = (acc, p)
            curve.append([time.perf_counter() - start, acc])
        return acc

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=a.seed),
                                pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=a.max_epochs,
                                                                      reduction_factor=3))
    study.optimize(objective, timeout=a.seconds)
    out = {"method": "optuna-tpe-hyperband+pytorch", "seconds": a.seconds, "max_epochs": a.max_epochs,
           "seed": a.seed, "epochs_trained": epochs[0], "best_val_acc": best[0] if best else 0, "curve": curve,
           "torch": torch.__version__, "optuna": optuna.__version__}
    if best:
        p = best[1]
        torch.manual_seed(0)
        model, opt = build(p)
        gen = torch.Generator().manual_seed(0)
        for _ in range(a.max_epochs):
            epoch(model, opt, xf, yf, p["batch_size"], gen)
        out["test_acc_retrained"] = accuracy(model, xt, yt)
        out["best_params"] = {k: str(v) for k, v in p.items()}
    print("BENCH " + json.dumps(out, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
