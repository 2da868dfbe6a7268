// The training loop. One step: gather a batch into reused storage, forward, fused loss,
// backward (which frees the graph), optimizer update (which zeroes the gradients). No
// step allocates feature memory, builds strings or touches a dictionary; everything
// per-run (buffers, index lists) is prepared before the first epoch.
//
// Randomness: each epoch's shuffle and dropout masks come from generators derived from
// (config.seed, stream, epoch), and the validation split from (config.seed, stream), so a
// run is reproducible bit for bit and an interrupted or copied run continues identically.

import Foundation
import HoneData
import HoneTensor

/// Named sub-streams of a run's seed.
enum RandomStream: UInt64 {
    case validationSplit = 1, shuffle = 2, dropout = 3, foldModel = 4, augmentation = 5

    /// A generator for this stream of `seed`, optionally for one epoch or fold.
    func generator(_ seed: UInt64, _ index: Int = 0) -> RandomGenerator {
        RandomGenerator.derived(seed: seed, rawValue, UInt64(index))
    }

    /// A 64-bit seed for this stream of `seed` (for APIs that take a seed, not a generator).
    func seed(_ seed: UInt64, _ index: Int = 0) -> UInt64 {
        var rng = generator(seed, index)
        return rng.next()
    }
}

public final class Trainer {
    public let model: Sequential
    public let optimizer: Optimizer
    public private(set) var config: TrainerConfig
    /// Epochs and optimizer steps done so far (a run can continue with another `fit`).
    public private(set) var epochsCompleted = 0
    public private(set) var stepsCompleted = 0

    private struct EarlyStoppingProgress {
        var bestValue: Double
        var bestEpoch: Int
        var bestValidation: Evaluation?
        var epochsWithoutImprovement: Int
        var bestWeights: Checkpoint?
    }
    private var earlyStoppingProgress: EarlyStoppingProgress?
    /// Asked before every optimizer step; when it answers true, `fit` returns at once
    /// (stop reason `.callback`) without finishing or counting the epoch under way. Lets
    /// a deadline cut an epoch that would otherwise run long past it.
    public var interruption: (() -> Bool)?

    public init(model: Sequential, config: TrainerConfig) throws {
        try config.validate()
        self.model = model
        self.config = config
        optimizer = try config.optimizer.makeOptimizer(parameters: model.parameters)
    }

    /// Builds the model from `description` with initial weights from `config.seed`.
    public convenience init(description: ModelDescription, config: TrainerConfig) throws {
        try self.init(model: try description.build(seed: config.seed), config: config)
    }

    /// Changes the optimizer's hyperparameters (learning rate, decay, momentum, …) and
    /// keeps its state, as population based training's explore step does.
    public func updateOptimizer(_ newConfig: OptimizerConfig) throws {
        guard newConfig.kind == config.optimizer.kind else {
            throw HoneNNError("cannot change the optimizer from \(config.optimizer.kind.rawValue) to \(newConfig.kind.rawValue) while keeping its state")
        }
        try newConfig.validate()
        config.optimizer = newConfig
        optimizer.config = newConfig
        optimizer.learningRate = newConfig.learningRate
    }

    // MARK: Fitting

    /// Trains on `data` until `config.epochs` epochs are done in total (or for `epochs`
    /// more when given), validating after each epoch on `validation`, or on a held-out
    /// `config.validationFraction` of `data` when no validation set is given.
    /// `onEpoch` sees every epoch's metrics and may stop training.
    @discardableResult
    public func fit(_ data: Dataset, validation: Dataset? = nil, epochs: Int? = nil,
                    onEpoch: ((EpochMetrics) -> TrainingAction)? = nil) throws -> TrainingResult {
        let task = try resolveTask(for: data)
        try checkCompatible(data, task: task, role: "training data")
        let trainIndices: [Int]
        let validationSource: (data: Dataset, indices: [Int]?)?
        if let validation {
            try checkCompatible(validation, task: task, role: "validation data")
            trainIndices = Array(0..<data.count)
            validationSource = (validation, nil)
        } else if config.validationFraction > 0 {
            let split = try data.trainValidationIndices(
                validationFraction: config.validationFraction, stratified: config.stratifiedSplit,
                seed: RandomStream.validationSplit.seed(config.seed))
            trainIndices = split.train
            validationSource = (data, split.validation)
        } else {
            trainIndices = Array(0..<data.count)
            validationSource = nil
        }
        return try run(data: data, trainIndices: trainIndices, validation: validationSource, task: task,
                       epochs: epochs, onEpoch: onEpoch)
    }

