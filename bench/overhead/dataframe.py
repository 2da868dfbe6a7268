#!/usr/bin/env python3
"""The time of Study.trials_dataframe() on a study of N finished trials (default 10,000):
Hone (hone.create_study, in memory) against Optuna (optuna.create_study, in-memory
storage), the same trials, the same process.

Both studies get the same N trials through ask/tell with a random sampler: three float
parameters, one int, one categorical, a user attribute and a value. Then the two
trials_dataframe() calls alternate, --repeats times each (after one untimed call each,
which imports pandas), and the medians are compared.
Prints one JSON line.

    HONE_LIBRARY=.build/release/libhone.so python3 bench/overhead/dataframe.py
"""
import argparse
import json
import os
import statistics
import sys
import time

import hone
import optuna


def fill(study, n):
    for i in range(n):
        trial = study.ask()
        x = trial.suggest_float("x", -5, 5)
        y = trial.suggest_float("y", -5, 5)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        layers = trial.suggest_int("layers", 1, 8)
        act = trial.suggest_categorical("act", ["relu", "tanh", "gelu"])
        trial.set_user_attr("fold", i % 5)
        study.tell(trial, (x - 1) ** 2 + (y + 2) ** 2 + lr + layers + len(act))


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    hone.logging.set_verbosity(hone.logging.WARNING)
    h = hone.create_study(sampler="random", seed=args.seed)
    o = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=args.seed))
    fill_hone, _ = timed(lambda: fill(h, args.trials))
    fill_optuna, _ = timed(lambda: fill(o, args.trials))
    # One untimed call each first: both import pandas on the first call.
    h.trials_dataframe()
    o.trials_dataframe()
    hone_times, optuna_times = [], []
    for _ in range(args.repeats):
        t, hdf = timed(h.trials_dataframe)
        hone_times.append(t)
        t, odf = timed(o.trials_dataframe)
        optuna_times.append(t)
    # Same shape and columns, so the two are doing the same work.
    assert hdf.shape == odf.shape, (hdf.shape, odf.shape)
    assert list(hdf.columns) == list(odf.columns), (list(hdf.columns), list(odf.columns))
    hm, om = statistics.median(hone_times), statistics.median(optuna_times)
    print(json.dumps({
        "benchmark": "trials_dataframe", "trials": args.trials, "repeats": args.repeats,
        "python": sys.version.split()[0], "optuna": optuna.__version__, "hone": hone.version(),
        "library": os.path.realpath(hone.library_path), "load": os.getloadavg(),
        "hone_median_s": round(hm, 4), "optuna_median_s": round(om, 4),
        "hone_over_optuna": round(hm / om, 3), "shape": list(hdf.shape),
        "fill_hone_s": round(fill_hone, 2), "fill_optuna_s": round(fill_optuna, 2),
    }), flush=True)


if __name__ == "__main__":
    main()
