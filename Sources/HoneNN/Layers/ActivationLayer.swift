// A standalone pointwise activation, for where it cannot be fused into the layer before
// it (after a normalization or a convolution).

import HoneTensor

public final class ActivationLayer: Layer {
    public let activation: Activation

    public init(_ activation: Activation) { self.activation = activation }

    public var kind: String { activation.description }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        activation == .identity ? x : x.activated(activation)
    }
}
