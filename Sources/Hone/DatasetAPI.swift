// The data-set section of include/hone.h: named data sets (built-in and plugins'), CSV
// and NPY files, caller arrays, and seeded splits.

import Foundation
import HoneData
import HonePlugins
import HoneSearch
import HoneTuning

/// What a hone_dataset token stands for. Datasets are values: a handle never changes.
final class DatasetHandle: @unchecked Sendable {
    let dataset: Dataset
    init(_ dataset: Dataset) { self.dataset = dataset }
}

func datasetHandle(_ p: OpaquePointer?) throws -> DatasetHandle {
    try HandleTable.shared.get(p, .dataset)
}

/// Element counts beyond this are refused before any allocation: Swift traps when an
/// allocation fails, and that would take the caller's process down.
func checkAllocatable(_ count: Int, bytesEach: Int, _ what: String) throws {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
    let limit = ProcessInfo.processInfo.physicalMemory / 2
    guard !overflow, bytes >= 0, UInt64(bytes) <= limit else {
        throw APIError.invalid("\(what) would need \(overflow ? "more than \(Int.max)" : "\(bytes)") bytes, more than half this machine's memory (\(limit) bytes)")
    }
}

@_cdecl("hone_dataset_load")
public func hone_dataset_load(_ nameOrPath: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let out = try output(out, "out")
        var options = try jsonObject(optionsJSON, "options_json")
        // "part" is this call's own key (one handle, one part); the rest is the spec layer's.
        let part = options.removeValue(forKey: "part") ?? .null
        guard part == .null || part == "train" || part == "test" else {
            throw APIError.invalid("options_json: \"part\" must be \"train\" or \"test\", got \(part.jsonText)")
        }
        if options["name"] != nil {
            throw APIError.invalid("options_json: \"name\" is hone_dataset_load's first argument, not an option")
        }
        // "" for name_or_path: data the options describe alone (synthetic).
        let name = try string(nameOrPath, "name_or_path")
        if !name.isEmpty { options["name"] = .string(name) }
        let spec = try DataSpec.read(AlgorithmOptions(options, context: "options_json"))
        guard let data = try spec.load(part: part.stringValue ?? "train") else {
            throw APIError.invalid("\"part\": \"test\": this data has no test part (named data sets have one, and a CSV with a \"test\" file)")
        }
        out.pointee = HandleTable.shared.insert(DatasetHandle(data), kind: .dataset)
    }
}

@_cdecl("hone_dataset_from_arrays")
public func hone_dataset_from_arrays(_ x: UnsafePointer<Float>?, _ nSamples: Int, _ nFeatures: Int,
                                     _ y: UnsafePointer<Float>?, _ nClasses: Int,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let out = try output(out, "out")
        let dataset = try datasetFromArrays(x, nSamples, nFeatures, y, nClasses)
        out.pointee = HandleTable.shared.insert(DatasetHandle(dataset), kind: .dataset)
    }
}

func datasetFromArrays(_ x: UnsafePointer<Float>?, _ nSamples: Int, _ nFeatures: Int,
                       _ y: UnsafePointer<Float>?, _ nClasses: Int) throws -> Dataset {
    let n = try count(nSamples, "n_samples"), f = try count(nFeatures, "n_features")
    let classes = try count(nClasses, "n_classes")
    guard n >= 1 else { throw APIError.invalid("n_samples is 0: a data set needs at least one sample") }
    guard f >= 1 else { throw APIError.invalid("n_features is 0: each sample needs at least one feature") }
    guard classes != 1 else { throw APIError.invalid("n_classes is 1: use 0 for regression or ≥ 2 classes") }
    guard classes <= 1 << 20 else { throw APIError.invalid("n_classes \(classes) is too large (at most \(1 << 20))") }
    let (total, overflow) = n.multipliedReportingOverflow(by: f)
    guard !overflow else { throw APIError.invalid("n_samples × n_features (\(n) × \(f)) overflows") }
    try checkAllocatable(total, bytesEach: MemoryLayout<Float>.size, "x (\(n) × \(f) floats)")
    guard let x else { throw APIError.misuse("x is NULL") }
    guard let y else { throw APIError.misuse("y is NULL") }
    let features = Array(UnsafeBufferPointer(start: x, count: total))
    if let bad = features.firstIndex(where: { !$0.isFinite }) {
        throw APIError.invalid("x[\(bad / f)][\(bad % f)] is \(features[bad]): features must be finite")
    }
    let raw = UnsafeBufferPointer(start: y, count: n)
    let targets: Targets
    if classes >= 2 {
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let v = raw[i]
            guard v.isFinite, v == v.rounded(), v >= 0, v < Float(classes) else {
                throw APIError.invalid("y[\(i)] is \(v): labels must be class indices 0..\(classes - 1) (n_classes = \(classes))")
            }
            labels[i] = Int32(v)
        }
        targets = .classes(labels: labels, classCount: classes, classNames: nil)
    } else {
        if let bad = raw.firstIndex(where: { !$0.isFinite }) {
            throw APIError.invalid("y[\(bad)] is \(raw[bad]): regression targets must be finite")
        }
        targets = .regression(values: Array(raw), outputCount: 1)
    }
    return try Dataset(features: features, featureShape: [f], targets: targets)
}

@_cdecl("hone_dataset_info_json")
public func hone_dataset_info_json(_ dataset: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let d = try datasetHandle(dataset).dataset
        let out = try output(out, "out")
        let info: JSONValue = [
            "samples": .number(Double(d.count)),
            "features": .number(Double(d.featureCount)),
            "shape": .array(d.featureShape.map { .number(Double($0)) }),
            "classes": .number(Double(d.classCount ?? 0)),
            "task": .string(d.isClassification ? "classification" : "regression"),
        ]
        out.pointee = mallocString(info.jsonText)
    }
}

@_cdecl("hone_dataset_split")
public func hone_dataset_split(_ dataset: OpaquePointer?, _ validationFraction: Double, _ seed: UInt64,
                               _ train: UnsafeMutablePointer<OpaquePointer?>?,
                               _ validation: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let d = try datasetHandle(dataset).dataset
        let trainOut = try output(train, "train"), validationOut = try output(validation, "validation")
        guard validationFraction.isFinite, validationFraction > 0, validationFraction < 1 else {
            throw APIError.invalid("validation_fraction must be in (0, 1), got \(validationFraction)")
        }
        let parts = try d.trainValidationSplit(validationFraction: validationFraction, stratified: d.isClassification, seed: seed)
        guard parts.train.count > 0, parts.validation.count > 0 else {
            throw APIError.invalid("validation_fraction \(validationFraction) of \(d.count) samples leaves an empty part")
        }
        trainOut.pointee = HandleTable.shared.insert(DatasetHandle(parts.train), kind: .dataset)
        validationOut.pointee = HandleTable.shared.insert(DatasetHandle(parts.validation), kind: .dataset)
    }
}

@_cdecl("hone_dataset_free")
public func hone_dataset_free(_ dataset: OpaquePointer?) {
    HandleTable.shared.remove(dataset, .dataset)
}
