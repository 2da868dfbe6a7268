"""Time per ask (thread CPU) of a Hone sampler with N finished random trials in the study, on
surfaces of bench/search/suite/surfaces.py (mixed, conditional or numeric), through the
Python bindings: median and max of 10 asks.

    HONE_LIBRARY=.build/release/libhone.so nice python3 bench/search/asktime_mixed.py 100,500 \
        mlp-mixed-cliff,conditional,levy6-off auto
"""
import sys, time, resource
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "suite")); sys.path.insert(1, os.path.join(HERE, "..", "..", "bindings", "python"))
import numpy as np, surfaces as surf, hone
from hone.frozen import create_trial
from hone import distributions as D

def dists(s, params):
    out = {}
    for p in s.params:
        if p.name not in params: continue
        if p.kind == "categorical": out[p.name] = D.CategoricalDistribution(list(p.choices))
        elif p.kind == "int": out[p.name] = D.IntDistribution(int(p.low), int(p.high), log=p.log)
        else: out[p.name] = D.FloatDistribution(float(p.low), float(p.high), log=p.log)
    return out

def cpu(): return time.thread_time()

for name in sys.argv[2].split(","):
    s = surf.SURFACES[name]
    rng = np.random.default_rng(0)
    for n in [int(x) for x in sys.argv[1].split(",")]:
        study = hone.create_study(sampler=sys.argv[3] if len(sys.argv) > 3 else "auto", seed=1)
        trials = []
        rs = hone.create_study(sampler="random", seed=2)
        for i in range(n):
            t = rs.ask(); p = s.define_by_run(t)
            try: v = s.value(p)
            except surf.Diverged: v = 1.0
            trials.append(create_trial(params=p, distributions=dists(s, p), value=v))
        study.add_trials(trials)
        times = []
        for k in range(10):
            t0 = cpu(); t = study.ask(); p = s.define_by_run(t); times.append(cpu() - t0)
            try: v = s.value(p)
            except surf.Diverged: v = 1.0
            study.tell(t, v)
        print(f"{name:20s} n={n:4d} ask median {1000*np.median(times):.1f} ms max {1000*max(times):.1f} ms", flush=True)
