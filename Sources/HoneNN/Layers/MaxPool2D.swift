// Max pooling over square windows of NCHW input (no padding; a window that would run
// past the edge is dropped, as in PyTorch's default floor mode).

import HoneTensor

public final class MaxPool2D: Layer {
    public let kernelSize: Int
    public let stride: Int

    /// Throws `HoneNNError` unless kernelSize and stride are positive.
    public init(kernelSize: Int, stride: Int? = nil) throws {
        try HoneNNError.require(kernelSize > 0, "MaxPool2D", "kernelSize", "positive", got: kernelSize)
        if let stride { try HoneNNError.require(stride > 0, "MaxPool2D", "stride", "positive", got: stride) }
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public var kind: String { "max_pool(\(kernelSize))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.maxPool2d(kernel: kernelSize, stride: stride)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try pooledShape(inputShape, kernelSize: kernelSize, stride: stride, op: "max pooling")
    }
}

/// [C, H, W] after a kernel×kernel window moving by `stride`, without padding.
func pooledShape(_ inputShape: [Int], kernelSize: Int, stride: Int, op: String) throws -> [Int] {
    guard inputShape.count == 3 else {
        throw HoneNNError("\(op) expects [C, H, W] samples, got shape \(inputShape)")
    }
    guard inputShape[1] >= kernelSize, inputShape[2] >= kernelSize else {
        throw HoneNNError("\(op) window \(kernelSize)×\(kernelSize) is larger than the \(inputShape[1])×\(inputShape[2]) input")
    }
    return [inputShape[0], (inputShape[1] - kernelSize) / stride + 1, (inputShape[2] - kernelSize) / stride + 1]
}
