# From Optuna's FAQ "How can I optimize a model with some constraints?"
# (https://optuna.readthedocs.io/en/stable/faq.html#how-can-i-optimize-a-model-with-some-constraints),
# in Optuna 5's form: Trial.set_constraint (feasible when every value is <= 0).
import optuna


def objective(trial):
    # Binh and Korn function with constraints.
    x = trial.suggest_float("x", -15, 30)
    y = trial.suggest_float("y", -15, 30)

    # Constraints which are considered feasible if less than or equal to zero.
    c0 = (x - 5) ** 2 + y**2 - 25
    c1 = -((x - 8) ** 2) - (y + 3) ** 2 + 7.7
    trial.set_constraint("c0", c0)
    trial.set_constraint("c1", c1)

    v0 = 4 * x**2 + 4 * y**2
    v1 = (x - 5) ** 2 + (y - 5) ** 2

    return v0, v1


study = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=32, timeout=600)

print("Number of finished trials: ", len(study.trials))

print("Pareto front:")

trials = sorted(study.best_trials, key=lambda t: t.values)

for trial in trials:
    print("  Trial#{}".format(trial.number))
    print("    Values: Values={}, Constraint={}".format(trial.values, trial.constraints))
    print("    Params: {}".format(trial.params))
    assert all(c <= 0 for c in trial.constraints.values())
assert study.trials[0].constraints.keys() == {"c0", "c1"}
