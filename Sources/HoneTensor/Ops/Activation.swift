// Pointwise activations. The forward and backward kernels are HoneKernels' activation.c
// (AVX-512 / AVX2 + FMA / baseline, chosen at run time; tanh, GELU, ELU and sigmoid with
// a vectorizable exp rather than libm calls). The backward kernels work from the output y
// where the derivative allows it (relu, leaky relu, elu, tanh, sigmoid), so fused layers
// can apply the activation in place; only GELU needs its input.

import Foundation
import HoneKernels

public enum Activation: Equatable, Sendable, CustomStringConvertible {
    case identity, relu, leakyRelu(Float), elu(Float), gelu, tanh, sigmoid

    /// Parses "relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "identity"/"linear"/"none".
    public init?(name: String) {
        switch name.lowercased() {
        case "identity", "linear", "none": self = .identity
        case "relu": self = .relu
        case "leaky_relu", "leakyrelu", "lrelu": self = .leakyRelu(0.01)
        case "elu": self = .elu(1)
        case "gelu": self = .gelu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        default: return nil
        }
    }

    public static let names = ["identity", "relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"]

    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyRelu(let a): return a == 0.01 ? "leaky_relu" : "leaky_relu(\(a))"
        case .elu(let a): return a == 1 ? "elu" : "elu(\(a))"
        case .gelu: return "gelu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        }
    }

    /// Whether backward needs the pre-activation input (otherwise the output suffices).
    public var backwardNeedsInput: Bool { self == .gelu }

    /// Non-decreasing, with a derivative that follows from the output: such an f commutes
    /// with max pooling (max f(u) = f(max u), the same winner), so a fused conv block
    /// applies it to the pooled values only — a quarter of the work — and passes the
    /// gradient back from its output. GELU dips below zero and is neither.
    public var isMonotone: Bool {
        switch self {
        case .identity, .relu, .tanh, .sigmoid: return true
        case .leakyRelu(let a), .elu(let a): return a >= 0
        case .gelu: return false
        }
    }

    /// The kernel's kind and parameter (HoneKernels' activation.c).
    private var kernel: (kind: Int32, alpha: Float) {
        switch self {
        case .identity: return (Int32(HONE_ACTIVATION_IDENTITY), 0)
        case .relu: return (Int32(HONE_ACTIVATION_RELU), 0)
        case .leakyRelu(let a): return (Int32(HONE_ACTIVATION_LEAKY_RELU), a)
        case .elu(let a): return (Int32(HONE_ACTIVATION_ELU), a)
        case .gelu: return (Int32(HONE_ACTIVATION_GELU), 0)
        case .tanh: return (Int32(HONE_ACTIVATION_TANH), 0)
        case .sigmoid: return (Int32(HONE_ACTIVATION_SIGMOID), 0)
        }
    }

    /// y[i] = f(x[i]); x and y are the same array or do not overlap.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let (kind, alpha) = kernel
        hone_activation_forward(kind, alpha, x, y, n)
    }

    /// dx[i] (+)= dy[i] · f'(x[i]), from y (and x for GELU). With `accumulate` false,
    /// dx is overwritten; dx may alias dy in that case.
    public func backward(x: UnsafePointer<Float>?, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool) {
        require(!backwardNeedsInput || x != nil, "\(self) backward needs the activation's input")
        let (kind, alpha) = kernel
        hone_activation_backward(kind, alpha, x, y, dy, dx, n, accumulate ? 1 : 0)
    }

    @inlinable @inline(__always) static func sigmoid(_ x: Float) -> Float {
        // exp of −|x| never overflows; σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below.
        // Both arms are computed and selected, not branched on: the sign of an activation
        // is a coin flip, and a mispredicted branch costs more than the extra multiply.
        let e = FastMath.exp(-abs(x))
        let r = 1 / (1 + e)
        return x >= 0 ? r : e * r
    }
}

extension Tensor {
    /// Applies a pointwise activation.
    public func activated(_ f: Activation) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        f.forward(data, y.data, count)
        return y.record(f.description, [self]) { out in
            f.backward(x: self.data, y: out.data, dy: out.grad!.pointer, dx: self.gradPointer(), self.count, accumulate: true)
        }
    }

    public func relu() -> Tensor { activated(.relu) }
    public func leakyRelu(_ slope: Float = 0.01) -> Tensor { activated(.leakyRelu(slope)) }
    public func elu(_ alpha: Float = 1) -> Tensor { activated(.elu(alpha)) }
    public func gelu() -> Tensor { activated(.gelu) }
    public func tanh() -> Tensor { activated(.tanh) }
    public func sigmoid() -> Tensor { activated(.sigmoid) }
}
