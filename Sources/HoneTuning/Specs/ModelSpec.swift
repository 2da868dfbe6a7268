// The spec layer's model description: one reader of "what network" for every front end —
// hone_model_create's description_json (C, and Python through it) and Lua's hone.mlp { … } /
// hone.cnn { … } (converted to the same JSON) — with one spelling of every key, one set of
// defaults and one set of limits (the weight budget is the model builder's own).

import Foundation
import HoneNN
import HoneSearch
import HoneTensor

public enum ModelSpec {
    /// Keys Lua spelt otherwise before 0.3.0, accepted with a deprecation message.
    public static let oldSpellings = ["kernel": "kernel_size", "pool": "pool_size"]

    /// Reads {"kind": "mlp" | "cnn" | "ensemble", …} from `o` (marking the keys used; the
    /// caller checks that none is left). Returns the description and whether it classifies
    /// (a "task" key, else outputs ≥ 2).
    public static func read(_ o: AlgorithmOptions) throws -> (ModelDescription, classification: Bool) {
        func invalid(_ message: String) -> StudyError { .invalidArgument("\(o.context): \(message)") }
        guard let kind = try o.string("kind") else { throw invalid("\"kind\" is required (\"mlp\", \"cnn\" or \"ensemble\")") }
        if kind == "ensemble" { return try readEnsemble(o) }
        guard kind == "mlp" || kind == "cnn" else { throw invalid("unknown model kind '\(kind)' (expected \"mlp\", \"cnn\" or \"ensemble\")") }
        let hidden = try o.ints("hidden", min: 1) ?? []
        guard let outputs = try o.int("outputs", min: 1, max: 1 << 20) else {
            throw invalid("\"outputs\" is required (classes, or 1 for regression)")
        }
        let activation = try o.string("activation") ?? "relu"
        guard Activation(name: activation) != nil else {
            throw invalid("unknown activation '\(activation)' (known: \(Activation.names.joined(separator: ", ")))")
        }
        let dropout = try o.number("dropout", in: 0...0.99) ?? 0
        let batchNorm = try o.bool("batch_norm") ?? false
        let classification: Bool
        switch try o.string("task") {
        case nil: classification = outputs >= 2
        case "classification"?:
            guard outputs >= 2 else { throw invalid("classification needs \"outputs\" ≥ 2, got \(outputs)") }
            classification = true
        case "regression"?: classification = false
        case let t?: throw invalid("\"task\" must be \"classification\" or \"regression\", got \"\(t)\"")
        }
        switch kind {
        case "mlp":
            guard let inputs = try o.int("inputs", min: 1, max: 1 << 28) else {
                throw invalid("an mlp needs \"inputs\" (features per sample)")
            }
            let normalization: Normalization
            if let n = try o.string("normalization") {
                guard let parsed = Normalization(rawValue: n) else {
                    throw invalid("\"normalization\" must be one of \(Normalization.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(n)\"")
                }
                guard !(batchNorm && parsed != .batch) else { throw invalid("\"batch_norm\": true contradicts \"normalization\": \"\(n)\"") }
                normalization = parsed
            } else {
                normalization = batchNorm ? .batch : .none
            }
            return (.mlp(MLPDescription(inputCount: inputs, hiddenWidths: hidden, activation: activation, dropout: Float(dropout),
                                        normalization: normalization, outputCount: outputs)), classification)
        default:
            guard let shape = try o.ints("input_shape", min: 1, max: 1 << 14), shape.count == 3 else {
                throw invalid("a cnn needs \"input_shape\": [channels, height, width]")
            }
            let pooling: Pooling
            if let p = try o.string("pooling") {
                guard let parsed = Pooling(rawValue: p) else {
                    throw invalid("\"pooling\" must be one of \(Pooling.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(p)\"")
                }
                pooling = parsed
            } else { pooling = .max }
            return (.cnn(CNNDescription(inputShape: shape, convChannels: try o.ints("channels", min: 1, max: 1 << 14) ?? [],
                                        kernelSize: try o.int("kernel_size", min: 1, max: 15) ?? 3, pooling: pooling,
                                        poolSize: try o.int("pool_size", min: 1, max: 64) ?? 2, batchNorm: batchNorm,
                                        residual: try o.bool("residual") ?? false, activation: activation, hiddenWidths: hidden,
                                        dropout: Float(dropout), outputCount: outputs)), classification)
        }
    }

    /// {"kind": "ensemble", "members": [model specs…], "average": "log_probabilities" |
    /// "outputs"} (default: log-probabilities when the members classify, outputs when they
    /// regress). Members are mlp or cnn specs, read by the rules above; they must agree on
    /// the task (the builder checks their shapes).
    private static func readEnsemble(_ o: AlgorithmOptions) throws -> (ModelDescription, classification: Bool) {
        func invalid(_ message: String) -> StudyError { .invalidArgument("\(o.context): \(message)") }
        guard case .array(let items)? = o.raw("members"), (1...EnsembleDescription.maxMembers).contains(items.count) else {
            throw invalid("an ensemble needs \"members\": a list of 1 to \(EnsembleDescription.maxMembers) model specs")
        }
        var members: [ModelDescription] = []
        var tasks: Set<Bool> = []
        for (k, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw invalid("ensemble member \(k) must be an object (a model spec), got \(item.jsonText)") }
            guard fields["kind"] != .string("ensemble") else { throw invalid("ensemble member \(k): members are \"mlp\" or \"cnn\" models, not ensembles") }
            let member = AlgorithmOptions(fields, context: "\(o.context) member \(k)")
            let (description, classification) = try read(member)
            try member.checkAllUsed()
            members.append(description)
            tasks.insert(classification)
        }
        guard tasks.count == 1, let classification = tasks.first else {
            throw invalid("ensemble members must all classify or all regress")
        }
        var average: EnsembleAverage = classification ? .logProbabilities : .outputs
        if let name = try o.string("average") {
            guard let parsed = EnsembleAverage(rawValue: name) else {
                throw invalid("\"average\" must be one of \(EnsembleAverage.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
            }
            average = parsed
        }
        return (.ensemble(EnsembleDescription(members: members, average: average)), classification)
    }
}
