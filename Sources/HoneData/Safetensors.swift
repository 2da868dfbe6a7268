// The safetensors format (https://github.com/huggingface/safetensors), so models saved by
// Hone load in Python with `safetensors.numpy.load_file` / `safetensors.torch.load_file`
// and vice versa:
//
//   8 bytes      N, the header length, unsigned little-endian
//   N bytes      JSON: {"__metadata__": {string: string},
//                       "<tensor name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …}
//                padded with spaces so the data starts 8-byte aligned
//   rest         the tensors' bytes, little-endian, row-major; offsets are relative to
//                the start of this part and must tile it exactly (no gaps, no overlap)
//
// The API is plain values (name, shape, [Float]) so that HoneData needs no tensor type.

import Foundation
import HoneTensor

/// One named tensor: its shape and its values, row-major.
public struct SafetensorsEntry: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var data: [Float]

    public init(name: String, shape: [Int], data: [Float]) {
        self.name = name
        self.shape = shape
        self.data = data
    }
}

/// What a safetensors file holds: its tensors, sorted by name, and its string metadata.
public struct SafetensorsContents: Equatable, Sendable {
    public var entries: [SafetensorsEntry]
    public var metadata: [String: String]

    /// The tensor called `name`, if present.
    public subscript(name: String) -> SafetensorsEntry? {
        entries.first { $0.name == name }
    }
}

/// Element types the reader converts to Float. (The writer always writes F32.)
public enum SafetensorsDataType: String, CaseIterable, Sendable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }
}

public enum Safetensors {
    /// Largest header accepted when reading (the reference implementation's limit), so a
    /// corrupt length cannot make us parse hundreds of megabytes of garbage as JSON.
    public static let maximumHeaderSize = 100_000_000

    // MARK: Writing

