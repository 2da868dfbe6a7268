"""Samplers with Optuna's names, options and defaults (``optuna.samplers``).

Each class describes one of the library's samplers; ``create_study(sampler=...)`` hands
the description ({"name": ..., <options>}) to the library, which does the sampling. The
``seed`` of a sampler seeds the study (Hone seeds sampler and pruner together from one
study seed; ``create_study(seed=...)`` is the same thing).

Options of Optuna's samplers that Hone's implementation does not have are accepted at
their Optuna default; any other value is ignored with a warning naming the option.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from .distributions import CategoricalChoiceType


class BaseSampler:
    """A sampler as the library knows it: a registered name and its options."""

    #: The library's name of the algorithm.
    name: str = ""

    def __init__(self, options: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None) -> None:
        self._options: Dict[str, Any] = dict(options or {})
        self._seed = seed

    @property
    def seed(self) -> Optional[int]:
        return self._seed

    def spec(self) -> Dict[str, Any]:
        """The description handed to the library: {"name": ..., <options>}."""
        if not self.name:
            raise NotImplementedError(
                f"{type(self).__name__}: user-defined samplers (sample_relative / sample_independent in Python) are "
                "not supported by Hone, whose samplers run in the library; use one of hone.samplers or a plugin "
                "(hone.load_plugin)")
        return {"name": self.name, **getattr(self, "_options", {})}

    def reseed_rng(self) -> None:
        """Optuna re-seeds a sampler for each worker process; Hone's samplers draw from
        per-trial streams of the study seed, so there is nothing to do."""

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._options.items())
        seed = f", seed={self._seed!r}" if self._seed is not None else ""
        return f"{type(self).__name__}({opts}{seed})".replace("(, ", "(")


def _unsupported(sampler: str, **given: Any) -> None:
    """Warns about Optuna options Hone's implementation does not have, when set away from
    Optuna's default (each keyword is (value, default)): the program runs, and says what
    is not honoured."""
    for option, (value, default) in given.items():
        if value is not default and value != default:
            warnings.warn(f"{sampler}: option {option}={value!r} is not supported by Hone and is ignored "
                          f"(Optuna's default is {default!r})", stacklevel=3)


def _ignored_warning(sampler: str, **given: Any) -> None:
    for option, (value, default) in given.items():
        if value is not default and value != default:
            warnings.warn(f"{sampler}: {option}={value!r} only changes Optuna's messages; Hone ignores it", stacklevel=3)


class RandomSampler(BaseSampler):
    """Independent uniform (log-uniform) draws."""

    name = "random"

    def __init__(self, seed: Optional[int] = None) -> None:
        super().__init__({}, seed)


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator (Bergstra et al. 2011), Optuna's defaults:
    10 random startup trials, 24 candidates, independent (``multivariate=False``).

    ``bandwidths`` (Hone's, not Optuna's): ``"shared"`` (default) gives each observation's
    kernel the bandwidth it would have in one estimator over all trials (pruned trials of
    the bad side left out: under a pruner they would narrow every kernel), so l(x) and g(x)
    share their kernels; ``"per_side"`` is Optuna's (gaps among each side's own trials)."""

    name = "tpe"

    def __init__(self, consider_prior: bool = True, prior_weight: float = 1.0, consider_magic_clip: bool = True,
                 consider_endpoints: bool = False, n_startup_trials: int = 10, n_ei_candidates: int = 24,
                 gamma: Optional[Callable[[int], int]] = None, weights: Optional[Callable[[int], Any]] = None,
                 seed: Optional[int] = None, *, multivariate: bool = False, group: bool = False,
                 warn_independent_sampling: bool = True, constant_liar: bool = False,
                 constraints_func: Optional[Callable[..., Sequence[float]]] = None,
                 categorical_distance_func: Optional[Mapping[str, Any]] = None,
                 bandwidths: str = "shared") -> None:
        _unsupported("TPESampler", consider_prior=(consider_prior, True), prior_weight=(prior_weight, 1.0),
                     consider_magic_clip=(consider_magic_clip, True), consider_endpoints=(consider_endpoints, False),
                     gamma=(gamma, None), weights=(weights, None), constraints_func=(constraints_func, None),
                     categorical_distance_func=(categorical_distance_func, None))
        _ignored_warning("TPESampler", warn_independent_sampling=(warn_independent_sampling, True))
        super().__init__({"n_startup_trials": int(n_startup_trials), "n_ei_candidates": int(n_ei_candidates),
                          "multivariate": bool(multivariate), "group": bool(group),
                          "constant_liar": bool(constant_liar), "bandwidths": str(bandwidths)}, seed)


