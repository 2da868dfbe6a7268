// k-fold cross-validation: k models from one description, each trained on k − 1 folds
// and evaluated on the remaining one, with per-fold results and their mean and spread.

import Foundation
import HoneData
import HoneTensor

public struct FoldResult: Equatable, Sendable {
    /// 0-based fold index.
    public var fold: Int
    public var training: TrainingResult
    /// The fold's held-out samples, evaluated with the final (or restored best) weights.
    public var validation: Evaluation

    public func value(of metric: Metric) -> Double? {
        switch metric {
        case .trainLoss: return training.lastEpoch?.trainLoss
        case .validationLoss: return validation.loss
        case .validationAccuracy: return validation.accuracy
        case .validationMSE: return validation.meanSquaredError
        case .validationMAE: return validation.meanAbsoluteError
        }
    }
}

public struct CrossValidationResult: Equatable, Sendable {
    public var folds: [FoldResult]
    /// True when the callback stopped a fold; later folds were then not run.
    public var stoppedByCallback: Bool

    /// Mean over folds of `metric`, nil if a fold lacks it.
    public func mean(_ metric: Metric) -> Double? {
        let values = folds.compactMap { $0.value(of: metric) }
        guard !values.isEmpty, values.count == folds.count else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// Population standard deviation over folds (NumPy's default, as scikit-learn reports it).
    public func standardDeviation(_ metric: Metric) -> Double? {
        guard let m = mean(metric) else { return nil }
        let values = folds.compactMap { $0.value(of: metric) }
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }
}

extension Trainer {
    /// Runs k-fold cross-validation of `description` under `config` on `data`. Fold f's
    /// model is initialized from a seed derived from (config.seed, f); the folds are
    /// stratified for classification when `config.stratifiedSplit`. `config.validationFraction`
    /// is ignored: each fold validates on its held-out part. `onEpoch(fold, metrics)`
    /// may stop training, which ends the whole cross-validation. `splits`, when given,
    /// replaces the folds drawn from `config.seed` (it must have `k` entries): comparing
    /// trials fold by fold needs the same folds in every trial, whatever each trial's seed.
    /// `afterFold` sees each finished fold before the next starts and may stop there.
    public static func crossValidate(_ description: ModelDescription, config: TrainerConfig, data: Dataset, folds k: Int,
                                     splits given: [SplitIndices]? = nil,
                                     afterFold: ((FoldResult) -> TrainingAction)? = nil,
                                     onEpoch: ((_ fold: Int, _ metrics: EpochMetrics) -> TrainingAction)? = nil) throws -> CrossValidationResult {
        let splits = try given ?? data.kFoldIndices(k: k, stratified: config.stratifiedSplit, seed: config.seed)
        guard splits.count == k else { throw HoneNNError("cross-validation: \(splits.count) splits given for k = \(k) folds") }
        for (f, split) in splits.enumerated() where (split.train + split.validation).contains(where: { $0 < 0 || $0 >= data.count }) {
            throw HoneNNError("cross-validation: split \(f) has sample indices outside 0..<\(data.count)")
        }
        var results: [FoldResult] = []
        for (fold, split) in splits.enumerated() {
            let modelSeed = RandomStream.foldModel.seed(config.seed, fold)
            let trainer = try Trainer(model: try description.build(seed: modelSeed), config: config)
            let task = try trainer.resolveTask(for: data)
            try trainer.checkCompatible(data, task: task, role: "cross-validation data")
            var foldCallback: ((EpochMetrics) -> TrainingAction)?
            if let onEpoch { foldCallback = { onEpoch(fold, $0) } }
            let training = try trainer.run(data: data, trainIndices: split.train, validation: (data, split.validation), task: task,
                                           epochs: nil, onEpoch: foldCallback)
            let validation = training.validation ?? trainer.evaluate(data, indices: split.validation, task: task)
            results.append(FoldResult(fold: fold, training: training, validation: validation))
            if training.stopReason == .callback {
                return CrossValidationResult(folds: results, stoppedByCallback: true)
            }
            if fold < k - 1, let afterFold, afterFold(results[fold]) == .stop {
                return CrossValidationResult(folds: results, stoppedByCallback: true)
            }
        }
        return CrossValidationResult(folds: results, stoppedByCallback: false)
    }
}
