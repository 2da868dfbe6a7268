// The description of an ensemble (Layers/Ensemble.swift): the members' own descriptions
// and how their outputs are averaged. JSON form:
// {"kind": "ensemble", "average": "log_probabilities", "members": [{"kind": "cnn", …}, …]}.
// Members are MLPs or CNNs; an ensemble of ensembles is refused while reading, before
// anything nested is decoded, so a hostile description cannot recurse deeply.

import Foundation
import HoneTensor

public struct EnsembleDescription: Codable, Equatable, Sendable {
    public var members: [ModelDescription]
    public var average: EnsembleAverage

    /// At most this many members (each within the one-model weight limit, and all of them
    /// together too).
    public static let maxMembers = 32

    public init(members: [ModelDescription], average: EnsembleAverage) {
        self.members = members
        self.average = average
    }

    enum CodingKeys: String, CodingKey { case members, average }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        members = try c.decode([Member].self, forKey: .members).map(\.description)
        average = try c.decodeIfPresent(EnsembleAverage.self, forKey: .average) ?? .logProbabilities
    }

    /// Reads one member, refusing a nested ensemble by its kind alone.
    private struct Member: Decodable {
        let description: ModelDescription
        private enum KindKey: String, CodingKey { case kind }
        init(from decoder: Decoder) throws {
            let kind = try decoder.container(keyedBy: KindKey.self).decode(String.self, forKey: .kind)
            guard kind != "ensemble" else {
                throw HoneNNError("model description: an ensemble's members are \"mlp\" or \"cnn\" networks, not ensembles")
            }
            description = try ModelDescription(from: decoder)
        }
    }

    var inputShape: [Int] { members.first?.inputShape ?? [] }
    var outputCount: Int { members.first?.outputCount ?? 0 }

    /// Member k draws its weights from its own stream derived from `seed`.
    func build(seed: UInt64, description: ModelDescription) throws -> Sequential {
        guard !members.isEmpty, members.count <= Self.maxMembers else {
            throw HoneNNError("ensemble: needs 1 to \(Self.maxMembers) members, got \(members.count)")
        }
        var built: [Sequential] = []
        var weights = 0
        for (k, member) in members.enumerated() {
            if case .ensemble = member { throw HoneNNError("ensemble: member \(k) is an ensemble; members are mlp or cnn networks") }
            var rng = RandomGenerator.derived(seed: seed, UInt64(k))
            let model: Sequential
            do {
                model = try member.build(seed: rng.next())
            } catch let error as HoneNNError {
                throw HoneNNError("ensemble member \(k): \(error.message)")
            }
            weights += model.parameterCount
            guard weights <= HoneNNError.maxWeights else {
                throw HoneNNError("model description: the ensemble would have more than \(HoneNNError.maxWeights) weights")
            }
            built.append(model)
        }
        return try Sequential(joining: built, average: average, description: description)
    }
}

extension Sequential {
    /// A model whose one layer averages `members` (already trained or freshly built).
    /// Its description is the members' descriptions, when they all have one.
    public convenience init(ensembleOf members: [Sequential], average: EnsembleAverage) throws {
        let descriptions = members.compactMap(\.modelDescription)
        let description = descriptions.count == members.count
            ? ModelDescription.ensemble(EnsembleDescription(members: descriptions, average: average)) : nil
        try self.init(joining: members, average: average, description: description)
    }

    convenience init(joining members: [Sequential], average: EnsembleAverage, description: ModelDescription?) throws {
        let ensemble = try Ensemble(members: members, average: average)
        try self.init(inputShape: members[0].inputShape, layers: [ensemble], modelDescription: description)
    }
}
