"""Studies: creating, loading and deleting them, ask/tell, optimize, results."""

from __future__ import annotations

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
from .frozen import FrozenTrial, TrialState
from .trial import CategoricalChoice, Trial, choice_string

_logger = logging.getLogger("hone")

#: A sampler or pruner: a registered name ("tpe") or {"name": "tpe", <options>}.
AlgorithmSpec = Union[str, Mapping[str, Any]]
Objective = Callable[[Trial], Union[float, Sequence[float]]]
StateLike = Union[TrialState, int, str]

_DEFAULT_STORAGE = "memory:"


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


def _open(storage: Optional[str], study_name: Optional[str], options: Dict[str, Any]) -> "Study":
    url = _DEFAULT_STORAGE if storage is None else storage
    handle = call_handle(lib.hone_study_open, encode(url, "storage"), encode(study_name, "study_name"),
                         encode(dumps(options), "options"))
    return Study(handle, url)


def _algorithm_options(direction: Optional[str], directions: Optional[Sequence[str]],
                       sampler: Optional[AlgorithmSpec], pruner: Optional[AlgorithmSpec],
                       seed: Optional[int]) -> Dict[str, Any]:
    options: Dict[str, Any] = {}
    if direction is not None:
        options["direction"] = direction
    if directions is not None:
        if isinstance(directions, str):
            raise TypeError("directions must be a list of 'minimize' / 'maximize', not a str (use direction=)")
        options["directions"] = list(directions)
    for key, spec in (("sampler", sampler), ("pruner", pruner)):
        if spec is None:
            continue
        if not isinstance(spec, (str, Mapping)):
            raise TypeError(f"{key} must be a name or a mapping {{'name': ..., <options>}}, "
                            f"got {type(spec).__name__}")
        options[key] = spec if isinstance(spec, str) else dict(spec)
    if seed is not None:
        options["seed"] = seed
    return options


def create_study(*, direction: Optional[str] = None, directions: Optional[Sequence[str]] = None,
                 sampler: Optional[AlgorithmSpec] = None, pruner: Optional[AlgorithmSpec] = None,
                 storage: Optional[str] = None, study_name: Optional[str] = None,
                 seed: Optional[int] = None, load_if_exists: bool = False) -> "Study":
    """Creates a study.

    Args:
        direction: "minimize" (default) or "maximize".
        directions: one direction per objective, for multi-objective studies.
        sampler: "auto" (default), "random", "sobol", "tpe", "gp", "cmaes", "nsga2", a
            plugin's name, or {"name": "tpe", <options>}.
        pruner: "none" (default), "median", "percentile", "hyperband", "asha", ... or a
            mapping with options.
        storage: "memory:" (default, private to this study object), "sqlite:///abs.db",
            "sqlite:rel.db" or "postgresql://user@host:port/db".
        study_name: the name in the storage (None: a unique one is made up).
        seed: seeds the sampler and pruner (None: from the clock, not repeatable).
        load_if_exists: load a study of that name instead of raising
            :class:`ExistsError`.
    """
    options = _algorithm_options(direction, directions, sampler, pruner, seed)
    options["mode"] = "open" if load_if_exists else "create"
    return _open(storage, study_name, options)


def load_study(*, study_name: str, storage: str, sampler: Optional[AlgorithmSpec] = None,
               pruner: Optional[AlgorithmSpec] = None, seed: Optional[int] = None) -> "Study":
    """Loads an existing study (:class:`NotFoundError` if there is none of that name)."""
    options = _algorithm_options(None, None, sampler, pruner, seed)
    options["mode"] = "load"
    return _open(storage, study_name, options)


def delete_study(*, study_name: str, storage: str) -> None:
    """Deletes a study and all its trials (:class:`NotFoundError` if absent)."""
    check(lib.hone_storage_delete_study(encode(storage, "storage"), encode(study_name, "study_name")))


