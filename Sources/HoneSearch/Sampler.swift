// The protocol every search algorithm implements.

/// Decides parameter values. Each algorithm (random, grid, Sobol, TPE, GP, CMA-ES,
/// NSGA-II, …) is one type conforming to this protocol.
///
/// ## Life of a trial, as the sampler sees it
///
/// 1. `beforeTrial` — the trial has just started (its number is known, enqueued params
///    are fixed). Grid samplers pick a point here (and call `study.stop()` when none is
///    left); generation-based samplers (NSGA-II) prepare the population.
/// 2. `inferRelativeSearchSpace` then `sampleRelative` — joint sampling over a space
///    inferred from the history (typically `study.intersectionSearchSpace()`). The values
///    returned are used when the objective asks for those names with the same
///    distributions.
/// 3. `sampleIndependent` — for every parameter the objective asks for that relative
///    sampling did not cover (new names, conditional branches, first trials).
/// 4. `afterTrial` — the trial is finished and stored.
///
/// ## Randomness
///
/// Never use the system generator. Draw from `trial.random(for:)` (a stream derived from
/// the study seed, the trial number and a name), so that a seeded study repeats exactly
/// whatever the thread that runs the trial and the order of calls to other trials.
///
/// ## History
///
/// `study` reads the history incrementally (see `StudyView`); `study.runningTrials()` are
/// the pending trials of parallel workers (for constant liar). Samplers are shared by all
/// worker threads of a study: keep mutable state behind a lock.
///
/// Values returned must lie in the distribution asked for; the study checks and fails the
/// trial with a clear error otherwise.
public protocol Sampler: AnyObject, Sendable {
    /// A short name recorded in the study ("random", "tpe", …).
    var name: String { get }

    func beforeTrial(study: StudyView, trial: Trial) throws

    /// The space to sample jointly for this trial; empty for purely independent samplers.
    func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace

    /// Values for some or all of `searchSpace` (may be empty, e.g. during a startup phase).
    func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue]

    /// A value for one parameter outside the relative space.
    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue

    func afterTrial(study: StudyView, trial: FrozenTrial) throws
}

extension Sampler {
    public func beforeTrial(study: StudyView, trial: Trial) throws {}
    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace { SearchSpace() }
    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] { [:] }
    public func afterTrial(study: StudyView, trial: FrozenTrial) throws {}
}
