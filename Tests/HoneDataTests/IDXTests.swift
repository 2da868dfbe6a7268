import XCTest
import HoneData

final class IDXTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    /// An IDX file built byte by byte from the format description.
    func idx(type: UInt8, dims: [UInt32], data: [UInt8]) -> [UInt8] {
        [0, 0, type, UInt8(dims.count)] + dims.flatMap { be($0) } + data
    }

    func testHandBuiltUbyteImages() throws {
        let bytes = idx(type: 0x08, dims: [2, 2, 3], data: [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6])
        let a = try IDX.decode(bytes, name: "img")
        XCTAssertEqual(a.dataType, .uint8)
        XCTAssertEqual(a.shape, [2, 2, 3])
        XCTAssertEqual(a.floats(dividingBy: 255).prefix(6), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(try a.integers(name: "img"), [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6])
    }

    func testEveryElementTypeIsBigEndian() throws {
        let int8 = try IDX.decode(idx(type: 0x09, dims: [2], data: [0xFF, 0x7F]), name: "a")
        XCTAssertEqual(int8.floats(), [-1, 127])
        let int16 = try IDX.decode(idx(type: 0x0B, dims: [2], data: be(Int16(-2)) + be(Int16(300))), name: "a")
        XCTAssertEqual(int16.floats(), [-2, 300])
        let int32 = try IDX.decode(idx(type: 0x0C, dims: [1, 2], data: be(Int32(-70_000)) + be(Int32(16_777_217))), name: "a")
        XCTAssertEqual(try int32.integers(name: "a"), [-70_000, 16_777_217])
        let float32 = try IDX.decode(idx(type: 0x0D, dims: [2], data: be(Float(1.5).bitPattern) + be(Float(-0.25).bitPattern)), name: "a")
        XCTAssertEqual(float32.floats(), [1.5, -0.25])
        let float64 = try IDX.decode(idx(type: 0x0E, dims: [1], data: be(Double(3.25).bitPattern)), name: "a")
        XCTAssertEqual(float64.floats(dividingBy: 2), [1.625])
        assertDataError(try float64.integers(name: "labels.idx"), contains: ["labels.idx: expected integer labels", "double"])
    }

    func testEncoderMatchesHandBuiltBytesAndRoundTripsThroughGzip() throws {
        let values: [Double] = [0, 1, 2, 250, 251, 252]
        let expected = idx(type: 0x08, dims: [2, 3], data: [0, 1, 2, 250, 251, 252])
        XCTAssertEqual(try IDX.encode(dataType: .uint8, shape: [2, 3], values: values), expected)
        for type in IDXDataType.allCases {
            let v: [Double] = [-3, 0, 7, 100]
            let bytes = try IDX.encode(dataType: type, shape: [4], values: type == .uint8 ? v.map(abs) : v)
            XCTAssertEqual(try IDX.decode(bytes, name: "t").floats(), (type == .uint8 ? v.map(abs) : v).map(Float.init), "\(type)")
        }
        assertDataError(try IDX.encode(dataType: .uint8, shape: [1], values: [256]), contains: ["value 256.0 at index 0 is not representable as IDX ubyte"])
        assertDataError(try IDX.encode(dataType: .uint8, shape: [2], values: [1]), contains: ["shape mismatch"])

        let path = directory + "/images-idx3-ubyte.gz"
        try IDX.write(dataType: .uint8, shape: [2, 3], values: values, to: path)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(onDisk.prefix(2)), [0x1F, 0x8B], "written gzipped because of the .gz suffix")
        let read = try IDX.read(path)
        XCTAssertEqual(read.shape, [2, 3])
        XCTAssertEqual(read.floats(), values.map(Float.init))
    }

    func testDatasetFromImagesAndLabels() throws {
        let images = directory + "/train-images-idx3-ubyte.gz", labels = directory + "/train-labels-idx1-ubyte.gz"
        try IDX.write(dataType: .uint8, shape: [3, 2, 2], values: (0..<12).map { Double($0 * 20) }, to: images)
        try IDX.write(dataType: .uint8, shape: [3], values: [2, 0, 1], to: labels)
        let d = try IDX.loadDataset(images: images, labels: labels, divisor: 255, featureShape: [1, 2, 2], classNames: ["a", "b", "c"])
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d.featureShape, [1, 2, 2])
        XCTAssertEqual(d.labels, [2, 0, 1])
        XCTAssertEqual(d.features[11], 220 / 255)
        XCTAssertEqual(try IDX.loadDataset(images: images, labels: labels).classCount, 3)

        // Mismatched counts, shapes and label ranges.
        let fewer = directory + "/fewer-labels.gz"
        try IDX.write(dataType: .uint8, shape: [2], values: [0, 1], to: fewer)
        assertDataError(try IDX.loadDataset(images: images, labels: fewer), contains: ["fewer-labels.gz: shape mismatch: 2 labels for 3 samples"])
        assertDataError(try IDX.loadDataset(images: images, labels: labels, featureShape: [5]),
                        contains: ["shape mismatch: requested feature shape [5]", "4 values"])
        assertDataError(try IDX.loadDataset(images: images, labels: labels, classNames: ["a", "b"]),
                        contains: ["label 2 of sample 0 is outside 0..<2"])
        assertDataError(try IDX.loadDataset(images: labels, labels: labels), contains: ["at least 2 dimensions"])
        assertDataError(try IDX.loadDataset(images: images, labels: images), contains: ["1-dimensional array of labels"])
    }

    func testTruncatedFiles() throws {
        let full = idx(type: 0x08, dims: [10, 28, 28], data: [UInt8](repeating: 9, count: 7840))
        assertDataError(try IDX.decode(Array(full.prefix(1000)), name: "t.idx"),
                        contains: ["t.idx: file is truncated: shape [10, 28, 28] of ubyte needs 7840 bytes of data after the 16-byte header, but only 984 are present"])
        assertDataError(try IDX.decode(Array(full.prefix(10)), name: "t.idx"),
                        contains: ["file is truncated: the header declares 3 dimensions and needs 16 bytes, but the file has 10"])
        assertDataError(try IDX.decode([0, 0], name: "t.idx"), contains: ["too short to be an IDX file (2 bytes"])
        assertDataError(try IDX.decode(full + [0, 0], name: "t.idx"), contains: ["file has 2 bytes more than shape [10, 28, 28]"])

        // Truncated on disk after gzip: the gzip layer reports it, naming the file.
        let path = directory + "/cut.gz"
        let packed = try Gzip.compress(full)
        try writeBytes(Array(packed.prefix(packed.count - 12)), to: path)
        assertDataError(try IDX.read(path), contains: ["cut.gz: gzip data is truncated"])
    }

    func testWrongMagicNumbers() throws {
        assertDataError(try IDX.decode([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0], name: "m.idx"),
                        contains: ["m.idx: not an IDX file: magic number 0x12340801 should start with two zero bytes"])
        assertDataError(try IDX.decode([0, 0, 0x07, 0x01, 0, 0, 0, 0], name: "m.idx"),
                        contains: ["unknown IDX element type 0x07 in magic number 0x00000701", "0x08 ubyte", "0x0E double"])
        assertDataError(try IDX.decode([0, 0, 0x08, 0x00], name: "m.idx"), contains: ["declares 0 dimensions"])
        // NPY bytes handed to the IDX reader.
        let npy = try NPY.encode(dataType: .float32, shape: [1], values: [1])
        assertDataError(try IDX.decode(npy, name: "x.npy"), contains: ["x.npy: not an IDX file: magic number 0x934E554D"])
    }

    func testCorruptGzipFileIsAClearError() throws {
        let path = directory + "/corrupt-idx1-ubyte.gz"
        var packed = try Gzip.compress(idx(type: 0x08, dims: [5000], data: (0..<5000).map { UInt8($0 % 10) }))
        packed[packed.count / 2] ^= 0xFF
        packed[packed.count / 2 + 1] ^= 0xFF
        assertDataError(try IDX.read(path + ".missing"), contains: ["cannot open file: No such file or directory"])
        try writeBytes(packed, to: path)
        assertDataError(try IDX.read(path), contains: ["corrupt-idx1-ubyte.gz: corrupt gzip data"])
    }
}
