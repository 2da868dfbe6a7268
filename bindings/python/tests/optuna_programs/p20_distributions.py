# From the reference of optuna.distributions and optuna.trial.create_trial
# (https://optuna.readthedocs.io/en/stable/reference/distributions.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.trial.create_trial.html).
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

trial = optuna.trial.create_trial(
    params={"x": 2.0, "n": 3, "c": "b"},
    distributions={
        "x": FloatDistribution(0, 10),
        "n": IntDistribution(1, 5),
        "c": CategoricalDistribution(["a", "b"]),
    },
    value=2.0,
)
assert trial.value == 2.0 and trial.state == optuna.trial.TrialState.COMPLETE
assert trial.distributions["n"] == IntDistribution(1, 5)

study = optuna.create_study()
assert len(study.trials) == 0
study.add_trial(trial)
assert len(study.trials) == 1
stored = study.trials[0]
assert stored.params == {"x": 2.0, "n": 3, "c": "b"}
assert stored.distributions["x"] == FloatDistribution(0, 10)
assert stored.distributions["c"] == CategoricalDistribution(["a", "b"])
assert isinstance(stored.distributions["n"], IntDistribution)

d = FloatDistribution(1e-3, 1.0, log=True)
assert d.low == 1e-3 and d.high == 1.0 and d.log and d.step is None
i = IntDistribution(0, 10, step=2)
assert i.step == 2 and not i.log
c = CategoricalDistribution(choices=("x", 1, None))
assert c.choices == ("x", 1, None)
assert c.to_internal_repr(1) == 1 and c.to_external_repr(2) is None

# A trial knows the distributions of its parameters.
def objective(trial):
    trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    trial.suggest_int("units", 8, 64, step=8)
    dists = trial.distributions
    assert dists["lr"] == FloatDistribution(1e-5, 1e-1, log=True)
    assert dists["units"] == IntDistribution(8, 64, step=8)
    return 0.0


study.optimize(objective, n_trials=2)
try:
    optuna.trial.create_trial(params={"x": 20.0}, distributions={"x": FloatDistribution(0, 10)}, value=1.0)
except ValueError:
    pass
else:
    raise AssertionError("a value outside its distribution must be refused")
