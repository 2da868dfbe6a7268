// What a training run is told: epochs, batch size, optimizer, schedule, seed, how to hold
// out validation data, and when to stop early. All Codable, so a study can store it and
// the C API, CLI and Lua can pass it as JSON (fields with defaults may be omitted).

import HoneTensor

/// Which loss the trainer minimizes.
public enum TrainingTask: String, Codable, Equatable, Sendable, CaseIterable {
    /// Classification for class-labelled data, regression for real-valued targets.
    case auto
    /// Softmax cross-entropy over the model's outputs (one logit per class; binary
    /// problems use two classes).
    case classification
    /// Mean squared error against the targets.
    case regression
}

/// A per-epoch quantity early stopping, pruners and cross-validation summaries can watch.
public enum Metric: String, Codable, Equatable, Sendable, CaseIterable {
    case trainLoss = "train_loss"
    case validationLoss = "val_loss"
    case validationAccuracy = "val_accuracy"
    case validationMSE = "val_mse"
    case validationMAE = "val_mae"

    public var higherIsBetter: Bool { self == .validationAccuracy }
    public var needsValidation: Bool { self != .trainLoss }
}

/// Stop when `monitor` has not improved by more than `minDelta` for `patience` epochs
/// in a row (Prechelt 1998; Keras' EarlyStopping semantics).
public struct EarlyStopping: Codable, Equatable, Sendable {
    public var monitor: Metric
    public var patience: Int
    /// An epoch counts as an improvement only if it beats the best so far by more than this.
    public var minDelta: Double
    /// On stopping early, put back the weights of the best epoch.
    public var restoreBestWeights: Bool

    public init(monitor: Metric = .validationLoss, patience: Int = 5, minDelta: Double = 0, restoreBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }

    enum CodingKeys: String, CodingKey { case monitor, patience, minDelta, restoreBestWeights }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EarlyStopping()
        monitor = try c.decodeIfPresent(Metric.self, forKey: .monitor) ?? defaults.monitor
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? defaults.patience
        minDelta = try c.decodeIfPresent(Double.self, forKey: .minDelta) ?? defaults.minDelta
        restoreBestWeights = try c.decodeIfPresent(Bool.self, forKey: .restoreBestWeights) ?? defaults.restoreBestWeights
    }
}

public struct TrainerConfig: Codable, Equatable, Sendable {
    /// Total epochs of a run (the schedule's horizon).
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerConfig
    public var schedule: LearningRateSchedule
    /// Drives every random choice of training: the validation split, each epoch's
    /// shuffle, dropout masks. (A model's initial weights come from the seed it was
    /// built with; `Trainer(description:config:)` uses this one.)
    public var seed: UInt64
    /// Share of the training data held out for validation when `fit` is given no
    /// validation set (0 = no validation).
    public var validationFraction: Double
    /// Hold out the same share of every class (classification only).
    public var stratifiedSplit: Bool
    public var earlyStopping: EarlyStopping?
    public var task: TrainingTask
    /// Batch size for evaluation (no gradients, so it can be much larger).
    public var evaluationBatchSize: Int
    /// Reshuffle the training samples every epoch (off only for debugging).
    public var shuffle: Bool
    /// Random crop / flip of training batches (image models only; evaluation sees the
    /// images as they are).
    public var augmentation: ImageAugmentation
    /// Cross-entropy against (1 − ε)·one-hot + ε/K (classification only; 0 = none).
    public var labelSmoothing: Float

    public init(epochs: Int = 10, batchSize: Int = 32, optimizer: OptimizerConfig = .adam(),
                schedule: LearningRateSchedule = .constant, seed: UInt64 = 0, validationFraction: Double = 0,
                stratifiedSplit: Bool = true, earlyStopping: EarlyStopping? = nil, task: TrainingTask = .auto,
                evaluationBatchSize: Int = 1024, shuffle: Bool = true, augmentation: ImageAugmentation = .none,
                labelSmoothing: Float = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.validationFraction = validationFraction
        self.stratifiedSplit = stratifiedSplit
        self.earlyStopping = earlyStopping
        self.task = task
        self.evaluationBatchSize = evaluationBatchSize
        self.shuffle = shuffle
        self.augmentation = augmentation
        self.labelSmoothing = labelSmoothing
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, optimizer, schedule, seed, validationFraction, stratifiedSplit, earlyStopping, task
        case evaluationBatchSize, shuffle, augmentation, labelSmoothing
    }

    /// Writes `augmentation` and `labelSmoothing` only when set, so stored configurations
    /// of runs without them read as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(seed, forKey: .seed)
        try c.encode(validationFraction, forKey: .validationFraction)
        try c.encode(stratifiedSplit, forKey: .stratifiedSplit)
        try c.encodeIfPresent(earlyStopping, forKey: .earlyStopping)
        try c.encode(task, forKey: .task)
        try c.encode(evaluationBatchSize, forKey: .evaluationBatchSize)
        try c.encode(shuffle, forKey: .shuffle)
        if augmentation.isActive { try c.encode(augmentation, forKey: .augmentation) }
        if labelSmoothing != 0 { try c.encode(labelSmoothing, forKey: .labelSmoothing) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainerConfig()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        optimizer = try c.decodeIfPresent(OptimizerConfig.self, forKey: .optimizer) ?? d.optimizer
        schedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? d.schedule
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? d.validationFraction
        stratifiedSplit = try c.decodeIfPresent(Bool.self, forKey: .stratifiedSplit) ?? d.stratifiedSplit
        earlyStopping = try c.decodeIfPresent(EarlyStopping.self, forKey: .earlyStopping)
        task = try c.decodeIfPresent(TrainingTask.self, forKey: .task) ?? d.task
        evaluationBatchSize = try c.decodeIfPresent(Int.self, forKey: .evaluationBatchSize) ?? d.evaluationBatchSize
        shuffle = try c.decodeIfPresent(Bool.self, forKey: .shuffle) ?? d.shuffle
        augmentation = try c.decodeIfPresent(ImageAugmentation.self, forKey: .augmentation) ?? d.augmentation
        labelSmoothing = try c.decodeIfPresent(Float.self, forKey: .labelSmoothing) ?? d.labelSmoothing
    }

    /// Throws on settings no run can use, naming the field.
    public func validate() throws {
        guard epochs >= 0 else { throw HoneNNError("epochs must be non-negative, got \(epochs)") }
        guard batchSize >= 1 else { throw HoneNNError("batchSize must be at least 1, got \(batchSize)") }
        guard evaluationBatchSize >= 1 else { throw HoneNNError("evaluationBatchSize must be at least 1, got \(evaluationBatchSize)") }
        guard validationFraction >= 0, validationFraction < 1 else {
            throw HoneNNError("validationFraction must be in [0, 1), got \(validationFraction)")
        }
        if let earlyStopping {
            guard earlyStopping.patience >= 1 else { throw HoneNNError("early stopping patience must be at least 1, got \(earlyStopping.patience)") }
            guard earlyStopping.minDelta >= 0 else { throw HoneNNError("early stopping minDelta must be non-negative, got \(earlyStopping.minDelta)") }
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw HoneNNError("labelSmoothing must be in [0, 1), got \(labelSmoothing)")
        }
        try augmentation.validate()
        try optimizer.validate()
        try schedule.validate()
    }
}