    /// The loop behind `fit` and cross-validation: trains on `data[trainIndices]` and
    /// validates on `validation.data[validation.indices]` (all of it when indices are nil).
    func run(data: Dataset, trainIndices: [Int], validation: (data: Dataset, indices: [Int]?)?, task: TrainingTask,
             epochs: Int?, onEpoch: ((EpochMetrics) -> TrainingAction)?) throws -> TrainingResult {
        guard !trainIndices.isEmpty else { throw HoneNNError("no training samples") }
        if let monitor = config.earlyStopping?.monitor {
            if monitor.needsValidation && validation == nil {
                throw HoneNNError("early stopping monitors \(monitor.rawValue), which needs validation data: pass a validation set or set validationFraction")
            }
            let classificationOnly = monitor == .validationAccuracy
            let regressionOnly = monitor == .validationMSE || monitor == .validationMAE
            if (classificationOnly && task != .classification) || (regressionOnly && task != .regression) {
                throw HoneNNError("early stopping monitors \(monitor.rawValue), which a \(task.rawValue) run does not produce")
            }
        }
        if let epochs, epochs < 0 { throw HoneNNError("epochs must be non-negative, got \(epochs)") }
        try config.augmentation.check(sampleShape: model.inputShape)
        if config.labelSmoothing > 0 && task != .classification {
            throw HoneNNError("labelSmoothing applies to classification; this is a \(task.rawValue) run")
        }
        let augmenter = config.augmentation.isActive ? BatchAugmenter(config.augmentation, sampleShape: model.inputShape) : nil

        let batchSize = min(config.batchSize, trainIndices.count)
        // Batch norm over [N, C] cannot normalize a batch of one sample (its variance is
        // undefined; PyTorch raises). When the last batch would be a single sample, that
        // epoch's last shuffled sample sits the epoch out instead.
        if model.hasVectorBatchNorm && batchSize < 2 {
            throw HoneNNError("batch norm needs at least 2 samples per batch to compute a variance; got batches of \(batchSize)")
        }
        let lonelyLastSample = model.hasVectorBatchNorm && trainIndices.count % batchSize == 1
        let sampleCount = trainIndices.count - (lonelyLastSample ? 1 : 0)
        let stepsPerEpoch = (sampleCount + batchSize - 1) / batchSize
        let lastEpoch = epochs.map { epochsCompleted + $0 } ?? config.epochs
        let schedule = config.schedule
        let scheduleLength = schedule.unit == .epoch ? config.epochs : config.epochs * stepsPerEpoch
        let fullBatch = BatchStorage(size: batchSize, inputShape: model.inputShape, outputCount: model.outputCount, task: task)
        let remainder = sampleCount % batchSize
        let lastBatch = remainder == 0 ? fullBatch
            : BatchStorage(size: remainder, inputShape: model.inputShape, outputCount: model.outputCount, task: task)

        var order = trainIndices
        var history: [EpochMetrics] = []
        var stopReason = StopReason.completed

        epochLoop: while epochsCompleted < lastEpoch {
            let epochIndex = epochsCompleted
            let epochStart = monotonicSeconds()
            // Same starting order every epoch, so the shuffle depends only on (seed, epoch).
            for i in 0..<trainIndices.count { order[i] = trainIndices[i] }
            if config.shuffle {
                var shuffleRNG = RandomStream.shuffle.generator(config.seed, epochIndex)
                shuffleIndices(&order, &shuffleRNG)
            }
            var context = ForwardContext(
                training: true, rng: RandomStream.dropout.generator(config.seed, epochIndex))
            var augmentationRNG = RandomStream.augmentation.generator(config.seed, epochIndex)
            if schedule.unit == .epoch {
                optimizer.learningRate = schedule.learningRate(base: config.optimizer.learningRate, at: epochIndex, total: scheduleLength)
            }

            var lossSum = 0.0
            var diverged = false, interrupted = false
            var start = 0
            order.withUnsafeBufferPointer { orderBuffer in
                while start < sampleCount {
                    if let interruption, interruption() { interrupted = true; return }
                    let batch = sampleCount - start >= batchSize ? fullBatch : lastBatch
                    if schedule.unit == .step {
                        optimizer.learningRate = schedule.learningRate(base: config.optimizer.learningRate, at: stepsCompleted,
                                                                       total: scheduleLength)
                    }
                    batch.gather(from: data, indices: UnsafeBufferPointer(rebasing: orderBuffer[start..<(start + batch.size)]))
                    augmenter?.apply(to: batch.input.data, count: batch.size, rng: &augmentationRNG)
                    let loss = trainStep(batch, task: task, context: &context)
                    stepsCompleted += 1
                    guard loss.isFinite else { diverged = true; return }
                    lossSum += Double(loss) * Double(batch.size)
                    start += batch.size
                }
            }
            if interrupted { stopReason = .callback; break epochLoop }
            let trainSeconds = monotonicSeconds() - epochStart
            epochsCompleted += 1

            let validationResult = validation.map { evaluate($0.data, indices: $0.indices, task: task) }
            let metrics = EpochMetrics(
                epoch: epochsCompleted, trainLoss: diverged ? .nan : lossSum / Double(sampleCount),
                validation: validationResult, learningRate: optimizer.learningRate,
                samplesPerSecond: Double(start) / max(trainSeconds, 1e-9), seconds: monotonicSeconds() - epochStart)
            history.append(metrics)

            if let onEpoch, onEpoch(metrics) == .stop { stopReason = .callback; break epochLoop }
            if diverged { stopReason = .diverged; break epochLoop }
            if let rule = config.earlyStopping, updateEarlyStopping(rule, metrics) {
                stopReason = .earlyStopping
                break epochLoop
            }
        }

        var result = TrainingResult(history: history, stopReason: stopReason, bestEpoch: earlyStoppingProgress?.bestEpoch,
                                    bestValue: earlyStoppingProgress?.bestValue, validation: history.last?.validation)
        if stopReason == .earlyStopping, let progress = earlyStoppingProgress, let best = progress.bestWeights {
            try best.restore(into: model)
            result.validation = progress.bestValidation
        }
        return result
    }

