import XCTest
import HoneData

final class NPYTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    /// An NPY file built byte by byte from the format description (numpy/lib/format.py):
    /// magic, version, header length (2 bytes LE for 1.0, 4 for 2.0/3.0), the header dict
    /// padded with spaces to a multiple of 64 bytes in total and ended by '\n', the data.
    func npy(_ header: String, data: [UInt8], major: UInt8 = 1) -> [UInt8] {
        let preamble = major == 1 ? 10 : 12
        var text = Array(header.utf8)
        let total = (preamble + text.count + 1 + 63) / 64 * 64
        text += [UInt8](repeating: 0x20, count: total - preamble - text.count - 1) + [0x0A]
        let length = major == 1 ? le(UInt16(text.count)) : le(UInt32(text.count))
        return [0x93] + Array("NUMPY".utf8) + [major, 0] + length + text + data
    }

    func header(_ descr: String, _ shape: String, fortran: Bool = false) -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    }

    func testMatchesNumPysBytesExactly() throws {
        // np.save of np.arange(6, dtype='<f4').reshape(2, 3) writes exactly these bytes
        // (checked against NumPy 2.4): a 118-byte header after the 10-byte preamble.
        let data = (0..<6).flatMap { le(Float($0).bitPattern) }
        let expected = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: data)
        XCTAssertEqual(expected.count, 128 + 24)
        XCTAssertEqual(Array(expected[8..<10]), [0x76, 0x00])
        XCTAssertEqual(try NPY.encode(dataType: .float32, shape: [2, 3], values: (0..<6).map(Double.init)), expected)
        let a = try NPY.decode(expected, name: "a.npy")
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.floats(), [0, 1, 2, 3, 4, 5])
    }

    func testVersionsAndDtypes() throws {
        let cases: [(String, [UInt8], [Float])] = [
            ("<f4", le(Float(1.5).bitPattern) + le(Float(-2).bitPattern), [1.5, -2]),
            ("<f8", le(Double(0.25).bitPattern) + le(Double(1e10).bitPattern), [0.25, 1e10]),
            ("<i4", le(Int32(-7)) + le(Int32(123_456)), [-7, 123_456]),
            ("<i8", le(Int64(-1)) + le(Int64(1) << 40), [-1, 1_099_511_627_776]),
            ("|u1", [0, 255], [0, 255]),
            ("|i1", [0x80, 0x7F], [-128, 127]),
            ("<u2", le(UInt16(65535)) + le(UInt16(1)), [65535, 1]),
            ("<i2", le(Int16(-300)) + le(Int16(300)), [-300, 300]),
            ("<f2", le(Float16(0.5).bitPattern) + le(Float16(-3).bitPattern), [0.5, -3]),
            ("|b1", [1, 0], [1, 0]),
        ]
        for (descr, data, expected) in cases {
            for major: UInt8 in [1, 2, 3] {
                let a = try NPY.decode(npy(header(descr, "(2,)"), data: data, major: major), name: "v.npy")
                XCTAssertEqual(a.floats(), expected, "\(descr) version \(major).0")
            }
        }
        // Python 2 style: double quotes, no trailing comma, keys in another order, long ints.
        let odd = try NPY.decode(npy("{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<f4\"}", data: le(Float(1).bitPattern) + le(Float(2).bitPattern)), name: "o.npy")
        XCTAssertEqual(odd.shape, [1, 2])
        // A 0-d array holds one element.
        XCTAssertEqual(try NPY.decode(npy(header("<f8", "()"), data: le(Double(5).bitPattern)), name: "s.npy").floats(), [5])
        // Every encodable type round-trips.
        for type in NPYDataType.allCases {
            let values: [Double] = type == .bool ? [1, 0, 1] : [0, 1, 100]
            let bytes = try NPY.encode(dataType: type, shape: [3, 1], values: values)
            XCTAssertEqual(try NPY.decode(bytes, name: "r.npy").floats(), values.map(Float.init), "\(type)")
            XCTAssertEqual(bytes.count % 64, (3 * type.byteSize) % 64, "data starts 64-byte aligned")
        }
    }

    func testRejectsFortranOrderAndBigEndianWithAdvice() throws {
        let data = [UInt8](repeating: 0, count: 16)
        assertDataError(try NPY.decode(npy(header("<f4", "(2, 2)", fortran: true), data: data), name: "f.npy"),
                        contains: ["f.npy: Fortran-order (column-major) arrays are not supported", "np.ascontiguousarray"])
        assertDataError(try NPY.decode(npy(header(">f4", "(2, 2)"), data: data), name: "b.npy"),
                        contains: ["b.npy: big-endian data ('>f4') is not supported", "astype('<f4')"])
        assertDataError(try NPY.decode(npy(header("<c8", "(2,)"), data: data), name: "c.npy"),
                        contains: ["unsupported dtype '<c8'", "<f4", "|u1"])
        assertDataError(try NPY.decode(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data: data), name: "s.npy"),
                        contains: ["structured (record) arrays are not supported"])
        assertDataError(try NPY.decode(npy(header("|f4", "(4,)"), data: data), name: "p.npy"), contains: ["has no byte order"])
    }

    func testTruncatedAndMalformedFiles() throws {
        let good = npy(header("<f4", "(3, 4)"), data: [UInt8](repeating: 0, count: 48))
        assertDataError(try NPY.decode(Array(good.dropLast(5)), name: "t.npy"),
                        contains: ["t.npy: file is truncated: shape [3, 4] of '<f4' needs 48 bytes of data, but only 43 follow the header"])
        assertDataError(try NPY.decode(Array(good.prefix(40)), name: "t.npy"),
                        contains: ["file is truncated: the header is declared as 118 bytes but only 30 follow the preamble"])
        assertDataError(try NPY.decode(Array(good.prefix(5)), name: "t.npy"), contains: ["too short to be an NPY file"])
        assertDataError(try NPY.decode(good + [1], name: "t.npy"), contains: ["1 bytes after the 48 bytes of data"])
        var magic = good
        magic[0] = 0x94
        assertDataError(try NPY.decode(magic, name: "m.npy"), contains: ["m.npy: not an NPY file: it starts with \"\\x94NUMPY\""])
        var version = good
        version[6] = 4
        assertDataError(try NPY.decode(version, name: "v.npy"), contains: ["unsupported NPY format version 4.0"])
        assertDataError(try NPY.decode(npy("{'descr': '<f4', 'shape': (2,)}", data: []), name: "h.npy"),
                        contains: ["no 'fortran_order' key"])
        assertDataError(try NPY.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", data: []), name: "h.npy"),
                        contains: ["h.npy: cannot parse the header", "unexpected end of header"])
        assertDataError(try NPY.decode(npy(header("<f4", "(-1,)"), data: []), name: "h.npy"),
                        contains: ["'shape' must be a tuple of non-negative integers"])
        assertDataError(try NPY.decode(npy("[1, 2]", data: []), name: "h.npy"), contains: ["header is not a dictionary"])
    }

    func testDatasetFromTwoFiles() throws {
        let x = directory + "/X.npy", y = directory + "/y.npy"
        try writeBytes(npy(header("<f4", "(3, 2)"), data: (0..<6).flatMap { le(Float($0).bitPattern) }), to: x)
        try writeBytes(npy(header("<i8", "(3,)"), data: le(Int64(7)) + le(Int64(-1)) + le(Int64(7))), to: y)
        let d = try NPY.loadDataset(features: x, targets: y)
        XCTAssertEqual(d.features, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(d.featureShape, [2])
        XCTAssertEqual(d.classNames, ["-1", "7"])
        XCTAssertEqual(d.labels, [1, 0, 1])
        XCTAssertEqual(try NPY.loadDataset(features: x, targets: y, classNames: ["-1", "3", "7"]).labels, [2, 0, 2])
        XCTAssertEqual(try NPY.loadDataset(features: x, targets: y, task: .regression).targets, .regression(values: [7, -1, 7], outputCount: 1))

        // Float targets: regression with as many outputs as columns.
        let y2 = directory + "/y2.npy"
        try NPY.write(dataType: .float64, shape: [3, 2], values: [1, 2, 3, 4, 5, 6], to: y2)
        XCTAssertEqual(try NPY.loadDataset(features: x, targets: y2).targets, .regression(values: [1, 2, 3, 4, 5, 6], outputCount: 2))
        assertDataError(try NPY.loadDataset(features: x, targets: y2, task: .classification), contains: ["one label per sample, got shape [3, 2]"])
        let yFloat = directory + "/yf.npy"
        try NPY.write(dataType: .float32, shape: [3], values: [0, 1.5, 1], to: yFloat)
        assertDataError(try NPY.loadDataset(features: x, targets: yFloat, task: .classification), contains: ["yf.npy: expected integer class labels, but element 1 is 1.5"])

        // Images [n, h, w] keep their sample shape; 1-D X is one feature per sample.
        let images = directory + "/images.npy"
        try NPY.write(dataType: .uint8, shape: [3, 2, 2], values: (0..<12).map(Double.init), to: images)
        XCTAssertEqual(try NPY.loadDataset(features: images, targets: y).featureShape, [2, 2])
        let flat = directory + "/flat.npy"
        try NPY.write(dataType: .float32, shape: [3], values: [1, 2, 3], to: flat)
        XCTAssertEqual(try NPY.loadDataset(features: flat, targets: y).featureShape, [1])

        // Shape mismatch between X and y.
        let short = directory + "/short.npy"
        try NPY.write(dataType: .int32, shape: [2], values: [0, 1], to: short)
        assertDataError(try NPY.loadDataset(features: x, targets: short),
                        contains: ["short.npy: shape mismatch: 2 targets (shape [2]) for 3 samples", "X.npy (shape [3, 2])"])
    }
}
