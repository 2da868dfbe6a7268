// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), one class told apart by
// the config's kind. Adam's weight decay is coupled L2: the gradient gets λw added before
// the moment estimates, as in PyTorch's Adam(weight_decay=λ). AdamW decouples it: the
// weights shrink by lr·λ each step directly, outside the adaptive update, instead of λw
// being rescaled by Adam's denominator (which weakens the decay exactly for the weights
// with large gradients). The update kernel is one fused pass per parameter:
//     d = g + λ_L2·w;  m = β₁m + (1−β₁)d;  v = β₂v + (1−β₂)d²
//     w = w·(1 − lr·λ_decoupled) − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε);  g = 0

import Foundation
import HoneTensor

enum AdamKernel {
    /// One Adam(W) step over every parameter that has a gradient.
    static func step(parameters: [Tensor], firstMoments: [UnsafeMutablePointer<Float>],
                     secondMoments: [UnsafeMutablePointer<Float>], config: OptimizerConfig, learningRate: Float,
                     stepNumber t: Int, coupledDecay: Float, decoupledDecay: Float) {
        let b1 = config.beta1, b2 = config.beta2, eps = config.epsilon
        // Bias corrections in Double: β₂ᵗ for large t loses precision in Float.
        let correction1 = 1 - pow(Double(b1), Double(t))
        let correction2 = 1 - pow(Double(b2), Double(t))
        let stepSize = Float(Double(learningRate) / correction1)
        let inverseRootCorrection2 = Float(1 / correction2.squareRoot())
        let shrink = 1 - learningRate * decoupledDecay
        for index in 0..<parameters.count {
            let p = parameters[index]
            guard let grad = p.grad else { continue }
            // HoneKernels' adam.c: the same formula, 8 or 16 lanes wide where the CPU allows.
            CKernels.adamStep(weights: p.data, gradients: grad.pointer, firstMoments: firstMoments[index],
                                        secondMoments: secondMoments[index], count: p.count, beta1: b1, beta2: b2,
                                        coupledDecay: coupledDecay, shrink: shrink, stepSize: stepSize,
                                        inverseRootCorrection2: inverseRootCorrection2, epsilon: eps)
        }
    }
}

public final class Adam: Optimizer {
    public var config: OptimizerConfig
    public var learningRate: Float
    public let parameters: [Tensor]
    public private(set) var stepCount = 0
    private let slots: OptimizerSlots
    private let firstMoments: [UnsafeMutablePointer<Float>]
    private let secondMoments: [UnsafeMutablePointer<Float>]

    /// Throws `HoneNNError` when `config` is of another kind or has a value out of range
    /// (`OptimizerConfig.validate`).
    public init(parameters: [Tensor], config: OptimizerConfig) throws {
        guard config.kind == .adam || config.kind == .adamw else {
            throw HoneNNError("Adam: config.kind must be .adam or .adamw, got .\(config.kind.rawValue)")
        }
        try config.validate()
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
                        learningRate: learningRate, stepNumber: stepCount,
                        coupledDecay: config.kind == .adamw ? 0 : config.weightDecay,
                        decoupledDecay: config.kind == .adamw ? config.weightDecay : 0)
    }

    public func exportState() -> OptimizerState { slots.export(kind: config.kind, stepCount: stepCount) }

    public func importState(_ state: OptimizerState) throws {
        try slots.importValues(state, kind: config.kind, parameters: parameters)
        stepCount = state.stepCount
    }
}
