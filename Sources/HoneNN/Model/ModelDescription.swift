// Declarative model descriptions: what a hyperparameter search varies (widths, depth,
// activation, dropout, normalization, convolution channels) as plain Codable values.
// A description plus a seed builds the same network every time, and a description is
// stored in every saved model so the file alone can rebuild it.
//
// JSON form: {"kind": "mlp", "inputCount": 784, "hiddenWidths": [256, 128], …} or
// {"kind": "cnn", "inputShape": [1, 28, 28], "convChannels": [32, 64], …}; fields with
// defaults may be omitted.

import Foundation
import HoneTensor

/// Normalization inserted after each hidden dense (or convolution) layer, before its activation.
public enum Normalization: String, Codable, Equatable, Sendable, CaseIterable {
    case none, batch, layer
}

/// Down-sampling after each convolution block.
public enum Pooling: String, Codable, Equatable, Sendable, CaseIterable {
    case none, max, average
}

/// A multilayer perceptron: hidden dense layers with one activation, optional
/// normalization and dropout, then a linear output layer (logits or regression values).
public struct MLPDescription: Codable, Equatable, Sendable {
    public var inputCount: Int
    public var hiddenWidths: [Int]
    /// An activation name: relu, leaky_relu, elu, gelu, tanh, sigmoid, identity.
    public var activation: String
    /// Dropout probability after each hidden activation (0 = none).
    public var dropout: Float
    public var normalization: Normalization
    public var outputCount: Int

    public init(inputCount: Int, hiddenWidths: [Int], activation: String = "relu", dropout: Float = 0,
                normalization: Normalization = .none, outputCount: Int) {
        self.inputCount = inputCount
        self.hiddenWidths = hiddenWidths
        self.activation = activation
        self.dropout = dropout
        self.normalization = normalization
        self.outputCount = outputCount
    }

    enum CodingKeys: String, CodingKey { case inputCount, hiddenWidths, activation, dropout, normalization, outputCount }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputCount = try c.decode(Int.self, forKey: .inputCount)
        hiddenWidths = try c.decodeIfPresent([Int].self, forKey: .hiddenWidths) ?? []
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? "relu"
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
        normalization = try c.decodeIfPresent(Normalization.self, forKey: .normalization) ?? .none
        outputCount = try c.decode(Int.self, forKey: .outputCount)
    }
}

/// A small convolutional network: blocks of conv (k×k, "same" padding for odd k) →
/// optional batch norm → activation → optional pooling, then flatten and a dense head
/// (hidden widths with dropout) ending in a linear output layer. With `residual`, each
/// block is a residual block instead (two k×k convolutions with the identity or a 1×1
/// projection as shortcut, see `ResidualBlock`), followed by the same pooling.
public struct CNNDescription: Codable, Equatable, Sendable {
    /// One sample as [channels, height, width].
    public var inputShape: [Int]
    /// Output channels of each convolution block.
    public var convChannels: [Int]
    public var kernelSize: Int
    public var pooling: Pooling
    /// Pooling window and stride.
    public var poolSize: Int
    public var batchNorm: Bool
    /// Residual blocks (two convolutions and a shortcut) instead of single convolutions.
    public var residual: Bool
    public var activation: String
    /// Hidden dense widths after the convolutions.
    public var hiddenWidths: [Int]
    /// Dropout probability after each hidden dense layer of the head.
    public var dropout: Float
    public var outputCount: Int

    public init(inputShape: [Int], convChannels: [Int], kernelSize: Int = 3, pooling: Pooling = .max, poolSize: Int = 2,
                batchNorm: Bool = false, residual: Bool = false, activation: String = "relu", hiddenWidths: [Int] = [],
                dropout: Float = 0, outputCount: Int) {
        self.inputShape = inputShape
        self.convChannels = convChannels
        self.kernelSize = kernelSize
        self.pooling = pooling
        self.poolSize = poolSize
        self.batchNorm = batchNorm
        self.residual = residual
        self.activation = activation
        self.hiddenWidths = hiddenWidths
        self.dropout = dropout
        self.outputCount = outputCount
    }

