// Stochastic gradient descent with optional momentum, Nesterov momentum and coupled L2
// weight decay, in PyTorch's formulation (dampening 0):
//     d = g + λw;   b = μb + d;   w -= lr · (nesterov ? d + μb : b)
// (without momentum, w -= lr · d). The momentum buffer starts at zero, which makes the
// first step b = d, exactly as PyTorch initializes it.

import HoneTensor

public final class SGD: Optimizer {
    public var config: OptimizerConfig
    public var learningRate: Float
    public let parameters: [Tensor]
    public private(set) var stepCount = 0
    private let slots: OptimizerSlots
    /// One momentum buffer per parameter (kept even at momentum 0, so a later change of
    /// momentum, or a restored checkpoint, has somewhere to live).
    private let momentumBuffers: [UnsafeMutablePointer<Float>]

    /// Throws `HoneNNError` when `config` is of another kind or has a value out of range
    /// (`OptimizerConfig.validate`).
    public init(parameters: [Tensor], config: OptimizerConfig) throws {
        guard config.kind == .sgd else {
            throw HoneNNError("SGD: config.kind must be .sgd, got .\(config.kind.rawValue)")
        }
        try config.validate()
        self.parameters = parameters
        self.config = config
        learningRate = config.learningRate
        slots = OptimizerSlots(names: ["momentum_buffer"], parameters: parameters)
        momentumBuffers = slots.buffers[0].map(\.pointer)
    }

    public func step() {
        GradientClipping.apply(config, parameters)
        let lr = learningRate, mu = config.momentum, decay = config.weightDecay, nesterov = config.nesterov
        for index in 0..<parameters.count {
            let p = parameters[index]
            guard let grad = p.grad else { continue }
            let w = p.data, g = grad.pointer, b = momentumBuffers[index], n = p.count
            if mu == 0 {
                Lanes.forEachChunk(n) { i, k in
                    let wv = Lanes.load(w, i, k)
                    let d = Lanes.load(g, i, k) + decay * wv
                    Lanes.store(wv - lr * d, w, i, k)
                    Lanes.store(.zero, g, i, k)
                }
            } else {
                Lanes.forEachChunk(n) { i, k in
                    let wv = Lanes.load(w, i, k)
                    let d = Lanes.load(g, i, k) + decay * wv
                    let m = mu * Lanes.load(b, i, k) + d
                    Lanes.store(m, b, i, k)
                    Lanes.store(wv - lr * (nesterov ? d + mu * m : m), w, i, k)
                    Lanes.store(.zero, g, i, k)
                }
            }
        }
        stepCount += 1
    }

    public func exportState() -> OptimizerState { slots.export(kind: .sgd, stepCount: stepCount) }

    public func importState(_ state: OptimizerState) throws {
        try slots.importValues(state, kind: .sgd, parameters: parameters)
        stepCount = state.stepCount
    }
}