def get_all_study_names(storage: str) -> List[str]:
    """The names of the studies in a storage."""
    return loads(call_string(lib.hone_storage_studies_json, encode(storage, "storage")))


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
                 callbacks: Sequence[Callable[["Study", FrozenTrial], None]] = ()) -> None:
        self.study = study
        self.objective = objective
        self.catch = catch
        self.lock = threading.Lock()
        self.error: Optional[BaseException] = None
        self.callbacks = list(callbacks)

    def on_finished(self, _study_handle: int, trial_json: bytes, _userdata: Any) -> int:
        """hone_trial_finished_fn: the library calls it once per trial of this run, right
        after the trial is stored, one call at a time. An exception stops the study (the
        library stops it on a non-OK status) and is re-raised by optimize."""
        try:
            frozen = self.study._frozen(loads(trial_json))
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
            except errors.TrialPruned:
                return errors.PRUNED
            except BaseException as e:  # noqa: B902 — every exception fails the trial
                return self.failed(trial, e, stops=not isinstance(e, self.catch))
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
        _logger.warning("Trial %s failed: %s", number, reason,
                        exc_info=(type(e), e, e.__traceback__) if not stops else None)
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

    def ask(self) -> Trial:
        """Starts a trial (the oldest enqueued one, else a new one from the sampler)."""
        return Trial(call_handle(lib.hone_study_ask, self._handle), self, owned=True)

    def tell(self, trial_or_number: Union[Trial, int],
             value_or_values: Union[None, float, Sequence[float]] = None,
             state: Optional[StateLike] = None) -> None:
        """Finishes a trial.

        ``state`` None means COMPLETE when finite values are given, else FAIL (with a
        warning), as in Optuna. ``TrialState.PRUNED`` without values keeps the last
        reported value. Telling a trial twice raises :class:`WrongStateError`.
        """
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
                warnings.warn(f"{problem}: the trial is told as FAIL", stacklevel=2)
                if is_trial:
                    trial_or_number.set_fail_reason(problem)  # type: ignore[union-attr]
        arr = doubles(values) if values else None
        n = len(values) if values else 0
        if isinstance(trial_or_number, Trial):
            check(lib.hone_study_tell(self._handle, trial_or_number._handle, int(st), arr, n))
        else:
            check(lib.hone_study_tell_number(self._handle, integer(trial_or_number, "trial number"), int(st), arr, n))

    # -- optimize ----------------------------------------------------------------------

    def optimize(self, objective: Objective, n_trials: Optional[int] = None,
                 timeout: Optional[float] = None, n_jobs: int = 1,
                 catch: Union[Type[BaseException], Iterable[Type[BaseException]]] = (Exception,),
                 callbacks: Optional[Sequence[Callable[["Study", FrozenTrial], None]]] = None) -> None:
        """Runs ``objective(trial)`` for ``n_trials`` trials and/or ``timeout`` seconds.

        The objective returns a float (one per objective for multi-objective studies).
        ``raise hone.TrialPruned()`` stores the trial as PRUNED. An exception of a type in
        ``catch`` (by default every ``Exception``) fails that trial only, with the
        exception's last traceback line as the fail reason, and the study goes on; any
        other exception fails the trial, stops the study (running trials finish) and is
        re-raised when ``optimize`` returns. Ctrl-C behaves as in Optuna: the trial
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
        if n_jobs == -1:
            import os
            n_jobs = os.cpu_count() or 1
        n_jobs = integer(n_jobs, "n_jobs", bits=32)
        n_trials = None if n_trials is None else integer(n_trials, "n_trials")
        catch_types = (catch,) if isinstance(catch, type) else tuple(catch)
        run = _OptimizeRun(self, objective, catch_types, callbacks or ())
        # Both referenced until the library has returned.
        callback = OBJECTIVE_FN(run)
        finished = TRIAL_FINISHED_FN(run.on_finished) if run.callbacks else TRIAL_FINISHED_FN()  # NULL
        args = (self._handle, callback, None, finished, None, 0 if n_trials is None else n_trials,
                0.0 if timeout is None else float(timeout), n_jobs)
        if n_jobs == 1:
            # The library runs a single job on the calling thread, so the objective runs
            # here and Ctrl-C reaches it as KeyboardInterrupt.
            status = lib.hone_study_optimize_v2(*args)
            message = lib.hone_errmsg().decode("utf-8", "replace") if status else ""
        else:
            status, message = self._optimize_in_thread(args, run)
        del callback, finished
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

    def enqueue_trial(self, params: Mapping[str, Any], user_attrs: Optional[Mapping[str, Any]] = None) -> None:
        """Queues a trial with fixed parameters; the next ask runs it. Parameters it lacks
        are sampled.

        Categorical values may be given as the original objects (None, True, 64) once this
        handle has suggested that parameter or a stored trial has it; before that, give a
        numeric categorical choice as its string ("64"), since a bare number is taken for
        an int or float parameter."""
        encoded = {name: self._encode_param(name, v) for name, v in params.items()}
        check(lib.hone_study_enqueue(self._handle, encode(dumps(encoded), "params"),
                                     None if user_attrs is None else encode(dumps(dict(user_attrs)), "user_attrs")))

    def _encode_param(self, name: str, value: Any) -> Any:
        """The stored form of an enqueued value: categorical choices become their
        strings (the library's categorical values are strings)."""
        if isinstance(value, str):
            return value
        if value is None or isinstance(value, bool):
            return choice_string(value)
        if name in self._choices or self._stored_categorical(name):
            return choice_string(value)
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
        """Stored categorical strings → the choice objects this process suggested."""
        out = {}
        for name, value in params.items():
            if isinstance(value, str):
                if distributions is not None and (distributions.get(name) or {}).get("type") != "categorical":
                    out[name] = value
                    continue
                choices = (first or {}).get(name) or self._choices.get(name)
                if choices is not None:
                    for c in choices:
                        if choice_string(c) == value:
                            value = c
                            break
            out[name] = value
        return out

    def _frozen(self, o: Dict[str, Any]) -> FrozenTrial:
        params = self._decode_params(o.get("params") or {}, None, o.get("distributions") or {})
        return FrozenTrial.from_json(o, params)

    def get_trials(self, states: Optional[Iterable[StateLike]] = None) -> List[FrozenTrial]:
        """The trials ordered by number, optionally only those in ``states``."""
        text = call_string(lib.hone_study_trials_json, self._handle, _states_arg(states))
        return [self._frozen(o) for o in loads(text)]

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
        return self._frozen(loads(call_string(lib.hone_study_best_trial_json, self._handle)))

    @property
    def best_trials(self) -> List[FrozenTrial]:
        """The Pareto-optimal completed trials (the best trial for single-objective studies)."""
        o = loads(call_string(lib.hone_study_best_trial_json, self._handle))
        return [self._frozen(t) for t in (o if isinstance(o, list) else [o])]

    # -- attributes and warm starts ----------------------------------------------------

    def set_user_attr(self, key: str, value: Any) -> None:
        """Stores a JSON-serializable value with the study."""
        check(lib.hone_study_set_user_attr(self._handle, encode(key, "key"), encode(dumps(value), "value")))

    def _attrs(self) -> Dict[str, Dict[str, Any]]:
        return loads(call_string(lib.hone_study_attrs_json, self._handle))

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return self._attrs()["user"]

    @property
    def system_attrs(self) -> Dict[str, Any]:
        return self._attrs()["system"]

    def copy_trials_from(self, source: "Study") -> int:
        """Warm start: copies ``source``'s completed trials that fit this study's space as
        seen so far (all of them while it has none); returns how many were copied."""
        if not isinstance(source, Study):
            raise TypeError(f"source must be a Study, got {type(source).__name__}")
        out = c_int64()
        check(lib.hone_study_copy_trials(self._handle, source._handle, byref(out)))
        return out.value