    /// Encodes tensors as F32 in name order, plus `metadata` (omitted when empty). Tensor
    /// info keys are written as the reference implementation writes them, so a file is
    /// byte-for-byte what Python's `safetensors` would produce for the same tensors.
    public static func encode(_ entries: [SafetensorsEntry], metadata: [String: String] = [:]) throws -> [UInt8] {
        let sorted = entries.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.name == b.name {
            throw DataError("two tensors are named '\(a.name)'")
        }
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let keys = metadata.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            parts.append("\"__metadata__\":{" + keys.map { JSONText.string($0) + ":" + JSONText.string(metadata[$0]!) }.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in sorted {
            guard entry.name != "__metadata__" else {
                throw DataError("'__metadata__' is reserved and cannot name a tensor")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw DataError("tensor '\(entry.name)': shape \(entry.shape) has a negative dimension")
            }
            let elements = entry.shape.reduce(1, *)
            guard elements == entry.data.count else {
                throw DataError("tensor '\(entry.name)': shape \(entry.shape) holds \(elements) values, got \(entry.data.count)")
            }
            let end = offset + 4 * elements
            parts.append(JSONText.string(entry.name) + ":{\"dtype\":\"F32\",\"shape\":["
                         + entry.shape.map(String.init).joined(separator: ",")
                         + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out += $0 }
        out += headerBytes
        for entry in sorted {
            #if _endian(little)
            entry.data.withUnsafeBytes { out += $0 }
            #else
            for v in entry.data { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
            #endif
        }
        return out
    }

    /// Writes tensors to `path` atomically (temporary file, then rename), so a failed
    /// save never destroys the previous file.
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(entries, metadata: metadata)
        } catch var error as DataError {
            error.file = path
            throw error
        }
        try FileIO.writeAtomically(bytes, to: path)
    }

    // MARK: Reading

    public static func read(_ path: String) throws -> SafetensorsContents {
        try decode(try FileIO.readAll(path), name: path)
    }

    /// Parses and validates safetensors bytes; `name` stands for the file in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> SafetensorsContents {
        func fail(_ message: String) -> DataError { DataError(file: name, message) }
        guard bytes.count >= 8 else {
            throw fail("file is too short to be a safetensors file (\(bytes.count) bytes; the header length alone needs 8)")
        }
        let declared = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(bytes.count - 8) else {
            throw fail("header length \(declared) exceeds the \(bytes.count - 8) bytes that follow it; the file is truncated or not a safetensors file")
        }
        guard declared <= UInt64(maximumHeaderSize) else {
            throw fail("header length \(declared) is larger than the \(maximumHeaderSize)-byte limit")
        }
        let headerLength = Int(declared)
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        let headerBytes = bytes[8..<dataStart]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail("header does not start with '{' (it starts with \(preview(headerBytes)))")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes))
        } catch {
            throw fail("header is not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] as? String ?? "parse error")): \(preview(headerBytes))")
        }
        guard let object = json as? [String: Any] else {
            throw fail("header must be a JSON object")
        }

        var metadata: [String: String] = [:]
        if let raw = object["__metadata__"], !(raw is NSNull) {
            guard let dictionary = raw as? [String: Any] else {
                throw fail("'__metadata__' must be an object mapping strings to strings")
            }
            for (key, value) in dictionary {
                guard let text = value as? String else {
                    throw fail("'__metadata__' must map strings to strings, but '\(key)' is \(value)")
                }
                metadata[key] = text
            }
        }

        struct Info { let name: String; let dataType: SafetensorsDataType; let shape: [Int]; let begin: Int; let end: Int }
        var infos: [Info] = []
        let supported = SafetensorsDataType.allCases.map(\.rawValue).joined(separator: ", ")
        for (tensor, raw) in object where tensor != "__metadata__" {
            guard let fields = raw as? [String: Any] else {
                throw fail("tensor '\(tensor)': expected an object with dtype, shape and data_offsets")
            }
            guard let dtypeName = fields["dtype"] as? String else {
                throw fail("tensor '\(tensor)': missing or non-string 'dtype'")
            }
            guard let dataType = SafetensorsDataType(rawValue: dtypeName) else {
                throw fail("tensor '\(tensor)': unsupported dtype '\(dtypeName)' (supported: \(supported))")
            }
            guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(tensor)': 'shape' must be an array of non-negative integers")
            }
            guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor '\(tensor)': 'data_offsets' must be an array of two integers [begin, end]")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else {
                throw fail("tensor '\(tensor)': data_offsets [\(begin), \(end)] are not an increasing pair")
            }
            guard end <= dataSize else {
                throw fail("tensor '\(tensor)': data_offsets [\(begin), \(end)] extend beyond the \(dataSize) bytes of data; the file is truncated")
            }
            var elements = 1
            for d in shape {
                let (p, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, p <= Int.max / 8 else { throw fail("tensor '\(tensor)': shape \(shape) is impossibly large") }
                elements = p
            }
            guard elements * dataType.byteSize == end - begin else {
                throw fail("tensor '\(tensor)': shape \(shape) of \(dtypeName) needs \(elements * dataType.byteSize) bytes, but data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            infos.append(Info(name: tensor, dataType: dataType, shape: shape, begin: begin, end: end))
        }

        // The tensors must tile the data exactly, as the reference reader requires.
        var covered = 0
        var previous: Info?
        for info in infos.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if info.begin < covered, let previous {
                throw fail("tensors '\(previous.name)' (bytes \(previous.begin)..<\(previous.end)) and '\(info.name)' (bytes \(info.begin)..<\(info.end)) overlap")
            }
            if info.begin > covered {
                throw fail("data bytes \(covered)..<\(info.begin) belong to no tensor")
            }
            covered = info.end
            previous = info
        }
        if covered != dataSize {
            throw fail("\(dataSize - covered) bytes after the last tensor's data belong to no tensor")
        }

        let entries = bytes.withUnsafeBytes { raw in
            infos.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }.map { info in
                SafetensorsEntry(name: info.name, shape: info.shape,
                                 data: convert(raw.baseAddress! + dataStart + info.begin,
                                               count: (info.end - info.begin) / info.dataType.byteSize, info.dataType))
            }
        }
        return SafetensorsContents(entries: entries, metadata: metadata)
    }

    /// Little-endian elements of `type` to Float, from possibly unaligned bytes.
    static func convert(_ p: UnsafeRawPointer, count n: Int, _ type: SafetensorsDataType) -> [Float] {
        func le<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            T(littleEndian: p.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
        }
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            switch type {
            case .F32:
                #if _endian(little)
                if n > 0 { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: p, byteCount: 4 * n) }
                #else
                for i in 0..<n { out[i] = Float(bitPattern: le(i, UInt32.self)) }
                #endif
            case .F64: for i in 0..<n { out[i] = Float(Double(bitPattern: le(i, UInt64.self))) }
            case .F16: for i in 0..<n { out[i] = Float(Float16(bitPattern: le(i, UInt16.self))) }
            case .BF16: for i in 0..<n { out[i] = Float(bitPattern: UInt32(le(i, UInt16.self)) << 16) }
            case .I64: for i in 0..<n { out[i] = Float(Int64(bitPattern: le(i, UInt64.self))) }
            case .I32: for i in 0..<n { out[i] = Float(Int32(bitPattern: le(i, UInt32.self))) }
            case .I16: for i in 0..<n { out[i] = Float(Int16(bitPattern: le(i, UInt16.self))) }
            case .I8: for i in 0..<n { out[i] = Float(Int8(bitPattern: le(i, UInt8.self))) }
            case .U64: for i in 0..<n { out[i] = Float(le(i, UInt64.self)) }
            case .U32: for i in 0..<n { out[i] = Float(le(i, UInt32.self)) }
            case .U16: for i in 0..<n { out[i] = Float(le(i, UInt16.self)) }
            case .U8: for i in 0..<n { out[i] = Float(le(i, UInt8.self)) }
            case .BOOL: for i in 0..<n { out[i] = le(i, UInt8.self) != 0 ? 1 : 0 }
            }
            initialized = n
        }
    }

    /// A JSON array of integers as [Int], or nil — also for fractional numbers and for
    /// booleans, which JSONSerialization would otherwise bridge to 0 and 1.
    static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for element in array {
            guard let number = element as? NSNumber else { return nil }
            switch String(cString: number.objCType) {
            case "c": return nil  // true / false
            case "d", "f":
                guard let int = Int(exactly: number.doubleValue) else { return nil }
                out.append(int)
            default:
                out.append(number.intValue)
            }
        }
        return out
    }

    /// The first few dozen characters of a header, for error messages.
    private static func preview(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(60), as: UTF8.self)
        return "\"" + text + (bytes.count > 60 ? "…" : "") + "\""
    }
}
