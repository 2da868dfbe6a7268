// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
//
//   bytes 0–1   zero
//   byte  2     element type: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int,
//               0x0D float, 0x0E double
//   byte  3     number of dimensions d
//   4 × d       dimension sizes, 32-bit big-endian
//   then        the elements, row-major, big-endian
//
// Files are usually gzipped; reading detects the gzip magic and inflates in memory.

/// Element type of an IDX file (the third byte of its magic number).
public enum IDXDataType: UInt8, Sendable, CaseIterable {
    case uint8 = 0x08
    case int8 = 0x09
    case int16 = 0x0B
    case int32 = 0x0C
    case float32 = 0x0D
    case float64 = 0x0E

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// The name the IDX description uses.
    public var name: String {
        switch self {
        case .uint8: return "ubyte"
        case .int8: return "byte"
        case .int16: return "short"
        case .int32: return "int"
        case .float32: return "float"
        case .float64: return "double"
        }
    }

    var isInteger: Bool { self != .float32 && self != .float64 }
}

/// A decoded IDX file: its element type, its shape, and its raw elements, kept as the
/// file's bytes so that converting 47 MB of pixels is a single pass straight into the
/// destination `[Float]`.
public struct IDXArray: Sendable {
    public let dataType: IDXDataType
    public let shape: [Int]
    /// The whole (decompressed) file; elements start at `dataOffset`.
    let storage: [UInt8]
    let dataOffset: Int

    /// Number of elements (product of `shape`).
    public var count: Int { shape.reduce(1, *) }

    /// All elements converted to Float and divided by `divisor` (e.g. 255 to map ubyte
    /// pixels to [0, 1]). Division rather than multiplication by a reciprocal keeps
    /// 255/255 exactly 1.
    public func floats(dividingBy divisor: Float = 1) -> [Float] {
        let n = count
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            storage.withUnsafeBufferPointer { raw in
                let p = raw.baseAddress! + dataOffset
                switch dataType {
                case .uint8, .int8:
                    // A 256-entry table: one load per pixel, no conversion in the loop.
                    var table = [Float](repeating: 0, count: 256)
                    for b in 0..<256 {
                        table[b] = (dataType == .uint8 ? Float(b) : Float(Int8(truncatingIfNeeded: b))) / divisor
                    }
                    table.withUnsafeBufferPointer { t in
                        for i in 0..<n { out[i] = t[Int(p[i])] }
                    }
                case .int16:
                    for i in 0..<n { out[i] = Float(Int16(bitPattern: Self.bigEndian16(p + 2 * i))) / divisor }
                case .int32:
                    for i in 0..<n { out[i] = Float(Int32(bitPattern: Self.bigEndian32(p + 4 * i))) / divisor }
                case .float32:
                    for i in 0..<n { out[i] = Float(bitPattern: Self.bigEndian32(p + 4 * i)) / divisor }
                case .float64:
                    for i in 0..<n { out[i] = Float(Double(bitPattern: Self.bigEndian64(p + 8 * i)) / Double(divisor)) }
                }
            }
            initialized = n
        }
    }

    /// All elements as Int32, for label files. Integer element types only; `name`
    /// labels the error for float files.
    public func integers(name: String) throws -> [Int32] {
        let n = count
        return try storage.withUnsafeBufferPointer { raw -> [Int32] in
            let p = raw.baseAddress! + dataOffset
            switch dataType {
            case .uint8: return (0..<n).map { Int32(p[$0]) }
            case .int8: return (0..<n).map { Int32(Int8(bitPattern: p[$0])) }
            case .int16: return (0..<n).map { Int32(Int16(bitPattern: Self.bigEndian16(p + 2 * $0))) }
            case .int32: return (0..<n).map { Int32(bitPattern: Self.bigEndian32(p + 4 * $0)) }
            case .float32, .float64:
                throw DataError(file: name, "expected integer labels but the file holds \(dataType.name) values")
            }
        }
    }

    @inline(__always)
    static func bigEndian16(_ p: UnsafePointer<UInt8>) -> UInt16 {
        UInt16(p[0]) << 8 | UInt16(p[1])
    }

    @inline(__always)
    static func bigEndian32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
    }

    @inline(__always)
    static func bigEndian64(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(bigEndian32(p)) << 32 | UInt64(bigEndian32(p + 4))
    }
}

