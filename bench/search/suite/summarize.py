#!/usr/bin/env python3
"""Tables for BENCHMARKS.md from the JSON lines of bench/search/suite/run.py.

    summarize.py RESULTS.jsonl[.gz] ... [--subject hone-auto] [--budgets 25,50,100]
                 [--pair hone-tpe,optuna-tpe] [--per-problem]

For each group of problems (COCO suite × dimension; the surfaces by family, and all
HPO surfaces together) and each budget: the subject's wins / ties / losses against the
best peer (the peer with the lowest median regret on that problem), the geometric mean
of subject / best-peer median regret, the worst such ratio, the share of problems where
the subject is ≤ the best peer, and the mean rank of every sampler among the subject
and the peers. Peers are all samplers not starting with "hone-"; other Hone samplers are
not ranked (they are shown in --per-problem).

Conventions: regret is floored at 1e-8 (COCO's final target) before ratios; a missing
value (no successful trial yet) counts as +inf. "Tie": both medians ≤ 1e-8, or within a
factor 1.05 of each other. Ranks: by median regret, ties (same floored value) share the
average rank. --pair A,B prints, per budget, the share of problems where A's median
regret ≤ B's, over all problems and over those tagged categorical/conditional/failing.
"""
import argparse
import gzip
import json
import math
from collections import defaultdict
from typing import Dict, List

import numpy as np

from run import expand

FLOOR = 1e-8
TIE = 1.05


def load(path: str) -> List[dict]:
    rows = []
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        for line in f:
            if line.startswith("{"):
                r = json.loads(line)
                if r.get("kind") == "run":
                    rows.append(r)
    return rows


def group_of(r: dict) -> str:
    if r["suite"] == "surfaces":
        return "hpo-" + r["family"]
    return f"{r['suite']}-{r['dim']}D"


def at(curve: List, b: int) -> float:
    if b > len(curve):
        return math.nan
    v = curve[b - 1]
    return math.inf if v is None else max(float(v), FLOOR)


def recommended_curve(r: dict) -> List:
    """The run's curve with the regret of the sampler's recommendation at the evaluations
    where run.py recorded it (`recommended`); other budgets are not available (NaN)."""
    curve: List = [math.nan] * r["budget"]
    for i, v in r.get("recommended", []):
        curve[int(i) - 1] = v
    return curve


def medians(rows: List[dict], budgets: List[int], metric: str = "observed") -> Dict:
    """{(group, problem): {sampler: {budget: median regret}}} plus the seed counts."""
    runs = defaultdict(lambda: defaultdict(list))
    for r in rows:
        # A line without `recommended` (an older run) stands for a sampler whose
        # recommendation is its best observed trial.
        curve = recommended_curve(r) if metric == "recommended" and "recommended" in r else expand(r)
        runs[(group_of(r), r["problem"], tuple(r.get("tags", ())))][r["sampler"]].append(curve)
    out = {}
    for key, by in runs.items():
        out[key] = {}
        for s, curves in by.items():
            out[key][s] = {b: float(np.median([at(c, b) for c in curves])) for b in budgets}
            out[key][s]["n"] = len(curves)
    return out


def ranks(values: Dict[str, float]) -> Dict[str, float]:
    items = sorted(values.items(), key=lambda kv: kv[1])
    out, i = {}, 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1][1] == items[i][1]:
            j += 1
        for k in range(i, j + 1):
            out[items[k][0]] = (i + j) / 2 + 1
        i = j + 1
    return out


def fmt(x: float) -> str:
    if math.isinf(x):
        return "inf"
    if x == 0:
        return "0"
    return f"{x:.3g}" if 1e-3 <= abs(x) < 1e4 else f"{x:.2e}"


