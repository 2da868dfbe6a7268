// The model section of include/hone.h: described MLPs and CNNs, training with an epoch
// callback that may stop it, evaluation, prediction and .safetensors files.

import Foundation
import HonePlugins
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning

/// What a hone_model token stands for: the network, and whether its outputs are class
/// logits (predict returns probabilities) or regression values.
final class ModelHandle: @unchecked Sendable {
    let model: Sequential
    var classification: Bool
    init(_ model: Sequential, classification: Bool) {
        self.model = model
        self.classification = classification
    }
}

private func modelHandle(_ p: OpaquePointer?) throws -> ModelHandle { try HandleTable.shared.get(p, .model) }

// MARK: Creating

@_cdecl("hone_model_create")
public func hone_model_create(_ descriptionJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let out = try output(out, "out")
        guard descriptionJSON != nil else { throw APIError.misuse("description_json is NULL") }
        let o = AlgorithmOptions(try jsonObject(descriptionJSON, "description_json"), context: "description_json")
        let (description, classification) = try ModelSpec.read(o)
        let seed = try o.raw("seed").map { v -> UInt64 in
            guard let x = v.numberValue, x >= 0, x <= 9.007199254740992e15, x == x.rounded() else {
                throw APIError.invalid("description_json: \"seed\" must be an integer ≥ 0, got \(v.jsonText)")
            }
            return UInt64(x)
        } ?? 0
        try o.checkAllUsed()
        let model = try description.build(seed: seed)
        out.pointee = HandleTable.shared.insert(ModelHandle(model, classification: classification), kind: .model)
    }
}

// MARK: Training

/// `hone_epoch_fn`: (epoch, metrics_json, userdata) -> status.
public typealias CEpochCallback = @convention(c) (Int64, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32


private func metricsJSON(_ m: EpochMetrics) -> JSONValue {
    var o: [String: JSONValue] = [
        "epoch": .number(Double(m.epoch)),
        "train_loss": finite(m.trainLoss),
        "lr": .number(Double(m.learningRate)),
        "seconds": .number(m.seconds),
    ]
    if let v = m.validation {
        o["val_loss"] = finite(v.loss)
        if let a = v.accuracy { o["val_accuracy"] = finite(a) }
        if let mse = v.meanSquaredError { o["val_rmse"] = finite(mse.squareRoot()) }
    }
    return .object(o)
}

/// JSON has no NaN: a diverged loss is null.
private func finite(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }

@_cdecl("hone_model_train")
public func hone_model_train(_ model: OpaquePointer?, _ train: OpaquePointer?, _ validation: OpaquePointer?,
                             _ optionsJSON: UnsafePointer<CChar>?, _ onEpoch: CEpochCallback?, _ userdata: UnsafeMutableRawPointer?,
                             _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var stopStatus: Int32 = HoneStatus.ok.rawValue
    var stopEpoch = 0
    let status = api {
        let handle = try modelHandle(model)
        let trainSet = try datasetHandle(train).dataset
        let validationSet = try validation.map { try datasetHandle($0).dataset }
        let o = AlgorithmOptions(try jsonObject(optionsJSON, "options_json"), context: "options_json")
        var config = try TrainSpec.trainer(o, validationData: validationSet != nil)
        let threads = try o.int("threads", min: 1, max: 256)
        try o.checkAllUsed()
        guard trainSet.featureCount == handle.model.inputCount else {
            throw APIError.invalid("shape mismatch: the model takes \(handle.model.inputCount) features per sample (shape \(handle.model.inputShape)), the training data has \(trainSet.featureCount) (shape \(trainSet.featureShape))")
        }
        if let v = validationSet, v.featureCount != trainSet.featureCount || v.isClassification != trainSet.isClassification {
            throw APIError.invalid("validation data (\(v.featureCount) features, \(v.isClassification ? "classification" : "regression")) does not match the training data (\(trainSet.featureCount) features, \(trainSet.isClassification ? "classification" : "regression"))")
        }
        if let threads { BLAS.setThreads(threads) }
        config.task = trainSet.isClassification ? .classification : .regression
        let trainer = try Trainer(model: handle.model, config: config)
        let result = try trainer.fit(trainSet, validation: validationSet) { m in
            guard let onEpoch else { return .proceed }
            let s = metricsJSON(m).jsonText.withCString { onEpoch(Int64(m.epoch), $0, userdata) }
            guard s == HoneStatus.ok.rawValue else { stopStatus = s; stopEpoch = m.epoch; return .stop }
            return .proceed
        }
        handle.classification = trainSet.isClassification
        if stopStatus != HoneStatus.ok.rawValue {
            let name = String(cString: hone_status_name(stopStatus))
            throw APIError(HoneStatus(rawValue: stopStatus) ?? .error, "training stopped by the epoch callback after epoch \(stopEpoch) (\(name))")
        }
        guard let resultJSON else { return }
        var r: [String: JSONValue] = [
            "epochs": .number(Double(result.history.count)),
            "stop_reason": .string(result.stopReason.rawValue),
            "history": .array(result.history.map(metricsJSON)),
        ]
        if let last = result.lastEpoch { r["train_loss"] = finite(last.trainLoss) }
        if let v = result.validation {
            r["val_loss"] = finite(v.loss)
            if let a = v.accuracy { r["val_accuracy"] = finite(a) }
            if let mse = v.meanSquaredError { r["val_rmse"] = finite(mse.squareRoot()) }
        }
        resultJSON.pointee = mallocString(JSONValue.object(r).jsonText)
    }
    return status
}

// MARK: Using

@_cdecl("hone_model_evaluate")
public func hone_model_evaluate(_ model: OpaquePointer?, _ dataset: OpaquePointer?,
                                _ metricsJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let handle = try modelHandle(model)
        let data = try datasetHandle(dataset).dataset
        let out = try output(metricsJSON, "metrics_json")
        guard data.featureCount == handle.model.inputCount else {
            throw APIError.invalid("shape mismatch: the model takes \(handle.model.inputCount) features per sample, the data set has \(data.featureCount)")
        }
        let trainer = try Trainer(model: handle.model, config: TrainerConfig(task: data.isClassification ? .classification : .regression))
        let e = try trainer.evaluate(data)
        var m: [String: JSONValue] = ["loss": finite(e.loss), "samples": .number(Double(e.sampleCount))]
        if let a = e.accuracy { m["accuracy"] = finite(a) }
        if let mse = e.meanSquaredError, case let .regression(values, outputs) = data.targets {
            m["rmse"] = finite(mse.squareRoot())
            m["r2"] = finite(1 - mse / meanVariance(values, outputs))
        }
        out.pointee = mallocString(JSONValue.object(m).jsonText)
    }
}

