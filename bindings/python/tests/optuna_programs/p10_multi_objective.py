# From Optuna's tutorial "Multi-objective Optimization with Optuna"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/002_multi_objective.html),
# with the FashionMNIST model replaced by two analytic objectives (flops vs. accuracy).
import optuna


def objective(trial):
    n_layers = trial.suggest_int("n_layers", 1, 3)
    width = trial.suggest_int("width", 4, 128, log=True)
    flops = n_layers * width ** 2
    accuracy = 1.0 - 1.0 / (n_layers * width)
    return flops, accuracy


study = optuna.create_study(directions=["minimize", "maximize"], sampler=optuna.samplers.NSGAIISampler(seed=0))
study.optimize(objective, n_trials=30, timeout=300)

print("Number of finished trials: ", len(study.trials))
print(study.directions)
assert study.directions == [optuna.study.StudyDirection.MINIMIZE, optuna.study.StudyDirection.MAXIMIZE]

print(f"Number of trials on the Pareto front: {len(study.best_trials)}")
assert len(study.best_trials) >= 1

trial_with_highest_accuracy = max(study.best_trials, key=lambda t: t.values[1])
print("Trial with highest accuracy: ")
print(f"\tnumber: {trial_with_highest_accuracy.number}")
print(f"\tparams: {trial_with_highest_accuracy.params}")
print(f"\tvalues: {trial_with_highest_accuracy.values}")

# No front trial is dominated by another trial.
for a in study.best_trials:
    for b in study.trials:
        assert not (b.values[0] <= a.values[0] and b.values[1] >= a.values[1]
                    and (b.values[0] < a.values[0] or b.values[1] > a.values[1]))

study.set_metric_names(["FLOPS", "accuracy"])
assert study.metric_names == ["FLOPS", "accuracy"]
df = study.trials_dataframe(multi_index=True)
assert ("values", "FLOPS") in df.columns

fig = optuna.visualization.plot_pareto_front(study, target_names=["FLOPS", "accuracy"])
assert fig is not None
# From the reference of optuna.visualization.plot_hypervolume_history.
fig = optuna.visualization.plot_hypervolume_history(study, reference_point=[1e5, 0.0])
ys = fig.data[0].y
assert all(a <= b for a, b in zip(ys, ys[1:]))  # a hypervolume never shrinks