def summary(med: Dict, subject: str, budgets: List[int], per_problem: bool) -> None:
    groups = defaultdict(list)
    for key in med:
        groups[key[0]].append(key)
        if key[0].startswith("hpo-") and not key[0].startswith("hpo-synthetic"):
            groups["hpo-all (mixed+conditional+failing)"].append(key)
    peers = sorted({s for by in med.values() for s in by if not s.startswith("hone-")})
    print(f"Subject {subject}; peers: {', '.join(peers)}\n")
    for b in budgets:
        print(f"### Budget {b}\n")
        print("| group | problems | seeds | W / T / L | ≤ best peer | geo-mean ratio | worst ratio (problem) | mean rank: "
              + ", ".join([subject] + peers) + " |")
        print("|---|---|---|---|---|---|---|---|")
        for g in sorted(groups):
            keys = [k for k in sorted(groups[g]) if subject in med[k] and all(p in med[k] for p in peers)
                    and not math.isnan(med[k][subject][b])]
            if not keys:
                continue
            w = t = l = 0
            logs, worst, rank_sum = [], (0.0, ""), defaultdict(float)
            seeds = min(min(med[k][s]["n"] for s in [subject] + peers) for k in keys)
            for k in keys:
                a = med[k][subject][b]
                best = min(med[k][p][b] for p in peers)
                if (a <= FLOOR and best <= FLOOR) or (math.isfinite(a) and math.isfinite(best) and best / TIE <= a <= best * TIE):
                    t += 1
                elif a < best:
                    w += 1
                else:
                    l += 1
                ratio = 1.0 if a == best else (a / best if best > 0 else math.inf)
                ratio = min(ratio, 1e6)
                logs.append(math.log(ratio))
                if ratio > worst[0]:
                    worst = (ratio, k[1])
                for s, rk in ranks({s: med[k][s][b] for s in [subject] + peers}).items():
                    rank_sum[s] += rk
            n = len(keys)
            mr = ", ".join(f"{rank_sum[s] / n:.2f}" for s in [subject] + peers)
            print(f"| {g} | {n} | {seeds} | {w} / {t} / {l} | {w + t}/{n} | {math.exp(np.mean(logs)):.3g} | "
                  f"{worst[0]:.3g} ({worst[1]}) | {mr} |")
        print()
        if per_problem:
            samplers = sorted({s for by in med.values() for s in by})
            print("| problem | " + " | ".join(samplers) + " |")
            print("|---|" + "---|" * len(samplers))
            for k in sorted(med):
                cells = [fmt(med[k][s][b]) if s in med[k] else "" for s in samplers]
                print(f"| {k[1]} | " + " | ".join(cells) + " |")
            print()


def pair(med: Dict, a: str, b_: str, budgets: List[int]) -> None:
    print(f"### {a} vs {b_}: share of problems where {a}'s median regret ≤ {b_}'s\n")
    print("| budget | all problems | geo-mean ratio (all) | categorical / conditional / failing | geo-mean ratio (those) | losses there |")
    print("|---|---|---|---|---|---|")
    for b in budgets:
        keys = [k for k in med if a in med[k] and b_ in med[k] and not math.isnan(med[k][a][b])]
        tagged = [k for k in keys if set(k[2]) & {"categorical", "conditional", "failing"}]

        def le(k):
            x, y = med[k][a][b], med[k][b_][b]
            return x <= y * (1 + 1e-12) or (x <= FLOOR and y <= FLOOR)
        lost = [k[1] for k in tagged if not le(k)]
        ratios = [math.log(min(max(med[k][a][b] / med[k][b_][b], 1e-6), 1e6)) if med[k][b_][b] > 0 else 0.0
                  for k in tagged]
        gm = math.exp(np.mean(ratios)) if ratios else math.nan
        all_ratios = [math.log(min(max(med[k][a][b] / med[k][b_][b], 1e-6), 1e6)) if med[k][b_][b] > 0 else 0.0
                      for k in keys]
        gm_all = math.exp(np.mean(all_ratios)) if all_ratios else math.nan
        print(f"| {b} | {sum(map(le, keys))}/{len(keys)} | {gm_all:.3g} | {sum(map(le, tagged))}/{len(tagged)} | {gm:.3g} | "
              f"{', '.join(lost)} |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+")
    ap.add_argument("--subject", default="hone-auto")
    ap.add_argument("--budgets", default="25,50,100")
    ap.add_argument("--pair", default=None, help="A,B: share of problems where A ≤ B")
    ap.add_argument("--per-problem", action="store_true")
    ap.add_argument("--metric", default="observed", choices=["observed", "recommended"],
                    help="regret of the best observed trial (default) or of the sampler's recommendation "
                         "(run lines with `recommended`; budgets among 10, 25, 50, 100, 200 and the run's budget)")
    ap.add_argument("--only", default=None, help="comma list of samplers to keep (the others are dropped)")
    args = ap.parse_args()
    rows = [r for p in args.results for r in load(p)]
    if args.only:
        keep = set(args.only.split(","))
        rows = [r for r in rows if r["sampler"] in keep]
    budgets = [int(b) for b in args.budgets.split(",")]
    med = medians(rows, budgets, args.metric)
    if any(args.subject in by for by in med.values()):
        summary(med, args.subject, budgets, args.per_problem)
    if args.pair:
        a, b = args.pair.rsplit(",", 1)
        pair(med, a, b, budgets)


if __name__ == "__main__":
    main()
