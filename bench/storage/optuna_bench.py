#!/usr/bin/env python3
"""Optuna's RDB storage on SQLite: ask+tell throughput with N worker processes.

The same loop as Hone's storage benchmark (bench/storage/Sources): each worker asks a
trial, suggests one float, and tells its value, with the random sampler so the number
measures storage, not sampling. Workers start together on a barrier; throughput is all
trials over the wall time from the barrier to the last worker finishing.

Prints one JSON line: {"backend": "optuna-sqlite", "workers": N, "trials": T, "seconds": S, "trials_per_second": R}
"""
import argparse
import json
import multiprocessing as mp
import os
import time

import optuna


def worker(url, study_name, trials, barrier, seed):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=study_name, storage=url,
                              sampler=optuna.samplers.RandomSampler(seed=seed))
    barrier.wait()
    for _ in range(trials):
        trial = study.ask()
        x = trial.suggest_float("x", -10.0, 10.0)
        study.tell(trial, x * x)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="SQLite file to create (removed first)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--trials", type=int, default=1000, help="total trials, split between workers")
    args = parser.parse_args()

    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Optuna's documented way to give SQLite a busy timeout so parallel workers wait
    # for the lock rather than fail.
    url = f"sqlite:///{os.path.abspath(args.db)}"
    storage = optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": 60}})
    optuna.create_study(study_name="bench", storage=storage, direction="minimize")

    per_worker = args.trials // args.workers
    barrier = mp.Barrier(args.workers + 1)
    processes = [mp.Process(target=worker, args=(url, "bench", per_worker, barrier, i)) for i in range(args.workers)]
    for p in processes:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    for p in processes:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"worker exited with {p.exitcode}")
    seconds = time.perf_counter() - start
    total = per_worker * args.workers
    print(json.dumps({"backend": "optuna-sqlite", "workers": args.workers, "trials": total,
                      "seconds": round(seconds, 3), "trials_per_second": round(total / seconds, 1),
                      "optuna": optuna.__version__}))


if __name__ == "__main__":
    main()
