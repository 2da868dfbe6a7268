// What training reports: an evaluation of a model on a data set, per-epoch metrics
// delivered to the callback, and the result of a run.

import Foundation

/// A model's performance on one data set, computed without gradients in large batches.
public struct Evaluation: Equatable, Sendable {
    public var sampleCount: Int
    /// Mean softmax cross-entropy (classification) or mean squared error (regression).
    public var loss: Double
    /// Share of samples whose highest logit is the true class (classification).
    public var accuracy: Double?
    /// confusionMatrix[true class][predicted class] = sample count (classification).
    public var confusionMatrix: [[Int]]?
    /// Mean over samples and outputs of (prediction − target)² (regression).
    public var meanSquaredError: Double?
    /// Mean over samples and outputs of |prediction − target| (regression).
    public var meanAbsoluteError: Double?

    public init(sampleCount: Int, loss: Double, accuracy: Double? = nil, confusionMatrix: [[Int]]? = nil,
                meanSquaredError: Double? = nil, meanAbsoluteError: Double? = nil) {
        self.sampleCount = sampleCount
        self.loss = loss
        self.accuracy = accuracy
        self.confusionMatrix = confusionMatrix
        self.meanSquaredError = meanSquaredError
        self.meanAbsoluteError = meanAbsoluteError
    }
}

/// Sent to the callback after every epoch.
public struct EpochMetrics: Equatable, Sendable {
    /// 1-based number of this epoch within the run.
    public var epoch: Int
    /// Mean training loss over the epoch's samples (NaN if training diverged).
    public var trainLoss: Double
    /// Evaluation on the validation data, when there is any.
    public var validation: Evaluation?
    /// Learning rate of the epoch's last step.
    public var learningRate: Float
    /// Training samples per second (forward, backward and update; validation excluded).
    public var samplesPerSecond: Double
    /// Wall time of the epoch including validation.
    public var seconds: Double

    public var validationLoss: Double? { validation?.loss }
    public var validationAccuracy: Double? { validation?.accuracy }

    public func value(of metric: Metric) -> Double? {
        switch metric {
        case .trainLoss: return trainLoss
        case .validationLoss: return validation?.loss
        case .validationAccuracy: return validation?.accuracy
        case .validationMSE: return validation?.meanSquaredError
        case .validationMAE: return validation?.meanAbsoluteError
        }
    }
}

/// The callback's answer after each epoch.
public enum TrainingAction: Equatable, Sendable {
    case proceed
    /// End training now (a pruner decided the run is not worth finishing).
    case stop
}

public enum StopReason: String, Equatable, Sendable {
    /// Every requested epoch ran.
    case completed
    /// The monitored metric stopped improving for `patience` epochs.
    case earlyStopping
    /// The epoch callback returned `.stop`.
    case callback
    /// The training loss became NaN or infinite.
    case diverged
}

public struct TrainingResult: Equatable, Sendable {
    public var history: [EpochMetrics]
    public var stopReason: StopReason
    /// With early stopping: the epoch whose monitored value was best, and that value.
    public var bestEpoch: Int?
    public var bestValue: Double?
    /// Validation metrics of the weights the model holds now: the best epoch's when
    /// early stopping restored them, otherwise the last epoch's.
    public var validation: Evaluation?

    public var lastEpoch: EpochMetrics? { history.last }
}
