#!/usr/bin/env python3
"""The Optuna + PyTorch twin of `hone auto fashion-mnist` (issue 18 item 4), written the
way a careful Optuna user would write it for this machine: the same search space as Hone's
AutoSearchSpace for images (MLPs and CNNs with optional BatchNorm; activation, dropout,
crop/flip augmentation, learning rate, weight decay, batch size, optimizer, cosine /
warm-up + cosine / one-cycle schedule, label smoothing), the same epoch budget (15, Hyperband
from 1 epoch, η = 3), the same split protocol (10 % of the training set held out,
stratified, to rank configurations; then the best configuration retrained on all 60,000
training images and measured once on the 10,000 test images), TPE + HyperbandPruner,
`n_jobs` trials in threads with one torch thread each (torch releases the GIL in its
kernels, so two trials use both cores).

Two ways to spend the budget:
  --mode deadline  each trial checks the clock before every epoch and stops (PRUNED, with
                   what it reported) if the epoch would end past the deadline, as Hone's
                   trials do; `timeout=` stops new trials.
  --mode plain     Optuna's own `timeout=` only: no new trial starts after it, running
                   trials finish (so the search can run well past the budget).

Prints progress lines and one final line "TWIN {json}" (search/refit seconds, trials by
state, best validation accuracy and parameters, test accuracy).
"""
import argparse
import gzip
import json
import math
import threading
import time

import numpy as np
import optuna
import torch

