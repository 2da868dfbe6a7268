"""Studies: creating, loading and deleting them, ask/tell, optimize, results."""

from __future__ import annotations

import copy as _copy
import enum
import gc
import logging
import math
import threading
import traceback
import warnings
import weakref
from ctypes import byref, c_char_p, c_double, c_int64, c_size_t
from typing import (Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple,
                    Type, Union)

from . import errors
from ._lib import OBJECTIVE_FN, TRIAL_FINISHED_FN, call_handle, call_string, check, doubles, dumps, encode, integer, lib, loads
from .distributions import BaseDistribution
from .frozen import FrozenTrial, TrialState, _time
from .trial import _NOT_TYPED, CategoricalChoice, Trial, choice_string, choice_value, find_choice


def _stored_choice(value: Any) -> Any:
    """A categorical value as hone_study_enqueue takes it: typed, else its string."""
    typed = choice_value(value)
    return choice_string(value) if typed is _NOT_TYPED else typed
from . import logging as _hone_logging
from . import pruners as _pruners
from . import samplers as _samplers
from . import schedulers as _schedulers

_logger = _hone_logging.get_logger("hone.study")

#: A sampler or pruner: a registered name ("tpe") or {"name": "tpe", <options>}.
AlgorithmSpec = Union[str, Mapping[str, Any]]
Objective = Callable[[Trial], Union[float, Sequence[float]]]
StateLike = Union[TrialState, int, str]

_DEFAULT_STORAGE = "memory:"

#: optimize()'s trial limit when Optuna's caller gives none (never reached).
_NO_TRIAL_LIMIT = 1 << 62

#: The study user attribute under which set_metric_names keeps the names (Hone has no
#: writable study system attributes; Study.user_attrs leaves it out).
_METRIC_NAMES_KEY = "hone:metric_names"


class StudyDirection(enum.IntEnum):
    """A study's direction, with Optuna's values."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2


def _direction_name(d: Any) -> str:
    """"minimize" / "maximize" from a str or StudyDirection (ValueError otherwise)."""
    if isinstance(d, StudyDirection):
        if d == StudyDirection.NOT_SET:
            raise ValueError("a study direction must be MINIMIZE or MAXIMIZE, not NOT_SET")
        return d.name.lower()
    if isinstance(d, str):
        # The library checks the spelling (and names the bad value).
        return d.lower() if d.lower() in ("minimize", "maximize") else d
    raise TypeError(f"a direction is 'minimize', 'maximize' or a StudyDirection, got {type(d).__name__}")


def _is_pruned_exception(e: BaseException) -> bool:
    """hone.TrialPruned, or Optuna's TrialPruned raised by code written for Optuna (its
    integration callbacks). Optuna is never imported for this: if its exceptions module is
    not loaded, the exception cannot be Optuna's."""
    if isinstance(e, errors.TrialPruned):
        return True
    import sys
    optuna_exceptions = sys.modules.get("optuna.exceptions")
    pruned = getattr(optuna_exceptions, "TrialPruned", None)
    return pruned is not None and isinstance(e, pruned)


def _state(state: Optional[StateLike]) -> Optional[TrialState]:
    if state is None or isinstance(state, TrialState):
        return state
    if isinstance(state, str):
        try:
            return TrialState[state.upper()]
        except KeyError:
            raise errors.InvalidArgumentError(
                f"unknown trial state {state!r} (use {', '.join(s.name.lower() for s in TrialState)})") from None
    return TrialState(int(state))


def _states_arg(states: Optional[Iterable[StateLike]]) -> Optional[bytes]:
    if states is None:
        return None
    if isinstance(states, (TrialState, str, int)):
        states = [states]
    names = [_state(s).name.lower() for s in states]  # type: ignore[union-attr]
    return ",".join(names).encode()


def _storage_url(storage: Any) -> str:
    """A storage URL from a str, or from an object with a ``url`` (Optuna's RDBStorage)."""
    if storage is None:
        return _DEFAULT_STORAGE
    if isinstance(storage, str):
        # SQLAlchemy's in-memory SQLite (Optuna's examples use it): private, as "memory:".
        return _DEFAULT_STORAGE if storage in ("sqlite://", "sqlite:///:memory:") else storage
    url = getattr(storage, "url", None)
    if isinstance(url, str):
        return url
    raise TypeError(f"storage must be a URL string, got {type(storage).__name__}")


def _open(storage: Any, study_name: Optional[str], options: Dict[str, Any], sampler: Any = None,
          pruner: Any = None) -> "Study":
    url = _storage_url(storage)
    heartbeat = getattr(storage, "heartbeat_interval", None)
    if heartbeat is not None and "heartbeat_s" not in options:
        options["heartbeat_s"] = float(heartbeat)
    handle = call_handle(lib.hone_study_open, encode(url, "storage"), encode(study_name, "study_name"),
                         encode(dumps(options), "options"))
    study = Study(handle, url)
    study._sampler = sampler
    study._pruner = pruner
    study._python_pruner = pruner.python_gate() if isinstance(pruner, _pruners.BasePruner) else None
    return study


