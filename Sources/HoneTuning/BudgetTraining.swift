// Training to a budget for the schedulers of HoneSearch (synchronous successive halving,
// Hyperband, BOHB): a promoted configuration continues from where its previous rung left
// it instead of retraining, because its trainer is kept between rungs.

import Foundation
import HoneData
import HoneNN
import HoneSearch

/// What a budget's resource counts.
public enum BudgetUnit: Sendable, Equatable {
    /// Resource = epochs over the full training data.
    case epochs
    /// Resource / maxResource = the share of the training data, trained for `epochs`
    /// epochs per job on the first ⌈fraction · n⌉ samples. Subsets are nested, so a
    /// promoted configuration sees its earlier data again plus more: pass training data
    /// in random order (`Dataset.shuffled(seed:)`).
    case dataFraction(epochs: Int)
}

/// Keeps each paused configuration's trainer between the jobs of a budget scheduler, and
/// trains a job to its budget. Thread-safe: jobs of different trials run in parallel.
public final class BudgetTrainer: @unchecked Sendable {
    public let unit: BudgetUnit
    public let metric: Metric
    private let lock = NSLock()
    private var trainers: [Int: Trainer] = [:]
    /// Epochs trained per trial (all jobs), for accounting and tests.
    public private(set) var epochsTrained: [Int: Int] = [:]

    public init(unit: BudgetUnit = .epochs, metric: Metric = .validationAccuracy) { self.unit = unit; self.metric = metric }

    /// Trains `trial`'s configuration to `budget` and returns `metric` there. `makeTrainer`
    /// builds the trainer on the trial's first job (it asks the trial for hyperparameters).
    /// Reports per epoch (steps continue across jobs for `.epochs`; for `.dataFraction` the
    /// job reports once, at step `budget.steps`). Does not consult the pruner: the
    /// scheduler decides at the rung.
    public func train(_ trial: Trial, to budget: Budget, data: Dataset, validation: Dataset,
                      makeTrainer: (Trial) throws -> Trainer) throws -> Double {
        try trial.checkDirection(of: metric)
        try releaseFinished(study: trial.study)
        lock.lock(); let cached = trainers[trial.number]; lock.unlock()
        let trainer = try cached ?? makeTrainer(trial)
        let result: TrainingResult
        let epochs: Int
        switch unit {
        case .epochs:
            epochs = max(0, budget.steps - trainer.epochsCompleted)
            result = try trainer.fit(data, validation: validation, epochs: epochs) { m in
                if let v = m.value(of: self.metric), !v.isNaN { try? trial.report(v, step: m.epoch) }
                return .proceed
            }
        case .dataFraction(let perJob):
            let count = max(1, min(data.count, Int((budget.fraction * Double(data.count)).rounded(.up))))
            let subset = data.subset(indices: 0..<count)
            epochs = perJob
            result = try trainer.fit(subset, validation: validation, epochs: perJob)
        }
        lock.lock()
        trainers[trial.number] = trainer
        epochsTrained[trial.number, default: 0] += result.history.count
        lock.unlock()
        let value = try finalValue(result, metric)
        try trial.report(value, step: budget.steps)
        return value
    }

    /// Drops the trainer of a trial (finished trials' trainers are dropped automatically
    /// at the start of the next job).
    public func release(trialNumber: Int) { lock.lock(); trainers[trialNumber] = nil; lock.unlock() }

    /// Frees the trainers (model, optimizer state) of trials the scheduler has pruned or
    /// completed: only paused configurations keep theirs.
    private func releaseFinished(study: Study) throws {
        lock.lock(); let cached = Array(trainers.keys); lock.unlock()
        for n in cached where try study.trial(number: n)?.state.isFinished == true { release(trialNumber: n) }
    }
    public var cachedTrainerCount: Int { lock.lock(); defer { lock.unlock() }; return trainers.count }
}
