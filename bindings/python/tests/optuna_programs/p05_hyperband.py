# From the reference of optuna.pruners.HyperbandPruner
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.pruners.HyperbandPruner.html),
# with the classifier replaced by a deterministic learning curve.
import optuna

n_train_iter = 27


def objective(trial):
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    loss = 1.0
    for step in range(n_train_iter):
        loss = lr + (1.0 - lr) * 0.8 ** step
        trial.report(loss, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return loss


study = optuna.create_study(
    direction="minimize",
    sampler=optuna.samplers.RandomSampler(seed=1),
    pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=n_train_iter, reduction_factor=3),
)
study.optimize(objective, n_trials=30)
states = [t.state for t in study.trials]
print({s: states.count(s) for s in set(states)})
assert states.count(optuna.trial.TrialState.PRUNED) > 0
assert study.best_value < 0.5

# SuccessiveHalvingPruner and the other pruners are drop-in replacements.
for pruner in [optuna.pruners.SuccessiveHalvingPruner(), optuna.pruners.PercentilePruner(25.0),
               optuna.pruners.ThresholdPruner(upper=0.9), optuna.pruners.NopPruner()]:
    study = optuna.create_study(pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=2))
    study.optimize(objective, n_trials=12)
    print(type(pruner).__name__, len(study.get_trials(states=(optuna.trial.TrialState.PRUNED,))))
