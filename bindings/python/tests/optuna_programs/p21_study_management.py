# From the references of optuna.study.get_all_study_summaries, get_all_study_names,
# copy_study, delete_study and load_study
# (https://optuna.readthedocs.io/en/stable/reference/study.html).
import optuna


def objective(trial):
    x = trial.suggest_float("x", -15, 30)
    y = trial.suggest_float("y", -15, 30)
    return (x - 5) ** 2 + (y - 5) ** 2


storage = "sqlite:///example.db"
study = optuna.create_study(study_name="example-study", storage=storage)
study.optimize(objective, n_trials=3)

study_summaries = optuna.study.get_all_study_summaries(storage=storage)
assert len(study_summaries) == 1
study_summary = study_summaries[0]
assert study_summary.study_name == "example-study"
assert study_summary.n_trials == 3
assert study_summary.best_trial.value == study.best_value
assert study_summary.direction == optuna.study.StudyDirection.MINIMIZE

optuna.copy_study(from_study_name="example-study", from_storage=storage, to_storage="sqlite:///example_copy.db")
to_study = optuna.load_study(study_name="example-study", storage="sqlite:///example_copy.db")
assert len(to_study.trials) == 3
assert to_study.best_value == study.best_value

study_names = optuna.study.get_all_study_names(storage=storage)
assert study_names == ["example-study"]
optuna.create_study(study_name="second", storage=storage, direction="maximize")
assert sorted(optuna.get_all_study_names(storage=storage)) == ["example-study", "second"]
assert optuna.load_study(study_name="second", storage=storage).direction == optuna.study.StudyDirection.MAXIMIZE

optuna.delete_study(study_name="example-study", storage=storage)
assert optuna.get_all_study_names(storage=storage) == ["second"]
# With a single study in the storage, load_study needs no name.
assert optuna.load_study(study_name=None, storage=storage).study_name == "second"