    /// Forward, loss, backward and update for one gathered batch; returns the batch loss.
    @inline(__always)
    private func trainStep(_ batch: BatchStorage, task: TrainingTask, context: inout ForwardContext) -> Float {
        let output = model.forward(batch.input, context: &context)
        let loss = task == .classification
            ? output.softmaxCrossEntropy(labels: batch.labels, labelSmoothing: config.labelSmoothing)
            : output.mse(target: batch.targets!)
        let value = loss.item
        // A diverged run stops here; dropping `loss` frees the graph without a backward pass.
        guard value.isFinite else { return value }
        loss.backward()
        optimizer.step()
        return value
    }

    /// Records the epoch's monitored value; true when patience has run out.
    private func updateEarlyStopping(_ rule: EarlyStopping, _ metrics: EpochMetrics) -> Bool {
        guard let value = metrics.value(of: rule.monitor) else { return false }
        let snapshot = { rule.restoreBestWeights ? Checkpoint(model: self.model) : nil }
        guard var progress = earlyStoppingProgress else {
            earlyStoppingProgress = EarlyStoppingProgress(bestValue: value, bestEpoch: metrics.epoch, bestValidation: metrics.validation,
                                                          epochsWithoutImprovement: 0, bestWeights: snapshot())
            return false
        }
        let improved = rule.monitor.higherIsBetter ? value > progress.bestValue + rule.minDelta
                                                   : value < progress.bestValue - rule.minDelta
        if improved {
            progress = EarlyStoppingProgress(bestValue: value, bestEpoch: metrics.epoch, bestValidation: metrics.validation,
                                             epochsWithoutImprovement: 0, bestWeights: snapshot())
        } else {
            progress.epochsWithoutImprovement += 1
        }
        earlyStoppingProgress = progress
        return progress.epochsWithoutImprovement >= rule.patience
    }