def _algorithm_options(direction: Optional[str], directions: Optional[Sequence[str]],
                       sampler: Optional[AlgorithmSpec], pruner: Optional[AlgorithmSpec],
                       seed: Optional[int], scheduler: Any = None) -> Dict[str, Any]:
    options: Dict[str, Any] = {}
    if direction is not None:
        options["direction"] = _direction_name(direction)
    if directions is not None:
        if isinstance(directions, str):
            raise TypeError("directions must be a list of 'minimize' / 'maximize', not a str (use direction=)")
        options["directions"] = [_direction_name(d) for d in directions]
    if isinstance(sampler, _samplers.BaseSampler) and sampler.seed is not None and seed is None:
        # Optuna seeds the sampler; Hone seeds the study's sampler and pruner from one seed.
        seed = sampler.seed
    for key, spec in (("sampler", _samplers.spec_of(sampler)), ("pruner", _pruners.spec_of(pruner))):
        if spec is None:
            continue
        if not isinstance(spec, (str, Mapping)):
            raise TypeError(f"{key} must be a hone.{key}s object, a name or a mapping {{'name': ..., <options>}}, "
                            f"got {type(spec).__name__}")
        options[key] = spec if isinstance(spec, str) else dict(spec)
    scheduler_spec = _schedulers.spec_of(scheduler)
    if scheduler_spec is not None:
        options["scheduler"] = scheduler_spec if isinstance(scheduler_spec, str) else dict(scheduler_spec)
    if seed is not None:
        options["seed"] = seed
    return options


def _noisy_option(options: Dict[str, Any], noisy_objective: Any) -> None:
    if not isinstance(noisy_objective, bool):
        raise TypeError(f"noisy_objective must be True or False, got {type(noisy_objective).__name__}")
    if noisy_objective:
        options["noisy_objective"] = True


def create_study(*, storage: Any = None, sampler: Any = None, pruner: Any = None,
                 study_name: Optional[str] = None, direction: Any = None, load_if_exists: bool = False,
                 directions: Optional[Sequence[Any]] = None, seed: Optional[int] = None,
                 scheduler: Any = None, noisy_objective: bool = False) -> "Study":
    """Creates a study (Optuna's ``create_study``, keyword for keyword, plus ``seed``,
    ``scheduler`` and ``noisy_objective``).

    Args:
        storage: "memory:" or None (default: in memory, private to this study object),
            "sqlite:///path.db" or "postgresql://user@host:port/db".
        sampler: a :mod:`hone.samplers` object (``TPESampler(seed=0)``), a name ("auto",
            the default, "random", "sobol", "tpe", "gp", "cmaes", "nsga2", a plugin's) or
            {"name": "tpe", <options>}.
        pruner: a :mod:`hone.pruners` object, a name ("none" is the default; "median",
            "percentile", "hyperband", "asha", ...) or a mapping with options.
        study_name: the name in the storage (None: a unique one is made up).
        direction: "minimize" (default) or "maximize" (or a :class:`StudyDirection`).
        load_if_exists: load a study of that name instead of raising
            :class:`DuplicatedStudyError`.
        directions: one direction per objective, for multi-objective studies.
        seed: Hone's own: seeds the sampler and pruner (None: the sampler's ``seed``,
            else from the clock, not repeatable).
        scheduler: Hone's own: a :mod:`hone.schedulers` object (Hyperband, BOHB,
            successive halving, ASHA, PBT, asynchronous PBT) that promotes and continues
            trials; the objective reads :attr:`Trial.work`. Not stored with the study.
        noisy_objective: Hone's own: the objective is noisy (the same parameters can
            give different values), so :attr:`Study.best_trial`, ``best_value`` and
            ``best_params`` report the completed trial with the best posterior mean of a
            Gaussian process fitted to all completed trials (its noise level fitted too),
            not the luckiest noisy value; ``best_value`` is that trial's observed value.
            Samplers are unaffected. Not stored with the study.
    """
    options = _algorithm_options(direction, directions, sampler, pruner, seed, scheduler)
    _noisy_option(options, noisy_objective)
    options["mode"] = "open" if load_if_exists else "create"
    in_memory = _storage_url(storage) == _DEFAULT_STORAGE
    existed = (load_if_exists and study_name is not None and not in_memory
               and study_name in get_all_study_names(storage))
    study = _open(storage, study_name, options, sampler, pruner)
    # Optuna's messages, word for word.
    if existed:
        _logger.info("Using an existing study with name '%s' instead of creating a new one.", study.study_name)
    elif in_memory:
        _logger.info("A new study created in memory with name: %s", study.study_name)
    else:
        _logger.info("A new study created in RDB with name: %s", study.study_name)
    return study


def load_study(*, study_name: Optional[str], storage: Any, sampler: Any = None, pruner: Any = None,
               seed: Optional[int] = None, scheduler: Any = None, noisy_objective: bool = False) -> "Study":
    """Loads an existing study (:class:`NotFoundError` if there is none of that name).
    ``study_name=None`` loads the storage's only study (ValueError if it holds several).
    ``noisy_objective``: as in :func:`create_study`."""
    if study_name is None:
        names = get_all_study_names(storage)
        if len(names) != 1:
            raise ValueError(f"Could not determine the study name since the storage {_storage_url(storage)!r} "
                             f"holds {len(names)} studies; give study_name.")
        study_name = names[0]
    options = _algorithm_options(None, None, sampler, pruner, seed, scheduler)
    _noisy_option(options, noisy_objective)
    options["mode"] = "load"
    return _open(storage, study_name, options, sampler, pruner)


def delete_study(*, study_name: str, storage: Any) -> None:
    """Deletes a study and all its trials (:class:`NotFoundError` if absent)."""
    check(lib.hone_storage_delete_study(encode(_storage_url(storage), "storage"), encode(study_name, "study_name")))


def import_optuna_study(path: str, storage: Any, study_name: Optional[str] = None) -> List[str]:
    """Copies studies from an Optuna storage file — an RDB SQLite file (``optuna.db`` of
    Optuna's ``sqlite:///optuna.db``) or a JournalStorage file — into ``storage`` (Hone's
    own; the same as ``hone import-optuna``): names, directions, attributes and trials
    with their states, values, parameters, distributions and intermediate values.
    ``study_name`` None imports every study of the file. Returns the imported names."""
    names = call_string(lib.hone_import_optuna, encode(str(path), "path"), encode(_storage_url(storage), "storage"),
                        encode(study_name, "study_name"))
    return loads(names)