DIR = "/usr/share/datasets/fashion-mnist"
MAX_EPOCHS, MIN_EPOCHS = 15, 1


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(seed):
    """Train (search), validation, full train, test: images as N×1×28×28 floats in [0, 1]."""
    xs = idx(f"{DIR}/train-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).astype(np.float32) / 255
    ys = idx(f"{DIR}/train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = idx(f"{DIR}/t10k-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).astype(np.float32) / 255
    yt = idx(f"{DIR}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    rng = np.random.default_rng(seed)
    # 10 % per class, as Hone's stratified validation split.
    val = np.concatenate([rng.permutation(np.flatnonzero(ys == c))[:len(np.flatnonzero(ys == c)) // 10] for c in range(10)])
    mask = np.ones(len(ys), bool)
    mask[val] = False
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return (t(xs[mask]), t(ys[mask])), (t(xs[val]), t(ys[val])), (t(xs), t(ys)), (t(xt), t(yt))


MODELS = ["mlp", "cnn"]


def suggest(trial):
    """Hone's AutoSearchSpace for images, parameter by parameter (define-by-run); with one
    model family (`--models`) there is no "model" parameter, as in Hone's space."""
    p = {"model": trial.suggest_categorical("model", MODELS) if len(MODELS) > 1 else MODELS[0],
         "activation": trial.suggest_categorical("activation", ["relu", "gelu", "tanh"]),
         "dropout": trial.suggest_float("dropout", 0, 0.5)}
    if p["model"] == "cnn":
        p["conv_layers"] = trial.suggest_int("conv_layers", 1, 2)
        p["channels"] = trial.suggest_int("channels", 4, 16, log=True)
        p["cnn_hidden"] = trial.suggest_int("cnn_hidden", 64, 256, log=True)
        p["batch_norm"] = trial.suggest_categorical("batch_norm", [False, True])
        p["augment"] = trial.suggest_categorical("augment", ["none", "crop", "crop_flip"])
    else:
        p["layers"] = trial.suggest_int("layers", 1, 3)
        for i in range(1, p["layers"] + 1):
            p[f"width_{i}"] = trial.suggest_int(f"width_{i}", 64, 512, log=True)
    p["lr"] = trial.suggest_float("lr", 1e-4, 3e-2, log=True)
    p["weight_decay"] = trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True)
    p["batch_size"] = trial.suggest_categorical("batch_size", [64, 128, 256])
    p["optimizer"] = trial.suggest_categorical("optimizer", ["adam", "adamw", "sgd-momentum"])
    p["schedule"] = trial.suggest_categorical("schedule", ["cosine", "warmup_cosine", "one_cycle"])
    p["label_smoothing"] = trial.suggest_float("label_smoothing", 0, 0.2)
    return p


def activation(name):
    # Hone's GELU is the tanh approximation.
    return {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": lambda: torch.nn.GELU(approximate="tanh")}[name]


def build(p):
    """The network Hone's ModelDescription builds: CNN blocks of 3×3 same conv (no bias
    before BatchNorm) → [BatchNorm] → activation → 2×2 max pool, channels doubling; a
    dense head; or an MLP. Hidden dense layers: Linear → activation → [Dropout]."""
    act = activation(p["activation"])
    layers = []
    if p["model"] == "cnn":
        c, side = 1, 28
        for i in range(p["conv_layers"]):
            out = p["channels"] << i
            layers.append(torch.nn.Conv2d(c, out, 3, padding=1, bias=not p["batch_norm"]))
            if p["batch_norm"]:
                layers.append(torch.nn.BatchNorm2d(out))
            layers += [act(), torch.nn.MaxPool2d(2)]
            c, side = out, side // 2
        widths, width = [p["cnn_hidden"]], c * side * side
        layers.append(torch.nn.Flatten())
    else:
        widths, width = [p[f"width_{i}"] for i in range(1, p["layers"] + 1)], 784
        layers.append(torch.nn.Flatten())
    for w in widths:
        layers += [torch.nn.Linear(width, w), act()]
        if p["dropout"] > 0:
            layers.append(torch.nn.Dropout(p["dropout"]))
        width = w
    layers.append(torch.nn.Linear(width, 10))
    model = torch.nn.Sequential(*layers)
    if p["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])
    elif p["optimizer"] == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=0.9, nesterov=True, weight_decay=p["weight_decay"])
    return model, opt


def scheduler(p, opt, steps_per_epoch):
    """Cosine to 0 over the 15 epochs (per epoch), one epoch of linear warm-up then cosine,
    or OneCycleLR per batch peaking at lr — Hone's three schedules."""
    if p["schedule"] == "one_cycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=p["lr"], total_steps=MAX_EPOCHS * steps_per_epoch), "step"
    warmup = 1 if p["schedule"] == "warmup_cosine" else 0

    def factor(epoch):  # Hone's LearningRateSchedule: ramp (t+1)/(w+1), then cosine over the rest
        if epoch < warmup:
            return (epoch + 1) / (warmup + 1)
        horizon = MAX_EPOCHS - warmup
        return (1 + math.cos(math.pi * min(epoch - warmup, horizon) / horizon)) / 2
    return torch.optim.lr_scheduler.LambdaLR(opt, factor), "epoch"


def augment(x, kind, gen):
    """Random crop with 2-pixel zero padding (and horizontal flip), per image, on the fly."""
    if kind == "none":
        return x
    n, steps = len(x), torch.arange(28)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))  # n×1×32×32
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    out = padded.gather(2, (dy[:, None] + steps)[:, None, :, None].expand(n, 1, 28, 32))
    out = out.gather(3, (dx[:, None] + steps)[:, None, None, :].expand(n, 1, 28, 28))
    if kind == "crop_flip":
        flip = torch.rand(n, generator=gen) < 0.5
        out[flip] = out[flip].flip(3)
    return out


def train_epoch(model, opt, sched, unit, x, y, p, gen, loss_fn):
    model.train()
    order = torch.randperm(len(y), generator=gen)
    for lo in range(0, len(y), p["batch_size"]):
        i = order[lo:lo + p["batch_size"]]
        xb = augment(x[i], p.get("augment", "none"), gen) if p["model"] == "cnn" else x[i]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(xb), y[i]).backward()
        opt.step()
        if unit == "step":
            sched.step()
    if unit == "epoch":
        sched.step()


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return sum((model(x[lo:lo + 1000]).argmax(1) == y[lo:lo + 1000]).sum().item() for lo in range(0, len(y), 1000)) / len(y)


def fit(p, x, y, seed, epochs, on_epoch=None):
    """Trains p for `epochs` epochs; on_epoch(epoch, model, seconds) may stop it by returning False."""
    torch.manual_seed(seed)
    model, opt = build(p)
    gen = torch.Generator().manual_seed(seed)
    steps = (len(y) + p["batch_size"] - 1) // p["batch_size"]
    sched, unit = scheduler(p, opt, steps)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=p["label_smoothing"])
    for e in range(1, epochs + 1):
        t0 = time.perf_counter()
        train_epoch(model, opt, sched, unit, x, y, p, gen, loss_fn)
        if on_epoch and on_epoch(e, model, time.perf_counter() - t0) is False:
            break
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=900, help="search budget")
    ap.add_argument("--mode", choices=["deadline", "plain"], default="deadline")
    ap.add_argument("--jobs", type=int, default=2, help="trials at once (Optuna n_jobs)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per trial")
    ap.add_argument("--refit-threads", type=int, default=0,
                    help="torch threads of the final refit (default: jobs × threads, the whole machine)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", default="mlp,cnn", help="model families searched (hone auto's --models)")
    a = ap.parse_args()
    MODELS[:] = a.models.split(",")
    torch.set_num_threads(a.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    (xtr, ytr), (xv, yv), (xf, yf), (xt, yt) = load(a.seed)
    print(f"search: {len(ytr)} training / {len(yv)} validation samples; budget {a.seconds:.0f} s, mode {a.mode}, "
          f"n_jobs {a.jobs} × {a.threads} torch thread(s)", flush=True)
    start = time.perf_counter()
    deadline = start + a.seconds
    lock = threading.Lock()
    epochs = [0]

    def objective(trial):
        p = suggest(trial)

        def on_epoch(e, model, seconds):
            with lock:
                epochs[0] += 1
            acc = accuracy(model, xv, yv)
            trial.report(acc, e)
            trial.set_user_attr("last_accuracy", acc)
            if trial.should_prune():
                raise optuna.TrialPruned()
            # A careful user's deadline check: stop before an epoch that would end past it.
            if a.mode == "deadline" and e < MAX_EPOCHS and time.perf_counter() + seconds > deadline:
                raise optuna.TrialPruned(f"deadline after epoch {e}")
            return True

        fit(p, xtr, ytr, seed=a.seed * 100003 + trial.number, epochs=MAX_EPOCHS, on_epoch=on_epoch)
        return trial.user_attrs["last_accuracy"]

    def progress(study, trial):
        value = trial.value if trial.value is not None else trial.user_attrs.get("last_accuracy", float("nan"))
        print(f"trial {trial.number:3d} {trial.state.name:8s} val {value:.4f} epochs {len(trial.intermediate_values):2d} "
              f"at {time.perf_counter() - start:5.0f} s  {trial.params.get('model', MODELS[0])}", flush=True)

    sampler = optuna.samplers.TPESampler(seed=a.seed, constant_liar=a.jobs > 1)
    pruner = optuna.pruners.HyperbandPruner(min_resource=MIN_EPOCHS, max_resource=MAX_EPOCHS, reduction_factor=3)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    study.optimize(objective, timeout=a.seconds, n_jobs=a.jobs, callbacks=[progress])
    search = time.perf_counter() - start

    # The best configuration: the best complete trial; if none completed, the trial with
    # the best last reported accuracy (as Hone ranks pruned trials when nothing finished).
    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    ranked = complete or [t for t in trials if "last_accuracy" in t.user_attrs]
    best = max(ranked, key=lambda t: t.value if t.value is not None else t.user_attrs["last_accuracy"])
    best_val = best.value if best.value is not None else best.user_attrs["last_accuracy"]
    print(f"search: {search:.0f} s, {len(trials)} trials; best: trial {best.number} val {best_val:.4f} {best.params}", flush=True)

    refit_start = time.perf_counter()
    # The refit has the machine to itself. (On a machine shared with other jobs, PyTorch's
    # OpenMP threads can lose most of their time to each other: compare --refit-threads 1.)
    torch.set_num_threads(a.refit_threads or max(a.threads * a.jobs, 1))
    p = suggest(optuna.trial.FixedTrial(best.params))
    model = fit(p, xf, yf, seed=a.seed, epochs=MAX_EPOCHS)
    refit = time.perf_counter() - refit_start
    test = accuracy(model, xt, yt)
    print(f"retrained in {refit:.0f} s; test accuracy {test:.4f}", flush=True)
    states = {}
    for t in trials:
        states[t.state.name.lower()] = states.get(t.state.name.lower(), 0) + 1
    out = {"impl": f"optuna-twin-{a.mode}", "budget": a.seconds, "seed": a.seed, "jobs": a.jobs, "threads": a.threads,
           "models": MODELS,
           "search_seconds": search, "refit_seconds": refit, "total_seconds": search + refit, "trials": states,
           "epochs_trained": epochs[0], "best_trial": best.number, "best_val": best_val,
           "best_params": {k: str(v) for k, v in best.params.items()}, "test_accuracy": test,
           "torch": torch.__version__, "optuna": optuna.__version__}
    print("TWIN " + json.dumps(out, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
