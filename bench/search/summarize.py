#!/usr/bin/env python3
"""Tables for BENCHMARKS.md from the JSON lines of hone-bench-search and peers.py.

    summarize.py bench/search/results.jsonl

Prints, as Markdown: per problem, the median [IQR] of the simple regret at 25/50/100
evaluations for every sampler; the check of Hone's default (auto) sampler against the best
peer at 100 evaluations; and the time per ask against Optuna's at each history size.
Also checks that both sides defined the problems identically (the `problem` lines).
"""
import json
import sys
from collections import defaultdict

import numpy as np

CHECKPOINTS = (25, 50, 100)
HONE_ORDER = ["auto", "gp", "trust-region", "tpe", "cmaes", "nsga2", "sobol", "random", "grid"]


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def label(r):
    return r["sampler"] if r["impl"] != "hone" else "hone-" + r["sampler"]


def fmt(x):
    if x == 0:
        return "0"
    return f"{x:.2g}" if abs(x) >= 1e-3 and abs(x) < 1e4 else f"{x:.1e}"


def check_problems(rows):
    by = defaultdict(dict)
    for r in rows:
        if r["kind"] == "problem":
            by[r["problem"]][r["impl"]] = r
    bad = []
    for name, sides in by.items():
        if len(sides) < 2:
            continue
        a, b = sides["hone"], sides["peers"]
        for key in ("lower", "upper"):
            if not np.allclose(a[key], b[key], rtol=1e-9, atol=1e-9):
                bad.append(f"{name}: {key} differs")
        for key in ("minimum", "at_minimizer", "at_centre"):
            if abs(a[key] - b[key]) > 1e-6 * max(1, abs(a[key])):
                bad.append(f"{name}: {key} {a[key]} vs {b[key]}")
    return bad


def main():
    rows = []
    for path in sys.argv[1:]:
        rows += load(path)
    out = []
    bad = check_problems(rows)
    if bad:
        out.append("**Problem definitions differ between Swift and Python:** " + "; ".join(bad) + "\n")

    regret = defaultdict(list)   # (problem, label) -> traces
    for r in rows:
        if r["kind"] == "regret":
            regret[(r["problem"], label(r))].append(r["regret"])
    problems = []
    for p, _ in regret:
        if p not in problems:
            problems.append(p)
    problems.sort(key=lambda p: (p.endswith("-shifted"), p))

    def stats(traces, k):
        v = np.array([max(t[k - 1], 0.0) for t in traces])
        return np.median(v), np.percentile(v, 25), np.percentile(v, 75)

    def order(lbl):
        if lbl.startswith("hone-"):
            s = lbl[5:]
            return (0, HONE_ORDER.index(s) if s in HONE_ORDER else 99, lbl)
        return (1, 0, lbl)

    summary = []
    for p in problems:
        labels = sorted({l for (q, l) in regret if q == p}, key=order)
        out.append(f"\n**{p}** — simple regret, median [25th–75th percentile] over seeds\n")
        out.append("| sampler | seeds | @25 | @50 | @100 | CPU s / run |")
        out.append("|---|---:|---|---|---|---:|")
        cpu = defaultdict(list)
        for r in rows:
            if r["kind"] == "regret" and r["problem"] == p:
                cpu[label(r)].append(r["cpu_s"])
        for l in labels:
            tr = regret[(p, l)]
            cells = []
            for k in CHECKPOINTS:
                m, lo, hi = stats(tr, k)
                cells.append(f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]")
            name = f"**{l}**" if l == "hone-auto" else l
            out.append(f"| {name} | {len(tr)} | " + " | ".join(cells) + f" | {np.median(cpu[l]):.2f} |")
        peers = [l for l in labels if not l.startswith("hone-")]
        if "hone-auto" in labels and peers:
            best = min(peers, key=lambda l: stats(regret[(p, l)], 100)[0])
            summary.append((p, stats(regret[(p, "hone-auto")], 100)[0], best, stats(regret[(p, best)], 100)[0]))

    if summary:
        out.append("\n**Hone's default sampler (auto) against the best peer, median regret at 100 evaluations**\n")
        out.append("| problem | hone-auto | best peer | its regret | auto ≤ best peer |")
        out.append("|---|---|---|---|---|")
        for p, mine, best, theirs in summary:
            out.append(f"| {p} | {fmt(mine)} | {best} | {fmt(theirs)} | {'yes' if mine <= theirs else '**no**'} |")

    asks = {}
    for r in rows:
        if r["kind"] == "asktime":
            asks[(label(r), r["trials"])] = r
    if asks:
        sizes = sorted({n for (_, n) in asks})
        out.append("\n**Time per ask** (ask + suggesting all 6 parameters of Hartmann6; thread CPU, median over the asks) in ms\n")
        out.append("| sampler | " + " | ".join(f"{n} trials" for n in sizes) + " |")
        out.append("|---|" + "---:|" * len(sizes))
        labels = sorted({l for (l, _) in asks}, key=order)
        for l in labels:
            out.append(f"| {l} | " + " | ".join(f"{asks[(l, n)]['median_ms']:.3g}" if (l, n) in asks else "–" for n in sizes) + " |")
        pairs = [("hone-tpe", "optuna-tpe-mv"), ("hone-tpe", "optuna-tpe"), ("hone-gp", "optuna-gp")]
        lines = []
        for h, o in pairs:
            if any((h, n) in asks and (o, n) in asks for n in sizes):
                lines.append(f"| {h} / {o} | " + " | ".join(
                    f"{asks[(h, n)]['median_ms'] / asks[(o, n)]['median_ms']:.3f}" if (h, n) in asks and (o, n) in asks else "–"
                    for n in sizes) + " |")
        if lines:
            out.append("\nRatio (Hone / Optuna; ≤ 0.1 is the target at 500 trials)\n")
            out.append("| pair | " + " | ".join(f"{n} trials" for n in sizes) + " |")
            out.append("|---|" + "---:|" * len(sizes))
            out += lines
    print("\n".join(out))


if __name__ == "__main__":
    main()
