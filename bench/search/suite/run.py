#!/usr/bin/env python3
"""Broad search benchmark (issue 14, item 5): Hone's samplers, through the Python
bindings as a user would call them, and peers, in one harness, on COCO's suites and on
the HPO-shaped surfaces of surfaces.py. Writes one JSON line per (problem, sampler,
seed) with the best-so-far simple regret after every evaluation, so one run gives every
budget; summarize.py turns the lines into the tables of BENCHMARKS.md.

Usage (from the repository root; HONE_LIBRARY points at a release libhone.so):

    timeout 2400 swift build -c release --product hone
    export HONE_LIBRARY=$PWD/.build/release/libhone.so OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    # HPO surfaces (all of surfaces.SURFACES), 5 seeds, 100 evaluations:
    nice python3 bench/search/suite/run.py --suite surfaces --seeds 5 --budget 100 \
        --samplers hone-auto,hone-tpe,optuna-tpe,optuna-gp,optuna-cmaes,ngopt --out /tmp/s.jsonl
    # COCO bbob f1-f24, 2-D and 5-D, instance 1; budget "20d" means 20 x dimension:
    nice python3 bench/search/suite/run.py --suite bbob --dims 2,5 --functions 1-24 --budget 100 ...
    # other suites: bbob-noisy (f101-f130), bbob-mixint (5, 10, 20, 40-D; integer variables)
    # quick iteration: --quick (a few problems per suite, 3 seeds, budget 50)
    python3 bench/search/suite/summarize.py /tmp/s.jsonl          # tables at 25/50/100

$HONE_BINDINGS may point at another copy of bindings/python than this checkout's.

Samplers: hone-NAME for any Hone sampler registered by NAME (hone-auto, hone-tpe,
hone-gp, ...), or hone-NAME:{json options}, e.g. 'hone-tpe:{"multivariate":true}', and a suffix +noisy for
the study option noisy_objective (e.g. hone-auto+noisy: same trials as hone-auto, but
best_params is the noise-aware recommendation); peers optuna-tpe, optuna-tpe-mv
(multivariate, group), optuna-gp, optuna-cmaes, ngopt, random, hebo, smac (SMAC3's HPO
facade), dehb. HEBO, SMAC3 and DEHB pin packages that clash (numpy < 1.25 for HEBO, < 2 for
DEHB), so each runs from its own venv with the system's packages visible:

    python3 -m venv --system-site-packages /tmp/venv-hebo
    /tmp/venv-hebo/bin/pip install hebo==0.3.6 numpy==1.24.4 pymoo==0.6.0
    /tmp/venv-smac/bin/pip install smac==2.4.1          # (venv made the same way)
    /tmp/venv-dehb/bin/pip install dehb==0.1.2 numpy==1.26.4
    /tmp/venv-hebo/bin/python bench/search/suite/run.py --samplers hebo ... A suffix @LABEL names a variant in the output (e.g. hone-tpe@candidate, run with
another HONE_LIBRARY) without changing what runs. A peer whose package is missing is skipped with a message on stderr. Runs that
already are in --out (same problem, sampler, seed, budget) are skipped, so a run can be
resumed or extended.

Recommendations: at evaluations 10, 25, 50, 100, 200 and the budget each run line also has
`recommended`, the true (noise-free) regret of what the sampler recommends there — Hone's
study.best_params, NGOpt's recommend(), SMAC's incumbent; the best observed trial for the
others — which `summarize.py --metric recommended` reads (what matters on noisy problems).

Regret: surfaces — noiseless value of the best observed trial minus the known minimum
(surfaces.py documents how each minimum is known); COCO — f minus f(x_opt), where x_opt
comes from cocoex's Problem._best_parameter("print"); on bbob-noisy the optimizers see
noisy values and the regret of the recommended (best observed) point is the median of 21
re-evaluations there minus f(x_opt) (also a median of 21). Failed trials (the objective
raised) are told as FAIL to Hone and Optuna; nevergrad is told the worst value seen so far
(or 1e6 before any) — its documented way to handle a crashed evaluation.
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time
import warnings
from typing import Any, Callable, Dict, List, Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The bindings from this checkout (an installed `hone` package would shadow nothing else).
# $HONE_BINDINGS: another copy of bindings/python (e.g. one matching an older libhone.so).
sys.path.insert(1, os.environ.get("HONE_BINDINGS") or os.path.join(HERE, "..", "..", "..", "bindings", "python"))
import surfaces as surf  # noqa: E402

COCO_SUITES = ("bbob", "bbob-noisy", "bbob-mixint")
QUICK = {"bbob": [1, 2, 6, 8, 15, 19, 22], "bbob-noisy": [101, 104, 107, 116, 122, 128],
         "bbob-mixint": [1, 2, 6, 8, 15, 19, 22]}
QUICK_SURFACES = ["mlp-mixed-cliff", "conditional", "branin-failing", "mlp-failing-region", "sgd-mixed"]


# --- problems -------------------------------------------------------------------------

class BenchProblem:
    """What the runner needs: a Surface (space + objective) and a regret function."""

    def __init__(self, suite: str, name: str, surface: surf.Surface, dim: int,
                 true_regret: Callable[[Dict[str, Any]], float]) -> None:
        self.suite, self.name, self.surface, self.dim = suite, name, surface, dim
        self.true_regret = true_regret
        self.noisy = surface.noise_sd > 0 or suite == "bbob-noisy"


def surface_problem(name: str) -> BenchProblem:
    s = surf.SURFACES[name]
    return BenchProblem("surfaces", name, s, len(s.params), s.regret)


class CocoProblems:
    """Keeps the cocoex suites alive (their problems die with them)."""

    def __init__(self) -> None:
        import cocoex  # noqa: F401
        self.suites: Dict[Any, Any] = {}

    def dimensions(self, suite: str) -> List[int]:
        import cocoex
        return [int(d) for d in cocoex.Suite(suite, "", "").dimensions]

    def get(self, suite: str, function: int, dim: int, instance: int) -> BenchProblem:
        import cocoex
        key = (suite, dim, instance)
        if key not in self.suites:
            self.suites[key] = cocoex.Suite(suite, f"instances:{instance}", f"dimensions:{dim}")
        p = self.suites[key].get_problem_by_function_dimension_instance(function, dim, instance)
        n_int = int(p.number_of_integer_variables)
        lo, hi = np.array(p.lower_bounds, dtype=float), np.array(p.upper_bounds, dtype=float)
        params = [surf.Param(f"x{i}", "int" if i < n_int else "float", lo[i], hi[i]) for i in range(dim)]
        noisy = suite == "bbob-noisy"

        def x_of(params_: Dict[str, Any]) -> np.ndarray:
            return np.array([float(params_[f"x{i}"]) for i in range(dim)])

        def evaluate(x: np.ndarray, repeats: int) -> float:
            if repeats == 1:
                return float(p(x))
            return float(np.median([p(x) for _ in range(repeats)]))

        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as d:
            os.chdir(d)
            try:
                p._best_parameter("print")
                xopt = np.atleast_1d(np.loadtxt("._bbob_problem_best_parameter.txt"))
            finally:
                os.chdir(cwd)
        fopt = evaluate(xopt, 21 if noisy else 1)
        value = lambda params_: evaluate(x_of(params_), 1)  # what the optimizer sees (noisy on bbob-noisy)
        regret = lambda params_: max(evaluate(x_of(params_), 21 if noisy else 1) - fopt, 0.0)
        s = surf.Surface(p.id, suite, params, value, fopt, tags=("noisy",) if noisy else ())
        name = f"{suite}-f{function:03d}-d{dim:02d}-i{instance:02d}"
        return BenchProblem(suite, name, s, dim, regret)


# --- samplers ------------------------------------------------------------------------------

class Ask:
    """A proposal: the parameters to evaluate and how to report the outcome."""

    def __init__(self, params: Dict[str, Any], tell: Callable[[Optional[float]], None]) -> None:
        self.params, self.tell = params, tell


class FlatTrial:
    """Trial API over a fixed full assignment (for optimizers with a static space)."""

    def __init__(self, values: Dict[str, Any]) -> None:
        self.values = values

    def suggest_float(self, name, low, high, log=False):
        return float(self.values[name])

    def suggest_int(self, name, low, high, log=False):
        return int(self.values[name])

    def suggest_categorical(self, name, choices):
        return self.values[name]


def hone_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    import hone
    base = spec.split("@")[0]
    # "+noisy": the study option noisy_objective (best_params is then the GP recommendation).
    noisy = base.endswith("+noisy")
    name, _, opts = base[len("hone-"):len(base) - (6 if noisy else 0)].partition(":")
    sampler: Any = name if not opts else dict(json.loads(opts), name=name)
    study = hone.create_study(sampler=sampler, seed=seed, noisy_objective=noisy)

    def ask() -> Ask:
        t = study.ask()
        params = problem.surface.define_by_run(t)

        def tell(v: Optional[float]) -> None:
            if v is None:
                study.tell(t, state="fail")
            else:
                study.tell(t, v)
        return Ask(params, tell)

    def recommend() -> Optional[Dict[str, Any]]:
        try:
            return dict(study.best_params)
        except Exception:  # noqa: BLE001 — no completed trial yet
            return None
    ask.recommend = recommend  # type: ignore[attr-defined]
    return ask


def optuna_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    spec = spec.split("@")[0]
    if spec == "optuna-tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    elif spec == "optuna-tpe-mv":
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
    elif spec == "optuna-gp":
        sampler = optuna.samplers.GPSampler(seed=seed)
    elif spec == "optuna-cmaes":
        sampler = optuna.samplers.CmaEsSampler(seed=seed)
    elif spec == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        raise ValueError(spec)
    study = optuna.create_study(sampler=sampler)

    def ask() -> Ask:
        t = study.ask()
        params = problem.surface.define_by_run(t)

        def tell(v: Optional[float]) -> None:
            if v is None:
                study.tell(t, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(t, v)
        return Ask(params, tell)
    return ask


def ngopt_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    import nevergrad as ng
    warnings.filterwarnings("ignore")
    parts = {}
    for p in problem.surface.params:
        if p.kind == "categorical":
            parts[p.name] = ng.p.Choice(list(p.choices))
        elif p.log:
            parts[p.name] = ng.p.Log(lower=float(p.low), upper=float(p.high))
        else:
            parts[p.name] = ng.p.Scalar(lower=float(p.low), upper=float(p.high))
        if p.kind == "int":
            parts[p.name] = parts[p.name].set_integer_casting()
    param = ng.p.Dict(**parts)
    param.random_state = np.random.RandomState(seed)
    opt = ng.optimizers.NGOpt(parametrization=param, budget=budget, num_workers=1)
    worst = [None]

    def ask() -> Ask:
        cand = opt.ask()
        params = problem.surface.restrict(problem.surface.define_by_run(FlatTrial(cand.value)))

        def tell(v: Optional[float]) -> None:
            if v is None:
                v = worst[0] if worst[0] is not None else 1e6
            else:
                worst[0] = v if worst[0] is None else max(worst[0], v)
            opt.tell(cand, v)
        return Ask(params, tell)

    def recommend() -> Optional[Dict[str, Any]]:
        # NGOpt's own recommendation (noise-aware in its noisy sub-optimizers).
        return problem.surface.restrict(problem.surface.define_by_run(FlatTrial(opt.recommend().value)))
    ask.recommend = recommend  # type: ignore[attr-defined]
    return ask


class WorstSoFar:
    """A failed evaluation told as the worst value seen so far (1e6 before any): for peers
    without a failure state of their own (nevergrad's documented way; HEBO, DEHB)."""

    def __init__(self) -> None:
        self.worst: Optional[float] = None

    def __call__(self, v: Optional[float]) -> float:
        if v is None:
            return self.worst if self.worst is not None else 1e6
        self.worst = v if self.worst is None else max(self.worst, v)
        return v


def hebo_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    """HEBO 0.3.6 (Cowen-Rivers et al. 2022) with its defaults, on the flat space (it has no
    conditional parameters; inactive ones are dropped by `restrict`). Seeded through numpy
    and torch's global generators, which is what HEBO draws from."""
    import pandas as pd
    import torch
    from hebo.design_space.design_space import DesignSpace
    from hebo.optimizers.hebo import HEBO
    warnings.filterwarnings("ignore")
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rows = []
    for p in problem.surface.params:
        if p.kind == "categorical":
            rows.append(dict(name=p.name, type="cat", categories=[str(c) for c in p.choices]))
        elif p.kind == "int":
            rows.append(dict(name=p.name, type="pow_int" if p.log else "int", lb=int(p.low), ub=int(p.high)))
        else:
            rows.append(dict(name=p.name, type="pow" if p.log else "num", lb=float(p.low), ub=float(p.high)))
    space = DesignSpace().parse(rows)
    opt = HEBO(space, scramble_seed=seed)
    by_name = {p.name: p for p in problem.surface.params}
    worst = WorstSoFar()

    def value_of(name: str, v: Any) -> Any:
        p = by_name[name]
        if p.kind == "categorical":
            return next(c for c in p.choices if str(c) == str(v))
        return int(round(float(v))) if p.kind == "int" else float(v)

    def ask() -> Ask:
        rec = opt.suggest(n_suggestions=1)
        flat = {k: value_of(k, rec[k].iloc[0]) for k in rec.columns}
        params = problem.surface.restrict(flat)

        def tell(v: Optional[float]) -> None:
            opt.observe(rec, np.array([[worst(v)]]))
        return Ask(params, tell)
    _ = pd
    return ask


def config_space(problem: BenchProblem, seed: int):
    """The problem's space as a ConfigSpace space (SMAC3 and DEHB take one); categorical
    choices as their strings."""
    from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer
    cs = ConfigurationSpace(seed=seed)
    for p in problem.surface.params:
        if p.kind == "categorical":
            cs.add(Categorical(p.name, [str(c) for c in p.choices]))
        elif p.kind == "int":
            cs.add(Integer(p.name, (int(p.low), int(p.high)), log=bool(p.log)))
        else:
            cs.add(Float(p.name, (float(p.low), float(p.high)), log=bool(p.log)))
    return cs


def smac_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    """SMAC3 2.4's HPO facade (random forest, log EI, its intensifier) with its defaults.
    On noisy problems the scenario says so (deterministic=False), and the recommendation is
    SMAC's incumbent (best mean over the seeds it evaluated the configuration on)."""
    from smac import HyperparameterOptimizationFacade as HPO
    from smac import Scenario
    from smac.runhistory.dataclasses import TrialValue
    warnings.filterwarnings("ignore")
    cs = config_space(problem, seed)
    out_dir = tempfile.mkdtemp(prefix="smac-")
    scenario = Scenario(cs, deterministic=not problem.noisy, n_trials=budget, seed=seed, output_directory=out_dir)
    smac = HPO(scenario, lambda config, seed=0: 0.0, overwrite=True, logging_level=40)
    by_name = {p.name: p for p in problem.surface.params}
    worst = WorstSoFar()

    def flat_of(config) -> Dict[str, Any]:
        flat = {}
        for k, v in dict(config).items():
            p = by_name[k]
            flat[k] = next(c for c in p.choices if str(c) == str(v)) if p.kind == "categorical" else \
                (int(v) if p.kind == "int" else float(v))
        return problem.surface.restrict(flat)

    def ask() -> Ask:
        info = smac.ask()

        def tell(v: Optional[float]) -> None:
            smac.tell(info, TrialValue(cost=worst(v)))
        return Ask(flat_of(info.config), tell)

    def recommend() -> Optional[Dict[str, Any]]:
        inc = smac.intensifier.get_incumbent()
        return None if inc is None else flat_of(inc)
    ask.recommend = recommend  # type: ignore[attr-defined]
    return ask


def dehb_sampler(spec: str, problem: BenchProblem, seed: int, budget: int):
    """DEHB 0.1.2 (Awad et al. 2021). These problems have no fidelity, so every evaluation is
    a full one: DEHB runs with fidelities 1..9 (eta 3), which only shapes its brackets
    (which configurations it promotes and re-proposes), and each of its asks costs one
    evaluation of the budget."""
    from dehb import DEHB
    warnings.filterwarnings("ignore")
    cs = config_space(problem, seed)
    import logging
    try:
        from loguru import logger
        logger.remove()
    except Exception:  # noqa: BLE001
        pass
    logging.disable(logging.WARNING)
    out_dir = tempfile.mkdtemp(prefix="dehb-")
    opt = DEHB(cs=cs, dimensions=len(problem.surface.params), min_fidelity=1, max_fidelity=9, eta=3, n_workers=1,
               output_path=out_dir, seed=seed, log_level="ERROR")
    by_name = {p.name: p for p in problem.surface.params}
    worst = WorstSoFar()

    def ask() -> Ask:
        job = opt.ask()
        flat = {}
        for k, v in dict(job["config"]).items():
            p = by_name[k]
            flat[k] = next(c for c in p.choices if str(c) == str(v)) if p.kind == "categorical" else \
                (int(v) if p.kind == "int" else float(v))

        def tell(v: Optional[float]) -> None:
            opt.tell(job, {"fitness": worst(v), "cost": 1.0})
        return Ask(problem.surface.restrict(flat), tell)
    return ask


PEERS = {"optuna-tpe": optuna_sampler, "optuna-tpe-mv": optuna_sampler, "optuna-gp": optuna_sampler,
         "optuna-cmaes": optuna_sampler, "random": optuna_sampler, "ngopt": ngopt_sampler,
         "hebo": hebo_sampler, "smac": smac_sampler, "dehb": dehb_sampler}
PEER_PACKAGES = {"optuna-gp": ["optuna", "torch"], "ngopt": ["nevergrad"], "hebo": ["hebo"], "smac": ["smac"],
                 "dehb": ["dehb"]}


def make_sampler(spec: str):
    spec = spec.split("@")[0]
    if spec.startswith("hone-"):
        return hone_sampler
    if spec in PEERS:
        return PEERS[spec]
    raise SystemExit(f"unknown sampler {spec!r} (hone-NAME, {', '.join(PEERS)})")


def available(spec: str) -> bool:
    import importlib
    spec = spec.split("@")[0]
    for pkg in PEER_PACKAGES.get(spec, ["hone"] if spec.startswith("hone-") else ["optuna"]):
        try:
            importlib.import_module(pkg)
        except Exception as e:  # noqa: BLE001 — any import failure means "skip this peer"
            print(f"# skipping {spec}: cannot import {pkg} ({e})", file=sys.stderr)
            return False
    return True


# --- one run -------------------------------------------------------------------------------

def run_one(problem: BenchProblem, spec: str, seed: int, budget: int) -> Dict[str, Any]:
    rng = np.random.default_rng(10_000 + seed)     # the surfaces' observation noise
    ask = make_sampler(spec)(spec, problem, seed, budget)
    best_seen, best_regret = math.inf, math.inf
    curve: List[float] = []
    failed = 0
    sampler_seconds = 0.0
    started = time.perf_counter()
    recommend = getattr(ask, "recommend", None)
    checkpoints = sorted({b for b in RECOMMEND_AT if b < budget} | {budget})
    recommended: List[List[float]] = []
    best_params: Optional[Dict[str, Any]] = None
    for i in range(budget):
        t0 = time.perf_counter()
        a = ask()
        sampler_seconds += time.perf_counter() - t0
        try:
            v = problem.surface.observe(a.params, rng)
            if not math.isfinite(v):
                raise surf.Diverged("non-finite value")
        except surf.Diverged:
            v = None
            failed += 1
        t0 = time.perf_counter()
        a.tell(v)
        sampler_seconds += time.perf_counter() - t0
        if v is not None and v < best_seen:
            best_seen, best_params = v, a.params
            best_regret = problem.true_regret(a.params) if problem.noisy else max(v - problem.surface.minimum, 0.0)
        curve.append(best_regret)
        if i + 1 in checkpoints:
            # The sampler's recommendation (its own, else the best observed), by its true
            # (noise-free) regret; not counted in the sampler's time.
            rec = recommend() if recommend is not None else None
            if rec is None or rec == best_params:
                recommended.append([i + 1, curve[-1]])
            else:
                recommended.append([i + 1, float(f"{problem.true_regret(rec):.6g}")])
    return dict(kind="run", suite=problem.suite, family=problem.surface.family, problem=problem.name,
                dim=problem.dim, tags=list(problem.surface.tags), sampler=spec, seed=seed, budget=budget,
                failed=failed, sampler_seconds=round(sampler_seconds, 4),
                seconds=round(time.perf_counter() - started, 4),
                # The best-so-far regret curve, compactly: [evaluation, regret] at each improvement
                # (evaluations counted from 1; before the first entry there is no successful trial).
                improvements=improvements(curve),
                # [evaluation, true regret of the sampler's recommendation] at RECOMMEND_AT and the budget.
                recommended=recommended)


RECOMMEND_AT = (10, 25, 50, 100, 200)


def improvements(curve: List[float]) -> List[List[float]]:
    out: List[List[float]] = []
    for i, r in enumerate(curve):
        v = float(f"{r:.6g}") if math.isfinite(r) else math.inf
        if math.isfinite(v) and (not out or v < out[-1][1]):
            out.append([i + 1, v])
    return out


def expand(r: Dict[str, Any]) -> List[Optional[float]]:
    """The best-so-far curve of a run line (either stored form)."""
    if "curve" in r:
        return r["curve"]
    curve: List[Optional[float]] = [None] * r["budget"]
    for (i, v), nxt in zip(r["improvements"], r["improvements"][1:] + [[r["budget"] + 1, None]]):
        for j in range(int(i) - 1, int(nxt[0]) - 1):
            curve[j] = v
    return curve


def split_specs(text: str) -> List[str]:
    """Splits a sampler list on commas outside {...} (options JSON has commas)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def parse_ints(text: str) -> List[int]:
    out: List[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="surfaces", help="surfaces, bbob, bbob-noisy or bbob-mixint (comma list)")
    ap.add_argument("--problems", default="all", help="surfaces: comma list of names (default all)")
    ap.add_argument("--functions", default=None, help="COCO function numbers, e.g. 1-24 (default: whole suite)")
    ap.add_argument("--dims", default="2,5", help="COCO dimensions")
    ap.add_argument("--instances", default="1", help="COCO instances")
    ap.add_argument("--budget", default="100", help="evaluations per run; '20d' = 20 x dimension")
    ap.add_argument("--seeds", default="5", help="N (seeds 0..N-1) or a list/range like 0-9")
    ap.add_argument("--samplers", default="hone-auto,hone-tpe,optuna-tpe,optuna-gp,optuna-cmaes,ngopt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true", help="a few problems per suite, 3 seeds, budget 50")
    args = ap.parse_args()
    if args.quick:
        args.seeds, args.budget = ("3" if args.seeds == "5" else args.seeds), ("50" if args.budget == "100" else args.budget)
    seeds = list(range(int(args.seeds))) if args.seeds.isdigit() else parse_ints(args.seeds)
    specs = [s for s in split_specs(args.samplers) if s and available(s)]

    problems: List[BenchProblem] = []
    coco: Optional[CocoProblems] = None
    for suite in args.suite.split(","):
        if suite == "surfaces":
            names = list(surf.SURFACES) if args.problems == "all" else args.problems.split(",")
            if args.quick and args.problems == "all":
                names = QUICK_SURFACES
            problems.extend(surface_problem(n) for n in names)
        elif suite in COCO_SUITES:
            coco = coco or CocoProblems()
            default = {"bbob": "1-24", "bbob-noisy": "101-130", "bbob-mixint": "1-24"}[suite]
            functions = QUICK[suite] if args.quick and args.functions is None else parse_ints(args.functions or default)
            for d in parse_ints(args.dims):
                if d not in coco.dimensions(suite):
                    print(f"# {suite} has no {d}-D problems (it has {coco.dimensions(suite)})", file=sys.stderr)
                    continue
                for inst in parse_ints(args.instances):
                    for f in functions:
                        problems.append(coco.get(suite, f, d, inst))
        else:
            raise SystemExit(f"unknown suite {suite!r}")

    done = set()
    if os.path.exists(args.out):
        with open(args.out) as fh:
            for line in fh:
                if line.startswith("{"):
                    r = json.loads(line)
                    if r.get("kind") == "run":
                        done.add((r["problem"], r["sampler"], r["seed"], r["budget"]))
    with open(args.out, "a") as out:
        for pr in problems:
            budget = 20 * pr.dim if args.budget == "20d" else int(args.budget)
            for spec in specs:
                for seed in seeds:
                    if (pr.name, spec, seed, budget) in done:
                        continue
                    r = run_one(pr, spec, seed, budget)
                    out.write(json.dumps(r) + "\n")
                    out.flush()
                    last = r["improvements"][-1][1] if r["improvements"] else None
                    print(f"{pr.name:28s} {spec:16s} seed {seed:2d}  regret {last}  "
                          f"{r['sampler_seconds']:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
