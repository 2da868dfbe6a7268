#!/usr/bin/env python3
"""The peers of bench/search: Optuna (TPE, GP, CMA-ES), Hyperopt (TPE) and nevergrad
(NGOpt) on the problems of hone-bench-search, writing the same JSON lines.

    peers.py problems
    peers.py regret --problems branin,hartmann6-shifted --samplers optuna-gp,ngopt --seeds 10 --evals 100
    peers.py asktime --samplers optuna-tpe,optuna-gp --sizes 100,500,1000 --asks 20

The problems mirror Sources/HoneSearchProblems/BenchmarkProblems.swift (`problems` prints
both sides' definitions so that bench/search/summarize.py can check they agree). Torch runs
on one thread and times are thread-CPU times, as on the Swift side.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

# --- Problems (BenchmarkProblems.swift) -------------------------------------------------

ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
H3_A = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]], dtype=float)
H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]], dtype=float)
H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]], dtype=float)
H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]], dtype=float)


def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    u = x[1] - b * x[0] ** 2 + c * x[0] - 6
    return u * u + 10 * (1 - t) * math.cos(x[0]) + 10


def hartmann(a, p):
    def f(x):
        x = np.asarray(x, dtype=float)
        return float(-np.sum(ALPHA * np.exp(-np.sum(a * (x - p) ** 2, axis=1))))
    return f


def rosenbrock(x):
    return float(sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1)))


class Problem:
    def __init__(self, name, lower, upper, minimum, minimizer, f):
        self.name, self.lower, self.upper = name, list(lower), list(upper)
        self.minimum, self.minimizer, self.f = minimum, list(minimizer), f

    @property
    def dim(self):
        return len(self.lower)

    def shifted(self):
        lo, hi = [], []
        for j in range(self.dim):
            width = self.upper[j] - self.lower[j]
            rel = 0.15 if j % 2 == 0 else 0.85
            lo.append(self.minimizer[j] - rel * width)
            hi.append(lo[-1] + width)
        return Problem(self.name + "-shifted", lo, hi, self.minimum, self.minimizer, self.f)


STANDARD = [
    Problem("branin", [-5, 0], [10, 15], 10 - 10 * (1 - 1 / (8 * math.pi)), [math.pi, 2.275], branin),
    Problem("hartmann3", [0] * 3, [1] * 3, -3.862779787332663,
            [0.11458888122541287, 0.5556488954739371, 0.8525469842172746], hartmann(H3_A, H3_P)),
    Problem("hartmann6", [0] * 6, [1] * 6, -3.3223680114155147,
            [0.20168950909365746, 0.15001069354111374, 0.4768739729250998, 0.2753324275220782,
             0.3116516172395686, 0.6573005345536702], hartmann(H6_A, H6_P)),
    Problem("rosenbrock4", [-5] * 4, [10] * 4, 0.0, [1] * 4, rosenbrock),
]


def problem(name):
    if name.endswith("-shifted"):
        return problem(name[: -len("-shifted")]).shifted()
    for p in STANDARD:
        if p.name == name:
            return p
    sys.exit(f"peers.py: unknown problem {name!r}")


def emit(d):
    print(json.dumps(d), flush=True)


# --- Samplers ---------------------------------------------------------------------------

def optuna_sampler(name, seed):
    import optuna
    if name == "optuna-tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "optuna-tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "optuna-gp":
        return optuna.samplers.GPSampler(seed=seed)
    if name == "optuna-cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if name == "optuna-random":
        return optuna.samplers.RandomSampler(seed=seed)
    return None


def run_optuna(name, p, seed, evals):
    import optuna
    study = optuna.create_study(sampler=optuna_sampler(name, seed))
    values = []

    def objective(trial):
        x = [trial.suggest_float(f"x{j}", p.lower[j], p.upper[j]) for j in range(p.dim)]
        v = p.f(x)
        values.append(v)
        return v

    study.optimize(objective, n_trials=evals)
    return values


def run_hyperopt(p, seed, evals):
    import hyperopt
    space = [hyperopt.hp.uniform(f"x{j}", p.lower[j], p.upper[j]) for j in range(p.dim)]
    trials = hyperopt.Trials()
    hyperopt.fmin(lambda x: p.f(list(x)), space, algo=hyperopt.tpe.suggest, max_evals=evals, trials=trials,
                  rstate=np.random.default_rng(seed), show_progressbar=False)
    return list(trials.losses())


def run_ngopt(p, seed, evals):
    import nevergrad as ng
    param = ng.p.Array(shape=(p.dim,), lower=np.array(p.lower, dtype=float), upper=np.array(p.upper, dtype=float))
    param.random_state = np.random.RandomState(seed)
    opt = ng.optimizers.NGOpt(parametrization=param, budget=evals, num_workers=1)
    values = []
    for _ in range(evals):
        cand = opt.ask()
        v = p.f(list(cand.value))
        opt.tell(cand, v)
        values.append(v)
    return values


def run(name, p, seed, evals):
    if name == "hyperopt-tpe":
        return run_hyperopt(p, seed, evals)
    if name == "ngopt":
        return run_ngopt(p, seed, evals)
    if name.startswith("optuna-"):
        return run_optuna(name, p, seed, evals)
    sys.exit(f"peers.py: unknown sampler {name!r}")


# --- Modes ------------------------------------------------------------------------------

def cmd_problems(args):
    for base in STANDARD:
        for p in (base, base.shifted()):
            centre = [(lo + hi) / 2 for lo, hi in zip(p.lower, p.upper)]
            emit({"kind": "problem", "impl": "peers", "problem": p.name, "lower": p.lower, "upper": p.upper,
                  "minimum": p.minimum, "at_minimizer": p.f(p.minimizer), "at_centre": p.f(centre)})


def cmd_regret(args):
    for pname in args.problems.split(","):
        p = problem(pname)
        for name in args.samplers.split(","):
            for seed in range(args.seeds):
                start = time.thread_time()
                values = run(name, p, seed, args.evals)
                cpu = time.thread_time() - start
                if len(values) != args.evals:
                    sys.exit(f"peers.py: {name} ran {len(values)} evaluations, expected {args.evals}")
                trace = list(np.minimum.accumulate(np.array(values)) - p.minimum)
                emit({"kind": "regret", "impl": name.split("-")[0], "sampler": name, "problem": p.name, "seed": seed,
                      "evals": args.evals, "cpu_s": round(cpu, 4), "regret": [float(f"{r:.6g}") for r in trace]})


def cmd_asktime(args):
    import optuna
    from optuna.distributions import FloatDistribution
    p = problem(args.problem)
    dists = {f"x{j}": FloatDistribution(p.lower[j], p.upper[j]) for j in range(p.dim)}
    rng = np.random.default_rng(1)
    for name in args.samplers.split(","):
        asks = args.gp_asks if name == "optuna-gp" else args.asks
        for n in [int(s) for s in args.sizes.split(",")]:
            # n finished random trials, then the sampler under test on the same study.
            study = optuna.create_study(sampler=optuna_sampler(name, 2))
            fill = []
            for _ in range(n):
                x = [float(rng.uniform(lo, hi)) for lo, hi in zip(p.lower, p.upper)]
                fill.append(optuna.trial.create_trial(params={f"x{j}": x[j] for j in range(p.dim)},
                                                      distributions=dists, value=p.f(x)))
            study.add_trials(fill)
            times = []
            for i in range(asks + 2):   # two untimed asks first, as on the Swift side
                start = time.thread_time()
                trial = study.ask(fixed_distributions=dists)
                t = time.thread_time() - start
                if i >= 2:
                    times.append(t)
                study.tell(trial, p.f([trial.params[f"x{j}"] for j in range(p.dim)]))
            emit({"kind": "asktime", "impl": "optuna", "sampler": name, "problem": p.name, "trials": n, "asks": asks,
                  "median_ms": float(np.median(times)) * 1e3, "mean_ms": float(np.mean(times)) * 1e3})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    sub.add_parser("problems")
    r = sub.add_parser("regret")
    r.add_argument("--problems", default=",".join(p.name for p in STANDARD))
    r.add_argument("--samplers", default="optuna-tpe,optuna-gp,optuna-cmaes,hyperopt-tpe,ngopt")
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--evals", type=int, default=100)
    a = sub.add_parser("asktime")
    a.add_argument("--samplers", default="optuna-tpe,optuna-tpe-mv,optuna-gp")
    a.add_argument("--sizes", default="100,500,1000")
    a.add_argument("--asks", type=int, default=20)
    a.add_argument("--gp-asks", type=int, default=5)
    a.add_argument("--problem", default="hartmann6")
    args = ap.parse_args()

    import logging
    import warnings
    warnings.filterwarnings("ignore")
    logging.getLogger("hyperopt").setLevel(logging.ERROR)
    try:
        import optuna
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    {"problems": cmd_problems, "regret": cmd_regret, "asktime": cmd_asktime}[args.mode](args)


if __name__ == "__main__":
    main()
