"""Budget schedulers and population based training (Hone's own; Optuna has no such thing).

``create_study(scheduler=...)`` takes one of these (or a name / {"name": ..., <options>}):
the library then hands each call of the objective its *work*, ``trial.work``: train from
``work.start`` to ``work.budget`` (of ``work.max_budget``; epochs, steps or a share of the
data — the objective's unit), first restoring the checkpoint of trial ``work.resume_from``
(None: fresh weights). Keep checkpoints keyed by ``trial.number``::

    checkpoints = {}

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        work = trial.work
        model = copy.deepcopy(checkpoints[work.resume_from]) if work.resume_from is not None else make_model()
        for epoch in range(int(work.start), int(work.budget)):
            train_one_epoch(model, lr)
            trial.report(validate(model), epoch + 1)
        checkpoints[trial.number] = model
        return validate(model)

    study = hone.create_study(direction="maximize", scheduler=hone.schedulers.HyperbandScheduler(max_resource=27))
    study.optimize(objective, n_trials=100)

- A budget scheduler (successive halving, Hyperband, BOHB, ASHA) calls the objective again
  on the same trial number with a larger budget when it promotes it (``resume_from`` is
  then that number); a trial not promoted ends PRUNED, one that reaches the end COMPLETE.
- PBT runs each segment of a member's training as a trial whose ``resume_from`` is the
  trial it continues (its own previous segment, or the member it copied, with perturbed
  hyperparameters: ``trial.suggest_*`` then returns the copied or perturbed values).

``study.optimize``'s ``n_trials`` counts configurations (segments for PBT); ``timeout``,
``study.stop()`` and ``callbacks`` work as for plain trials (bindings/python/examples/hyperband.py).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

__all__ = ["BaseScheduler", "SuccessiveHalvingScheduler", "HyperbandScheduler", "BOHBScheduler", "ASHAScheduler",
           "PopulationBasedTraining", "AsynchronousPBT"]


class BaseScheduler:
    """A scheduler as the library knows it: a registered name and its options."""

    name: str = ""

    def __init__(self, **options: Any) -> None:
        self._options: Dict[str, Any] = {k: v for k, v in options.items() if v is not None}

    def spec(self) -> Dict[str, Any]:
        """The description handed to the library: {"name": ..., <options>}."""
        return {"name": self.name, **self._options}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in self._options.items()) + ")"


class SuccessiveHalvingScheduler(BaseScheduler):
    """Synchronous successive halving: ``n_configurations`` start at ``min_resource``; the
    best 1/``reduction_factor`` of each rung continue with ``reduction_factor`` times the
    resource, up to ``max_resource``."""

    name = "successive_halving"

    def __init__(self, n_configurations: int, max_resource: int, min_resource: int = 1, reduction_factor: int = 3) -> None:
        super().__init__(n_configurations=n_configurations, max_resource=max_resource, min_resource=min_resource,
                         reduction_factor=reduction_factor)


class HyperbandScheduler(BaseScheduler):
    """Hyperband (Li et al. 2018): brackets of successive halving from aggressive to none,
    repeated ``iterations`` times (None: until ``n_trials`` or the timeout)."""

    name = "hyperband"

    def __init__(self, max_resource: int, min_resource: int = 1, reduction_factor: int = 3,
                 iterations: Optional[int] = None) -> None:
        super().__init__(max_resource=max_resource, min_resource=min_resource, reduction_factor=reduction_factor,
                         iterations=iterations)


class BOHBScheduler(HyperbandScheduler):
    """BOHB (Falkner et al. 2018): Hyperband whose new configurations come from the ``bohb``
    sampler (a kernel density model per budget), which the study then uses by default."""

    name = "bohb"


class ASHAScheduler(BaseScheduler):
    """Asynchronous successive halving (Li et al. 2020): no worker waits for a rung."""

    name = "asha"

    def __init__(self, max_resource: int, min_resource: int = 1, reduction_factor: int = 3) -> None:
        super().__init__(max_resource=max_resource, min_resource=min_resource, reduction_factor=reduction_factor)


class PopulationBasedTraining(BaseScheduler):
    """Population based training (Jaderberg et al. 2017), generation by generation: after
    each ``steps_per_generation`` steps the bottom ``truncation`` of the population copies
    a member of the top and perturbs its hyperparameters (``explored``: which; None: all)."""

    name = "pbt"

    def __init__(self, population_size: int, generations: int, steps_per_generation: int, truncation: float = 0.2,
                 perturb_factors: Sequence[float] = (0.8, 1.2), resample_probability: float = 0.25,
                 explored: Optional[Sequence[str]] = None) -> None:
        super().__init__(population_size=population_size, generations=generations,
                         steps_per_generation=steps_per_generation, truncation=truncation,
                         perturb_factors=list(perturb_factors), resample_probability=resample_probability,
                         explored=list(explored) if explored is not None else None)


class AsynchronousPBT(BaseScheduler):
    """PBT with members ready independently (the paper's asynchronous variant): each
    member trains ``total_steps`` in segments of ``steps_per_ready``."""

    name = "async_pbt"

    def __init__(self, population_size: int, total_steps: int, steps_per_ready: int, truncation: float = 0.2,
                 perturb_factors: Sequence[float] = (0.8, 1.2), resample_probability: float = 0.25,
                 explored: Optional[Sequence[str]] = None, max_consecutive_failures: int = 3,
                 max_segments_per_member: Optional[int] = None, minimum_reported: Optional[int] = None) -> None:
        super().__init__(population_size=population_size, total_steps=total_steps, steps_per_ready=steps_per_ready,
                         truncation=truncation, perturb_factors=list(perturb_factors),
                         resample_probability=resample_probability,
                         explored=list(explored) if explored is not None else None,
                         max_consecutive_failures=max_consecutive_failures,
                         max_segments_per_member=max_segments_per_member, minimum_reported=minimum_reported)


def spec_of(scheduler: Any) -> Any:
    """A scheduler object's description; names and mappings pass through."""
    if isinstance(scheduler, BaseScheduler):
        return scheduler.spec()
    if scheduler is None or isinstance(scheduler, (str, Mapping)):
        return scheduler
    raise TypeError(f"scheduler must be a hone.schedulers object, a name or a mapping {{'name': ..., <options>}}, "
                    f"got {type(scheduler).__name__}")
