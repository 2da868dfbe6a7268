// 2-D convolution over NCHW batches (HoneTensor's im2col + GEMM), square kernels. The
// activation is a separate layer so a batch norm can sit between the two.

import HoneTensor

public final class Conv2D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// [outputChannels, inputChannels, kernelSize, kernelSize], as in PyTorch.
    public let weight: Tensor
    public let bias: Tensor?

    /// Weights drawn by `initialization` (fan-in = inputChannels·k², fan-out =
    /// outputChannels·k²), bias zero.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                useBias: Bool = true, initialization: WeightInitialization = .he(negativeSlope: 0),
                rng: inout RandomGenerator) throws {
        try HoneNNError.require(inputChannels > 0, "Conv2D", "inputChannels", "positive", got: inputChannels)
        try HoneNNError.require(outputChannels > 0, "Conv2D", "outputChannels", "positive", got: outputChannels)
        try HoneNNError.require(kernelSize > 0, "Conv2D", "kernelSize", "positive", got: kernelSize)
        try HoneNNError.require(stride > 0, "Conv2D", "stride", "positive", got: stride)
        try HoneNNError.require(padding >= 0 && padding <= kernelSize, "Conv2D", "padding", "in [0, kernelSize (\(kernelSize))]", got: padding)
        _ = try HoneNNError.weightCount([outputChannels, inputChannels, kernelSize, kernelSize], "Conv2D")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Tensor(zeros: [outputChannels, inputChannels, kernelSize, kernelSize], requiresGrad: true)
        let area = kernelSize * kernelSize
        initialization.fill(weight, fanIn: inputChannels * area, fanOut: outputChannels * area, rng: &rng)
        bias = useBias ? Tensor(zeros: [outputChannels], requiresGrad: true) : nil
    }

    public var kind: String { "conv2d(\(kernelSize)x\(kernelSize))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var parameters: [Tensor] { bias.map { [weight, $0] } ?? [weight] }

    public var state: [NamedTensor] {
        [NamedTensor("weight", weight)] + (bias.map { [NamedTensor("bias", $0)] } ?? [])
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == inputChannels else {
            throw HoneNNError("conv2d expects [\(inputChannels), H, W] samples, got shape \(inputShape)")
        }
        let h = inputShape[1] + 2 * padding - kernelSize, w = inputShape[2] + 2 * padding - kernelSize
        guard h >= 0, w >= 0 else {
            throw HoneNNError("conv2d kernel \(kernelSize)×\(kernelSize) (padding \(padding)) is larger than the \(inputShape[1])×\(inputShape[2]) input")
        }
        return [outputChannels, h / stride + 1, w / stride + 1]
    }
}
