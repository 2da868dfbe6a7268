// NumPy's .npy format (numpy/lib/format.py, NEP 1):
//
//   "\x93NUMPY", major, minor          versions 1.0, 2.0, 3.0
//   header length                      uint16 LE (1.0) or uint32 LE (2.0, 3.0)
//   header                             a Python dict literal, e.g.
//                                      {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//                                      padded with spaces and a final '\n' so the data is
//                                      aligned (64 bytes in current NumPy); latin-1 in
//                                      1.0/2.0, UTF-8 in 3.0
//   data                               C-order elements in the descr's byte order
//
// Only what `np.save` writes for plain numeric arrays is accepted; structured dtypes,
// object arrays, Fortran order and big-endian data are refused with a message that says
// how to re-save the array.

/// Element type of an NPY array (its `descr` without the byte-order character).
public enum NPYDataType: String, Sendable, CaseIterable {
    case float16 = "f2", float32 = "f4", float64 = "f8"
    case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
    case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
    case bool = "b1"

    public var byteSize: Int { Int(rawValue.dropFirst())! }

    public var isFloatingPoint: Bool { rawValue.hasPrefix("f") }

    /// The descr NumPy writes for this type on a little-endian machine.
    public var descr: String { (byteSize == 1 ? "|" : "<") + rawValue }
}

/// A decoded NPY file: element type, shape and the file's bytes (elements at
/// `dataOffset`, little-endian), converted on demand in one pass.
public struct NPYArray: Sendable {
    public let dataType: NPYDataType
    public let shape: [Int]
    let storage: [UInt8]
    let dataOffset: Int

    /// Number of elements (product of `shape`; 1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    /// All elements converted to Float (64-bit integers and doubles are rounded).
    public func floats() -> [Float] {
        let n = count
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            storage.withUnsafeBytes { raw in
                let p = UnsafeRawPointer(raw.baseAddress!) + dataOffset
                switch dataType {
                case .float16: for i in 0..<n { out[i] = Float(Float16(bitPattern: Self.le(p, i, UInt16.self))) }
                case .float32: for i in 0..<n { out[i] = Float(bitPattern: Self.le(p, i, UInt32.self)) }
                case .float64: for i in 0..<n { out[i] = Float(Double(bitPattern: Self.le(p, i, UInt64.self))) }
                case .int8: for i in 0..<n { out[i] = Float(Int8(bitPattern: p.load(fromByteOffset: i, as: UInt8.self))) }
                case .int16: for i in 0..<n { out[i] = Float(Int16(bitPattern: Self.le(p, i, UInt16.self))) }
                case .int32: for i in 0..<n { out[i] = Float(Int32(bitPattern: Self.le(p, i, UInt32.self))) }
                case .int64: for i in 0..<n { out[i] = Float(Int64(bitPattern: Self.le(p, i, UInt64.self))) }
                case .uint8, .bool: for i in 0..<n { out[i] = Float(p.load(fromByteOffset: i, as: UInt8.self)) }
                case .uint16: for i in 0..<n { out[i] = Float(Self.le(p, i, UInt16.self)) }
                case .uint32: for i in 0..<n { out[i] = Float(Self.le(p, i, UInt32.self)) }
                case .uint64: for i in 0..<n { out[i] = Float(Self.le(p, i, UInt64.self)) }
                }
            }
            initialized = n
        }
    }

    /// All elements as Int64, for label arrays. Integer and bool types convert exactly;
    /// floating-point values must be whole numbers (labels saved as float are common).
    /// `name` labels the errors.
    public func integers(name: String) throws -> [Int64] {
        let n = count
        return try storage.withUnsafeBytes { raw -> [Int64] in
            let p = UnsafeRawPointer(raw.baseAddress!) + dataOffset
            switch dataType {
            case .int8: return (0..<n).map { Int64(Int8(bitPattern: p.load(fromByteOffset: $0, as: UInt8.self))) }
            case .int16: return (0..<n).map { Int64(Int16(bitPattern: Self.le(p, $0, UInt16.self))) }
            case .int32: return (0..<n).map { Int64(Int32(bitPattern: Self.le(p, $0, UInt32.self))) }
            case .int64: return (0..<n).map { Int64(bitPattern: Self.le(p, $0, UInt64.self)) }
            case .uint8, .bool: return (0..<n).map { Int64(p.load(fromByteOffset: $0, as: UInt8.self)) }
            case .uint16: return (0..<n).map { Int64(Self.le(p, $0, UInt16.self)) }
            case .uint32: return (0..<n).map { Int64(Self.le(p, $0, UInt32.self)) }
            case .uint64:
                return try (0..<n).map {
                    let v = Self.le(p, $0, UInt64.self)
                    guard let w = Int64(exactly: v) else { throw DataError(file: name, "label \(v) at index \($0) does not fit in a signed 64-bit integer") }
                    return w
                }
            case .float16, .float32, .float64:
                let values = floats()
                return try values.enumerated().map { i, v in
                    guard v.isFinite, v == v.rounded(), let w = Int64(exactly: v) else {
                        throw DataError(file: name, "expected integer class labels, but element \(i) is \(v)")
                    }
                    return w
                }
            }
        }
    }

    /// Element `i` of width `T`, little-endian, from possibly unaligned storage.
    @inline(__always)
    static func le<T: FixedWidthInteger>(_ p: UnsafeRawPointer, _ i: Int, _: T.Type) -> T {
        T(littleEndian: p.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }
}