    enum CodingKeys: String, CodingKey {
        case inputShape, convChannels, kernelSize, pooling, poolSize, batchNorm, residual, activation, hiddenWidths, dropout, outputCount
    }

    /// Writes `residual` only when set, so descriptions of plain CNNs (and the files that
    /// store them) read as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputShape, forKey: .inputShape)
        try c.encode(convChannels, forKey: .convChannels)
        try c.encode(kernelSize, forKey: .kernelSize)
        try c.encode(pooling, forKey: .pooling)
        try c.encode(poolSize, forKey: .poolSize)
        try c.encode(batchNorm, forKey: .batchNorm)
        if residual { try c.encode(residual, forKey: .residual) }
        try c.encode(activation, forKey: .activation)
        try c.encode(hiddenWidths, forKey: .hiddenWidths)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(outputCount, forKey: .outputCount)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputShape = try c.decode([Int].self, forKey: .inputShape)
        convChannels = try c.decode([Int].self, forKey: .convChannels)
        kernelSize = try c.decodeIfPresent(Int.self, forKey: .kernelSize) ?? 3
        pooling = try c.decodeIfPresent(Pooling.self, forKey: .pooling) ?? .max
        poolSize = try c.decodeIfPresent(Int.self, forKey: .poolSize) ?? 2
        batchNorm = try c.decodeIfPresent(Bool.self, forKey: .batchNorm) ?? false
        residual = try c.decodeIfPresent(Bool.self, forKey: .residual) ?? false
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? "relu"
        hiddenWidths = try c.decodeIfPresent([Int].self, forKey: .hiddenWidths) ?? []
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
        outputCount = try c.decode(Int.self, forKey: .outputCount)
    }
}

public enum ModelDescription: Equatable, Sendable {
    case mlp(MLPDescription)
    case cnn(CNNDescription)
    /// Several networks over the same input, outputs averaged (EnsembleDescription.swift).
    case ensemble(EnsembleDescription)

    /// Shape of one input sample.
    public var inputShape: [Int] {
        switch self {
        case .mlp(let d): return [d.inputCount]
        case .cnn(let d): return d.inputShape
        case .ensemble(let d): return d.inputShape
        }
    }

    public var outputCount: Int {
        switch self {
        case .mlp(let d): return d.outputCount
        case .cnn(let d): return d.outputCount
        case .ensemble(let d): return d.outputCount
        }
    }

    /// Builds the network with weights drawn from `seed` (layer i from its own derived
    /// stream, so adding a layer does not change the others' initial weights).
    public func build(seed: UInt64) throws -> Sequential {
        switch self {
        case .mlp(let d): return try d.build(seed: seed, description: self)
        case .cnn(let d): return try d.build(seed: seed, description: self)
        case .ensemble(let d): return try d.build(seed: seed, description: self)
        }
    }

    /// Compact JSON with sorted keys (stable across runs, so it can be compared and stored).
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A description not yet built may hold a non-finite dropout (Lua's
        // `hone.mlp { dropout = 1e300 }.json`): written as a string ("inf"), which reading
        // it back refuses, so encoding plain structs of numbers and strings cannot fail.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(ModelDescription.self, from: Data(json.utf8))
        } catch let error as HoneNNError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw HoneNNError("model description: missing field '\(key.stringValue)' in \(json)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw HoneNNError("model description: field '\(path)': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw HoneNNError("model description: \(path.isEmpty ? "" : "field '\(path)': ")\(context.debugDescription)")
        } catch {
            throw HoneNNError("model description: \(error)")
        }
    }
}