class GPSampler(BaseSampler):
    """Gaussian-process Bayesian optimization (10 random startup trials, as Optuna).

    Unlike Optuna's, it learns from pruned trials: under a pruner, a pruned trial enters
    the model at the value its last report predicts from the complete trials' learning
    curves, instead of being left out."""

    name = "gp"

    def __init__(self, *, seed: Optional[int] = None, independent_sampler: Optional[BaseSampler] = None,
                 n_startup_trials: int = 10, deterministic_objective: bool = False,
                 constraints_func: Optional[Callable[..., Sequence[float]]] = None,
                 warn_independent_sampling: bool = True) -> None:
        _unsupported("GPSampler", independent_sampler=(independent_sampler, None),
                     deterministic_objective=(deterministic_objective, False),
                     constraints_func=(constraints_func, None))
        _ignored_warning("GPSampler", warn_independent_sampling=(warn_independent_sampling, True))
        super().__init__({"n_startup_trials": int(n_startup_trials)}, seed)


class CmaEsSampler(BaseSampler):
    """CMA-ES (Hansen 2016) over the float and int parameters. ``popsize`` and ``sigma0``
    as Optuna (None: the usual 4 + 3·ln(n) and a sixth of the range);
    ``restart_strategy="ipop"`` restarts with a growing population."""

    name = "cmaes"

    def __init__(self, x0: Optional[Dict[str, Any]] = None, sigma0: Optional[float] = None,
                 n_startup_trials: int = 1, independent_sampler: Optional[BaseSampler] = None,
                 warn_independent_sampling: bool = True, seed: Optional[int] = None, *,
                 consider_pruned_trials: bool = False, restart_strategy: Optional[str] = None,
                 popsize: Optional[int] = None, inc_popsize: int = 2, use_separable_cma: bool = False,
                 with_margin: bool = False, lr_adapt: bool = False, source_trials: Optional[list] = None) -> None:
        _unsupported("CmaEsSampler", x0=(x0, None), n_startup_trials=(n_startup_trials, 1),
                     independent_sampler=(independent_sampler, None),
                     consider_pruned_trials=(consider_pruned_trials, False), inc_popsize=(inc_popsize, 2),
                     use_separable_cma=(use_separable_cma, False), with_margin=(with_margin, False),
                     lr_adapt=(lr_adapt, False), source_trials=(source_trials, None))
        _ignored_warning("CmaEsSampler", warn_independent_sampling=(warn_independent_sampling, True))
        if restart_strategy not in (None, "ipop"):
            raise ValueError(f"CmaEsSampler: restart_strategy={restart_strategy!r} is not supported by Hone "
                             "(None or 'ipop')")
        options: Dict[str, Any] = {}
        if sigma0 is not None:
            options["sigma0"] = float(sigma0)
        if popsize is not None:
            options["population_size"] = int(popsize)
        if restart_strategy == "ipop":
            options["restarts"] = True
        super().__init__(options, seed)


class NSGAIISampler(BaseSampler):
    """NSGA-II (Deb et al. 2002) for multi-objective studies; population 50 as Optuna."""

    name = "nsga2"

    def __init__(self, *, population_size: int = 50, mutation_prob: Optional[float] = None,
                 crossover: Any = None, crossover_prob: float = 0.9, swapping_prob: float = 0.5,
                 seed: Optional[int] = None, constraints_func: Optional[Callable[..., Sequence[float]]] = None,
                 elite_population_selection_strategy: Any = None, child_generation_strategy: Any = None,
                 after_trial_strategy: Any = None) -> None:
        _unsupported("NSGAIISampler", mutation_prob=(mutation_prob, None), crossover=(crossover, None),
                     crossover_prob=(crossover_prob, 0.9), swapping_prob=(swapping_prob, 0.5),
                     constraints_func=(constraints_func, None),
                     elite_population_selection_strategy=(elite_population_selection_strategy, None),
                     child_generation_strategy=(child_generation_strategy, None),
                     after_trial_strategy=(after_trial_strategy, None))
        super().__init__({"population_size": int(population_size)}, seed)


class NSGAIIISampler(NSGAIISampler):
    """Optuna's NSGA-III; Hone runs NSGA-II (said with a warning): the same population
    scheme, crowding distance instead of reference points."""

    def __init__(self, *, population_size: int = 50, mutation_prob: Optional[float] = None, crossover: Any = None,
                 crossover_prob: float = 0.9, swapping_prob: float = 0.5, seed: Optional[int] = None,
                 constraints_func: Optional[Callable[..., Sequence[float]]] = None, reference_points: Any = None,
                 dividing_parameter: int = 3, **_: Any) -> None:
        warnings.warn("NSGAIIISampler: Hone runs NSGA-II (crowding distance, no reference points)", stacklevel=2)
        super().__init__(population_size=population_size, mutation_prob=mutation_prob, crossover=crossover,
                         crossover_prob=crossover_prob, swapping_prob=swapping_prob, seed=seed,
                         constraints_func=constraints_func)


