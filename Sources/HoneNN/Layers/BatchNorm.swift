// Batch normalization (Ioffe & Szegedy 2015) per channel of [N, C] or [N, C, H, W]
// input. Training normalizes with batch statistics and updates the running mean and
// variance (PyTorch's convention: momentum 0.1, unbiased running variance); evaluation
// uses the running statistics. The running buffers are state (saved, checkpointed) but
// not parameters (no gradient).

import HoneTensor

public final class BatchNorm: Layer {
    public let channelCount: Int
    public let momentum: Float
    public let epsilon: Float
    public let gamma: Tensor
    public let beta: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor

    /// Throws `HoneNNError` unless 0 < channelCount ≤ `HoneNNError.maxWeights`, momentum
    /// is in [0, 1] and epsilon is a finite number > 0.
    public init(channelCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        try HoneNNError.require(channelCount > 0, "BatchNorm", "channelCount", "positive", got: channelCount)
        _ = try HoneNNError.weightCount([channelCount], "BatchNorm")
        try HoneNNError.require(momentum >= 0 && momentum <= 1, "BatchNorm", "momentum", "in [0, 1]", got: momentum)
        try HoneNNError.require(epsilon > 0 && epsilon.isFinite, "BatchNorm", "epsilon", "a finite number > 0", got: epsilon)
        self.channelCount = channelCount
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Tensor(repeating: 1, shape: [channelCount], requiresGrad: true)
        beta = Tensor(zeros: [channelCount], requiresGrad: true)
        runningMean = Tensor(zeros: [channelCount])
        runningVariance = Tensor(repeating: 1, shape: [channelCount])
    }

    public var kind: String { "batch_norm" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.batchNorm(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVariance,
                    momentum: momentum, eps: epsilon, training: context.training)
    }

    public var parameters: [Tensor] { [gamma, beta] }
    // PyTorch's names for nn.BatchNorm1d/2d.
    public var state: [NamedTensor] {
        [NamedTensor("weight", gamma), NamedTensor("bias", beta),
         NamedTensor("running_mean", runningMean), NamedTensor("running_var", runningVariance)]
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.first == channelCount else {
            throw HoneNNError("batch norm over \(channelCount) channels got input shape \(inputShape) (channels come first)")
        }
        return inputShape
    }
}
