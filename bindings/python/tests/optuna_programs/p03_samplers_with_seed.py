# From Optuna's tutorial "Efficient Optimization Algorithms", section "Sampling Algorithms"
# (https://optuna.readthedocs.io/en/stable/tutorial/10_key_features/003_efficient_optimization_algorithms.html)
# and the samplers' reference pages (https://optuna.readthedocs.io/en/stable/reference/samplers/index.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", -5, 5)
    return (x - 2) ** 2 + y ** 2


study = optuna.create_study()
print(f"Sampler is {study.sampler.__class__.__name__}")

for sampler in [
    optuna.samplers.TPESampler(seed=10),
    optuna.samplers.RandomSampler(seed=10),
    optuna.samplers.CmaEsSampler(seed=10),
    optuna.samplers.QMCSampler(seed=10),
    optuna.samplers.TPESampler(multivariate=True, n_startup_trials=5, seed=1),
]:
    study = optuna.create_study(sampler=sampler)
    print(f"Sampler is {study.sampler.__class__.__name__}")
    assert study.sampler.__class__ is sampler.__class__
    study.optimize(objective, n_trials=20)
    assert len(study.trials) == 20
    print(study.best_value)


# The same seed gives the same sequence of parameters.
def run(seed):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(objective, n_trials=10)
    return [t.params for t in study.trials]


assert run(42) == run(42)
assert run(42) != run(43)
