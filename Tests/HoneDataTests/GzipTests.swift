import XCTest
import HoneData

final class GzipTests: XCTestCase {
    /// Compressible but not trivial: a repeating ramp with a pseudo-random component.
    let payload: [UInt8] = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31 ^ ($0 >> 7)) }

    func testRoundTripAndHeader() throws {
        let packed = try Gzip.compress(payload)
        XCTAssertEqual(Array(packed.prefix(3)), [0x1F, 0x8B, 0x08], "gzip magic and deflate method")
        XCTAssertLessThan(packed.count, payload.count)
        XCTAssertEqual(try Gzip.decompress(packed, name: "x.gz"), payload)
        XCTAssertEqual(try Gzip.decompress(try Gzip.compress([]), name: "empty.gz"), [])
    }

    func testConcatenatedMembersDecompressLikeGzip() throws {
        let a = Array(payload.prefix(5000)), b = Array(payload.suffix(3000))
        XCTAssertEqual(try Gzip.decompress(try Gzip.compress(a) + Gzip.compress(b), name: "ab.gz"), a + b)
    }

    func testWrongLengthInTrailerIsDetectedAfterGrowingTheOutput() throws {
        // A wrong ISIZE in the trailer only misleads the size guess; the CRC still holds.
        var packed = try Gzip.compress([UInt8](repeating: 7, count: 300_000))
        let n = packed.count
        packed[n - 4] = 1; packed[n - 3] = 0; packed[n - 2] = 0; packed[n - 1] = 0
        assertDataError(try Gzip.decompress(packed, name: "size.gz"), contains: ["size.gz: corrupt gzip data", "incorrect length check"])
    }

    func testCorruptTruncatedAndTrailingGarbage() throws {
        let packed = try Gzip.compress(payload)
        var corrupt = packed
        for i in stride(from: 20, to: corrupt.count - 8, by: 97) { corrupt[i] ^= 0x5A }
        assertDataError(try Gzip.decompress(corrupt, name: "bad.gz"), contains: ["bad.gz: corrupt gzip data at compressed byte"])
        var badCRC = packed
        badCRC[badCRC.count - 6] ^= 0xFF
        assertDataError(try Gzip.decompress(badCRC, name: "crc.gz"), contains: ["crc.gz: corrupt gzip data", "incorrect data check"])
        assertDataError(try Gzip.decompress(Array(packed.prefix(packed.count / 2)), name: "half.gz"),
                        contains: ["half.gz: gzip data is truncated"])
        assertDataError(try Gzip.decompress(packed + [1, 2, 3], name: "tail.gz"),
                        contains: ["tail.gz: 3 unexpected bytes after the end of the gzip data"])
        assertDataError(try Gzip.decompress([0x1F], name: "tiny.gz"), contains: ["tiny.gz: not gzip data"])
    }
}
