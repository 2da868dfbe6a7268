"""Hone from Python: hyperparameter optimization and training through libhone.so (ctypes).

    import hone
    study = hone.create_study(direction="maximize", sampler="tpe", storage="sqlite:///runs.db",
                              study_name="mlp", seed=0)
    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        ...
        trial.report(acc, step=epoch)
        if trial.should_prune():
            raise hone.TrialPruned()
        return acc
    study.optimize(objective, n_trials=100, n_jobs=2)
    study.best_params, study.best_value, study.trials

The distribution is hone-hpo; its wheel (scripts/build-wheel.sh) carries libhone.so.
The library is found through $HONE_LIBRARY, then beside this package (the wheel's copy),
then the system loader path (see hone._lib). ``sqlite:///runs.db`` is ./runs.db and
``sqlite:////abs/runs.db`` an absolute path, as in SQLAlchemy and Optuna.
"""

from ._lib import ABI_VERSION, lib as _clib, path as library_path
from .errors import (DuplicatedStudyError, ExistsError, HoneError, HoneIOError, InvalidArgumentError,
                     LibraryNotFoundError, MisuseError, NoResultError, NotFoundError, ScriptError,
                     StoppedError, StorageError, TrialPruned, WrongStateError)
from .frozen import FrozenTrial, TrialState, create_trial
from .model import Model, load_model, train
from .scripting import load_plugin, registry, run_script
from .study import (MaxTrialsCallback, Study, StudyDirection, StudySummary, copy_study, create_study, import_optuna_study,
                    delete_study, get_all_study_names, get_all_study_summaries, load_study)
from .trial import FixedTrial, Trial
from . import tracking
from .automl import AutoResult, auto
# Optuna's modules under the same names (`import hone as optuna` keeps working); none of
# them imports Optuna, pandas or a plotting library until a function needs it.
from . import (distributions, exceptions, importance, logging, pruners, samplers, storages, study, trial,
               visualization)
# Hone's own: budget schedulers and PBT (create_study(scheduler=...)).
from . import schedulers


def __getattr__(name: str):
    # hone.integration imports nothing heavy itself, but stays out of `import hone`.
    if name == "integration":
        import importlib
        return importlib.import_module(".integration", __name__)
    raise AttributeError(f"module 'hone' has no attribute {name!r}")

__version__ = "0.4.0"


def version() -> str:
    """The loaded library's version ("MAJOR.MINOR.PATCH")."""
    return _clib.hone_version().decode()


def abi_version() -> int:
    """The loaded library's ABI version (equal to hone.ABI_VERSION)."""
    return int(_clib.hone_abi_version())


__all__ = [
    "ABI_VERSION", "library_path", "version", "abi_version",
    "HoneError", "MisuseError", "InvalidArgumentError", "NotFoundError", "ExistsError",
    "DuplicatedStudyError", "WrongStateError", "StorageError", "HoneIOError", "ScriptError",
    "StoppedError", "NoResultError", "TrialPruned", "LibraryNotFoundError",
    "TrialState", "FrozenTrial", "Trial", "Study",
    "create_study", "load_study", "delete_study", "get_all_study_names",
    "train", "load_model", "Model", "run_script", "load_plugin", "registry",
    "auto", "AutoResult", "tracking",
    # Optuna's names
    "StudyDirection", "StudySummary", "MaxTrialsCallback", "FixedTrial", "create_trial", "copy_study",
    "get_all_study_summaries", "distributions", "exceptions", "importance", "logging", "pruners", "samplers",
    "storages", "study", "trial", "visualization",
    "schedulers", "import_optuna_study",
]
