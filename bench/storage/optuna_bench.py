#!/usr/bin/env python3
"""Optuna's RDB storage on SQLite: ask+tell throughput with N worker processes.

The same loop as Hone's storage benchmark (bench/storage/Sources): each worker asks a
trial, suggests one float, and tells its value, with the random sampler so the number
measures storage, not sampling. Workers start together on a barrier; throughput is all
trials over the wall time from the barrier to the last worker finishing.

With --wal the SQLite file is switched to WAL with synchronous=NORMAL, the settings Hone
uses, so the comparison can also be made at equal durability (Optuna's default is a
rollback journal with synchronous=FULL: an fsync or more per commit).

Prints one JSON line: {"backend": "optuna-sqlite", "workers": N, "trials": T, "seconds": S, "trials_per_second": R}
"""
import argparse
import json
import multiprocessing as mp
import os
import time

import optuna
import sqlalchemy


def open_storage(url, wal):
    # Optuna's documented way to give SQLite a busy timeout so parallel workers wait
    # for the lock rather than fail.
    storage = optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": 60}})
    if wal:
        def pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        sqlalchemy.event.listen(storage.engine, "connect", pragmas)
        storage.engine.dispose()  # reconnect so every pooled connection gets them
    return storage


def worker(url, wal, study_name, trials, barrier, seed):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=study_name, storage=open_storage(url, wal),
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
    parser.add_argument("--wal", action="store_true", help="WAL journal and synchronous=NORMAL, like Hone")
    args = parser.parse_args()

    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = f"sqlite:///{os.path.abspath(args.db)}"
    optuna.create_study(study_name="bench", storage=open_storage(url, args.wal), direction="minimize")

    per_worker = args.trials // args.workers
    barrier = mp.Barrier(args.workers + 1)
    processes = [mp.Process(target=worker, args=(url, args.wal, "bench", per_worker, barrier, i)) for i in range(args.workers)]
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
    print(json.dumps({"backend": "optuna-sqlite-wal" if args.wal else "optuna-sqlite", "workers": args.workers, "trials": total,
                      "seconds": round(seconds, 3), "trials_per_second": round(total / seconds, 1),
                      "optuna": optuna.__version__}))


if __name__ == "__main__":
    main()
