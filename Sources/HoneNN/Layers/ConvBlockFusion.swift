// Where a convolution meets the layers after it — [batch norm] → [activation] → [2×2 max
// pooling], as CNN descriptions build them — a model runs the run as one HoneTensor
// `convBlock` op (one forward and one backward kernel that keep the convolution's output
// in cache; see Ops/ConvBlock.swift). The layers themselves stay as they are, so names,
// state, saving and summaries do not change; only the forward path does.

import Foundation
import HoneTensor

/// A convolution and the layers fused into it.
struct FusedConvBlock {
    let conv: Conv2D
    let norm: BatchNorm?
    let activation: Activation?
    let maxPool2x2: Bool
    /// How many layers of the model it stands for.
    let layerCount: Int

    /// The fusable run starting at layers[start], if a convolution starts there and at
    /// least one layer after it can be fused.
    static func match(_ layers: [Layer], at start: Int) -> FusedConvBlock? {
        guard let conv = layers[start] as? Conv2D else { return nil }
        var next = start + 1
        func take<T>(_ type: T.Type, where condition: (T) -> Bool) -> T? {
            guard next < layers.count, let layer = layers[next] as? T, condition(layer) else { return nil }
            next += 1
            return layer
        }
        // A bias before batch norm is cancelled by it; descriptions never build one, and
        // the block does not take one.
        let norm = conv.bias == nil ? take(BatchNorm.self) { _ in true } : nil
        let activation = take(ActivationLayer.self) { _ in true }?.activation
        let pool = take(MaxPool2D.self) { $0.kernelSize == 2 && $0.stride == 2 } != nil
        guard next > start + 1 else { return nil }
        return FusedConvBlock(conv: conv, norm: norm, activation: activation, maxPool2x2: pool, layerCount: next - start)
    }

    func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        let normalization = norm.map {
            ConvBlockNormalization(gamma: $0.gamma, beta: $0.beta, runningMean: $0.runningMean, runningVar: $0.runningVariance,
                                   momentum: $0.momentum, eps: $0.epsilon, training: context.training)
        }
        return x.convBlock(weight: conv.weight, bias: conv.bias, stride: conv.stride, padding: conv.padding,
                           normalization: normalization, activation: activation ?? .identity, maxPool2x2: maxPool2x2)
    }
}

/// One step of a model's forward path: a layer, or a run of layers fused into one op.
enum ForwardStep {
    case layer(Layer)
    case convBlock(FusedConvBlock)

    /// Whether runs are fused: HONE_FUSE_CONV=0 in the environment turns it off, to compare
    /// the fused path with the separate ops (benchmarks, debugging).
    static let fusesConvBlocks = ProcessInfo.processInfo.environment["HONE_FUSE_CONV"] != "0"

    /// The steps for `layers`, fusing every fusable run (unless `fuse` is false).
    static func plan(_ layers: [Layer], fuse: Bool = fusesConvBlocks) -> [ForwardStep] {
        var steps: [ForwardStep] = []
        var i = 0
        while i < layers.count {
            if fuse, let block = FusedConvBlock.match(layers, at: i) {
                steps.append(.convBlock(block))
                i += block.layerCount
            } else {
                steps.append(.layer(layers[i]))
                i += 1
            }
        }
        return steps
    }
}
