// A model is a chain of layers applied in order. The parameter list and the named state
// are computed once at construction, so a training step touches no arrays or strings
// beyond the layers themselves.

import HoneTensor

public final class Sequential {
    public let layers: [Layer]
    /// Shape of one input sample (no batch axis), e.g. [784] or [1, 28, 28].
    public let inputShape: [Int]
    /// Shape of one output sample, e.g. [10].
    public let outputShape: [Int]
    /// The description this model was built from, if any; saved with the weights so a
    /// file can rebuild its model.
    public let modelDescription: ModelDescription?
    /// Every trainable tensor, layer by layer, in a fixed order (optimizer state follows it).
    public let parameters: [Tensor]
    /// Every tensor defining the model, named "<layer index>.<local name>" as in a
    /// PyTorch nn.Sequential state dict ("0.weight", "1.running_mean", …).
    public let state: [NamedTensor]
    /// Whether a batch norm layer sees [N, C] batches (no spatial axes), where it needs at
    /// least two samples per batch to compute a variance.
    let hasVectorBatchNorm: Bool
    /// The forward path: the layers, with convolution blocks fused (ConvBlockFusion.swift).
    let steps: [ForwardStep]

    /// Checks that each layer accepts the previous layer's output shape.
    public init(inputShape: [Int], layers: [Layer], modelDescription: ModelDescription? = nil) throws {
        var shape = inputShape
        var vectorBatchNorm = false
        for (index, layer) in layers.enumerated() {
            if layer is BatchNorm && shape.count == 1 { vectorBatchNorm = true }
            if let ensemble = layer as? Ensemble, ensemble.members.contains(where: \.hasVectorBatchNorm) { vectorBatchNorm = true }
            do {
                shape = try layer.outputShape(for: shape)
            } catch let error as HoneNNError {
                throw HoneNNError("layer \(index) (\(layer.kind)): \(error.message)")
            }
        }
        self.layers = layers
        self.inputShape = inputShape
        self.outputShape = shape
        self.modelDescription = modelDescription
        hasVectorBatchNorm = vectorBatchNorm
        steps = ForwardStep.plan(layers)
        parameters = layers.flatMap(\.parameters)
        state = layers.enumerated().flatMap { index, layer in
            layer.state.map { NamedTensor("\(index).\($0.name)", $0.tensor) }
        }
    }

    /// Values per input sample.
    public var inputCount: Int { inputShape.reduce(1, *) }
    /// Values per output sample.
    public var outputCount: Int { outputShape.reduce(1, *) }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Runs a batch through every layer. Records the graph when gradients are enabled.
    @inline(__always)
    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        var h = x
        for step in steps {
            switch step {
            case .layer(let layer): h = layer.forward(h, context: &context)
            case .convBlock(let block): h = block.forward(h, context: &context)
            }
        }
        return h
    }

    /// Evaluation-mode outputs for a batch [N, inputShape…], without recording a graph.
    public func predict(_ x: Tensor) -> Tensor {
        GradMode.withoutGrad {
            var context = ForwardContext.evaluation
            return forward(x, context: &context)
        }
    }

    /// One line per layer with its output shape and parameter count.
    public func summary() -> String {
        var lines = ["input \(inputShape)"]
        var shape = inputShape
        for (index, layer) in layers.enumerated() {
            shape = (try? layer.outputShape(for: shape)) ?? shape
            let count = layer.parameters.reduce(0) { $0 + $1.count }
            lines.append("\(index) \(layer.kind) → \(shape)" + (count > 0 ? "  (\(count) parameters)" : ""))
        }
        lines.append("total \(parameterCount) parameters")
        return lines.joined(separator: "\n")
    }
}
