// HoneTuning: the glue between the search layer (HoneSearch) and the trainer (HoneNN).
// HoneSearch knows nothing of networks and HoneNN nothing of studies; this target sees
// both. This file connects the trainer's per-epoch callback to `trial.report` and
// `trial.shouldPrune`: a pruned trial stops training at the end of the epoch that was
// judged, and the objective throws `TrialPruned`, so the study stores it PRUNED with its
// last report.

import Foundation
import HoneData
import HoneNN
import HoneSearch

public enum TuningError: Error, CustomStringConvertible {
    case metricDirection(metric: Metric, direction: StudyDirection)
    case missingMetric(Metric, epoch: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .metricDirection(let m, let d):
            return "metric \(m.rawValue) is \(m.higherIsBetter ? "maximized" : "minimized") but the study's objective is \(d): pick a matching metric or direction"
        case .missingMetric(let m, let epoch):
            return "epoch \(epoch) has no \(m.rawValue) (does the run have validation data of the right task?)"
        case .invalidArgument(let why):
            return why
        }
    }
}

extension Trial {
    /// Checks that optimizing `metric` agrees with the study's direction for `objective`.
    func checkDirection(of metric: Metric, objective: Int = 0) throws {
        let d = study.directions[objective]
        if metric.higherIsBetter != (d == .maximize) { throw TuningError.metricDirection(metric: metric, direction: d) }
    }

    /// The trainer callback: reports `metric` at the epoch's step (the trainer's global
    /// epoch count, so a resumed run keeps counting) and fold, asks the pruner, and
    /// records the first error (the callback cannot throw) to be rethrown after `fit`.
    func epochCallback(metric: Metric, fold: Int, stepOffset: Int = 0, pruned: UnsafeMutablePointer<Bool>,
                       failure: UnsafeMutablePointer<Error?>) -> (EpochMetrics) -> TrainingAction {
        return { [self] m in
            do {
                guard let value = m.value(of: metric) else { throw TuningError.missingMetric(metric, epoch: m.epoch) }
                if value.isNaN { return .proceed }          // a diverged epoch: the trainer stops it itself
                try report(value, step: m.epoch + stepOffset, fold: fold)
                if try shouldPrune() { pruned.pointee = true; return .stop }
                return .proceed
            } catch {
                failure.pointee = error
                return .stop
            }
        }
    }
}

extension Trainer {
    /// `fit` for a trial: reports `metric` after every epoch (step = epoch number, counted
    /// over the trainer's whole life) and stops as soon as the study's pruner says so,
    /// throwing `TrialPruned` — the epochs after the judged one are never trained.
    @discardableResult
    public func fit(_ data: Dataset, validation: Dataset? = nil, epochs: Int? = nil, trial: Trial,
                    metric: Metric = .validationAccuracy, fold: Int = 0) throws -> TrainingResult {
        try trial.checkDirection(of: metric)
        var pruned = false
        var failure: Error?
        let result = try withUnsafeMutablePointer(to: &pruned) { p in
            try withUnsafeMutablePointer(to: &failure) { f in
                try fit(data, validation: validation, epochs: epochs,
                        onEpoch: trial.epochCallback(metric: metric, fold: fold, pruned: p, failure: f))
            }
        }
        if let failure { throw failure }
        if pruned { throw TrialPruned("pruned after epoch \(epochsCompleted)") }
        return result
    }
}

/// The value of `metric` after a run: the restored-best or last validation, or the last
/// training loss.
func finalValue(_ result: TrainingResult, _ metric: Metric) throws -> Double {
    if metric == .trainLoss, let v = result.lastEpoch?.trainLoss { return v }
    let value: Double?
    switch metric {
    case .trainLoss: value = nil
    case .validationLoss: value = result.validation?.loss
    case .validationAccuracy: value = result.validation?.accuracy
    case .validationMSE: value = result.validation?.meanSquaredError
    case .validationMAE: value = result.validation?.meanAbsoluteError
    }
    guard let value else { throw TuningError.missingMetric(metric, epoch: result.lastEpoch?.epoch ?? 0) }
    return value
}