    // MARK: Evaluation

    /// Loss and accuracy / confusion matrix (classification) or MSE / MAE (regression)
    /// of the model on `data`, in evaluation mode.
    public func evaluate(_ data: Dataset) throws -> Evaluation {
        let task = try resolveTask(for: data)
        try checkCompatible(data, task: task, role: "evaluation data")
        return evaluate(data, indices: nil, task: task)
    }

    /// Evaluates on `data[indices]` (all of `data` when nil) in batches of
    /// `config.evaluationBatchSize`, without recording a graph.
    func evaluate(_ data: Dataset, indices: [Int]?, task: TrainingTask) -> Evaluation {
        guard (indices?.count ?? data.count) > 0 else { return Evaluation(sampleCount: 0, loss: .nan) }
        var totals = EvaluationTotals(task: task, outputCount: model.outputCount)
        forEachEvaluationBatch(data, indices: indices, task: task) { output, batch in totals.add(output, batch) }
        return totals.evaluation
    }

    /// The model's evaluation-mode outputs for every sample of `data`, row-major
    /// [data.count × outputCount]: logits (classification) or the outputs as trained
    /// (regression). AutoML compares and averages trained networks by these.
    public func outputs(_ data: Dataset) throws -> [Float] {
        let task = try resolveTask(for: data)
        try checkCompatible(data, task: task, role: "data")
        var all: [Float] = []
        all.reserveCapacity(data.count * model.outputCount)
        forEachEvaluationBatch(data, indices: nil, task: task) { output, batch in
            all.append(contentsOf: UnsafeBufferPointer(start: output.data, count: batch.size * model.outputCount))
        }
        return all
    }

    /// Runs `data[indices]` (all of `data` when nil) through the model in batches of
    /// `config.evaluationBatchSize`, in evaluation mode without recording a graph, in order.
    private func forEachEvaluationBatch(_ data: Dataset, indices: [Int]?, task: TrainingTask,
                                        _ body: (Tensor, BatchStorage) -> Void) {
        let chosen = indices ?? Array(0..<data.count)
        let n = chosen.count
        guard n > 0 else { return }
        let batchSize = min(config.evaluationBatchSize, n)
        let full = BatchStorage(size: batchSize, inputShape: model.inputShape, outputCount: model.outputCount, task: task)
        let rest = n % batchSize == 0 ? full
            : BatchStorage(size: n % batchSize, inputShape: model.inputShape, outputCount: model.outputCount, task: task)
        GradMode.withoutGrad {
            var context = ForwardContext.evaluation
            chosen.withUnsafeBufferPointer { all in
                var start = 0
                while start < n {
                    let batch = n - start >= batchSize ? full : rest
                    batch.gather(from: data, indices: UnsafeBufferPointer(rebasing: all[start..<(start + batch.size)]))
                    body(model.forward(batch.input, context: &context), batch)
                    start += batch.size
                }
            }
        }
    }

    // MARK: Checkpoints

    /// The model's and optimizer's state and the run's progress.
    public func checkpoint() -> Checkpoint {
        Checkpoint(model: model, optimizer: optimizer, epochsCompleted: epochsCompleted, stepsCompleted: stepsCompleted)
    }

