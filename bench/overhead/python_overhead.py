#!/usr/bin/env python3
"""The cost of one ask + 3 suggests + tell round trip from Python: Hone through ctypes
(hone.create_study, in memory) against Optuna's ask/tell (optuna.create_study, in-memory
storage), same sampler family, same objective, same process.

Each study is first warmed up to --warm finished trials by the same loop, then
--measured round trips are timed one by one. The timed round trips run in alternating
blocks (Hone, Optuna, Hone, ...) so drifting load on a shared machine hits both sides
alike. Prints one JSON line per sampler pair and a summary line.

    HONE_LIBRARY=.build/release/libhone.so python3 bench/overhead/python_overhead.py
"""
import argparse
import json
import os
import statistics
import sys
import time

import hone
import optuna

# The objective of bench/overhead/c_roundtrip.c, so the C and Python numbers compare.


def round_trip(study):
    """One round trip in seconds; the same code drives a hone.Study and an optuna.Study."""
    t0 = time.perf_counter()
    trial = study.ask()
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_float("y", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    study.tell(trial, (x - 1) ** 2 + (y + 2) ** 2 + lr)
    return time.perf_counter() - t0


PAIRS = {
    "tpe": (lambda seed: hone.create_study(sampler="tpe", seed=seed),
            lambda seed: optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))),
    "random": (lambda seed: hone.create_study(sampler="random", seed=seed),
               lambda seed: optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))),
}


def measure(name, warm, measured, blocks, seed):
    make_hone, make_optuna = PAIRS[name]
    h, o = make_hone(seed), make_optuna(seed)
    t0 = time.perf_counter()
    for _ in range(warm):
        round_trip(h)
    hone_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(warm):
        round_trip(o)
    optuna_warm = time.perf_counter() - t0
    hone_times, optuna_times = [], []
    per_block = max(1, measured // blocks)
    while len(hone_times) < measured:
        k = min(per_block, measured - len(hone_times))
        hone_times += [round_trip(h) for _ in range(k)]
        optuna_times += [round_trip(o) for _ in range(k)]
    assert h.trial_count(states=["complete"]) == warm + measured
    assert len(o.trials) == warm + measured
    hone_med, optuna_med = statistics.median(hone_times), statistics.median(optuna_times)
    return {
        "sampler": name, "warm_trials": warm, "measured": measured,
        "hone_median_us": round(hone_med * 1e6, 1), "hone_mean_us": round(statistics.mean(hone_times) * 1e6, 1),
        "optuna_median_us": round(optuna_med * 1e6, 1),
        "optuna_mean_us": round(statistics.mean(optuna_times) * 1e6, 1),
        "ratio_median": round(optuna_med / hone_med, 1),
        "ratio_mean": round(statistics.mean(optuna_times) / statistics.mean(hone_times), 1),
        "hone_warmup_s": round(hone_warm, 2), "optuna_warmup_s": round(optuna_warm, 2),
        "best_hone": round(h.best_value, 4), "best_optuna": round(o.best_value, 4),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", type=int, default=500, help="finished trials before timing (default 500)")
    parser.add_argument("--measured", type=int, default=50, help="timed round trips per side (default 50)")
    parser.add_argument("--blocks", type=int, default=5, help="alternating blocks the timed trips are split into")
    parser.add_argument("--samplers", default="tpe,random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(json.dumps({"python": sys.version.split()[0], "optuna": optuna.__version__, "hone": hone.version(),
                      "library": os.path.realpath(hone.library_path), "load": os.getloadavg()}), flush=True)
    for name in args.samplers.split(","):
        print(json.dumps(measure(name, args.warm, args.measured, args.blocks, args.seed)), flush=True)


if __name__ == "__main__":
    main()
