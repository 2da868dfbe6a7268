// The threshold rule: stop a trial whose latest report leaves a band of acceptable values
// (a diverged loss, an accuracy still at chance after warm-up).

import Foundation

/// Stops a trial when its latest (fold-averaged) report of `objective` is below `lower`,
/// above `upper`, or not finite, at steps ≥ `nWarmupSteps` on the `intervalSteps` grid.
/// Needs no other trial, so it works from the first trial on.
public final class ThresholdPruner: Pruner, @unchecked Sendable {
    public let name = "threshold"
    public let lower: Double?
    public let upper: Double?
    public let nWarmupSteps: Int
    public let intervalSteps: Int
    public let objective: Int

    /// Throws `StudyError.invalidArgument` when neither bound is given, a bound is NaN,
    /// lower > upper, or a step setting is out of range.
    public init(lower: Double? = nil, upper: Double? = nil, nWarmupSteps: Int = 0, intervalSteps: Int = 1, objective: Int = 0) throws {
        guard lower != nil || upper != nil else { throw StudyError.invalidArgument("ThresholdPruner: give lower, upper or both") }
        if let l = lower { try SettingCheck.require(!l.isNaN, "ThresholdPruner", "lower", "a number", got: l) }
        if let u = upper { try SettingCheck.require(!u.isNaN, "ThresholdPruner", "upper", "a number", got: u) }
        if let l = lower, let u = upper {
            guard l <= u else { throw StudyError.invalidArgument("ThresholdPruner: lower must be ≤ upper, got lower \(l) > upper \(u)") }
        }
        try SettingCheck.steps("ThresholdPruner", nWarmupSteps: nWarmupSteps, intervalSteps: intervalSteps, objective: objective)
        self.lower = lower; self.upper = upper; self.nWarmupSteps = nWarmupSteps
        self.intervalSteps = intervalSteps; self.objective = objective
    }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        guard let last = trial.foldAveragedCurve().last, objective < last.values.count else { return false }
        guard last.step >= nWarmupSteps, (last.step - nWarmupSteps) % intervalSteps == 0 else { return false }
        let v = last.values[objective]
        if !v.isFinite { return true }
        if let lower, v < lower { return true }
        if let upper, v > upper { return true }
        return false
    }
}
