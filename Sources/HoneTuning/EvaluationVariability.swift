// Noisy evaluations: k-fold cross-validation and repeated seeds as one objective value.
//
// Reports are keyed by (step, fold). Pruners average the folds reported at a step, so
// with folds trained one after another they judge fold 0's learning curve epoch by epoch,
// then, after each further fold, the running mean of the folds done so far at the final
// epoch. Samplers see the mean (the trial's value); mean, standard deviation and the
// per-fold values are stored as user attributes `cv.mean`, `cv.std`, `cv.values`.

import Foundation
import HoneData
import HoneNN
import HoneSearch

/// Mean and standard deviation over folds or repeats.
public struct VariabilitySummary: Equatable, Sendable {
    public var values: [Double]
    public var mean: Double { values.reduce(0, +) / Double(values.count) }
    /// Population standard deviation (NumPy's default, as scikit-learn reports CV scores).
    public var standardDeviation: Double {
        let m = mean
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }

    func store(on trial: Trial, prefix: String) throws {
        try trial.setUserAttribute("\(prefix).mean", .number(mean))
        try trial.setUserAttribute("\(prefix).std", .number(standardDeviation))
        try trial.setUserAttribute("\(prefix).values", .array(values.map(JSONValue.number)))
    }
}

extension Trial {
    /// k-fold cross-validation of `description` under `config` on `data`, reporting
    /// `metric` per (epoch, fold) and pruning across folds (see the file comment). Returns
    /// the mean over folds (use it as the objective's value); stores mean and std.
    /// Throws `TrialPruned` when the pruner stops the trial (later folds are not run).
    public func crossValidate(_ description: ModelDescription, config: TrainerConfig, data: Dataset, folds k: Int,
                              metric: Metric = .validationAccuracy) throws -> VariabilitySummary {
        try checkDirection(of: metric)
        var pruned = false
        var failure: Error?
        let cv = try withUnsafeMutablePointer(to: &pruned) { p in
            try withUnsafeMutablePointer(to: &failure) { f in
                var callbacks: [Int: (EpochMetrics) -> TrainingAction] = [:]
                return try Trainer.crossValidate(description, config: config, data: data, folds: k) { fold, m in
                    if callbacks[fold] == nil { callbacks[fold] = self.epochCallback(metric: metric, fold: fold, pruned: p, failure: f) }
                    return callbacks[fold]!(m)
                }
            }
        }
        if let failure { throw failure }
        if pruned { throw TrialPruned("pruned in fold \(cv.folds.count - 1) of \(k)") }
        let summary = VariabilitySummary(values: try cv.folds.map { fold in
            guard let v = fold.value(of: metric) else { throw TuningError.missingMetric(metric, epoch: fold.training.lastEpoch?.epoch ?? 0) }
            return v
        })
        try summary.store(on: self, prefix: "cv")
        return summary
    }

    /// Evaluates `body` once per seed (repeat r gets `seeds[r]` and reports as fold r),
    /// between pruner checks after each repeat on the running mean, and returns mean and
    /// std over repeats (stored as `repeats.mean`, `repeats.std`, `repeats.values`).
    /// `body(seed, repeat)` returns the repeat's value; it may itself report per epoch with
    /// `fold: repeat` (e.g. through `Trainer.fit(…, trial:, fold: repeat)`).
    public func repeatedSeeds(_ seeds: [UInt64], step: Int, _ body: (_ seed: UInt64, _ repeat: Int) throws -> Double) throws -> VariabilitySummary {
        guard !seeds.isEmpty else { throw TuningError.invalidArgument("repeatedSeeds needs at least one seed") }
        var values: [Double] = []
        for (r, seed) in seeds.enumerated() {
            let v = try body(seed, r)
            values.append(v)
            try report(v, step: step, fold: r)
            if r < seeds.count - 1, try shouldPrune() { throw TrialPruned("pruned after repeat \(r) of \(seeds.count)") }
        }
        let summary = VariabilitySummary(values: values)
        try summary.store(on: self, prefix: "repeats")
        return summary
    }
}