    /// Continues from `checkpoint` (taken from this trainer or another one over a model
    /// of the same description): weights, optimizer state and progress counters.
    public func restore(from checkpoint: Checkpoint) throws {
        try checkpoint.restore(into: model, optimizer: optimizer)
        epochsCompleted = checkpoint.epochsCompleted
        stepsCompleted = checkpoint.stepsCompleted
        earlyStoppingProgress = nil
    }

    // MARK: Checks

    func resolveTask(for data: Dataset) throws -> TrainingTask {
        switch (config.task, data.isClassification) {
        case (.auto, true), (.classification, true): return .classification
        case (.auto, false), (.regression, false): return .regression
        case (.classification, false):
            throw HoneNNError("task is classification but the data has real-valued regression targets")
        case (.regression, true):
            throw HoneNNError("task is regression but the data has class labels")
        }
    }

    func checkCompatible(_ data: Dataset, task: TrainingTask, role: String) throws {
        guard data.count > 0 else { throw HoneNNError("\(role) is empty") }
        guard data.featureCount == model.inputCount else {
            throw HoneNNError("\(role) has \(data.featureCount) features per sample (shape \(data.featureShape)), the model expects \(model.inputCount) (input shape \(model.inputShape))")
        }
        guard model.outputShape.count == 1 else {
            throw HoneNNError("the model's output shape \(model.outputShape) is not a vector; end it with a dense layer")
        }
        if task == .classification {
            let classes = data.classCount ?? 0
            guard classes == model.outputCount else {
                throw HoneNNError("\(role) has \(classes) classes, the model has \(model.outputCount) outputs")
            }
            guard classes >= 2 else {
                throw HoneNNError("\(role) has \(classes) class; classification needs at least 2 (use 2 outputs for a binary problem)")
            }
        } else {
            guard data.outputCount == model.outputCount else {
                throw HoneNNError("\(role) has \(data.outputCount) regression targets per sample, the model has \(model.outputCount) outputs")
            }
        }
    }
}

/// Running sums of an evaluation over batches.
private struct EvaluationTotals {
    let task: TrainingTask
    let outputCount: Int
    var samples = 0
    var lossSum = 0.0, absoluteErrorSum = 0.0
    var correct = 0
    var confusion: [[Int]]

    init(task: TrainingTask, outputCount: Int) {
        self.task = task
        self.outputCount = outputCount
        confusion = task == .classification ? [[Int]](repeating: [Int](repeating: 0, count: outputCount), count: outputCount) : []
    }

    /// Adds one batch's outputs [batch.size, outputCount]. (`output` is a parameter, so it
    /// stays alive while its buffer is read through a raw pointer.)
    mutating func add(_ output: Tensor, _ batch: BatchStorage) {
        let y = output.data, k = outputCount
        samples += batch.size
        if task == .classification {
            for r in 0..<batch.size {
                let row = y + r * k
                // Cross-entropy by log-sum-exp; the prediction is the first largest logit.
                var best = 0
                for j in 1..<max(k, 1) where row[j] > row[best] { best = j }
                var sum = 0.0
                for j in 0..<k { sum += Foundation.exp(Double(row[j] - row[best])) }
                let label = Int(batch.labels[r])
                lossSum += Double(row[best]) + Foundation.log(sum) - Double(row[label])
                if best == label { correct += 1 }
                confusion[label][best] += 1
            }
        } else {
            let t = batch.targets!.data
            for i in 0..<(batch.size * k) {
                let d = Double(y[i] - t[i])
                lossSum += d * d
                absoluteErrorSum += abs(d)
            }
        }
    }

    var evaluation: Evaluation {
        let n = Double(samples)
        if task == .classification {
            return Evaluation(sampleCount: samples, loss: lossSum / n, accuracy: Double(correct) / n, confusionMatrix: confusion)
        }
        let values = n * Double(outputCount)
        return Evaluation(sampleCount: samples, loss: lossSum / values, meanSquaredError: lossSum / values,
                          meanAbsoluteError: absoluteErrorSum / values)
    }
}
