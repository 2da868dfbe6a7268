#!/usr/bin/env python3
"""Multi-fidelity search benchmark: the HPO surfaces of surfaces.py trained epoch by epoch
under a Hyperband pruner, as `hone auto` and an Optuna user's study run (issue 14's
"noisy", issue 18's tuning).

`run.py` scores a sampler on complete evaluations. Under a pruner most trials stop after
an epoch or three, and how a sampler treats those PRUNED trials (and their reports) is
what decides its proposals; this benchmark is where that is measured without training
networks for hours.

Each configuration p of a surface has a learning curve over epochs e = 1 … R (R = 27):

    error(e) = f(p) + S · a(p) · (exp(−e / τ(p)) − exp(−R / τ(p))) + noise

so that error(R) = f(p), the surface's value (noise-free). S is the problem's spread (the
median regret of 200 random configurations); a(p) ∈ [0.5, 1.5] and τ(p) ∈ [1, 9] epochs
(`--slowest` sets the 9) are smooth functions of the configuration (fixed random
projections of its unit-cube encoding, per problem), so curves cross: a configuration that starts slowly can finish
first, as networks with small learning rates or strong regularisation do. Each report has
Gaussian noise of sd `--noise` · S (default 0.03; validation accuracy's epoch-to-epoch
jitter relative to the spread of a tuning run). A trial reports every epoch, asks
`should_prune()`, and is told its epoch-R report when it finishes. The budget is in
epochs (`--budget` full trainings' worth, default 30 → 810 epochs); Hyperband's
min_resource 1, max_resource R, reduction factor 3, for Hone and for Optuna alike.

Score: regret of the best COMPLETE trial by observed value (its noise-free f minus the
surface's minimum) after 1/4, 1/2 and all of the budget, and `recommended`, the same for
the sampler's recommendation (Hone's best_params; Optuna's best trial).

    export HONE_LIBRARY=<release libhone.so> OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    python3 bench/search/suite/curves.py --samplers hone-auto,hone-tpe,optuna-tpe --seeds 10 --out R.jsonl
    python3 bench/search/suite/curves.py --summarize R.jsonl [--pair hone-auto@new,hone-auto@old] [--slowest 2]

A suffix @LABEL names a variant (run with another HONE_LIBRARY). Lines already in --out
are skipped. `--workers 2` runs two simulated parallel workers, as `hone auto --jobs 2` does
(each ask then sees the other worker's trial RUNNING); `--summarize` needs the same option.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time
import warnings
from typing import Any, Dict, List, Optional

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import surfaces as S  # noqa: E402
from run import split_specs  # noqa: E402  (commas inside a sampler's JSON options)

EPOCHS = 27
PROBLEMS = ["mlp-mixed-cliff", "sgd-mixed", "conditional", "optimizer-conditional", "model-conditional",
            "hartmann6", "levy6-off", "rosenbrock5-off"]
FRACTIONS = (0.25, 0.5, 1.0)


class Curves:
    """The learning curves of one surface (see the module's docstring)."""

    def __init__(self, surface: S.Surface, noise: float, slowest: float = 9.0) -> None:
        self.surface, self.slowest = surface, slowest
        rng = np.random.default_rng(_stable_seed(surface.name))
        regrets = []
        for _ in range(200):
            try:
                regrets.append(surface.value(surface.random_params(rng)) - surface.minimum)
            except S.Diverged:
                pass
        self.spread = float(np.median(regrets))
        self.noise_sd = noise * self.spread
        d = len(surface.params)
        self.w_tau, self.w_a = rng.normal(0, 1.5, d), rng.normal(0, 1.5, d)
        self.b_tau, self.b_a = rng.uniform(0, 2 * math.pi, 2)

    def _unit(self, p: Dict[str, Any]) -> np.ndarray:
        """The configuration in the unit cube (inactive parameters at 0.5)."""
        u = np.full(len(self.surface.params), 0.5)
        for i, q in enumerate(self.surface.params):
            if q.name not in p:
                continue
            v = p[q.name]
            if q.kind == "categorical":
                u[i] = list(q.choices).index(v) / max(len(q.choices) - 1, 1)
            elif q.log:
                u[i] = (math.log(v) - math.log(q.low)) / (math.log(q.high) - math.log(q.low))
            else:
                u[i] = (v - q.low) / (q.high - q.low)
        return u

    def curve(self, p: Dict[str, Any]) -> List[float]:
        """Noise-free error at epochs 1 … R (raises Diverged where the surface does)."""
        final = self.surface.value(p)
        u = self._unit(p)
        tau = math.exp(0.5 * math.log(self.slowest) * (1 + math.sin(float(self.w_tau @ u) + self.b_tau)))
        a = 1.0 + 0.5 * math.sin(float(self.w_a @ u) + self.b_a)
        tail = math.exp(-EPOCHS / tau)
        return [final + self.spread * a * (math.exp(-e / tau) - tail) for e in range(1, EPOCHS + 1)]


def _stable_seed(name: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(name)) % (2 ** 31)


def hone_study(spec: str, seed: int, pruner: str):
    import hone
    from hone.pruners import HyperbandPruner, MedianPruner
    base = spec.split("@")[0]
    name, _, opts = base[len("hone-"):].partition(":")
    sampler: Any = name if not opts else dict(json.loads(opts), name=name)
    study = hone.create_study(sampler=sampler, seed=seed, pruner=MedianPruner() if pruner == "median" else
                              HyperbandPruner(min_resource=1, max_resource=EPOCHS, reduction_factor=3))
    return study, "pruned", "fail"


def optuna_study(spec: str, seed: int, pruner: str):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    samplers = {"optuna-tpe": lambda: optuna.samplers.TPESampler(seed=seed),
                "optuna-gp": lambda: optuna.samplers.GPSampler(seed=seed),
                "optuna-random": lambda: optuna.samplers.RandomSampler(seed=seed)}
    study = optuna.create_study(sampler=samplers[spec.split("@")[0]](), pruner=optuna.pruners.MedianPruner()
                                if pruner == "median" else optuna.pruners.HyperbandPruner(
                                    min_resource=1, max_resource=EPOCHS, reduction_factor=3))
    return study, optuna.trial.TrialState.PRUNED, optuna.trial.TrialState.FAIL


def run(problem: str, spec: str, seed: int, budget_trainings: int, noise: float, slowest: float = 9.0,
        pruner: str = "hyperband", workers: int = 1) -> Dict[str, Any]:
    surface = S.SURFACES[problem]
    curves = Curves(surface, noise, slowest)
    rng = np.random.default_rng([seed, _stable_seed(problem)])
    study, pruned, fail = (hone_study if spec.startswith("hone-") else optuna_study)(spec, seed, pruner)
    budget = budget_trainings * EPOCHS
    spent, trials, complete = 0, 0, 0
    best_observed, best_regret = math.inf, math.inf
    regret_at: Dict[str, Optional[float]] = {}
    recommended: Dict[str, Optional[float]] = {}
    marks = [(f, int(f * budget)) for f in FRACTIONS]
    started = time.perf_counter()

    def record(f: float) -> None:
        regret_at[str(f)] = None if math.isinf(best_regret) else best_regret
        try:
            recommended[str(f)] = surface.regret(dict(study.best_params))
        except Exception:  # noqa: BLE001 — no complete trial yet
            recommended[str(f)] = None

    # Parallel workers (`hone auto --jobs 2`), simulated: each worker trains its trial one
    # epoch at a time, and the one that has spent the fewest epochs goes next, so the trials
    # of different workers interleave as they would in wall-clock time and each ask sees
    # the others' trials RUNNING. One worker is the sequential loop (same draws, same marks).
    clocks = [0] * workers
    jobs: List[Optional[Dict[str, Any]]] = [None] * workers
    while marks:
        w = min(range(workers), key=lambda i: (clocks[i], i))
        job = jobs[w]
        if job is None:
            trial = study.ask()
            trials += 1
            params = surface.define_by_run(trial)
            try:
                jobs[w] = dict(trial=trial, params=params, errors=curves.curve(params), epoch=0)
                continue
            except S.Diverged:
                spent += 1
                clocks[w] += 1
                study.tell(trial, state=fail)
        else:
            trial, params = job["trial"], job["params"]
            job["epoch"] += 1
            e = job["epoch"]
            observed = job["errors"][e - 1] + float(rng.normal(0, curves.noise_sd))
            spent += 1
            clocks[w] += 1
            trial.report(observed, e)
            if e == EPOCHS:
                study.tell(trial, observed)
                complete += 1
                if observed < best_observed:
                    best_observed, best_regret = observed, surface.regret(params)
            elif trial.should_prune():
                study.tell(trial, state=pruned)
            else:
                continue
            jobs[w] = None
        # Budget marks are read when a trial ends (as the sequential loop always did).
        while marks and spent >= marks[0][1]:
            record(marks.pop(0)[0])
    return dict(problem=problem, sampler=spec, seed=seed, budget=budget_trainings, noise=noise, slowest=slowest,
                pruner=pruner, workers=workers, trials=trials,
                complete=complete, regret=regret_at, recommended=recommended,
                seconds=round(time.perf_counter() - started, 2))


def setting_of(r: Dict[str, Any]) -> tuple:
    """What a run line was run with besides problem, sampler and seed (lines from before an
    option existed read as its default)."""
    return (r["budget"], r["noise"], r.get("slowest", 9.0), r.get("pruner", "hyperband"), r.get("workers", 1))


def summarize(path: str, pair: Optional[str], metric: str, setting: tuple) -> None:
    """Tables of the lines run with `setting` (as `setting_of` reads it)."""
    opener = gzip.open if path.endswith(".gz") else open
    lines = [r for r in map(json.loads, opener(path, "rt")) if setting_of(r) == setting]
    by: Dict[tuple, List[float]] = {}
    for r in lines:
        for f, v in r[metric].items():
            by.setdefault((r["problem"], r["sampler"], f), []).append(math.inf if v is None else v)
    problems = sorted({r["problem"] for r in lines})
    samplers = sorted({r["sampler"] for r in lines})
    for f in map(str, FRACTIONS):
        print(f"\n{metric}, median over seeds, at {f} of the budget")
        print("| problem | " + " | ".join(samplers) + " |")
        print("|---|" + "---|" * len(samplers))
        for p in problems:
            cells = []
            for s in samplers:
                v = by.get((p, s, f))
                cells.append("" if not v else f"{float(np.median(v)):.3g} ({len(v)})")
            print(f"| {p} | " + " | ".join(cells) + " |")
        if pair:
            a, b = split_specs(pair)
            ratios, better, worse = [], 0, 0
            for p in problems:
                va, vb = by.get((p, a, f)), by.get((p, b, f))
                if not va or not vb:
                    continue
                r = max(float(np.median(va)), 1e-8) / max(float(np.median(vb)), 1e-8)
                ratios.append(r)
                better += r < 0.95
                worse += r > 1.05
            # Paired by seed (the same seed gives both the same random start): how often A ends
            # below B, and the mean log ratio with its standard error.
            seeds: Dict[tuple, Dict[str, float]] = {}
            for r in lines:
                if r["sampler"] in (a, b) and r[metric].get(f) is not None:
                    seeds.setdefault((r["problem"], r["seed"]), {})[r["sampler"]] = max(r[metric][f], 1e-8)
            logs = [math.log(v[a] / v[b]) for v in seeds.values() if len(v) == 2]
            if ratios and logs:
                wins, losses = sum(x < 0 for x in logs), sum(x > 0 for x in logs)
                sem = float(np.std(logs)) / math.sqrt(len(logs))
                print(f"{a} / {b}: geometric mean of median ratios {math.exp(np.mean(np.log(ratios))):.3f} "
                      f"over {len(ratios)} problems ({better} better, {worse} worse by > 5 %); paired runs: "
                      f"{a} lower in {wins}, higher in {losses} of {len(logs)}, "
                      f"mean log ratio {np.mean(logs):+.3f} ± {sem:.3f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samplers", default="hone-auto,hone-tpe,optuna-tpe")
    p.add_argument("--problems", default=",".join(PROBLEMS))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--budget", type=int, default=30, help="in full trainings (x 27 epochs)")
    p.add_argument("--noise", type=float, default=0.03, help="report noise sd, a fraction of the spread")
    p.add_argument("--slowest", type=float, default=9.0, help="the slowest curve's time constant, in epochs")
    p.add_argument("--pruner", default="hyperband", choices=("hyperband", "median"))
    p.add_argument("--workers", type=int, default=1, help="parallel workers (simulated; hone auto runs 2)")
    p.add_argument("--out")
    p.add_argument("--summarize", metavar="JSONL")
    p.add_argument("--pair", help="A,B: paired geometric mean of A's / B's median regret")
    p.add_argument("--metric", default="regret", choices=("regret", "recommended"))
    a = p.parse_args()
    setting = (a.budget, a.noise, a.slowest, a.pruner, a.workers)
    if a.summarize:
        summarize(a.summarize, a.pair, a.metric, setting)
        return
    done = set()
    if a.out and os.path.exists(a.out):
        for x in open(a.out):
            r = json.loads(x)
            done.add((r["problem"], r["sampler"], r["seed"]) + setting_of(r))
    for problem in a.problems.split(","):
        for spec in split_specs(a.samplers):
            for seed in range(a.first_seed, a.first_seed + a.seeds):
                if (problem, spec, seed) + setting in done:
                    continue
                r = run(problem, spec, seed, a.budget, a.noise, a.slowest, a.pruner, a.workers)
                print(f"{problem} {spec} seed {seed}: {r['trials']} trials ({r['complete']} complete), "
                      f"regret {r['regret']['1.0']}, {r['seconds']} s", file=sys.stderr, flush=True)
                if a.out:
                    with open(a.out, "a") as fh:
                        fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
