// RMSprop (Hinton's lecture 6e) in PyTorch's formulation, with coupled L2 weight decay
// and optional momentum:
//     d = g + λw;   s = αs + (1−α)d²;   u = d / (√s + ε)
//     with momentum: b = μb + u, w -= lr·b;   without: w -= lr·u

import HoneTensor

public final class RMSprop: Optimizer {
    public var config: OptimizerConfig
    public var learningRate: Float
    public let parameters: [Tensor]
    public private(set) var stepCount = 0
    private let slots: OptimizerSlots
    private let squareAverages: [UnsafeMutablePointer<Float>]
    private let momentumBuffers: [UnsafeMutablePointer<Float>]

    /// Throws `HoneNNError` when `config` is of another kind or has a value out of range
    /// (`OptimizerConfig.validate`).
    public init(parameters: [Tensor], config: OptimizerConfig) throws {
        guard config.kind == .rmsprop else {
            throw HoneNNError("RMSprop: config.kind must be .rmsprop, got .\(config.kind.rawValue)")
        }
        try config.validate()
        self.parameters = parameters
        self.config = config
        learningRate = config.learningRate
        slots = OptimizerSlots(names: ["square_avg", "momentum_buffer"], parameters: parameters)
        squareAverages = slots.buffers[0].map(\.pointer)
        momentumBuffers = slots.buffers[1].map(\.pointer)
    }

    public func step() {
        GradientClipping.apply(config, parameters)
        let lr = learningRate, alpha = config.alpha, oneMinusAlpha = 1 - config.alpha
        let eps = config.epsilon, decay = config.weightDecay, mu = config.momentum
        for index in 0..<parameters.count {
            let p = parameters[index]
            guard let grad = p.grad else { continue }
            let w = p.data, g = grad.pointer, s = squareAverages[index], b = momentumBuffers[index], n = p.count
            Lanes.forEachChunk(n) { i, k in
                let wv = Lanes.load(w, i, k)
                let d = Lanes.load(g, i, k) + decay * wv
                let sv = alpha * Lanes.load(s, i, k) + oneMinusAlpha * d * d
                Lanes.store(sv, s, i, k)
                let u = d / (Lanes.squareRoot(sv) + eps)
                if mu == 0 {
                    Lanes.store(wv - lr * u, w, i, k)
                } else {
                    let bv = mu * Lanes.load(b, i, k) + u
                    Lanes.store(bv, b, i, k)
                    Lanes.store(wv - lr * bv, w, i, k)
                }
                Lanes.store(.zero, g, i, k)
            }
        }
        stepCount += 1
    }

    public func exportState() -> OptimizerState { slots.export(kind: .rmsprop, stepCount: stepCount) }

    public func importState(_ state: OptimizerState) throws {
        try slots.importValues(state, kind: .rmsprop, parameters: parameters)
        stepCount = state.stepCount
    }
}
