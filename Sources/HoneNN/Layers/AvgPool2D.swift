// Average pooling over square windows of NCHW input (no padding, floor mode).

import HoneTensor

public final class AvgPool2D: Layer {
    public let kernelSize: Int
    public let stride: Int

    /// Throws `HoneNNError` unless kernelSize and stride are positive.
    public init(kernelSize: Int, stride: Int? = nil) throws {
        try HoneNNError.require(kernelSize > 0, "AvgPool2D", "kernelSize", "positive", got: kernelSize)
        if let stride { try HoneNNError.require(stride > 0, "AvgPool2D", "stride", "positive", got: stride) }
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public var kind: String { "avg_pool(\(kernelSize))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.avgPool2d(kernel: kernelSize, stride: stride)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try pooledShape(inputShape, kernelSize: kernelSize, stride: stride, op: "average pooling")
    }
}
