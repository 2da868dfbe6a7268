// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay. The weights shrink
// by lr·λ each step directly, outside the adaptive update, instead of λw being added to
// the gradient where Adam's denominator would rescale it (weakening the decay exactly
// for the weights with large gradients). Same fused kernel as Adam.

import HoneTensor

public final class AdamW: Optimizer {
    public var config: OptimizerConfig
    public var learningRate: Float
    public let parameters: [Tensor]
    public private(set) var stepCount = 0
    private let slots: OptimizerSlots
    private let firstMoments: [UnsafeMutablePointer<Float>]
    private let secondMoments: [UnsafeMutablePointer<Float>]

    public init(parameters: [Tensor], config: OptimizerConfig) {
        precondition(config.kind == .adamw, "AdamW built from a \(config.kind) config")
        self.parameters = parameters
        self.config = config
        learningRate = config.learningRate
        slots = OptimizerSlots(names: ["exp_avg", "exp_avg_sq"], parameters: parameters)
        firstMoments = slots.buffers[0].map(\.pointer)
        secondMoments = slots.buffers[1].map(\.pointer)
    }

    public func step() {
        GradientClipping.apply(config, parameters)
        stepCount += 1
        AdamKernel.step(parameters: parameters, firstMoments: firstMoments, secondMoments: secondMoments, config: config,
                        learningRate: learningRate, stepNumber: stepCount, coupledDecay: 0, decoupledDecay: config.weightDecay)
    }

    public func exportState() -> OptimizerState { slots.export(kind: .adamw, stepCount: stepCount) }

    public func importState(_ state: OptimizerState) throws {
        try slots.importValues(state, kind: .adamw, parameters: parameters)
        stepCount = state.stepCount
    }
}
