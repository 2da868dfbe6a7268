# From Optuna's tutorial "Ask-and-Tell Interface"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/009_ask_and_tell.html).
import optuna
from optuna.trial import TrialState


def f(C, solver):
    return (C - 0.5) ** 2 + (0.1 if solver == "saga" else 0.0)


study = optuna.create_study(direction="minimize")

n_trials = 10
for _ in range(n_trials):
    trial = study.ask()  # `trial` is a `Trial` and not a `FrozenTrial`.

    C = trial.suggest_float("C", 1e-7, 10.0, log=True)
    solver = trial.suggest_categorical("solver", ("lbfgs", "saga"))

    score = f(C, solver)

    study.tell(trial, score)  # tell the pair of trial and objective value

# Define-and-run: fixed distributions given to ask.
distributions = {
    "C": optuna.distributions.FloatDistribution(1e-7, 10.0, log=True),
    "solver": optuna.distributions.CategoricalDistribution(("lbfgs", "saga")),
}
for _ in range(n_trials):
    trial = study.ask(distributions)  # `trial` is a `Trial` and not a `FrozenTrial`.

    # two hyperparameters are already sampled from the pre-defined distributions
    C = trial.params["C"]
    solver = trial.params["solver"]
    assert 1e-7 <= C <= 10.0 and solver in ("lbfgs", "saga")

    study.tell(trial, f(C, solver))

# Pruning with ask-and-tell.
study2 = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=2))
for _ in range(8):
    trial = study2.ask()
    x = trial.suggest_float("x", 0.0, 1.0)
    pruned = False
    for step in range(5):
        trial.report(x + 1.0 / (step + 1), step)
        if trial.should_prune():
            pruned = True
            break
    if pruned:
        study2.tell(trial, state=TrialState.PRUNED)
    else:
        frozen = study2.tell(trial, x)
        assert frozen.state == TrialState.COMPLETE
# Telling a number works too, and skip_if_finished ignores a second tell.
trial = study2.ask()
trial.suggest_float("x", 0.0, 1.0)
study2.tell(trial.number, 0.5)
study2.tell(trial.number, 0.5, skip_if_finished=True)
print(len(study.trials), study.best_params, len(study2.trials))
assert len(study.trials) == 20 and len(study2.trials) == 9
