// An ensemble: several networks over the same input, their outputs averaged. AutoML
// trains the best few configurations of a search separately and joins them here, so the
// result is one model — one file, one handle, one `predict` — for every front end.
//
// Classification members are averaged in log-probability space (the mean of each
// member's log-softmax): the result is the logits of the normalized geometric mean of
// the members' probabilities. Averaging raw logits instead would let a member trained
// with sharper logits (no label smoothing) outvote the others. Regression members'
// outputs are averaged as they are.
//
// Members may read the same input in different shapes of the same size — an MLP takes an
// image as 784 values, a CNN as [1, 28, 28] — so each member gets the batch in its own shape.

import HoneTensor

/// How an ensemble combines its members' outputs.
public enum EnsembleAverage: String, Codable, Equatable, Sendable, CaseIterable {
    /// Mean of the members' log-softmax (classification; the outputs stay logits).
    case logProbabilities = "log_probabilities"
    /// Mean of the members' outputs (regression).
    case outputs
}

public final class Ensemble: Layer {
    public let members: [Sequential]
    public let average: EnsembleAverage

    /// Members must share their input size (the ensemble takes member 0's input shape) and
    /// their output shape.
    public init(members: [Sequential], average: EnsembleAverage) throws {
        guard let first = members.first else { throw HoneNNError("ensemble: needs at least one member") }
        for (k, member) in members.enumerated() where member.inputCount != first.inputCount || member.outputShape != first.outputShape {
            throw HoneNNError("ensemble: member \(k) maps \(member.inputShape) → \(member.outputShape), member 0 maps \(first.inputShape) → \(first.outputShape)")
        }
        guard first.outputShape.count == 1 else {
            throw HoneNNError("ensemble: members must end in a vector of outputs, got shape \(first.outputShape)")
        }
        self.members = members
        self.average = average
    }

    public var kind: String { "ensemble(\(members.count) members, mean of \(average == .outputs ? "outputs" : "log-probabilities"))" }

    public func forward(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        var total: Tensor?
        for member in members {
            let input = Array(x.shape.dropFirst()) == member.inputShape ? x : x.reshaped([x.shape[0]] + member.inputShape)
            var out = member.forward(input, context: &context)
            if average == .logProbabilities { out = out.logSoftmax(axis: -1) }
            total = total.map { $0 + out } ?? out
        }
        return members.count == 1 ? total! : total!.scaled(by: 1 / Float(members.count))
    }

    public var parameters: [Tensor] { members.flatMap(\.parameters) }

    /// "<member>.<the member's own name>": "1.0.weight" is member 1's first layer's weight.
    public var state: [NamedTensor] {
        members.enumerated().flatMap { k, member in member.state.map { NamedTensor("\(k).\($0.name)", $0.tensor) } }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape == members[0].inputShape else {
            throw HoneNNError("ensemble: input shape \(inputShape) differs from its members' \(members[0].inputShape)")
        }
        return members[0].outputShape
    }
}