/// The variance of each target column, averaged: R² = 1 − MSE / this.
private func meanVariance(_ values: [Float], _ outputs: Int) -> Double {
    let n = values.count / outputs
    var total = 0.0
    for j in 0..<outputs {
        var mean = 0.0
        for i in 0..<n { mean += Double(values[i * outputs + j]) }
        mean /= Double(n)
        var s = 0.0
        for i in 0..<n { let d = Double(values[i * outputs + j]) - mean; s += d * d }
        total += s / Double(n)
    }
    return total / Double(outputs)
}

@_cdecl("hone_model_predict")
public func hone_model_predict(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ nSamples: Int, _ nFeatures: Int,
                               _ out: UnsafeMutablePointer<Float>?, _ outLen: Int) -> Int32 {
    api {
        let handle = try modelHandle(model)
        let n = try count(nSamples, "n_samples"), f = try count(nFeatures, "n_features"), capacity = try count(outLen, "out_len")
        let net = handle.model
        guard f == net.inputCount else {
            throw APIError.invalid("shape mismatch: n_features is \(f), the model takes \(net.inputCount) (shape \(net.inputShape))")
        }
        guard n >= 1 else { throw APIError.invalid("n_samples is 0") }
        let (needed, o1) = n.multipliedReportingOverflow(by: net.outputCount)
        let (total, o2) = n.multipliedReportingOverflow(by: f)
        guard !o1, !o2 else { throw APIError.invalid("n_samples \(n) is too large") }
        guard capacity >= needed else {
            throw APIError.invalid("out_len is \(capacity), too small for \(n) samples × \(net.outputCount) outputs = \(needed) floats")
        }
        guard let x else { throw APIError.misuse("x is NULL") }
        guard let out else { throw APIError.misuse("out is NULL") }
        try checkAllocatable(total, bytesEach: MemoryLayout<Float>.size, "x")
        // Batches bound the activations' memory whatever n is.
        let batch = 256
        var start = 0
        while start < n {
            let rows = min(batch, n - start)
            let input = Tensor(Array(UnsafeBufferPointer(start: x + start * f, count: rows * f)), shape: [rows] + net.inputShape)
            var y = net.predict(input)
            if handle.classification { y = y.softmax(axis: -1) }
            (out + start * net.outputCount).update(from: y.data, count: rows * net.outputCount)
            start += rows
        }
    }
}

