// The protocol every early-stopping rule and multi-fidelity scheduler implements.

/// Decides whether a running trial should stop early, from its intermediate reports and
/// the history. Each rule (median, percentile, successive halving, Hyperband, ASHA, …)
/// is one type conforming to this protocol.
///
/// Schedulers that decide budgets up front (Hyperband brackets, PBT populations) do it in
/// `trialStarted`: they write the trial's budget or bracket as system attributes
/// (`trial.setSystemAttribute`), which the objective reads (`trial.systemAttributes`) and
/// later `shouldPrune` calls can filter on. Pruners are shared by all worker threads:
/// keep mutable state behind a lock.
public protocol Pruner: AnyObject, Sendable {
    /// A short name recorded in the study ("median", "hyperband", …).
    var name: String { get }

    /// Called once when a trial starts, after the sampler's `beforeTrial`.
    func trialStarted(study: StudyView, trial: Trial) throws

    /// Whether `trial` (RUNNING, with its reports so far) should stop now. Called by
    /// `Trial.shouldPrune()`, typically right after a report.
    func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool

    /// Called once when a trial is finished and stored.
    func trialFinished(study: StudyView, trial: FrozenTrial) throws
}

extension Pruner {
    public func trialStarted(study: StudyView, trial: Trial) throws {}
    public func trialFinished(study: StudyView, trial: FrozenTrial) throws {}
}

/// Never prunes.
public final class NopPruner: Pruner {
    public let name = "none"
    public init() {}
    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool { false }
}
