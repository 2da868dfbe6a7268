# From Optuna's tutorial "(File-based) Journal Storage"
# (https://optuna.readthedocs.io/en/stable/tutorial/20_recipes/011_journal_storage.html).
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


storage = JournalStorage(JournalFileBackend("./optuna_journal_storage.log"))

study = optuna.create_study(storage=storage, study_name="journal")
study.optimize(objective, n_trials=10)

# Another process (here: another study object) sees the same trials.
again = optuna.load_study(study_name="journal", storage=JournalStorage(JournalFileBackend("./optuna_journal_storage.log")))
assert len(again.trials) == 10
assert again.best_value == study.best_value
