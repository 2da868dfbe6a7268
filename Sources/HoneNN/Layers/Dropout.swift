// Inverted dropout: active only in training, drawing its mask from the forward
// context's seeded generator, so a run is reproducible from its seed.

import HoneTensor

public final class Dropout: Layer {
    /// Probability of zeroing each element, in [0, 1).
    public let probability: Float

    public init(probability: Float) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        self.probability = probability
    }

    public var kind: String { "dropout(\(probability))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        x.dropout(p: probability, rng: &context.rng, training: context.training)
    }
}
