// Optimizers update parameters in place from their accumulated gradients. Each one is a
// single pass per parameter over raw pointers (gradient, weight, its state buffers) that
// also zeroes the gradient it consumed, so a training step needs no separate zero-grad
// pass and allocates nothing: state buffers are created once, with the optimizer.

import HoneTensor

public enum OptimizerKind: String, Codable, Equatable, Sendable, CaseIterable {
    case sgd, adam, adamw, rmsprop
}

/// Hyperparameters of every optimizer in one Codable value, so a search space or a
/// script can describe an optimizer as data. Fields an optimizer does not use are ignored.
public struct OptimizerConfig: Codable, Equatable, Sendable {
    public var kind: OptimizerKind
    /// The base learning rate; a schedule scales it over training.
    public var learningRate: Float
    /// SGD and RMSprop momentum (0 = none).
    public var momentum: Float
    /// SGD: Nesterov momentum (Sutskever et al. 2013, in PyTorch's formulation).
    public var nesterov: Bool
    /// Adam/AdamW decay rates of the first and second moment estimates.
    public var beta1: Float
    public var beta2: Float
    /// Added to the denominator for numerical stability (Adam, AdamW, RMSprop).
    public var epsilon: Float
    /// RMSprop decay rate of the squared-gradient average.
    public var alpha: Float
    /// SGD, Adam, RMSprop: L2 penalty added to the gradient (g += λw), which for Adam
    /// is then rescaled by the adaptive denominator. AdamW: decoupled decay w -= lr·λ·w
    /// (Loshchilov & Hutter 2019), independent of the gradient statistics.
    public var weightDecay: Float
    /// If set, gradients are scaled so their global L2 norm (over all parameters) is at most this.
    public var clipNorm: Float?
    /// If set, each gradient element is clamped to [-clipValue, clipValue] (after norm clipping).
    public var clipValue: Float?

    public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float? = nil, alpha: Float = 0.99,
                weightDecay: Float? = nil, clipNorm: Float? = nil, clipValue: Float? = nil) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        // PyTorch's defaults: 1e-8 for Adam(W), 1e-8 for RMSprop as well.
        self.epsilon = epsilon ?? 1e-8
        self.alpha = alpha
        // AdamW's point is its decay, so it defaults to PyTorch's 0.01; the others to none.
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.clipNorm = clipNorm
        self.clipValue = clipValue
    }

    public static func sgd(learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                           weightDecay: Float = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .sgd, learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public static func adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                            weightDecay: Float = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .adam, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public static func adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                             weightDecay: Float = 0.01) -> OptimizerConfig {
        OptimizerConfig(kind: .adamw, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public static func rmsprop(learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
                               weightDecay: Float = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .rmsprop, learningRate: learningRate, momentum: momentum, epsilon: epsilon, alpha: alpha,
                        weightDecay: weightDecay)
    }

    /// Throws on values no optimizer can use, naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw HoneNNError("optimizer \(kind.rawValue): \(message())") }
        }
        try check(learningRate.isFinite && learningRate >= 0, "learningRate must be a non-negative number, got \(learningRate)")
        try check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got \(momentum)")
        try check(!nesterov || momentum > 0, "nesterov needs a positive momentum")
        try check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got \(beta1)")
        try check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got \(beta2)")
        try check(epsilon > 0, "epsilon must be positive, got \(epsilon)")
        try check(alpha >= 0 && alpha < 1, "alpha must be in [0, 1), got \(alpha)")
        try check(weightDecay >= 0 && weightDecay.isFinite, "weightDecay must be non-negative, got \(weightDecay)")
        if let clipNorm { try check(clipNorm > 0, "clipNorm must be positive, got \(clipNorm)") }
        if let clipValue { try check(clipValue > 0, "clipValue must be positive, got \(clipValue)") }
    }

    /// A fresh optimizer (zero state) over `parameters`.
    public func makeOptimizer(parameters: [Tensor]) throws -> Optimizer {
        switch kind {
        case .sgd: return try SGD(parameters: parameters, config: self)
        case .adam: return try Adam(parameters: parameters, config: self)
        case .adamw: return try Adam(parameters: parameters, config: self)
        case .rmsprop: return try RMSprop(parameters: parameters, config: self)
        }
    }
}

extension OptimizerConfig {
    enum CodingKeys: String, CodingKey {
        case kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, alpha, weightDecay, clipNorm, clipValue
    }

