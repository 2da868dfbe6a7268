#!/usr/bin/env python3
"""Replays a stored study's proposals: for trial numbers N in a range, copies the study's
SQLite file, deletes trials N and later, and asks a sampler (default: `auto`, as hone auto
makes it; it left the deterministic parallel mode in session 12) for trial N with the
distributions trial N really had.
Prints each proposal and how many of its numeric parameters sit on a bound of their range.

A stored `hone auto` study is the real distribution of histories a sampler meets there, so
this answers "what would this library's sampler have proposed at that point?" without
training anything (how the pruned-trial question of BENCHMARKS.md, "MLP-only hone auto
against its twin, 15 minutes, three seeds", was settled). Compare libraries with
HONE_LIBRARY.

    HONE_LIBRARY=.build/release/libhone.so PYTHONPATH=bindings/python \\
        python3 bench/tuning/replay_study.py W/auto.db --from 60 --to 130 --step 5 --seed 2
"""
import argparse
import json
import os
import shutil
import sqlite3
import tempfile

import hone
from hone import distributions as D


def distribution(d):
    """The SQLite storage's distribution JSON as a Python distribution; its categorical
    choices are tagged values ({"string": "relu"}), which `from_hone` takes untagged."""
    if d["type"] == "categorical":
        d = dict(d, choices=[next(iter(c.values())) for c in d["choices"]])
    return D.from_hone(d)


def on_bound(value, d):
    return d["type"] in ("float", "int") and any(
        abs(value - b) <= 1e-9 * max(1.0, abs(b)) for b in (d["low"], d["high"]))


def same(a, b):
    """The same configuration: equal choices, numbers within 1e-4 relative (a GP's repeated
    proposal differs in the 7th digit)."""
    if a.keys() != b.keys():
        return False
    return all(a[k] == b[k] if isinstance(a[k], (str, bool)) or isinstance(b[k], (str, bool))
               else abs(a[k] - b[k]) <= 1e-4 * max(abs(a[k]), abs(b[k]), 1e-12) for k in a)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("db", help="the study's SQLite file (hone auto --storage sqlite:///…)")
    p.add_argument("--from", dest="first", type=int, required=True)
    p.add_argument("--to", dest="last", type=int, required=True, help="exclusive")
    p.add_argument("--step", type=int, default=1)
    p.add_argument("--seed", type=int, default=0, help="the study seed (hone auto's --seed)")
    p.add_argument("--pruned", type=int, default=0, metavar="K",
                   help="then tell each proposal PRUNED, with the reports trial N really made, and ask "
                        "again, K times: does the sampler bring a pruned configuration back?")
    p.add_argument("--sampler", default='{"name": "auto"}',
                   help="sampler spec as JSON (default: hone auto's)")
    a = p.parse_args()
    db = sqlite3.connect(a.db)
    name = db.execute("select name from studies").fetchone()[0]
    trial_ids = dict(db.execute("select number, trial_id from trials"))
    counts = []
    for n in range(a.first, a.last, a.step):
        if n not in trial_ids:
            raise SystemExit(f"trial {n} is not in {a.db}")
        dists = {k: json.loads(v) for k, v in
                 db.execute("select name, distribution from trial_params where trial_id=?", (trial_ids[n],))}
        work = tempfile.mkdtemp()
        try:
            copy = os.path.join(work, "study.db")
            shutil.copy(a.db, copy)
            c = sqlite3.connect(copy)
            c.execute("PRAGMA foreign_keys=ON")
            c.execute("delete from trials where number >= ?", (n,))
            c.execute("update studies set next_trial_number = ?", (n,))   # trial N again, not a new number
            c.commit()
            c.close()
            study = hone.load_study(study_name=name, storage="sqlite:///" + copy, sampler=json.loads(a.sampler),
                                    seed=a.seed)
            space = {k: distribution(v) for k, v in sorted(dists.items())}
            trial = study.ask(space)
            numeric = [k for k in trial.params if dists[k]["type"] in ("float", "int")]
            bound = sum(on_bound(trial.params[k], dists[k]) for k in numeric)
            counts.append((bound, len(numeric)))
            print(f"trial {trial.number}: {bound}/{len(numeric)} numeric parameters on a bound  {trial.params}",
                  flush=True)
            reports = db.execute("select step, value from trial_intermediate_values where trial_id=? and fold=0 "
                                 "order by step", (trial_ids[n],)).fetchall()
            seen = [trial.params]
            for _ in range(a.pruned):
                for step, value in reports:
                    trial.report(json.loads(value)[0], step)
                study.tell(trial, state="pruned")
                trial = study.ask(space)
                again = [number for number, p in zip(range(n, trial.number), seen) if same(p, trial.params)]
                print(f"  after pruning, trial {trial.number}: "
                      f"{'the same as trial ' + str(again[0]) if again else 'new'}  {trial.params}", flush=True)
                seen.append(trial.params)
        finally:
            shutil.rmtree(work)
    if counts:
        print(f"mean on a bound: {sum(b for b, _ in counts) / len(counts):.2f} "
              f"of {sum(k for _, k in counts) / len(counts):.2f} numeric parameters")


if __name__ == "__main__":
    main()