public enum IDX {
    /// Reads an IDX file, gunzipping it first when it is gzip data (whatever its name).
    public static func read(_ path: String) throws -> IDXArray {
        var bytes = try FileIO.readAll(path)
        if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(bytes, name: path) }
        return try decode(bytes, name: path)
    }

    /// Parses IDX bytes (already decompressed), checking the magic number, the header
    /// and that the data is exactly as long as the dimensions say.
    public static func decode(_ bytes: [UInt8], name: String) throws -> IDXArray {
        guard bytes.count >= 4 else {
            throw DataError(file: name, "file is too short to be an IDX file (\(bytes.count) bytes; the magic number alone needs 4)")
        }
        let magic = bytes.withUnsafeBufferPointer { IDXArray.bigEndian32($0.baseAddress!) }
        let magicText = "0x" + hex(magic, digits: 8)
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(file: name, "not an IDX file: magic number \(magicText) should start with two zero bytes (e.g. 0x00000803 for ubyte images)")
        }
        guard let dataType = IDXDataType(rawValue: bytes[2]) else {
            let known = IDXDataType.allCases.map { "0x" + hex(UInt32($0.rawValue), digits: 2) + " " + $0.name }.joined(separator: ", ")
            throw DataError(file: name, "unknown IDX element type 0x\(hex(UInt32(bytes[2]), digits: 2)) in magic number \(magicText) (known: \(known))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else {
            throw DataError(file: name, "IDX header declares 0 dimensions")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(file: name, "file is truncated: the header declares \(rank) dimensions and needs \(headerSize) bytes, but the file has \(bytes.count)")
        }
        var shape: [Int] = []
        var elements = 1
        for d in 0..<rank {
            let size = Int(bytes.withUnsafeBufferPointer { IDXArray.bigEndian32($0.baseAddress! + 4 + 4 * d) })
            shape.append(size)
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int.max / 8 else {
                throw DataError(file: name, "dimensions \(shape)… describe an impossibly large array")
            }
            elements = product
        }
        let dataSize = elements * dataType.byteSize
        let present = bytes.count - headerSize
        if present < dataSize {
            throw DataError(file: name, "file is truncated: shape \(shape) of \(dataType.name) needs \(dataSize) bytes of data after the \(headerSize)-byte header, but only \(present) are present")
        }
        if present > dataSize {
            throw DataError(file: name, "file has \(present - dataSize) bytes more than shape \(shape) of \(dataType.name) needs (\(headerSize + dataSize) bytes in total); it is probably not the file it claims to be")
        }
        return IDXArray(dataType: dataType, shape: shape, storage: bytes, dataOffset: headerSize)
    }

    /// Encodes values as an IDX file of the given element type. Throws if a value is not
    /// exactly representable in that type (so a test fixture never silently changes).
    public static func encode(dataType: IDXDataType, shape: [Int], values: [Double]) throws -> [UInt8] {
        guard !shape.isEmpty, shape.count <= 255, shape.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
            throw DataError("IDX needs 1 to 255 dimensions of at most 2^32 − 1 each, got \(shape)")
        }
        guard shape.reduce(1, *) == values.count else {
            throw DataError("shape mismatch: shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        }
        var out: [UInt8] = [0, 0, dataType.rawValue, UInt8(shape.count)]
        func put32(_ v: UInt32) { out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        for d in shape { put32(UInt32(d)) }
        out.reserveCapacity(out.count + values.count * dataType.byteSize)
        for (i, v) in values.enumerated() {
            func unrepresentable() -> DataError {
                DataError("value \(v) at index \(i) is not representable as IDX \(dataType.name)")
            }
            switch dataType {
            case .uint8:
                guard let b = UInt8(exactly: v) else { throw unrepresentable() }
                out.append(b)
            case .int8:
                guard let b = Int8(exactly: v) else { throw unrepresentable() }
                out.append(UInt8(bitPattern: b))
            case .int16:
                guard let s = Int16(exactly: v) else { throw unrepresentable() }
                let u = UInt16(bitPattern: s)
                out += [UInt8(u >> 8), UInt8(u & 0xFF)]
            case .int32:
                guard let w = Int32(exactly: v) else { throw unrepresentable() }
                put32(UInt32(bitPattern: w))
            case .float32:
                guard let f = Float(exactly: v) else { throw unrepresentable() }
                put32(f.bitPattern)
            case .float64:
                put32(UInt32(v.bitPattern >> 32))
                put32(UInt32(v.bitPattern & 0xFFFF_FFFF))
            }
        }
        return out
    }

    /// Writes an IDX file, gzipped when `path` ends in `.gz`.
    public static func write(dataType: IDXDataType, shape: [Int], values: [Double], to path: String) throws {
        var bytes = try encode(dataType: dataType, shape: shape, values: values)
        if path.hasSuffix(".gz") { bytes = try Gzip.compress(bytes) }
        try FileIO.writeAtomically(bytes, to: path)
    }

    /// A classification data set from an images file and a labels file (the MNIST
    /// layout): images `[n, d1, d2, …]`, labels `[n]` of integers in `0..<classCount`.
    ///
    /// - Parameters:
    ///   - divisor: pixels are divided by it (255 maps ubyte pixels to [0, 1]).
    ///   - featureShape: the shape of one sample; defaults to the image file's shape
    ///     without its first dimension. Its product must match.
    ///   - classNames: names of the classes; their count is the class count. Without
    ///     it, the class count is the largest label + 1.
    public static func loadDataset(images imagesPath: String, labels labelsPath: String,
                                   divisor: Float = 255, featureShape: [Int]? = nil,
                                   classNames: [String]? = nil) throws -> Dataset {
        let images = try read(imagesPath)
        let labels = try read(labelsPath)
        guard images.shape.count >= 2 else {
            throw DataError(file: imagesPath, "expected an array of samples with at least 2 dimensions, got shape \(images.shape)")
        }
        guard labels.shape.count == 1 else {
            throw DataError(file: labelsPath, "expected a 1-dimensional array of labels, got shape \(labels.shape)")
        }
        let n = images.shape[0]
        guard labels.shape[0] == n else {
            throw DataError(file: labelsPath, "shape mismatch: \(labels.shape[0]) labels for \(n) samples in \(imagesPath)")
        }
        let sampleShape = Array(images.shape.dropFirst())
        let shape = featureShape ?? sampleShape
        guard shape.reduce(1, *) == sampleShape.reduce(1, *) else {
            throw DataError(file: imagesPath, "shape mismatch: requested feature shape \(shape) does not hold the \(sampleShape.reduce(1, *)) values of one sample (shape \(sampleShape))")
        }
        let labelValues = try labels.integers(name: labelsPath)
        let classCount = classNames?.count ?? (Int(labelValues.max() ?? 0) + 1)
        if let bad = labelValues.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw DataError(file: labelsPath, "label \(labelValues[bad]) of sample \(bad) is outside 0..<\(classCount)")
        }
        return Dataset(unchecked: images.floats(dividingBy: divisor), featureShape: shape,
                       targets: .classes(labels: labelValues, classCount: classCount, classNames: classNames))
    }
}

func hex(_ value: UInt32, digits: Int) -> String {
    let s = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}
