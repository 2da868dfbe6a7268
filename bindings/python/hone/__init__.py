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

The library is found through $HONE_LIBRARY, then beside this package, then the system
loader path (see hone._lib).
"""

from ._lib import ABI_VERSION, lib as _clib, path as library_path
from .errors import (DuplicatedStudyError, ExistsError, HoneError, HoneIOError, InvalidArgumentError,
                     LibraryNotFoundError, MisuseError, NoResultError, NotFoundError, ScriptError,
                     StoppedError, StorageError, TrialPruned, WrongStateError)
from .frozen import FrozenTrial, TrialState
from .model import Model, load_model, train
from .scripting import load_plugin, registry, run_script
from .study import Study, create_study, delete_study, get_all_study_names, load_study
from .trial import Trial
from . import tracking
from .automl import AutoResult, auto

__version__ = "0.2.0"


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
]