def get_all_study_names(storage: Any) -> List[str]:
    """The names of the studies in a storage."""
    return loads(call_string(lib.hone_storage_studies_json, encode(_storage_url(storage), "storage")))


class StudySummary:
    """What :func:`get_all_study_summaries` tells of one study (Optuna's StudySummary)."""

    def __init__(self, study_name: str, directions: Sequence[StudyDirection], best_trial: Optional[FrozenTrial],
                 user_attrs: Dict[str, Any], system_attrs: Dict[str, Any], n_trials: int,
                 datetime_start: Any, study_id: int) -> None:
        self.study_name = study_name
        self._directions = list(directions)
        self.best_trial = best_trial
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self.n_trials = n_trials
        self.datetime_start = datetime_start
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        if len(self._directions) > 1:
            raise RuntimeError("This attribute is not available during multi-objective optimization.")
        return self._directions[0]

    @property
    def directions(self) -> List[StudyDirection]:
        return list(self._directions)

    def __repr__(self) -> str:
        return f"StudySummary(study_name={self.study_name!r}, n_trials={self.n_trials})"


def get_all_study_summaries(storage: Any, include_best_trial: bool = True) -> List[StudySummary]:
    """One :class:`StudySummary` per study of a storage."""
    out = []
    for i, name in enumerate(get_all_study_names(storage)):
        with load_study(study_name=name, storage=storage) as study:
            trials = study.get_trials(deepcopy=False)
            best = None
            if include_best_trial and study.n_objectives == 1:
                try:
                    best = study.best_trial
                except errors.NoResultError:
                    best = None
            starts = [t.datetime_start for t in trials if t.datetime_start is not None]
            out.append(StudySummary(name, study.directions, best, study.user_attrs, study.system_attrs,
                                    len(trials), min(starts) if starts else None, i))
    return out


def copy_study(*, from_study_name: str, from_storage: Any, to_storage: Any,
               to_study_name: Optional[str] = None) -> None:
    """Copies a study with all its trials and user attributes into another storage (or
    under another name)."""
    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(study_name=to_study_name or from_study_name, storage=to_storage,
                          directions=[d.name.lower() for d in source.directions])
    for key, value in source.user_attrs.items():
        target.set_user_attr(key, value)
    names = source.metric_names
    if names is not None:
        target.set_metric_names(names)
    target.add_trials(source.get_trials(deepcopy=False))


def _fail_reason(exc: BaseException) -> str:
    """The last line of the exception's traceback: "ValueError: lr too high"; for
    Ctrl-C (KeyboardInterrupt) "interrupted", the reason the CLI and hone_interrupt store."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def _as_values(result: Any, n: int) -> List[float]:
    """The objective's return as n floats, or TypeError/ValueError saying what is wrong."""
    if isinstance(result, (str, bytes)) or result is None:
        raise TypeError(f"the objective returned {result!r}; expected "
                        + ("a float" if n == 1 else f"a sequence of {n} floats"))
    try:
        seq = list(result)
    except TypeError:
        seq = [result]
    if len(seq) != n:
        raise ValueError(f"the objective returned {len(seq)} value(s) for a study of {n} objective(s)")
    return [float(v) for v in seq]


class _OptimizeRun:
    """One optimize call: calls the Python objective for the library, turning its
    exceptions into trial failures and remembering the one that must stop the study."""

    def __init__(self, study: "Study", objective: Objective,
                 catch: Tuple[Type[BaseException], ...],
                 callbacks: Sequence[Callable[["Study", FrozenTrial], None]] = (),
                 gc_after_trial: bool = False, progress: Any = None) -> None:
        self.study = study
        self.objective = objective
        self.catch = catch
        self.lock = threading.Lock()
        self.error: Optional[BaseException] = None
        self.callbacks = list(callbacks)
        self.gc_after_trial = gc_after_trial
        self.progress = progress
        # Optuna's per-trial INFO lines; decided once per run, as the handler reads it.
        self.log_trials = _logger.isEnabledFor(logging.INFO)

    @property
    def wants_finished_calls(self) -> bool:
        return bool(self.callbacks) or self.log_trials or self.progress is not None

    def on_finished(self, _study_handle: int, trial_json: bytes, _userdata: Any) -> int:
        """hone_trial_finished_fn: the library calls it once per trial of this run, right
        after the trial is stored, one call at a time. An exception stops the study (the
        library stops it on a non-OK status) and is re-raised by optimize."""
        try:
            frozen = self.study._frozen(loads(trial_json))
            if self.log_trials:
                self.study._log_finished(frozen)
            if self.progress is not None:
                self.progress.update(1)
            for callback in self.callbacks:
                callback(self.study, frozen)
            return errors.OK
        except BaseException as e:  # noqa: B902 — nothing may escape into ctypes
            with self.lock:
                if self.error is None:
                    self.error = e
            return errors.INTERRUPTED if isinstance(e, KeyboardInterrupt) else errors.ERROR

    def __call__(self, trial_handle: int, _userdata: Any, values: Any, n_values: int) -> int:
        # Nothing may escape: ctypes would print it and return 0 (HONE_OK).
        try:
            trial = Trial(trial_handle, self.study, owned=False)
            try:
                result = self.objective(trial)
            except BaseException as e:  # noqa: B902 — every exception fails the trial
                if _is_pruned_exception(e):
                    return errors.PRUNED
                return self.failed(trial, e, stops=not isinstance(e, self.catch))
            finally:
                if self.gc_after_trial:
                    gc.collect()
            try:
                out = _as_values(result, n_values)
            except (TypeError, ValueError) as e:
                return self.failed(trial, e, stops=False)
            for i, v in enumerate(out):
                values[i] = v
            return errors.OK
        except BaseException as e:
            with self.lock:
                if self.error is None:
                    self.error = e
            if isinstance(e, KeyboardInterrupt):
                # Ctrl-C outside the objective's own code: this trial was just asked.
                lib.hone_trial_set_fail_reason(trial_handle, b"interrupted")
            lib.hone_study_stop(self.study._handle)
            return errors.INTERRUPTED if isinstance(e, KeyboardInterrupt) else errors.ERROR

    def failed(self, trial: Trial, e: BaseException, stops: bool) -> int:
        reason = _fail_reason(e)
        lib.hone_trial_set_fail_reason(trial._handle, reason.replace("\0", "\\0").encode("utf-8", "replace"))
        try:
            number: Any = trial.number
        except errors.HoneError:
            number = "?"
        try:
            params: Any = trial.params
        except errors.HoneError:
            params = {}
        _logger.warning("Trial %s failed with parameters: %s because of the following error: %s.", number, params,
                        reason, exc_info=(type(e), e, e.__traceback__) if not stops else None)
        if stops:
            with self.lock:
                if self.error is None:
                    self.error = e
            lib.hone_study_stop(self.study._handle)
            return errors.INTERRUPTED if isinstance(e, KeyboardInterrupt) else errors.ERROR
        return errors.ERROR