    /// Decodes with every field but `kind` optional; the learning rate defaults to
    /// PyTorch's (1e-3 for Adam/AdamW, 1e-2 for RMSprop) and must be given for SGD.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(OptimizerKind.self, forKey: .kind)
        let defaultRate: Float? = kind == .adam || kind == .adamw ? 1e-3 : (kind == .rmsprop ? 1e-2 : nil)
        guard let learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? defaultRate else {
            throw HoneNNError("optimizer sgd: 'learningRate' is required")
        }
        self.init(kind: kind, learningRate: learningRate,
                  momentum: try c.decodeIfPresent(Float.self, forKey: .momentum) ?? 0,
                  nesterov: try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? false,
                  beta1: try c.decodeIfPresent(Float.self, forKey: .beta1) ?? 0.9,
                  beta2: try c.decodeIfPresent(Float.self, forKey: .beta2) ?? 0.999,
                  epsilon: try c.decodeIfPresent(Float.self, forKey: .epsilon),
                  alpha: try c.decodeIfPresent(Float.self, forKey: .alpha) ?? 0.99,
                  weightDecay: try c.decodeIfPresent(Float.self, forKey: .weightDecay),
                  clipNorm: try c.decodeIfPresent(Float.self, forKey: .clipNorm),
                  clipValue: try c.decodeIfPresent(Float.self, forKey: .clipValue))
    }
}

/// An optimizer's internal state as plain values, for checkpoints: the step count and
/// each state buffer (per parameter, in the optimizer's slot order).
public struct OptimizerState: Equatable, Sendable {
    public var kind: OptimizerKind
    public var stepCount: Int
    /// `slots[s][p]` is state buffer s (momentum, first moment, …) of parameter p.
    public var slots: [[[Float]]]
    public var slotNames: [String]
}

public protocol Optimizer: AnyObject {
    /// Hyperparameters. Changing them (other than `kind`) keeps the state: population
    /// based training perturbs a copied member's learning rate this way.
    var config: OptimizerConfig { get set }
    /// The learning rate of the next step; schedules set it from `config.learningRate`.
    var learningRate: Float { get set }
    var parameters: [Tensor] { get }
    /// Steps taken so far (Adam's bias correction depends on it).
    var stepCount: Int { get }

    /// Clips the gradients if configured, updates every parameter that has a gradient,
    /// and zeroes those gradients for the next backward pass.
    func step()

    func exportState() -> OptimizerState
    /// Restores state exported by an optimizer of the same kind over parameters of the
    /// same shapes (this one's, or another model's built from the same description).
    func importState(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Zeroes every gradient without updating (discarding a batch's gradients).
    public func zeroGradients() {
        for p in parameters { p.zeroGrad() }
    }
}

/// The per-parameter state buffers shared by the optimizer implementations: `slotCount`
/// zero-initialized buffers for each parameter, allocated once.
struct OptimizerSlots {
    let names: [String]
    /// buffers[s][p]
    var buffers: [[TensorBuffer]]

    init(names: [String], parameters: [Tensor]) {
        self.names = names
        buffers = names.map { _ in parameters.map { TensorBuffer(count: $0.count, zeroed: true) } }
    }

    func export(kind: OptimizerKind, stepCount: Int) -> OptimizerState {
        OptimizerState(kind: kind, stepCount: stepCount,
                       slots: buffers.map { $0.map { Array($0.buffer) } }, slotNames: names)
    }

    func importValues(_ state: OptimizerState, kind: OptimizerKind, parameters: [Tensor]) throws {
        guard state.kind == kind else {
            throw HoneNNError("optimizer state is for \(state.kind.rawValue), cannot restore it into \(kind.rawValue)")
        }
        guard state.slots.count == buffers.count else {
            throw HoneNNError("\(kind.rawValue) state has \(state.slots.count) buffers per parameter, expected \(buffers.count) (\(names.joined(separator: ", ")))")
        }
        for (s, slot) in state.slots.enumerated() {
            guard slot.count == parameters.count else {
                throw HoneNNError("\(kind.rawValue) state covers \(slot.count) parameters, this optimizer has \(parameters.count)")
            }
            for (p, values) in slot.enumerated() where values.count != parameters[p].count {
                throw HoneNNError("\(kind.rawValue) state '\(names[s])' of parameter \(p) has \(values.count) values, the parameter has \(parameters[p].count) (shape \(parameters[p].shape))")
            }
        }
        for (s, slot) in state.slots.enumerated() {
            for (p, values) in slot.enumerated() {
                values.withUnsafeBufferPointer { buffers[s][p].pointer.update(from: $0.baseAddress!, count: values.count) }
            }
        }
    }
}