public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    public static func read(_ path: String) throws -> NPYArray {
        try decode(try FileIO.readAll(path), name: path)
    }

    /// Parses NPY bytes; `name` labels errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> NPYArray {
        func fail(_ message: String) -> DataError { DataError(file: name, message) }
        guard bytes.count >= 10 else {
            throw fail("file is too short to be an NPY file (\(bytes.count) bytes; the preamble alone needs 10)")
        }
        guard Array(bytes[0..<6]) == magic else {
            let seen = bytes[0..<6].map { (0x20..<0x7F).contains($0) && $0 != 0x5C ? String(UnicodeScalar($0)) : "\\x" + hex(UInt32($0), digits: 2) }.joined()
            throw fail("not an NPY file: it starts with \"\(seen)\" instead of \"\\x93NUMPY\"")
        }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int, headerStart: Int
        switch (major, minor) {
        case (1, 0):
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else {
                throw fail("file is truncated: a version \(major).\(minor) preamble needs 12 bytes, the file has \(bytes.count)")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported NPY format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let dataOffset = headerStart + headerLength
        guard dataOffset <= bytes.count else {
            throw fail("file is truncated: the header is declared as \(headerLength) bytes but only \(bytes.count - headerStart) follow the preamble")
        }
        let headerBytes = bytes[headerStart..<dataOffset]
        // 1.0 and 2.0 headers are latin-1, 3.0 UTF-8; a valid header is ASCII in practice.
        let headerText = major == 3 ? String(decoding: headerBytes, as: UTF8.self)
                                    : String(headerBytes.map { Character(Unicode.Scalar($0)) })
        let header: PythonLiteral
        do {
            var parser = PythonLiteralParser(headerText)
            header = try parser.parseHeader()
        } catch let error as PythonLiteralParser.Failure {
            throw fail("cannot parse the header \(headerText.trimmingTrailingWhitespace().debugDescription): \(error.message)")
        }
        guard case let .dict(entries) = header else {
            throw fail("the header is not a dictionary: \(headerText.trimmingTrailingWhitespace().debugDescription)")
        }
        func value(_ key: String) throws -> PythonLiteral {
            guard let v = entries.last(where: { $0.key == key })?.value else {
                throw fail("the header has no '\(key)' key (it needs 'descr', 'fortran_order' and 'shape')")
            }
            return v
        }
        // descr
        guard case let .string(descr) = try value("descr") else {
            throw fail("'descr' is \(try value("descr")), not a type string; structured (record) arrays are not supported")
        }
        let supported = NPYDataType.allCases.map(\.descr).joined(separator: " ")
        guard let order = descr.first, "<>|=".contains(order),
              let dataType = NPYDataType(rawValue: String(descr.dropFirst())) else {
            throw fail("unsupported dtype '\(descr)' (supported: \(supported))")
        }
        if dataType.byteSize > 1 {
            if order == ">" {
                throw fail("big-endian data ('\(descr)') is not supported; re-save it little-endian, e.g. np.save(path, a.astype('<\(dataType.rawValue)'))")
            }
            if order == "|" {
                throw fail("dtype '\(descr)' has no byte order although its elements are \(dataType.byteSize) bytes wide")
            }
        }
        // fortran_order
        guard case let .bool(fortranOrder) = try value("fortran_order") else {
            throw fail("'fortran_order' must be True or False, got \(try value("fortran_order"))")
        }
        if fortranOrder {
            throw fail("Fortran-order (column-major) arrays are not supported; re-save it in C order, e.g. np.save(path, np.ascontiguousarray(a))")
        }
        // shape
        guard case let .tuple(dims) = try value("shape") else {
            throw fail("'shape' must be a tuple of integers, got \(try value("shape"))")
        }
        var shape: [Int] = []
        var elements = 1
        for d in dims {
            guard case let .int(size) = d, size >= 0 else {
                throw fail("'shape' must be a tuple of non-negative integers, got \(PythonLiteral.tuple(dims))")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int.max / 8 else {
                throw fail("shape \(PythonLiteral.tuple(dims)) describes an impossibly large array")
            }
            shape.append(size)
            elements = product
        }
        let dataSize = elements * dataType.byteSize
        let present = bytes.count - dataOffset
        if present < dataSize {
            throw fail("file is truncated: shape \(shape) of '\(descr)' needs \(dataSize) bytes of data, but only \(present) follow the header")
        }
        if present > dataSize {
            throw fail("file has \(present - dataSize) bytes after the \(dataSize) bytes of data that shape \(shape) of '\(descr)' needs")
        }
        return NPYArray(dataType: dataType, shape: shape, storage: bytes, dataOffset: dataOffset)
    }

    /// Encodes values as an NPY 1.0 file (2.0 if the header would not fit) of the given
    /// little-endian type, padded to 64-byte alignment as NumPy does. Throws if a value is
    /// not exactly representable in that type, or the shape does not match.
    public static func encode(dataType: NPYDataType, shape: [Int], values: [Double]) throws -> [UInt8] {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw DataError("shape mismatch: shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        }
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(dataType.descr)', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        var version: UInt8 = 1
        var preamble = 10
        if (header.count + 1 + preamble + 63) / 64 * 64 - preamble > 65535 {
            version = 2
            preamble = 12
        }
        let total = (preamble + header.count + 1 + 63) / 64 * 64
        header += repeatElement(UInt8(ascii: " "), count: total - preamble - header.count - 1)
        header.append(UInt8(ascii: "\n"))
        var out = magic + [version, 0]
        let length = header.count
        out += version == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)]
                            : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        out += header
        out.reserveCapacity(out.count + values.count * dataType.byteSize)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        for (i, v) in values.enumerated() {
            func unrepresentable() -> DataError {
                DataError("value \(v) at index \(i) is not representable as '\(dataType.descr)'")
            }
            switch dataType {
            case .float16: guard let f = Float16(exactly: v) else { throw unrepresentable() }; put(f.bitPattern)
            case .float32: guard let f = Float(exactly: v) else { throw unrepresentable() }; put(f.bitPattern)
            case .float64: put(v.bitPattern)
            case .int8: guard let x = Int8(exactly: v) else { throw unrepresentable() }; put(x)
            case .int16: guard let x = Int16(exactly: v) else { throw unrepresentable() }; put(x)
            case .int32: guard let x = Int32(exactly: v) else { throw unrepresentable() }; put(x)
            case .int64: guard let x = Int64(exactly: v) else { throw unrepresentable() }; put(x)
            case .uint8: guard let x = UInt8(exactly: v) else { throw unrepresentable() }; put(x)
            case .uint16: guard let x = UInt16(exactly: v) else { throw unrepresentable() }; put(x)
            case .uint32: guard let x = UInt32(exactly: v) else { throw unrepresentable() }; put(x)
            case .uint64: guard let x = UInt64(exactly: v) else { throw unrepresentable() }; put(x)
            case .bool: guard v == 0 || v == 1 else { throw unrepresentable() }; put(UInt8(v))
            }
        }
        return out
    }

    public static func write(dataType: NPYDataType, shape: [Int], values: [Double], to path: String) throws {
        try FileIO.writeAtomically(try encode(dataType: dataType, shape: shape, values: values), to: path)
    }

    /// A data set from a features array `X` (shape `[n, …]`) and a targets array `y`
    /// (shape `[n]`, or `[n, k]` for k regression outputs), as saved by `np.save`.
    ///
    /// - task: `.auto` makes integer and bool `y` classification and floating-point `y`
    ///   regression. Classification labels are mapped to class indices by sorted value
    ///   (or by `classNames`, e.g. the training set's, so train and test agree).
    public static func loadDataset(features featuresPath: String, targets targetsPath: String,
                                   task: TaskKind = .auto, classNames: [String]? = nil) throws -> Dataset {
        let x = try read(featuresPath)
        let y = try read(targetsPath)
        guard let n = x.shape.first else {
            throw DataError(file: featuresPath, "expected an array with one row per sample, got a 0-dimensional array")
        }
        guard let m = y.shape.first, y.shape.count <= 2 else {
            throw DataError(file: targetsPath, "expected targets of shape [n] or [n, outputs], got \(y.shape)")
        }
        guard m == n else {
            throw DataError(file: targetsPath, "shape mismatch: \(m) targets (shape \(y.shape)) for \(n) samples in \(featuresPath) (shape \(x.shape))")
        }
        let featureShape = x.shape.count == 1 ? [1] : Array(x.shape.dropFirst())
        let classification: Bool
        switch task {
        case .classification: classification = true
        case .regression: classification = false
        case .auto: classification = !y.dataType.isFloatingPoint && (y.shape.count == 1 || y.shape[1] == 1)
        }
        let targets: Targets
        if classification {
            guard y.shape.count == 1 || y.shape[1] == 1 else {
                throw DataError(file: targetsPath, "classification needs one label per sample, got shape \(y.shape)")
            }
            switch LabelEncoding.encode(integers: try y.integers(name: targetsPath), classNames: classNames) {
            case let .success((labels, names)):
                targets = .classes(labels: labels, classCount: names.count, classNames: names)
            case let .failure(unknown):
                throw DataError(file: targetsPath, "label \(unknown.label) at index \(unknown.index) is not one of the given classes \(classNames ?? [])")
            }
        } else {
            let outputs = y.shape.count == 2 ? y.shape[1] : 1
            guard outputs >= 1 else {
                throw DataError(file: targetsPath, "targets of shape \(y.shape) have no outputs")
            }
            targets = .regression(values: y.floats(), outputCount: outputs)
        }
        return Dataset(unchecked: x.floats(), featureShape: featureShape, targets: targets)
    }
}

private extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

// MARK: - The Python literal subset of NPY headers

/// A value of the Python literal syntax that NPY headers use.
indirect enum PythonLiteral: CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: String, value: PythonLiteral)])

    var description: String {
        switch self {
        case let .string(s): return "'\(s)'"
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .tuple(items): return "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case let .list(items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .dict(entries): return "{" + entries.map { "'\($0.key)': \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Recursive-descent parser for dicts, tuples, lists, strings, integers, True/False/None
/// — all that `np.save` puts in a header (Python's `ast.literal_eval` is what NumPy
/// itself uses).
struct PythonLiteralParser {
    struct Failure: Error { let message: String }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    mutating func parseHeader() throws -> PythonLiteral {
        let value = try parseValue()
        skipWhitespace()
        guard position == scalars.count else { throw failure("unexpected text after the dictionary") }
        return value
    }

    private func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at character \(position)")
    }

    private mutating func skipWhitespace() {
        while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
    }

    private mutating func expect(_ c: Unicode.Scalar) throws {
        skipWhitespace()
        guard position < scalars.count, scalars[position] == c else { throw failure("expected '\(c)'") }
        position += 1
    }

    /// True (and consumes it) if the next non-space character is `c`.
    private mutating func accept(_ c: Unicode.Scalar) -> Bool {
        skipWhitespace()
        if position < scalars.count, scalars[position] == c { position += 1; return true }
        return false
    }

    private mutating func parseValue() throws -> PythonLiteral {
        skipWhitespace()
        guard position < scalars.count else { throw failure("unexpected end of header") }
        let c = scalars[position]
        switch c {
        case "{":
            position += 1
            var entries: [(key: String, value: PythonLiteral)] = []
            while !accept("}") {
                guard case let .string(key) = try parseValue() else { throw failure("dictionary keys must be strings") }
                try expect(":")
                entries.append((key, try parseValue()))
                if !accept(",") { try expect("}"); break }
            }
            return .dict(entries)
        case "(", "[":
            position += 1
            let close: Unicode.Scalar = c == "(" ? ")" : "]"
            var items: [PythonLiteral] = []
            while !accept(close) {
                items.append(try parseValue())
                if !accept(",") { try expect(close); break }
            }
            return c == "(" ? .tuple(items) : .list(items)
        case "'", "\"":
            position += 1
            var s = String.UnicodeScalarView()
            while position < scalars.count, scalars[position] != c {
                if scalars[position] == "\\", position + 1 < scalars.count { position += 1 }
                s.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else { throw failure("unterminated string") }
            position += 1
            return .string(String(s))
        case "0"..."9", "-", "+":
            let start = position
            position += 1
            while position < scalars.count, ("0"..."9").contains(scalars[position]) || scalars[position] == "_" { position += 1 }
            // Python 2 era headers may write long integers as 3L.
            let digits = String(String.UnicodeScalarView(scalars[start..<position])).replacingUnderscores()
            if position < scalars.count, scalars[position] == "L" { position += 1 }
            guard let value = Int(digits) else { throw failure("invalid integer '\(digits)'") }
            return .int(value)
        default:
            for (word, value) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
                let w = Array(word.unicodeScalars)
                if position + w.count <= scalars.count, Array(scalars[position..<(position + w.count)]) == w {
                    position += w.count
                    return value
                }
            }
            throw failure("unexpected character '\(c)'")
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(unicodeScalars.filter { $0 != "_" }.map(Character.init)) }
}
