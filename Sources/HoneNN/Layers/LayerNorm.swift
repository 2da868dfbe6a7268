// Layer normalization (Ba et al. 2016) over the last axis, with a learned per-feature
// scale (initially 1) and shift (initially 0). Same computation in training and
// evaluation: it keeps no running statistics.

import HoneTensor

public final class LayerNorm: Layer {
    public let featureCount: Int
    public let epsilon: Float
    public let gamma: Tensor
    public let beta: Tensor

    /// Throws `HoneNNError` unless 0 < featureCount ≤ `HoneNNError.maxWeights` and epsilon
    /// is a finite number > 0.
    public init(featureCount: Int, epsilon: Float = 1e-5) throws {
        try HoneNNError.require(featureCount > 0, "LayerNorm", "featureCount", "positive", got: featureCount)
        _ = try HoneNNError.weightCount([featureCount], "LayerNorm")
        try HoneNNError.require(epsilon > 0 && epsilon.isFinite, "LayerNorm", "epsilon", "a finite number > 0", got: epsilon)
        self.featureCount = featureCount
        self.epsilon = epsilon
        gamma = Tensor(repeating: 1, shape: [featureCount], requiresGrad: true)
        beta = Tensor(zeros: [featureCount], requiresGrad: true)
    }

    public var kind: String { "layer_norm" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.layerNorm(gamma: gamma, beta: beta, eps: epsilon)
    }

    public var parameters: [Tensor] { [gamma, beta] }
    // PyTorch's names for nn.LayerNorm.
    public var state: [NamedTensor] { [NamedTensor("weight", gamma), NamedTensor("bias", beta)] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.last == featureCount else {
            throw HoneNNError("layer norm over \(featureCount) features got input shape \(inputShape)")
        }
        return inputShape
    }
}