extension ModelDescription: Codable {
    private enum KindKey: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        let kind = try decoder.container(keyedBy: KindKey.self).decode(String.self, forKey: .kind)
        switch kind {
        case "mlp": self = .mlp(try MLPDescription(from: decoder))
        case "cnn": self = .cnn(try CNNDescription(from: decoder))
        case "ensemble": self = .ensemble(try EnsembleDescription(from: decoder))
        default: throw HoneNNError("model description: unknown kind '\(kind)' (expected \"mlp\", \"cnn\" or \"ensemble\")")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        switch self {
        case .mlp(let d):
            try container.encode("mlp", forKey: .kind)
            try d.encode(to: encoder)
        case .cnn(let d):
            try container.encode("cnn", forKey: .kind)
            try d.encode(to: encoder)
        case .ensemble(let d):
            try container.encode("ensemble", forKey: .kind)
            try d.encode(to: encoder)
        }
    }
}

// MARK: Building

/// Parses an activation name or throws an error listing the valid ones.
func parseActivation(_ name: String) throws -> Activation {
    guard let activation = Activation(name: name) else {
        throw HoneNNError("unknown activation '\(name)' (expected one of: \(Activation.names.joined(separator: ", ")))")
    }
    return activation
}

private func checkPositive(_ values: [Int], _ what: String) throws {
    if let bad = values.first(where: { $0 <= 0 }) {
        throw HoneNNError("\(what) must be positive, got \(bad) in \(values)")
    }
}

private func checkDropout(_ p: Float) throws {
    guard p >= 0, p < 1 else { throw HoneNNError("dropout must be in [0, 1), got \(p)") }
}

/// Adds up a model's weights before any is allocated, refusing more than
/// `HoneNNError.maxWeights` in all (a description read from a file or from C may ask for
/// any size; products of sizes are checked for overflow).
private struct WeightBudget {
    var total = 0
    mutating func add(_ dims: [Int], _ what: String) throws {
        let n = try HoneNNError.weightCount(dims, what)
        let (sum, overflow) = total.addingReportingOverflow(n)
        guard !overflow, sum <= HoneNNError.maxWeights else {
            throw HoneNNError("model description: the model would have more than \(HoneNNError.maxWeights) weights")
        }
        total = sum
    }
    /// The dense chain inputCount → widths… → outputCount.
    mutating func addDense(_ inputCount: Int, _ widths: [Int], _ outputCount: Int) throws {
        var width = inputCount
        for w in widths + [outputCount] { try add([width, w], "dense layer \(width)→\(w)"); try add([w], "bias"); width = w }
    }
}

/// Hands out per-layer generators derived from one seed.
private struct LayerSeeds {
    let seed: UInt64
    var next: UInt64 = 0
    mutating func generator() -> RandomGenerator {
        defer { next += 1 }
        return RandomGenerator.derived(seed: seed, next)
    }
}

/// Appends hidden dense layers: Dense → (norm → activation | fused activation) → dropout.
private func appendHiddenDense(to layers: inout [Layer], inputCount: Int, widths: [Int], activation: Activation,
                               normalization: Normalization, dropout: Float, seeds: inout LayerSeeds) throws -> Int {
    var width = inputCount
    for hidden in widths {
        var rng = seeds.generator()
        if normalization == .none {
            layers.append(try Dense(inputCount: width, outputCount: hidden, activation: activation, rng: &rng))
        } else {
            layers.append(try Dense(inputCount: width, outputCount: hidden, activation: .identity,
                                    initialization: .suited(to: activation), rng: &rng))
            layers.append(normalization == .batch ? try BatchNorm(channelCount: hidden) : try LayerNorm(featureCount: hidden))
            if activation != .identity { layers.append(ActivationLayer(activation)) }
        }
        if dropout > 0 { layers.append(try Dropout(probability: dropout)) }
        width = hidden
    }
    return width
}

