// The layer abstraction: a layer maps a batch to a batch through HoneTensor ops (which
// record their own backward closures), owns its trainable tensors, and names every
// tensor that defines it (parameters and buffers such as batch-norm running statistics)
// so a model can be saved, loaded and checkpointed by name.

import HoneTensor

/// What a forward pass needs besides its input: whether this is training (dropout
/// active, batch norm on batch statistics) and the seeded generator dropout draws from.
public struct ForwardContext {
    public var training: Bool
    public var rng: RandomGenerator

    public init(training: Bool, rng: RandomGenerator = RandomGenerator(seed: 0)) {
        self.training = training
        self.rng = rng
    }

    /// Evaluation: no dropout, batch norm on running statistics, nothing random drawn.
    public static var evaluation: ForwardContext { ForwardContext(training: false) }
}

/// One named tensor of a layer's state ("weight", "bias", "running_mean", …).
public struct NamedTensor {
    public let name: String
    public let tensor: Tensor

    public init(_ name: String, _ tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

public protocol Layer: AnyObject {
    /// Short kind name for summaries: "dense", "conv2d", "relu", …
    var kind: String { get }

    /// Maps a batch (first axis = samples) to a batch.
    func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor

    /// The tensors an optimizer updates (each with `requiresGrad`), in a fixed order.
    var parameters: [Tensor] { get }

    /// Every tensor that defines the layer's function, parameters and buffers, by local
    /// name. Saving, loading and checkpoints go through this list.
    var state: [NamedTensor] { get }

    /// The shape of one output sample for one input sample of `inputShape` (no batch
    /// axis), or an error naming the mismatch. Models use it to check a description.
    func outputShape(for inputShape: [Int]) throws -> [Int]
}

extension Layer {
    public var parameters: [Tensor] { [] }
    public var state: [NamedTensor] { [] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
}

/// How initial weights are drawn.
public enum WeightInitialization: Equatable, Sendable {
    /// He / Kaiming normal (He et al. 2015): N(0, gain² / fanIn), gain² = 2 / (1 + a²)
    /// for a leaky slope a (a = 0 for relu). Keeps activation variance constant through
    /// rectifier layers.
    case he(negativeSlope: Float)
    /// Glorot / Xavier uniform (Glorot & Bengio 2010): U(±√(6 / (fanIn + fanOut))), for
    /// symmetric saturating activations (tanh, sigmoid) and linear outputs.
    case glorot

    /// The usual choice for a layer followed by `activation`: He for the rectifier
    /// family (relu, leaky relu, elu, gelu), Glorot for tanh, sigmoid and identity.
    public static func suited(to activation: Activation) -> WeightInitialization {
        switch activation {
        case .relu, .elu, .gelu: return .he(negativeSlope: 0)
        case .leakyRelu(let a): return .he(negativeSlope: a)
        case .tanh, .sigmoid, .identity: return .glorot
        }
    }

    /// Fills `tensor` in place from `rng`.
    public func fill(_ tensor: Tensor, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) {
        let p = tensor.data
        switch self {
        case .he(let a):
            let std = (2 / ((1 + Double(a) * Double(a)) * Double(max(fanIn, 1)))).squareRoot()
            for i in 0..<tensor.count { p[i] = Float(rng.normal() * std) }
        case .glorot:
            let limit = (6 / Double(max(fanIn + fanOut, 1))).squareRoot()
            for i in 0..<tensor.count { p[i] = Float(rng.uniform(-limit, limit)) }
        }
    }
}
