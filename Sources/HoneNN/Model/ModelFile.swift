// Models on disk as .safetensors (HoneData's reader/writer), readable by Python's
// `safetensors` package. Tensors are named as in the model's `state` ("0.weight",
// "0.bias", "1.running_mean", …); the metadata holds the model description as JSON, so
// `Sequential.load(from:)` can rebuild the network from the file alone.
//
// Layout note for Python users: a dense weight is stored [in, out] (x·W), the transpose
// of torch.nn.Linear's [out, in]; convolution weights are [out, in, kH, kW] as in PyTorch.

import HoneData
import HoneTensor

extension Sequential {
    /// Metadata key holding the model description JSON.
    public static let descriptionMetadataKey = "hone.model"
    /// Metadata key naming the format, so other tools can tell a Hone model file.
    public static let formatMetadataKey = "format"

    /// The model's state as safetensors entries (copies of the values).
    public func stateEntries() -> [SafetensorsEntry] {
        state.map { SafetensorsEntry(name: $0.name, shape: $0.tensor.shape, data: $0.tensor.scalars) }
    }

    /// Writes the state and description to `path` (atomically). `metadata` adds string
    /// entries of the caller's (hyperparameters, metrics).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        var all = metadata
        all[Sequential.formatMetadataKey] = "hone"
        all["hone.weight_layout"] = "dense weight [in, out]; conv2d weight [out, in, kH, kW]"
        if let modelDescription { all[Sequential.descriptionMetadataKey] = modelDescription.jsonString() }
        try Safetensors.write(stateEntries(), metadata: all, to: path)
    }

    /// Rebuilds the model described in the file's metadata and loads its weights.
    public static func load(from path: String) throws -> Sequential {
        let contents = try Safetensors.read(path)
        guard let json = contents.metadata[descriptionMetadataKey] else {
            throw HoneNNError("\(path): no '\(descriptionMetadataKey)' model description in the metadata; build the model yourself and call loadWeights(from:)")
        }
        let description: ModelDescription
        do {
            description = try ModelDescription(json: json)
        } catch let error as HoneNNError {
            throw HoneNNError("\(path): \(error.message)")
        }
        // The seed is irrelevant: every weight is overwritten by the file's.
        let model = try description.build(seed: 0)
        try model.loadState(contents.entries, source: path)
        return model
    }

    /// Loads weights saved from a model of the same architecture into this one.
    public func loadWeights(from path: String) throws {
        try loadState(try Safetensors.read(path).entries, source: path)
    }

    /// Copies `entries` into the model's tensors. Every state tensor must be present with
    /// its exact shape and nothing else may be: nothing is changed unless all of them match.
    public func loadState(_ entries: [SafetensorsEntry], source: String) throws {
        try checkState(entries, source: source)
        let lookup = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        for item in state {
            let values = lookup[item.name]!.data
            values.withUnsafeBufferPointer { item.tensor.data.update(from: $0.baseAddress!, count: values.count) }
        }
    }

    /// Throws unless `entries` hold exactly the model's state tensors with their shapes,
    /// listing every problem; `source` names the file (or "checkpoint") in the message.
    public func checkState(_ entries: [SafetensorsEntry], source: String) throws {
        var byName: [String: SafetensorsEntry] = [:]
        for entry in entries { byName[entry.name] = entry }
        var problems: [String] = []
        for item in state {
            guard let entry = byName.removeValue(forKey: item.name) else {
                problems.append("missing tensor '\(item.name)' (the model expects shape \(item.tensor.shape))")
                continue
            }
            if entry.shape != item.tensor.shape {
                problems.append("tensor '\(item.name)' has shape \(entry.shape), the model expects \(item.tensor.shape)")
            }
        }
        for name in byName.keys.sorted() {
            problems.append("tensor '\(name)' does not belong to the model")
        }
        guard problems.isEmpty else {
            let expected = state.map(\.name).joined(separator: ", ")
            throw HoneNNError("\(source): cannot load into this model: " + problems.joined(separator: "; ")
                              + " (the model's tensors: \(expected))")
        }
    }
}
