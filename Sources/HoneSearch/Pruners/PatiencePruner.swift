// The patience rule (Keras' early stopping, Optuna's PatientPruner): stop a trial whose
// curve has not improved for `patience` steps, optionally only when a wrapped rule agrees.

import Foundation

/// Stops a trial when the best of its last `patience + 1` (fold-averaged) reports of
/// `objective` is not better than the best before them by more than `minDelta`. With a
/// `wrapped` pruner the trial is stopped only when it has run out of patience *and* the
/// wrapped rule says to stop: patience then gives a noisy curve a grace period.
public final class PatiencePruner: Pruner, @unchecked Sendable {
    public let name = "patience"
    public let patience: Int
    public let minDelta: Double
    public let objective: Int
    public let wrapped: Pruner?

    /// Throws `StudyError.invalidArgument` naming `patience`, `minDelta` or `objective`
    /// when out of range.
    public init(patience: Int, minDelta: Double = 0, objective: Int = 0, wrapped: Pruner? = nil) throws {
        try SettingCheck.require(patience >= 0, "PatiencePruner", "patience", "≥ 0", got: patience)
        try SettingCheck.require(minDelta >= 0, "PatiencePruner", "minDelta", "≥ 0", got: minDelta)
        try SettingCheck.require(objective >= 0, "PatiencePruner", "objective", "≥ 0", got: objective)
        self.patience = patience; self.minDelta = minDelta; self.objective = objective; self.wrapped = wrapped
    }

    public func trialStarted(study: StudyView, trial: Trial) throws { try wrapped?.trialStarted(study: study, trial: trial) }
    public func trialFinished(study: StudyView, trial: FrozenTrial) throws { try wrapped?.trialFinished(study: study, trial: trial) }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        let direction = study.directions[min(objective, study.directions.count - 1)]
        let values = trial.foldAveragedCurve().compactMap { objective < $0.values.count ? $0.values[objective] : nil }
        guard values.count > patience + 1 else { return false }
        let split = values.count - (patience + 1)
        let before = values[..<split], recent = values[split...]
        let sign = direction == .minimize ? 1.0 : -1.0   // compare as losses
        let bestBefore = before.map { sign * $0 }.min()!, bestRecent = recent.map { sign * $0 }.min()!
        let outOfPatience = !(bestRecent < bestBefore - minDelta)
        guard outOfPatience else { return false }
        return try wrapped?.shouldPrune(study: study, trial: trial) ?? true
    }
}
