// Inverted dropout: active only in training, drawing its mask from the forward
// context's seeded generator, so a run is reproducible from its seed.

import HoneTensor

public final class Dropout: Layer {
    /// Probability of zeroing each element, in [0, 1).
    public let probability: Float

    /// Throws `HoneNNError` unless probability is in [0, 1).
    public init(probability: Float) throws {
        try HoneNNError.require(probability >= 0 && probability < 1, "Dropout", "probability", "in [0, 1)", got: probability)
        self.probability = probability
    }

    public var kind: String { "dropout(\(probability))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.dropout(p: probability, rng: &context.rng, training: context.training)
    }
}