// MARK: Files

private let taskMetadataKey = "hone.task"

@_cdecl("hone_model_save")
public func hone_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    api {
        let handle = try modelHandle(model)
        let file = try string(path, "path")
        guard !file.isEmpty else { throw APIError.invalid("path is empty") }
        // The file is written atomically (a new file renamed over the old), which would
        // replace a device or a directory entry other than a plain file: refuse those.
        if let type = try? FileManager.default.attributesOfItem(atPath: file)[.type] as? FileAttributeType, type != .typeRegular {
            throw APIError.invalid("\(file) exists and is not a regular file")
        }
        do {
            try handle.model.save(to: file, metadata: [taskMetadataKey: handle.classification ? "classification" : "regression"])
        } catch {
            throw APIError(.io, "cannot write \(file): \(classify(error).1)")
        }
    }
}

private func readModelFile(_ file: String) throws -> SafetensorsContents {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw APIError(.notFound, "\(file): no such file") }
    guard !isDirectory.boolValue else { throw APIError.invalid("\(file) is a directory") }
    do { return try Safetensors.read(file) } catch {
        throw APIError.invalid("\(file) is not a readable .safetensors file: \(classify(error).1)")
    }
}

@_cdecl("hone_model_load")
public func hone_model_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let out = try output(out, "out")
        let file = try string(path, "path")
        let contents = try readModelFile(file)
        guard let json = contents.metadata[Sequential.descriptionMetadataKey] else {
            throw APIError.invalid("\(file) holds no Hone model description (metadata '\(Sequential.descriptionMetadataKey)'): create the model and use hone_model_load_weights")
        }
        // The stored description is input like any other: the core checks it (sizes,
        // dropout, kernels…), and the message says which file it came from.
        let description: ModelDescription, model: Sequential
        do {
            description = try ModelDescription(json: json)
            model = try description.build(seed: 0)
        } catch let error as HoneNNError {
            throw APIError.invalid("\(file): its model description: \(error.message)")
        }
        try model.loadState(contents.entries, source: file)
        let classification = contents.metadata[taskMetadataKey].map { $0 == "classification" } ?? (description.outputCount >= 2)
        out.pointee = HandleTable.shared.insert(ModelHandle(model, classification: classification), kind: .model)
    }
}

@_cdecl("hone_model_load_weights")
public func hone_model_load_weights(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    api {
        let handle = try modelHandle(model)
        let file = try string(path, "path")
        let contents = try readModelFile(file)
        var byName: [String: SafetensorsEntry] = [:]
        for e in contents.entries { byName[e.name] = e }
        // Checked first, copied after: a mismatch leaves the model as it was.
        var matches: [(NamedTensor, SafetensorsEntry)] = []
        for item in handle.model.state {
            guard let entry = byName[item.name] else { continue }
            guard entry.shape == item.tensor.shape, entry.data.count == item.tensor.count else {
                throw APIError.invalid("\(file): tensor '\(item.name)' has shape \(entry.shape), the model's has \(item.tensor.shape)")
            }
            matches.append((item, entry))
        }
        guard !matches.isEmpty else {
            throw APIError.invalid("\(file): no tensor matches the model's (\(handle.model.state.map(\.name).joined(separator: ", ")))")
        }
        for (item, entry) in matches {
            entry.data.withUnsafeBufferPointer { item.tensor.data.update(from: $0.baseAddress!, count: $0.count) }
        }
    }
}

@_cdecl("hone_model_free")
public func hone_model_free(_ model: OpaquePointer?) {
    HandleTable.shared.remove(model, .model)
}
