// Fine-tuning: a trial's (or a run's) network starts from the weights of a saved model
// instead of a random initialization. The saved file must come from the same
// architecture; when it does not, the error names the first tensor that differs, in the
// model's layer order, which is where a user looks to see which layer they changed.

import Foundation
import HoneData
import HoneNN

/// Why saved weights cannot initialize a model.
public struct WeightInitializationError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable, Sendable {
        /// The tensor exists in both with different shapes.
        case shapeMismatch(fileShape: [Int], modelShape: [Int])
        /// The model has the tensor, the file does not.
        case missingInFile(modelShape: [Int])
        /// The file has a tensor the model does not.
        case notInModel(fileShape: [Int])
    }

    /// The file the weights came from.
    public var path: String
    /// The first tensor (in the model's order, then the file's) that does not match.
    public var tensor: String
    public var problem: Problem
    /// How many tensors do not match in all.
    public var mismatchCount: Int

    public var description: String {
        let what: String
        switch problem {
        case let .shapeMismatch(file, model):
            what = "tensor '\(tensor)' has shape \(file) in the file but \(model) in the model"
        case let .missingInFile(model):
            what = "tensor '\(tensor)' (shape \(model) in the model) is not in the file"
        case let .notInModel(file):
            what = "tensor '\(tensor)' (shape \(file) in the file) is not part of the model"
        }
        let more = mismatchCount > 1 ? " (and \(mismatchCount - 1) more mismatch\(mismatchCount == 2 ? "" : "es"))" : ""
        return "\(path): cannot initialize the model from these weights: \(what)\(more); the saved model must have the same architecture"
    }
}

extension Sequential {
    /// Overwrites every weight (and batch-norm statistic) of this model with the tensors
    /// of a `.safetensors` file saved from a model of the same shapes, for fine-tuning.
    /// Nothing changes unless every tensor matches; otherwise throws
    /// `WeightInitializationError` naming the first tensor that differs.
    public func initializeWeights(fromFile path: String) throws {
        let contents: SafetensorsContents
        do {
            contents = try Safetensors.read(path)
        } catch {
            throw TuningError.invalidArgument("initial weights: \(error)")
        }
        try initializeWeights(from: contents.entries, source: path)
    }

    /// `initializeWeights(fromFile:)` for entries already in memory; `source` names them
    /// in errors.
    public func initializeWeights(from entries: [SafetensorsEntry], source: String) throws {
        var byName: [String: SafetensorsEntry] = [:]
        for entry in entries { byName[entry.name] = entry }
        var first: (tensor: String, problem: WeightInitializationError.Problem)?
        var count = 0
        func note(_ tensor: String, _ problem: WeightInitializationError.Problem) {
            count += 1
            if first == nil { first = (tensor, problem) }
        }
        for item in state {
            guard let entry = byName.removeValue(forKey: item.name) else {
                note(item.name, .missingInFile(modelShape: item.tensor.shape))
                continue
            }
            if entry.shape != item.tensor.shape { note(item.name, .shapeMismatch(fileShape: entry.shape, modelShape: item.tensor.shape)) }
        }
        let fileOrder = entries.map(\.name)
        for name in fileOrder where byName[name] != nil {
            note(name, .notInModel(fileShape: byName[name]!.shape))
            byName[name] = nil
        }
        if let first {
            throw WeightInitializationError(path: source, tensor: first.tensor, problem: first.problem, mismatchCount: count)
        }
        try loadState(entries, source: source)
    }
}
