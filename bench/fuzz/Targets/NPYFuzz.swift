// NPY: decode, read as floats and integers, use as features and as targets of a data
// set, and an encode/decode round trip of what was read.
import Foundation
import HoneData

enum NPYFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let array: NPYArray
        do {
            array = try NPY.decode(bytes, name: inputName)
        } catch {
            return try expectNamed(error, inputName)
        }
        try expect(array.shape.allSatisfy { $0 >= 0 }, "negative dimension in \(array.shape)")
        let floats = array.floats()
        try expect(floats.count == array.count, "\(floats.count) floats for shape \(array.shape)")
        var integers: [Int64]?
        do {
            integers = try array.integers(name: inputName)
            try expect(integers!.count == array.count, "\(integers!.count) integers for shape \(array.shape)")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error, inputName)
        }
        // The same file as features and targets of a data set (through files, as users load them).
        try FuzzFiles.withFile(bytes, suffix: ".npy") { path in
            for task in TaskKind.allCases {
                do {
                    let data = try NPY.loadDataset(features: path, targets: path, task: task)
                    try CSVFuzz.check(data)
                } catch let error as FuzzFailure {
                    throw error
                } catch {
                    try expectNamed(error, path)
                }
            }
        }
        // Re-encoding what was read gives the same values.
        guard array.count <= 1 << 16 else { return }
        let values: [Double] = array.dataType.isFloatingPoint ? floats.map(Double.init) : (integers ?? []).map(Double.init)
        guard values.count == array.count, values.allSatisfy({ $0.isFinite && abs($0) < 9e15 }) else { return }
        // Float data went through Float; re-encode floats as f4.
        let type: NPYDataType = array.dataType.isFloatingPoint ? .float32 : array.dataType
        do {
            let encoded = try NPY.encode(dataType: type, shape: array.shape, values: values)
            let again = try NPY.decode(encoded, name: inputName)
            try expect(again.shape == array.shape && again.dataType == type, "round trip changed shape or type")
            try expect(again.floats().map(\.bitPattern) == floats.map(\.bitPattern) || array.dataType != .float32,
                       "round trip changed the values")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error)
        }
    }
}

/// A scratch directory of this process for harnesses that need files.
enum FuzzFiles {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "hone-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func withFile(_ bytes: [UInt8], suffix: String, _ body: (String) throws -> Void) throws {
        let path = directory + "/input" + suffix
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }
}
