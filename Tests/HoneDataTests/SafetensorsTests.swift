import XCTest
import HoneData

final class SafetensorsTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    /// A safetensors file built by hand: 8-byte LE header length, the JSON header padded
    /// with spaces to a multiple of 8, then the data.
    func file(_ json: String, data: [UInt8]) -> [UInt8] {
        var header = Array(json.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        return le(UInt64(header.count)) + header + data
    }

    func testByteExactTinyFile() throws {
        // Two tensors given out of order; written in name order, F32, contiguous offsets,
        // metadata first, compact JSON as the reference implementation writes it.
        let entries = [SafetensorsEntry(name: "w", shape: [2], data: [1, -2]),
                       SafetensorsEntry(name: "b", shape: [], data: [0.5])]
        let json = #"{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        XCTAssertEqual(json.utf8.count, 138)
        var expected: [UInt8] = [144, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + [UInt8](repeating: 0x20, count: 6)
        expected += [0x00, 0x00, 0x00, 0x3F]              // 0.5
        expected += [0x00, 0x00, 0x80, 0x3F]              // 1.0
        expected += [0x00, 0x00, 0x00, 0xC0]              // -2.0
        XCTAssertEqual(try Safetensors.encode(entries, metadata: ["format": "pt"]), expected)
        XCTAssertEqual(file(json, data: Array(expected.suffix(12))), expected)
    }

    func testRoundTripThroughAFile() throws {
        let path = directory + "/model.safetensors"
        let entries = [SafetensorsEntry(name: "layers.0.weight", shape: [3, 4], data: (0..<12).map { Float($0) * 0.1 - 0.5 }),
                       SafetensorsEntry(name: "layers.0.bias", shape: [4], data: [1, 2, 3, .pi]),
                       SafetensorsEntry(name: "empty", shape: [0, 5], data: []),
                       SafetensorsEntry(name: "odd \"name\"\n", shape: [1], data: [-0.0])]
        let metadata = ["hone": "1", "config": #"{"hidden":[256,128]}"#]
        try Safetensors.write(entries, metadata: metadata, to: path)
        let read = try Safetensors.read(path)
        XCTAssertEqual(read.metadata, metadata)
        XCTAssertEqual(read.entries.map(\.name), ["empty", "layers.0.bias", "layers.0.weight", "odd \"name\"\n"])
        for e in entries { XCTAssertEqual(read[e.name], e) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(headerLength % 8, 0, "data starts 8-byte aligned")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"))
        // Without metadata there is no __metadata__ key.
        XCTAssertFalse(String(decoding: try Safetensors.encode(entries), as: UTF8.self).contains("__metadata__"))
    }

    func testReadsOtherDtypesAsFloat() throws {
        let json = #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},"#
            + #""c":{"dtype":"F64","shape":[1],"data_offsets":[6,14]},"d":{"dtype":"I64","shape":[1],"data_offsets":[14,22]},"#
            + #""e":{"dtype":"I32","shape":[1],"data_offsets":[22,26]},"f":{"dtype":"U8","shape":[2],"data_offsets":[26,28]},"#
            + #""g":{"dtype":"BOOL","shape":[1],"data_offsets":[28,29]}}"#
        var data = le(Float16(1.5).bitPattern) + le(Float16(-2).bitPattern)
        data += le(UInt16(Float(3).bitPattern >> 16))     // bfloat16 3.0
        data += le(Double(0.125).bitPattern) + le(Int64(-9)) + le(Int32(42)) + [7, 255] + [1]
        let contents = try Safetensors.decode(file(json, data: data), name: "m.safetensors")
        XCTAssertEqual(contents.entries.map(\.data), [[1.5, -2], [3], [0.125], [-9], [42], [7, 255], [1]])
        XCTAssertEqual(contents.metadata, [:])
    }

    func testMalformedFiles() throws {
        let name = "m.safetensors"
        let good = try Safetensors.encode([SafetensorsEntry(name: "a", shape: [2], data: [1, 2]),
                                           SafetensorsEntry(name: "b", shape: [1], data: [3])])
        assertDataError(try Safetensors.decode([1, 2, 3], name: name), contains: ["m.safetensors: file is too short", "3 bytes"])
        assertDataError(try Safetensors.decode(Array(good.prefix(30)), name: name),
                        contains: ["header length \(good.count - 20) exceeds the 22 bytes that follow it"])
        assertDataError(try Safetensors.decode(Array(good.dropLast(2)), name: name),
                        contains: ["tensor 'b': data_offsets [8, 12] extend beyond the 10 bytes of data; the file is truncated"])
        assertDataError(try Safetensors.decode(good + [0, 0, 0, 0], name: name), contains: ["4 bytes after the last tensor's data belong to no tensor"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#, data: []), name: name),
                        contains: ["header is not valid JSON"])
        assertDataError(try Safetensors.decode(file("[1, 2]", data: []), name: name), contains: ["does not start with '{'"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), name: name),
                        contains: ["tensor 'a': unsupported dtype 'C64'", "F32", "BF16"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), name: name),
                        contains: ["tensor 'a': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] span 8"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                                    data: [UInt8](repeating: 0, count: 8)), name: name),
                        contains: ["tensors 'a' (bytes 0..<8) and 'b' (bytes 4..<8) overlap"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)), name: name),
                        contains: ["data bytes 0..<4 belong to no tensor"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: [UInt8](repeating: 0, count: 8)), name: name),
                        contains: ["data_offsets [8, 4] are not an increasing pair"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 4)), name: name),
                        contains: ["'shape' must be an array of non-negative integers"])
        assertDataError(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[1]}}"#, data: [UInt8](repeating: 0, count: 4)), name: name),
                        contains: ["'data_offsets' must be an array of two integers"])
        assertDataError(try Safetensors.decode(file(#"{"__metadata__":{"k":1}}"#, data: []), name: name),
                        contains: ["'__metadata__' must map strings to strings, but 'k' is 1"])
    }

    func testWriteRejectsInconsistentEntries() throws {
        let path = directory + "/bad.safetensors"
        assertDataError(try Safetensors.write([SafetensorsEntry(name: "w", shape: [2, 2], data: [1, 2, 3])], to: path),
                        contains: ["bad.safetensors: tensor 'w': shape [2, 2] holds 4 values, got 3"])
        assertDataError(try Safetensors.write([SafetensorsEntry(name: "w", shape: [1], data: [1]), SafetensorsEntry(name: "w", shape: [1], data: [2])], to: path),
                        contains: ["two tensors are named 'w'"])
        assertDataError(try Safetensors.write([SafetensorsEntry(name: "__metadata__", shape: [1], data: [1])], to: path),
                        contains: ["'__metadata__' is reserved"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a failed write leaves no file")
        assertDataError(try Safetensors.write([], to: directory + "/no/such/dir/x.safetensors"), contains: ["cannot create file"])
    }

    /// Writing replaces the file by rename, so a path naming a device or directory must be
    /// refused rather than replaced (saving to /dev/null once deleted the device).
    func testWritingOverANonRegularFileIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hone-st-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try Safetensors.write([SafetensorsEntry(name: "w", shape: [1], data: [1])], to: dir)) {
            XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)")
        }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
