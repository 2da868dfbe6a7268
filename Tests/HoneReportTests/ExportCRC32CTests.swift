import XCTest
@testable import HoneReport

final class ExportCRC32CTests: XCTestCase {
    /// Check values from RFC 3720 (iSCSI) appendix B.4 and the CRC catalogue.
    func testKnownVectors() {
        XCTAssertEqual(CRC32C.checksum("123456789"), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    /// Values computed by TensorBoard's own reader (tensorflow_stub.pywrap_tensorflow).
    func testMaskedAsTensorFlowStoresIt() {
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum("123456789")), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum([])), 0xA282_EAD8)
        let pattern = (0..<1000).map { UInt8(($0 * 131 + 7) & 0xFF) }
        XCTAssertEqual(CRC32C.checksum(pattern), 0x8DBA_050D)
    }

    /// Slicing-by-8 against the one-bit-at-a-time definition, for every length around the
    /// 8-byte stride and every split point of an incremental update.
    func testSlicingMatchesBitwiseDefinition() {
        func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        let data = (0..<67).map { UInt8(($0 * 97 + 13) & 0xFF) }
        for n in 0...data.count {
            let prefix = Array(data[..<n])
            XCTAssertEqual(CRC32C.checksum(prefix), bitwise(prefix), "length \(n)")
            let whole = CRC32C.checksum(prefix)
            for split in [0, n / 3, n / 2, n] {
                let head = prefix[..<split].withUnsafeBytes { CRC32C.update(0, $0) }
                let both = prefix[split...].withUnsafeBytes { CRC32C.update(head, $0) }
                XCTAssertEqual(both, whole, "length \(n) split \(split)")
            }
        }
    }
}
