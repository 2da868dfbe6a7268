// Fully connected layer y = f(x·W + b), through HoneTensor's fused dense op: the bias
// add and activation happen in the GEMM's output buffer, and backward skips dx when x
// needs no gradient (the first layer), which is most of a small MLP's backward cost.

import HoneTensor

public final class Dense: Layer {
    public let inputCount: Int
    public let outputCount: Int
    public let activation: Activation
    /// [inputCount, outputCount]: the layout the fused op multiplies with directly.
    /// (PyTorch's nn.Linear stores the transpose, [out, in].)
    public let weight: Tensor
    public let bias: Tensor?

    /// Weights drawn by `initialization` (default: suited to `activation`), bias zero.
    public init(inputCount: Int, outputCount: Int, activation: Activation = .identity, useBias: Bool = true,
                initialization: WeightInitialization? = nil, rng: inout RandomGenerator) throws {
        try HoneNNError.require(inputCount > 0, "Dense", "inputCount", "positive", got: inputCount)
        try HoneNNError.require(outputCount > 0, "Dense", "outputCount", "positive", got: outputCount)
        _ = try HoneNNError.weightCount([inputCount, outputCount], "Dense")
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.activation = activation
        weight = Tensor(zeros: [inputCount, outputCount], requiresGrad: true)
        (initialization ?? .suited(to: activation)).fill(weight, fanIn: inputCount, fanOut: outputCount, rng: &rng)
        bias = useBias ? Tensor(zeros: [outputCount], requiresGrad: true) : nil
    }

    public var kind: String { activation == .identity ? "dense" : "dense+\(activation)" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        // Image-shaped input (an MLP on [N, 1, 28, 28]) is read as [N, features].
        let input = x.rank == 2 ? x : x.flattened(startAxis: 1)
        return Tensor.dense(input, weight: weight, bias: bias, activation: activation)
    }

    public var parameters: [Tensor] { bias.map { [weight, $0] } ?? [weight] }

    public var state: [NamedTensor] {
        [NamedTensor("weight", weight)] + (bias.map { [NamedTensor("bias", $0)] } ?? [])
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let features = inputShape.reduce(1, *)
        guard features == inputCount else {
            throw HoneNNError("dense layer expects \(inputCount) input features, got shape \(inputShape) (\(features) features)")
        }
        return [outputCount]
    }
}
