// The percentile rule: a generalization of median stopping (Golovin et al. 2017) to any
// percentile, as Optuna's PercentilePruner.

import Foundation

/// Stops a trial whose best value so far is worse than the `percentile`-th best of the
/// completed trials' (fold-averaged) reports at the same step. `percentile` counts from
/// the good end: 25 keeps a trial only while it is in the best quarter, 50 is a median
/// rule, 90 prunes only the worst tenth.
///
/// Nothing is pruned before `nStartupTrials` completed trials, before step `nWarmupSteps`,
/// off the `intervalSteps` grid, or when fewer than `nMinTrials` completed trials reported
/// at that step. For multi-objective studies it judges objective `objective`.
public final class PercentilePruner: Pruner, @unchecked Sendable {
    public let name = "percentile"
    public let percentile: Double
    public let nStartupTrials: Int
    public let nWarmupSteps: Int
    public let intervalSteps: Int
    public let nMinTrials: Int
    public let objective: Int

    private let lock = NSLock()
    /// Completed trials' fold-averaged values of `objective`, by step (digested once).
    private var valuesAtStep: [Int: [Double]] = [:]
    private var digested = 0

    public init(percentile: Double, nStartupTrials: Int = 5, nWarmupSteps: Int = 0, intervalSteps: Int = 1,
                nMinTrials: Int = 1, objective: Int = 0) throws {
        try SettingCheck.require((0...100).contains(percentile), "PercentilePruner", "percentile", "in [0, 100]", got: percentile)
        try SettingCheck.steps("PercentilePruner", nStartupTrials: nStartupTrials, nWarmupSteps: nWarmupSteps,
                                intervalSteps: intervalSteps, nMinTrials: nMinTrials, objective: objective)
        self.percentile = percentile; self.nStartupTrials = nStartupTrials; self.nWarmupSteps = nWarmupSteps
        self.intervalSteps = intervalSteps; self.nMinTrials = nMinTrials; self.objective = objective
    }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        guard objective < study.directions.count else {
            throw StudyError.invalidArgument("PercentilePruner: objective \(objective) does not exist (the study has \(study.directions.count))")
        }
        let direction = study.directions[objective]
        let curve = trial.foldAveragedCurve()
        guard let step = curve.last?.step, step >= nWarmupSteps, (step - nWarmupSteps) % intervalSteps == 0 else { return false }
        let best = curve.map { $0.values[objective] }.reduce(direction == .minimize ? Double.infinity : -Double.infinity) {
            direction.isBetter($1, than: $0) ? $1 : $0
        }
        lock.lock(); defer { lock.unlock() }
        // Advance by what was read: a trial that finished since would be skipped for good
        // if the count were read again after.
        let new = try study.finishedTrials(from: digested)
        digested += new.count
        for t in new where t.state == .complete {
            for (s, v) in t.foldAveragedCurve() where objective < v.count { valuesAtStep[s, default: []].append(v[objective]) }
        }
        guard try study.completeTrialCount() >= nStartupTrials else { return false }
        guard let others = valuesAtStep[step], others.count >= nMinTrials else { return false }
        // The q-th best: for minimization the q-th percentile, for maximization the (100−q)-th.
        let threshold = PrunerMath.percentile(others, direction == .minimize ? self.percentile : 100 - self.percentile)!
        return direction.isBetter(threshold, than: best)
    }
}
