# From the references of optuna.pruners.PatientPruner and optuna.pruners.WilcoxonPruner
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.pruners.PatientPruner.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.pruners.WilcoxonPruner.html),
# with the classifier replaced by a formula.
import optuna


def objective(trial):
    alpha = trial.suggest_float("alpha", 0.0, 1.0)
    n_train_iter = 20
    for step in range(n_train_iter):
        # Improves for `alpha * 10` steps, then plateaus.
        loss = 1.0 - min(step, int(alpha * 10)) / 10.0
        trial.report(loss, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return loss


study = optuna.create_study(
    direction="minimize",
    sampler=optuna.samplers.RandomSampler(seed=0),
    pruner=optuna.pruners.PatientPruner(optuna.pruners.MedianPruner(), patience=1),
)
study.optimize(objective, n_trials=20)
states = [t.state for t in study.trials]
print("pruned:", states.count(optuna.trial.TrialState.PRUNED))

study = optuna.create_study(
    sampler=optuna.samplers.RandomSampler(seed=0),
    pruner=optuna.pruners.PatientPruner(None, patience=2),
)
study.optimize(objective, n_trials=10)
for t in study.trials:
    if t.state == optuna.trial.TrialState.PRUNED:
        # Stopped after 2 steps without improvement, not before.
        assert t.last_step >= 3


# WilcoxonPruner: each step is one problem instance, the objective is the mean.
instances = [0.1 * k for k in range(20)]


def instance_objective(trial):
    shift = trial.suggest_float("shift", -1.0, 1.0)
    results = []
    for i, inst in enumerate(instances):
        loss = (inst - 1.0 + shift) ** 2
        results.append(loss)
        trial.report(loss, i)
        if trial.should_prune():
            return sum(results) / len(results)
    return sum(results) / len(results)


study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1),
                            pruner=optuna.pruners.WilcoxonPruner(p_threshold=0.1))
study.optimize(instance_objective, n_trials=15)
assert len(study.trials) == 15
