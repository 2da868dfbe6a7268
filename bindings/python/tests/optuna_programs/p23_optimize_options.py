# From the reference of optuna.study.Study.optimize (timeout, n_jobs, gc_after_trial,
# show_progress_bar) and the deprecated suggest API still in Trial
# (https://optuna.readthedocs.io/en/stable/reference/generated/optuna.study.Study.html,
# https://optuna.readthedocs.io/en/stable/reference/generated/optuna.trial.Trial.html).
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    time.sleep(0.01)
    return (x - 2) ** 2


study = optuna.create_study()
start = time.time()
study.optimize(objective, timeout=0.5)
elapsed = time.time() - start
assert 0.4 < elapsed < 5.0 and len(study.trials) >= 5

study = optuna.create_study()
study.optimize(objective, n_trials=20, n_jobs=2, gc_after_trial=True, show_progress_bar=False)
assert len(study.trials) == 20
assert sorted(t.number for t in study.trials) == list(range(20))


def old_style(trial):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = trial.suggest_uniform("a", 0.0, 1.0)
        b = trial.suggest_loguniform("b", 1e-3, 1.0)
        c = trial.suggest_discrete_uniform("c", 0.0, 1.0, 0.25)
    d = trial.suggest_int("d", 1, 10)
    assert 0 <= a <= 1 and 1e-3 <= b <= 1 and c in (0.0, 0.25, 0.5, 0.75, 1.0) and 1 <= d <= 10
    return a + b + c + d


study = optuna.create_study(direction="maximize")
study.optimize(old_style, n_trials=5)
assert len(study.trials) == 5
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    trial = study.ask()
    trial.suggest_uniform("a", 0.0, 1.0)
    study.tell(trial, 1.0)
assert any(issubclass(w.category, (FutureWarning, DeprecationWarning)) for w in caught)
