#!/usr/bin/env python3
"""Does study.optimize with a callback cost the same per trial at the end of a long run
as at its start? The library calls the callback once per finished trial (hone.h's
hone_study_optimize_v2), so it should; before, the binding re-read every finished
trial before each trial and the cost grew with the run (O(n) per trial, O(n^2) in all).

Runs --trials trials of a trivial objective (random sampler, so sampling costs nothing
that grows) with one callback that records when each trial reached it, and prints one
JSON line: the mean time per trial over the first and the last 100 trials and their ratio.

    HONE_LIBRARY=.build/release/libhone.so python3 bench/overhead/callbacks.py --trials 2000
"""
import argparse
import json
import statistics
import time

import hone


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--sampler", default="random")
    args = parser.parse_args()

    stamps = []
    numbers = []

    def callback(study, trial):
        stamps.append(time.perf_counter())
        numbers.append(trial.number)

    study = hone.create_study(sampler=args.sampler, seed=0)
    started = time.perf_counter()
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=args.trials, callbacks=[callback])
    elapsed = time.perf_counter() - started
    assert numbers == list(range(args.trials)), "each trial reaches the callback once, in order"
    gaps = [b - a for a, b in zip([started] + stamps[:-1], stamps)]
    first, last = statistics.mean(gaps[:100]) * 1e6, statistics.mean(gaps[-100:]) * 1e6
    print(json.dumps({"bench": "python_callbacks", "sampler": args.sampler, "trials": args.trials,
                      "first_100_mean_us": round(first, 1), "last_100_mean_us": round(last, 1),
                      "last_over_first": round(last / first, 3),
                      "median_us": round(statistics.median(gaps) * 1e6, 1), "total_s": round(elapsed, 3)}))


if __name__ == "__main__":
    main()