class QMCSampler(BaseSampler):
    """Quasi-Monte Carlo points: a Sobol sequence (``qmc_type="sobol"``, the default).
    ``scramble=False`` as Optuna's default."""

    name = "sobol"

    def __init__(self, *, qmc_type: str = "sobol", scramble: bool = False, seed: Optional[int] = None,
                 independent_sampler: Optional[BaseSampler] = None, warn_asynchronous_seeding: bool = True,
                 warn_independent_sampling: bool = True) -> None:
        if qmc_type not in ("sobol", "halton"):
            raise ValueError(f"The `qmc_type`, \"{qmc_type}\", is not a valid. It must be one of \"sobol\" and "
                             "\"halton\".")
        if qmc_type == "halton":
            warnings.warn("QMCSampler: Hone has Sobol points only; qmc_type='halton' uses Sobol", stacklevel=2)
        _unsupported("QMCSampler", independent_sampler=(independent_sampler, None))
        super().__init__({"scramble": bool(scramble)}, seed)


class GridSampler(BaseSampler):
    """Every combination of ``search_space`` ({name: [values]}) once, in a seeded random
    order; ``optimize`` stops when the grid is exhausted, as Optuna."""

    name = "grid"

    def __init__(self, search_space: Mapping[str, Sequence[CategoricalChoiceType]],
                 seed: Optional[int] = None) -> None:
        space: Dict[str, list] = {}
        for param, values in search_space.items():
            out = []
            for v in values:
                if v is None or isinstance(v, (bool, str, int, float)):
                    out.append(v)     # as suggest_categorical stores them: typed, None as null
                else:
                    raise ValueError(f"GridSampler: {param!r} holds {v!r}; values are None, bool, int, float or str")
            space[param] = out
        self.search_space = {k: list(v) for k, v in search_space.items()}
        super().__init__({"search_space": space}, seed)


class AutoSampler(BaseSampler):
    """Hone's default: picks an algorithm per study from its search space and budget
    (Hone's own; ``budget`` is the expected number of trials)."""

    name = "auto"

    def __init__(self, *, budget: Optional[int] = None, seed: Optional[int] = None) -> None:
        super().__init__({} if budget is None else {"budget": int(budget)}, seed)


class SobolSampler(BaseSampler):
    """Hone's name for scrambled Sobol points (Hone's own; ``QMCSampler`` is Optuna's)."""

    name = "sobol"

    def __init__(self, *, scramble: bool = True, seed: Optional[int] = None) -> None:
        super().__init__({"scramble": bool(scramble)}, seed)


class TrustRegionSampler(BaseSampler):
    """Hone's trust-region Bayesian optimization (TuRBO-style; Hone's own)."""

    name = "trust-region"

    def __init__(self, *, n_startup_trials: Optional[int] = None, seed: Optional[int] = None) -> None:
        super().__init__({} if n_startup_trials is None else {"n_startup_trials": int(n_startup_trials)}, seed)


class BOHBSampler(BaseSampler):
    """BOHB's model (Falkner et al. 2018; Hone's own): a kernel density estimate per budget
    and TPE's l(x)/g(x). Use it with ``create_study(scheduler=hone.schedulers.BOHBScheduler(...))``,
    which makes it the default sampler; with any other scheduler or pruner it models the
    trials' reports as budgets."""

    name = "bohb"

    def __init__(self, *, random_fraction: float = 1 / 3, top_fraction: float = 0.15, n_candidates: int = 64,
                 bandwidth_factor: float = 3.0, min_bandwidth: float = 1e-3, min_points: Optional[int] = None,
                 seed: Optional[int] = None) -> None:
        options = {"random_fraction": random_fraction, "top_fraction": top_fraction, "n_candidates": n_candidates,
                   "bandwidth_factor": bandwidth_factor, "min_bandwidth": min_bandwidth}
        if min_points is not None:
            options["min_points"] = int(min_points)
        super().__init__(options, seed)


def spec_of(sampler: Any) -> Any:
    """What create_study hands the library for ``sampler``: a name or mapping as given,
    a sampler object as its description."""
    if isinstance(sampler, BaseSampler):
        return sampler.spec()
    return sampler


__all__ = ["BaseSampler", "RandomSampler", "TPESampler", "GPSampler", "CmaEsSampler", "NSGAIISampler", "NSGAIIISampler",
           "QMCSampler", "GridSampler", "AutoSampler", "SobolSampler", "TrustRegionSampler", "BOHBSampler"]