extension MLPDescription {
    func build(seed: UInt64, description: ModelDescription) throws -> Sequential {
        try checkPositive([inputCount], "inputCount")
        try checkPositive([outputCount], "outputCount")
        try checkPositive(hiddenWidths, "hidden widths")
        try checkDropout(dropout)
        let activation = try parseActivation(self.activation)
        var budget = WeightBudget()
        try budget.addDense(inputCount, hiddenWidths, outputCount)
        var seeds = LayerSeeds(seed: seed)
        var layers: [Layer] = []
        let width = try appendHiddenDense(to: &layers, inputCount: inputCount, widths: hiddenWidths, activation: activation,
                                      normalization: normalization, dropout: dropout, seeds: &seeds)
        var rng = seeds.generator()
        layers.append(try Dense(inputCount: width, outputCount: outputCount, activation: .identity, rng: &rng))
        return try Sequential(inputShape: [inputCount], layers: layers, modelDescription: description)
    }
}

extension CNNDescription {
    func build(seed: UInt64, description: ModelDescription) throws -> Sequential {
        guard inputShape.count == 3 else {
            throw HoneNNError("cnn inputShape must be [channels, height, width], got \(inputShape)")
        }
        try checkPositive(inputShape, "cnn inputShape")
        try checkPositive(convChannels, "convChannels")
        try checkPositive([kernelSize, poolSize, outputCount], "kernelSize, poolSize and outputCount")
        try checkPositive(hiddenWidths, "hidden widths")
        try checkDropout(dropout)
        let activation = try parseActivation(self.activation)
        // Sizes first (each product overflow-checked), so the shape arithmetic below
        // works on sizes that fit.
        _ = try HoneNNError.weightCount(inputShape, "cnn inputShape")
        var budget = WeightBudget()
        var c = inputShape[0]
        if residual && kernelSize % 2 == 0 {
            throw HoneNNError("cnn: residual blocks need an odd kernelSize (the shortcut sum needs \"same\" padding), got \(kernelSize)")
        }
        for out in convChannels {
            try budget.add([out, c, kernelSize, kernelSize], "convolution \(c)→\(out)")
            if residual {
                try budget.add([out, out, kernelSize, kernelSize], "convolution \(out)→\(out)")
                if c != out { try budget.add([out, c], "shortcut projection \(c)→\(out)") }
            }
            c = out
        }
        var seeds = LayerSeeds(seed: seed)
        var layers: [Layer] = []
        var channels = inputShape[0]
        for out in convChannels {
            var rng = seeds.generator()
            if residual {
                layers.append(try ResidualBlock(inputChannels: channels, outputChannels: out, kernelSize: kernelSize,
                                                batchNorm: batchNorm, activation: activation, rng: &rng))
            } else {
                // A bias before batch norm is cancelled by its mean subtraction.
                layers.append(try Conv2D(inputChannels: channels, outputChannels: out, kernelSize: kernelSize,
                                         padding: kernelSize / 2, useBias: !batchNorm,
                                         initialization: .suited(to: activation), rng: &rng))
                if batchNorm { layers.append(try BatchNorm(channelCount: out)) }
                if activation != .identity { layers.append(ActivationLayer(activation)) }
            }
            switch pooling {
            case .none: break
            case .max: layers.append(try MaxPool2D(kernelSize: poolSize))
            case .average: layers.append(try AvgPool2D(kernelSize: poolSize))
            }
            channels = out
        }
        layers.append(Flatten())
        // The flattened width, found by running the shape arithmetic of the layers so far.
        let features = try Sequential(inputShape: inputShape, layers: layers).outputCount
        try budget.addDense(features, hiddenWidths, outputCount)
        let width = try appendHiddenDense(to: &layers, inputCount: features, widths: hiddenWidths, activation: activation,
                                      normalization: .none, dropout: dropout, seeds: &seeds)
        var rng = seeds.generator()
        layers.append(try Dense(inputCount: width, outputCount: outputCount, activation: .identity, rng: &rng))
        return try Sequential(inputShape: inputShape, layers: layers, modelDescription: description)
    }
}