class Study:
    """A study: a search over one objective's parameters, stored in a storage.

    Made by :func:`create_study`, :func:`load_study` or :func:`hone.run_script`. Usable
    from several threads at once. ``close()`` (or ``with``) releases the handle early; the
    study itself stays in its storage.
    """

    def __init__(self, handle: int, storage: str) -> None:
        self._handle = handle
        self._storage = storage
        self._name: Optional[str] = None
        self._n_objectives: Optional[int] = None
        # name -> choices last passed to suggest_categorical in this process.
        self._choices: Dict[str, Sequence[CategoricalChoice]] = {}
        self._directions: Optional[List[StudyDirection]] = None
        # The objects given to create_study / load_study (None: the library's default).
        self._sampler: Any = None
        self._pruner: Any = None
        # A pruning decision taken in Python (hone.pruners.PatientPruner, WilcoxonPruner).
        self._python_pruner: Any = None
        # Set once a trial of this handle called set_constraint: best_trial(s) then rank
        # the feasible trials only, as Optuna (the library knows nothing of constraints).
        self._constrained = False
        self._close = weakref.finalize(self, lib.hone_study_close, handle)

    # -- identity ----------------------------------------------------------------------

    @property
    def study_name(self) -> str:
        if self._name is None:
            out = c_char_p()
            check(lib.hone_study_name(self._handle, byref(out)))
            self._name = (out.value or b"").decode("utf-8")
        return self._name

    @property
    def storage(self) -> str:
        """The storage URL the study was opened with."""
        return self._storage

    @property
    def n_objectives(self) -> int:
        if self._n_objectives is None:
            out = c_size_t()
            check(lib.hone_study_n_objectives(self._handle, byref(out)))
            self._n_objectives = out.value
        return self._n_objectives

    @property
    def directions(self) -> List[StudyDirection]:
        """One :class:`StudyDirection` per objective."""
        if self._directions is None:
            names = loads(call_string(lib.hone_study_directions_json, self._handle))
            self._directions = [StudyDirection[n.upper()] for n in names]
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study (RuntimeError for multi-objective)."""
        directions = self.directions
        if len(directions) > 1:
            raise RuntimeError("A single direction cannot be retrieved from a multi-objective study. Consider "
                               "using Study.directions to retrieve a list containing all directions.")
        return directions[0]

    @property
    def sampler(self) -> Any:
        """The sampler given to create_study (a hone.samplers object, name or mapping);
        without one, a :class:`hone.samplers.AutoSampler` (the library's default)."""
        return _samplers.AutoSampler() if self._sampler is None else self._sampler

    @property
    def pruner(self) -> Any:
        """The pruner given to create_study; without one, a :class:`hone.pruners.NopPruner`."""
        return _pruners.NopPruner() if self._pruner is None else self._pruner

    @property
    def metric_names(self) -> Optional[List[str]]:
        """The names given with :meth:`set_metric_names` (None if never set)."""
        return self._attrs()["user"].get(_METRIC_NAMES_KEY)

    def set_metric_names(self, metric_names: List[str]) -> None:
        """Names the objectives (used by trials_dataframe's value columns)."""
        if len(metric_names) != self.n_objectives:
            raise ValueError("The number of objectives must match the length of the metric names.")
        check(lib.hone_study_set_user_attr(self._handle, encode(_METRIC_NAMES_KEY, "key"),
                                           encode(dumps(list(metric_names)), "value")))

    def close(self) -> None:
        """Releases the handle. Trials asked through it and not told stay RUNNING in the
        storage; using the study afterwards raises :class:`MisuseError`."""
        self._close()

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        name = self._name if self._name is not None else "?"
        return f"<hone.Study {name!r} in {self._storage!r}>"

    # -- ask and tell ------------------------------------------------------------------

    def ask(self, fixed_distributions: Optional[Mapping[str, BaseDistribution]] = None) -> Trial:
        """Starts a trial (the oldest enqueued one, else a new one from the sampler).
        ``fixed_distributions`` ({name: distribution}) are suggested at once, so
        ``trial.params`` holds them."""
        trial = Trial(call_handle(lib.hone_study_ask, self._handle), self, owned=True)
        if fixed_distributions:
            for name, distribution in fixed_distributions.items():
                trial._suggest(name, distribution)
        return trial

    def tell(self, trial: Union[Trial, int], values: Union[None, float, Sequence[float]] = None,
             state: Optional[StateLike] = None, skip_if_finished: bool = False) -> "FrozenTrial":
        """Finishes a trial (a :class:`Trial` or its number) and returns it as a
        :class:`FrozenTrial` (read from the storage when first used).

        ``state`` None means COMPLETE when finite values are given, else FAIL (with a
        warning), as in Optuna. ``TrialState.PRUNED`` without values keeps the last
        reported value. Telling a trial twice raises :class:`WrongStateError`, unless
        ``skip_if_finished`` (then it is left as it is).
        """
        try:
            self._tell(trial, values, state)
        except errors.WrongStateError:
            if not skip_if_finished:
                raise
            number = trial.number if isinstance(trial, Trial) else trial
            _logger.info("Tell skipped because trial %s is already finished", number)
        return _ToldTrial(self, trial)  # type: ignore[return-value]

    def _tell(self, trial_or_number: Union[Trial, int], value_or_values: Union[None, float, Sequence[float]],
              state: Optional[StateLike]) -> None:
        is_trial = isinstance(trial_or_number, Trial)
        if not is_trial and (isinstance(trial_or_number, bool) or not isinstance(trial_or_number, int)):
            raise TypeError(f"tell takes a Trial or a trial number, got {type(trial_or_number).__name__}")
        st = _state(state)
        values: Optional[List[float]]
        if value_or_values is None:
            values = None
        elif isinstance(value_or_values, (list, tuple)):
            values = list(value_or_values)
        else:
            values = [value_or_values]  # type: ignore[list-item]
        if st is None:
            problem = None
            if values is None:
                problem = "no value was told"
            else:
                try:
                    values = [float(v) for v in values]
                    if not all(math.isfinite(v) for v in values):
                        problem = f"the values {values} are not all finite"
                except (TypeError, ValueError):
                    problem = f"the values {value_or_values!r} are not floats"
            if problem is None:
                st = TrialState.COMPLETE
            else:
                st = TrialState.FAIL
                values = None
                warnings.warn(f"{problem}: the trial is told as FAIL", stacklevel=3)
                if is_trial:
                    trial_or_number.set_fail_reason(problem)  # type: ignore[union-attr]
        arr = doubles(values) if values else None
        n = len(values) if values else 0
        if isinstance(trial_or_number, Trial):
            check(lib.hone_study_tell(self._handle, trial_or_number._handle, int(st), arr, n))
        else:
            check(lib.hone_study_tell_number(self._handle, integer(trial_or_number, "trial number"), int(st), arr, n))

    # -- optimize ----------------------------------------------------------------------

    def optimize(self, func: Objective, n_trials: Optional[int] = None,
                 timeout: Optional[float] = None, n_jobs: int = 1,
                 catch: Union[Type[BaseException], Iterable[Type[BaseException]]] = (),
                 callbacks: Optional[Sequence[Callable[["Study", FrozenTrial], None]]] = None,
                 gc_after_trial: bool = False, show_progress_bar: bool = False) -> None:
        """Runs ``func(trial)`` for ``n_trials`` trials and/or ``timeout`` seconds (Optuna's
        signature and defaults).

        The objective returns a float (one per objective for multi-objective studies).
        ``raise hone.TrialPruned()`` (or Optuna's ``optuna.TrialPruned``, raised by code
        written for Optuna) stores the trial as PRUNED. An exception of a type in
        ``catch`` (none by default, as in Optuna) fails that trial only, with the
        exception's last traceback line as the fail reason, and the study goes on; any
        other exception fails the trial, stops the study (running trials finish) and is
        re-raised when ``optimize`` returns. A returned None or NaN fails the trial with a
        warning and the study goes on. ``gc_after_trial`` runs ``gc.collect()`` after each
        trial; ``show_progress_bar`` draws one with tqdm when it is installed. Ctrl-C behaves as in Optuna: the trial
        running it is stored FAIL with the reason "interrupted", no new trial starts, and
        ``KeyboardInterrupt`` is re-raised. With ``n_jobs`` > 1 the main thread only
        waits: Ctrl-C there stops the study and calls ``hone_interrupt``, so running
        trials whose objective checks ``trial.should_prune()`` stop at once and are
        stored FAIL "interrupted" (those that return a value complete), then
        ``KeyboardInterrupt`` is re-raised.

        With ``n_jobs`` > 1 (-1: one per CPU) the objective runs on that many threads at
        once. :meth:`stop` ends the run early without an exception.

        ``callbacks`` are called as ``callback(study, frozen_trial)`` once for each trial
        of this run right after it is stored (COMPLETE, PRUNED or FAIL), one at a time, in
        the order trials finish (the library calls back; nothing is polled); e.g. :class:`hone.tracking.MLflowCallback`. An exception in a callback
        stops the study like one outside ``catch``.
        """
        objective = func
        if n_jobs == -1:
            import os
            n_jobs = os.cpu_count() or 1
        n_jobs = integer(n_jobs, "n_jobs", bits=32)
        n_trials = None if n_trials is None else integer(n_trials, "n_trials")
        catch_types = (catch,) if isinstance(catch, type) else tuple(catch)
        progress = None
        if show_progress_bar:
            try:
                import tqdm  # type: ignore[import-not-found]
                progress = tqdm.tqdm(total=n_trials)
            except ImportError:
                warnings.warn("show_progress_bar needs tqdm (pip install tqdm); no bar is shown", stacklevel=2)
        run = _OptimizeRun(self, objective, catch_types, callbacks or (), gc_after_trial, progress)
        # Both referenced until the library has returned.
        callback = OBJECTIVE_FN(run)
        finished = TRIAL_FINISHED_FN(run.on_finished) if run.wants_finished_calls else TRIAL_FINISHED_FN()  # NULL
        # Neither limit: run until stop() or an exhausted grid, as Optuna (the library
        # wants a limit, and gets one it never reaches).
        unlimited = n_trials is None and (timeout is None or timeout <= 0)
        args = (self._handle, callback, None, finished, None, _NO_TRIAL_LIMIT if unlimited else
                (0 if n_trials is None else n_trials),
                0.0 if timeout is None else float(timeout), n_jobs)
        if n_jobs == 1:
            # The library runs a single job on the calling thread, so the objective runs
            # here and Ctrl-C reaches it as KeyboardInterrupt.
            status = lib.hone_study_optimize_v2(*args)
            message = lib.hone_errmsg().decode("utf-8", "replace") if status else ""
        else:
            status, message = self._optimize_in_thread(args, run)
        del callback, finished
        if progress is not None:
            progress.close()
        if run.error is not None:
            raise run.error
        if status not in (errors.OK, errors.INTERRUPTED):
            raise errors.error_for(status, message)

    def _optimize_in_thread(self, args: Tuple[Any, ...], run: _OptimizeRun) -> Tuple[int, str]:
        """Runs hone_study_optimize on a helper thread so this (main) thread stays in Python
        and sees Ctrl-C; its workers are threads of the library's own."""
        result: Dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                status = lib.hone_study_optimize_v2(*args)
                result["status"] = status
                result["message"] = lib.hone_errmsg().decode("utf-8", "replace") if status else ""
            finally:
                done.set()

        # Waiting on an Event, not Thread.join: a KeyboardInterrupt that interrupts join
        # can leave the thread marked finished while it still runs (CPython < 3.12).
        threading.Thread(target=work, name="hone-optimize", daemon=True).start()
        try:
            while not done.wait(0.1):
                pass
        except KeyboardInterrupt as e:
            with run.lock:
                if run.error is None:
                    run.error = e
            lib.hone_study_stop(self._handle)
            # Objectives polling should_prune() stop now; their trials fail "interrupted".
            lib.hone_interrupt()
            _logger.warning("Interrupted: waiting for running trials to finish (Ctrl-C again to leave them)")
            while not done.wait(0.1):
                pass
        return result["status"], result["message"]

    def stop(self) -> None:
        """Asks a running :meth:`optimize` to start no new trial; callable from an
        objective and from other threads."""
        check(lib.hone_study_stop(self._handle))

    # -- enqueueing --------------------------------------------------------------------

    def enqueue_trial(self, params: Mapping[str, Any], user_attrs: Optional[Mapping[str, Any]] = None,
                      skip_if_exists: bool = False) -> None:
        """Queues a trial with fixed parameters; the next ask runs it. Parameters it lacks
        are sampled. ``skip_if_exists``: do nothing if a trial (of any state, waiting
        ones included) already has exactly these parameters.

        Categorical values may be given as the original objects (None, True, 64) once this
        handle has suggested that parameter or a stored trial has it; before that, give a
        numeric categorical choice as its string ("64"), since a bare number is taken for
        an int or float parameter."""
        if skip_if_exists:
            wanted = {name: self._encode_param(name, v) for name, v in params.items()}
            for o in loads(call_string(lib.hone_study_trials_json, self._handle, None)):
                stored = o.get("params") or {}
                if o.get("state") == "WAITING":
                    # A waiting trial's parameters are its fixed ones, stored typed:
                    # {"x": {"float": 0.5}}.
                    fixed = (o.get("system_attrs") or {}).get("fixed_params") or {}
                    stored = {k: next(iter(v.values())) if isinstance(v, dict) and len(v) == 1 else v
                              for k, v in fixed.items()}
                if stored.keys() == wanted.keys() and all(_same_param(stored[k], wanted[k]) for k in wanted):
                    _logger.info("Trial %s with the same parameters already exists; not enqueued", o["number"])
                    return
        encoded = {name: self._encode_param(name, v) for name, v in params.items()}
        check(lib.hone_study_enqueue(self._handle, encode(dumps(encoded), "params"),
                                     None if user_attrs is None else encode(dumps(dict(user_attrs)), "user_attrs")))

    def add_trial(self, trial: FrozenTrial) -> None:
        """Adds a finished (or waiting/running) trial made with :func:`hone.trial.create_trial`
        or taken from another study: its parameters, distributions, values, intermediate
        values and user attributes. The stored trial gets a new number and this moment's
        timestamps; system attributes are not copied."""
        if not isinstance(trial, FrozenTrial):
            raise TypeError(f"add_trial takes a FrozenTrial (hone.trial.create_trial), got {type(trial).__name__}")
        if trial.state == TrialState.WAITING:
            self.enqueue_trial(trial.params, trial.user_attrs or None)
            return
        if trial.state == TrialState.COMPLETE:
            if trial.values is None or len(trial.values) != self.n_objectives:
                raise ValueError(f"a COMPLETE trial needs {self.n_objectives} value(s), got {trial.values}")
        if set(trial.params) != set(trial.distributions):
            raise ValueError(f"Inconsistent parameters {sorted(trial.params)} and distributions "
                             f"{sorted(trial.distributions)}.")
        # Enqueue the parameters and ask: the asked trial is the oldest waiting one, so no
        # other trial may be waiting.
        if self.trial_count([TrialState.WAITING]):
            raise errors.WrongStateError("add_trial: this study has enqueued trials waiting to run; Hone adds a "
                                         "trial by enqueueing it, so run or tell those first")
        stored = {}
        for name, value in trial.params.items():
            d = trial.distributions[name]
            stored[name] = _stored_choice(value) if d.to_hone()["type"] == "categorical" else value
        check(lib.hone_study_enqueue(self._handle, encode(dumps(stored), "params"),
                                     encode(dumps(dict(trial.user_attrs)), "user_attrs") if trial.user_attrs else None))
        asked = Trial(call_handle(lib.hone_study_ask, self._handle), self, owned=True)
        for name, distribution in trial.distributions.items():
            asked._suggest(name, distribution)
        for step, value in sorted(trial.intermediate_values.items()):
            if math.isfinite(value):
                asked.report(value, step)
        if trial.state == TrialState.RUNNING:
            return
        self._tell(asked, None if trial.state == TrialState.FAIL else trial.values, trial.state)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """:meth:`add_trial` for each of ``trials``, in order."""
        for t in trials:
            self.add_trial(t)

    def _encode_param(self, name: str, value: Any) -> Any:
        """The stored form of an enqueued value: a categorical choice's JSON value (its
        string when JSON cannot hold it exactly; the library matches either)."""
        if isinstance(value, str) or value is None or isinstance(value, bool):
            return value
        if name in self._choices or self._stored_categorical(name):
            return _stored_choice(value)
        return value

    def _stored_categorical(self, name: str) -> bool:
        """Whether a stored trial has `name` as a categorical parameter (learns its
        choices' strings; the objects stay unknown until this process suggests it)."""
        for t in reversed(loads(call_string(lib.hone_study_trials_json, self._handle, None))):
            d = (t.get("distributions") or {}).get(name)
            if d is not None:
                return d.get("type") == "categorical"
        return False

    # -- results -----------------------------------------------------------------------

    def _remember_choices(self, name: str, choices: Sequence[CategoricalChoice]) -> None:
        self._choices[name] = choices

    def _decode_params(self, params: Dict[str, Any],
                       first: Optional[Mapping[str, Sequence[CategoricalChoice]]] = None,
                       distributions: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Dict[str, Any]:
        """Stored categorical values (typed, or strings from before 0.4.0) → the choice
        objects this process suggested (1.0 stays a float, though stored as 1)."""
        out = {}
        for name, value in params.items():
            if distributions is not None and (distributions.get(name) or {}).get("type") != "categorical":
                out[name] = value
                continue
            if isinstance(value, (str, bool, int, float)) or value is None:
                choices = (first or {}).get(name) or self._choices.get(name)
                if choices is not None:
                    value = find_choice(choices, value)
            out[name] = value
        return out

    def _frozen(self, o: Dict[str, Any]) -> FrozenTrial:
        params = self._decode_params(o.get("params") or {}, None, o.get("distributions") or {})
        return FrozenTrial.from_json(o, params, self._choices)

    def get_trials(self, deepcopy: bool = True, states: Optional[Iterable[StateLike]] = None) -> List[FrozenTrial]:
        """The trials ordered by number, optionally only those in ``states``. Every call
        reads them from the storage into new objects, so ``deepcopy`` (Optuna's
        signature) changes nothing."""
        if states is None and not isinstance(deepcopy, bool) and deepcopy is not None:
            # get_trials(["complete"]): Hone's former positional states argument.
            states, deepcopy = deepcopy, True  # type: ignore[assignment]
        text = call_string(lib.hone_study_trials_json, self._handle, _states_arg(states))
        return [self._frozen(o) for o in loads(text)]

    def trials_dataframe(self, attrs: Tuple[str, ...] = ("number", "value", "datetime_start", "datetime_complete",
                                                         "duration", "params", "user_attrs", "system_attrs",
                                                         "state"),
                         multi_index: bool = False) -> Any:
        """The trials as a pandas DataFrame, one row per trial, with Optuna's columns:
        number, value (values_0, ... or values_<metric name> for multi-objective studies),
        datetime_start, datetime_complete, duration, params_<name>, user_attrs_<key>,
        system_attrs_<key>, state (and intermediate_values when asked for). With
        ``multi_index`` the columns are (attribute, name) pairs."""
        from ._dataframe import trials_dataframe
        return trials_dataframe(self, attrs, multi_index)

    @property
    def trials(self) -> List[FrozenTrial]:
        """Every trial, ordered by number."""
        return self.get_trials()

    def trial_count(self, states: Optional[Iterable[StateLike]] = None) -> int:
        """The number of trials, optionally only those in ``states``."""
        out = c_int64()
        check(lib.hone_study_trial_count(self._handle, _states_arg(states), byref(out)))
        return out.value

    @property
    def best_value(self) -> float:
        """The best completed trial's value (:class:`NoResultError` before one completed;
        single-objective studies)."""
        if self._constrained:
            return self.best_trial.values[0]  # type: ignore[index]
        out = c_double()
        check(lib.hone_study_best_value(self._handle, byref(out)))
        return out.value

    @property
    def best_params(self) -> Dict[str, Any]:
        """The best completed trial's parameters (single-objective studies)."""
        return self.best_trial.params

    @property
    def best_trial(self) -> FrozenTrial:
        """The best completed trial (single-objective studies; use :attr:`best_trials`
        for the Pareto front of multi-objective ones)."""
        if self.n_objectives != 1:
            raise errors.InvalidArgumentError(
                f"study {self.study_name!r} has {self.n_objectives} objectives: best_trial is for "
                "single-objective studies; use best_trials (the Pareto front)")
        if self._constrained:
            feasible = self._feasible_complete()
            if not feasible:
                raise ValueError("No feasible trials are completed yet.")
            pick = max if self.directions[0] == StudyDirection.MAXIMIZE else min
            return pick(feasible, key=lambda t: t.values[0])  # type: ignore[index]
        return self._frozen(loads(call_string(lib.hone_study_best_trial_json, self._handle)))

    @property
    def best_trials(self) -> List[FrozenTrial]:
        """The Pareto-optimal completed trials (the best trial for single-objective studies)."""
        if self._constrained:
            return _pareto_front(self._feasible_complete(), self.directions)
        o = loads(call_string(lib.hone_study_best_trial_json, self._handle))
        return [self._frozen(t) for t in (o if isinstance(o, list) else [o])]

    def _feasible_complete(self) -> List[FrozenTrial]:
        """COMPLETE trials whose constraints (Trial.set_constraint) are all ≤ 0, as Optuna
        ranks them once constraints are set; a trial without constraints counts as
        infeasible then, as in Optuna."""
        return [t for t in self.get_trials(states=(TrialState.COMPLETE,))
                if t.constraints and all(c <= 0.0 for c in t.constraints.values())]

    # -- attributes and warm starts ----------------------------------------------------

    def set_user_attr(self, key: str, value: Any) -> None:
        """Stores a JSON-serializable value with the study."""
        check(lib.hone_study_set_user_attr(self._handle, encode(key, "key"), encode(dumps(value), "value")))

    def _attrs(self) -> Dict[str, Dict[str, Any]]:
        return loads(call_string(lib.hone_study_attrs_json, self._handle))

    @property
    def user_attrs(self) -> Dict[str, Any]:
        attrs = self._attrs()["user"]
        attrs.pop(_METRIC_NAMES_KEY, None)
        return attrs

    @property
    def system_attrs(self) -> Dict[str, Any]:
        return self._attrs()["system"]

    # -- Optuna's per-trial log line ------------------------------------------------------

    def _log_finished(self, frozen: FrozenTrial) -> None:
        if frozen.state == TrialState.PRUNED:
            _logger.info("Trial %d pruned. ", frozen.number)
        elif frozen.state == TrialState.COMPLETE:
            if self.n_objectives == 1:
                best = self.best_trial
                _logger.info("Trial %d finished with value: %s and parameters: %s. Best is trial %d with value: %s.",
                             frozen.number, frozen.values[0] if frozen.values else None, frozen.params,
                             best.number, best.values[0] if best.values else None)
            else:
                _logger.info("Trial %d finished with values: %s and parameters: %s.", frozen.number, frozen.values,
                             frozen.params)

    def copy_trials_from(self, source: "Study") -> int:
        """Warm start: copies ``source``'s completed trials that fit this study's space as
        seen so far (all of them while it has none); returns how many were copied."""
        if not isinstance(source, Study):
            raise TypeError(f"source must be a Study, got {type(source).__name__}")
        out = c_int64()
        check(lib.hone_study_copy_trials(self._handle, source._handle, byref(out)))
        return out.value


def _pareto_front(trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]) -> List[FrozenTrial]:
    """The trials no other trial dominates (every objective at least as good, one better)."""
    signs = [1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in directions]
    keyed = [(t, [v * k for v, k in zip(t.values or [], signs)]) for t in trials]

    def dominates(a: List[float], b: List[float]) -> bool:
        return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))

    return [t for t, v in keyed if not any(dominates(w, v) for u, w in keyed if u is not t)]


