// A basic residual block (He et al. 2016, "Deep Residual Learning", the two-layer block of
// ResNet-18/34): y = f(BN(conv₂(f(BN(conv₁(x))))) + shortcut(x)), with 3×3 "same"
// convolutions, stride 1. The shortcut is the identity when the channel counts match and
// a 1×1 convolution (plus batch norm, when the block normalizes) when they differ, as in
// the paper's projection option (B). Without batch norm the convolutions carry biases.

import HoneTensor

public final class ResidualBlock: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let activation: Activation
    public let conv1: Conv2D
    public let norm1: BatchNorm?
    public let conv2: Conv2D
    public let norm2: BatchNorm?
    /// The 1×1 projection of the shortcut (nil: identity).
    public let projection: Conv2D?
    public let projectionNorm: BatchNorm?

    /// Draws conv₁, conv₂ and the projection (in that order) from `rng`.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int = 3, batchNorm: Bool = true,
                activation: Activation = .relu, rng: inout RandomGenerator) throws {
        try HoneNNError.require(kernelSize % 2 == 1, "ResidualBlock", "kernelSize", "odd (the sum needs \"same\" padding)", got: kernelSize)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.activation = activation
        let initialization = WeightInitialization.suited(to: activation)
        conv1 = try Conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                           padding: kernelSize / 2, useBias: !batchNorm, initialization: initialization, rng: &rng)
        norm1 = batchNorm ? try BatchNorm(channelCount: outputChannels) : nil
        conv2 = try Conv2D(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                           padding: kernelSize / 2, useBias: !batchNorm, initialization: initialization, rng: &rng)
        norm2 = batchNorm ? try BatchNorm(channelCount: outputChannels) : nil
        if inputChannels != outputChannels {
            projection = try Conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1,
                                    useBias: !batchNorm, initialization: .glorot, rng: &rng)
            projectionNorm = batchNorm ? try BatchNorm(channelCount: outputChannels) : nil
        } else {
            projection = nil
            projectionNorm = nil
        }
    }

    public var kind: String { "residual(\(conv1.kernelSize)x\(conv1.kernelSize), \(projection == nil ? "identity" : "1x1 projection"))" }

    private var parts: [(String, Layer)] {
        var list: [(String, Layer)] = [("conv1", conv1)]
        if let norm1 { list.append(("bn1", norm1)) }
        list.append(("conv2", conv2))
        if let norm2 { list.append(("bn2", norm2)) }
        if let projection { list.append(("shortcut.0", projection)) }
        if let projectionNorm { list.append(("shortcut.1", projectionNorm)) }
        return list
    }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        var h = conv1.forward(x, context: &context)
        if let norm1 { h = norm1.forward(h, context: &context) }
        if activation != .identity { h = h.activated(activation) }
        h = conv2.forward(h, context: &context)
        if let norm2 { h = norm2.forward(h, context: &context) }
        var shortcut = x
        if let projection {
            shortcut = projection.forward(x, context: &context)
            if let projectionNorm { shortcut = projectionNorm.forward(shortcut, context: &context) }
        }
        let sum = h + shortcut
        return activation == .identity ? sum : sum.activated(activation)
    }

    public var parameters: [Tensor] { parts.flatMap { $0.1.parameters } }

    /// PyTorch torchvision BasicBlock names: conv1, bn1, conv2, bn2, shortcut.0 / shortcut.1
    /// (torchvision's `downsample`).
    public var state: [NamedTensor] {
        parts.flatMap { prefix, layer in layer.state.map { NamedTensor("\(prefix).\($0.name)", $0.tensor) } }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let shape = try conv2.outputShape(for: try conv1.outputShape(for: inputShape))
        guard shape == [outputChannels] + inputShape.dropFirst() else {
            throw HoneNNError("residual block: output shape \(shape) differs from the input's spatial size \(inputShape)")
        }
        return shape
    }
}
