// [N, C, H, W] → [N, C·H·W], sharing the buffer (no copy): the bridge from
// convolutional features to a dense head.

import HoneTensor

public final class Flatten: Layer {
    public init() {}

    public var kind: String { "flatten" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.rank == 2 ? x : x.flattened(startAxis: 1)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }
}