def _same_param(stored: Any, wanted: Any) -> bool:
    """Whether a stored parameter value equals an enqueued one (1 and 1.0 are equal)."""
    if isinstance(stored, str) or isinstance(wanted, str):
        return stored == wanted
    try:
        return float(stored) == float(wanted)
    except (TypeError, ValueError):
        return stored == wanted


class _ToldTrial:
    """What :meth:`Study.tell` returns: the told trial as a FrozenTrial, read from the
    storage only when an attribute is first used (a tell stays one library call)."""

    __slots__ = ("_study", "_trial", "_frozen_trial")

    def __init__(self, study: Study, trial: Union[Trial, int]) -> None:
        self._study = study
        self._trial = trial
        self._frozen_trial: Optional[FrozenTrial] = None

    def _resolve(self) -> FrozenTrial:
        if self._frozen_trial is None:
            number = self._trial.number if isinstance(self._trial, Trial) else self._trial
            for o in loads(call_string(lib.hone_study_trials_json, self._study._handle, None)):
                if o["number"] == number:
                    self._frozen_trial = self._study._frozen(o)
                    break
            else:
                raise errors.NotFoundError(f"trial {number} is not in its study")
        return self._frozen_trial

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolve(), name)

    def __eq__(self, other: object) -> bool:
        return self._resolve() == (other._resolve() if isinstance(other, _ToldTrial) else other)

    def __repr__(self) -> str:
        return repr(self._resolve())


class MaxTrialsCallback:
    """Stops ``optimize`` once the study holds ``n_trials`` trials in ``states`` (COMPLETE
    by default; None: any state), counting trials of every process sharing the storage."""

    def __init__(self, n_trials: int, states: Optional[Iterable[StateLike]] = (TrialState.COMPLETE,)) -> None:
        self._n_trials = n_trials
        self._states = None if states is None else tuple(states)

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if study.trial_count(self._states) >= self._n_trials:
            study.stop()
