// CRC-32C (Castagnoli), the checksum TFRecord files carry: reflected polynomial 0x82F63B78,
// initial value and final xor 0xFFFFFFFF. Slicing-by-8: eight 256-entry tables let the
// loop fold eight input bytes per step instead of one.

public enum CRC32C {
    static let polynomial: UInt32 = 0x82F6_3B78

    /// tables[t * 256 + b]: table 0 is the classic byte-at-a-time table; table t advances
    /// table t-1's entry by one more zero byte.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for t in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(t - 1) * 256 + byte]
                tables[t * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    public static func checksum(_ text: String) -> UInt32 { checksum(Array(text.utf8)) }

    /// Continues `crc` (the checksum of the bytes before) over `buffer`; `update(0, all)`
    /// equals `update(update(0, first), rest)`.
    public static func update(_ crc: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        var i = 0
        let n = buffer.count
        tables.withUnsafeBufferPointer { t in
            while n - i >= 8 {
                let lo = c ^ (UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8
                              | UInt32(buffer[i + 2]) << 16 | UInt32(buffer[i + 3]) << 24)
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(buffer[i + 4])] ^ t[2 * 256 + Int(buffer[i + 5])]
                    ^ t[1 * 256 + Int(buffer[i + 6])] ^ t[Int(buffer[i + 7])]
                i += 8
            }
            while i < n {
                c = (c >> 8) ^ t[Int((c ^ UInt32(buffer[i])) & 0xFF)]
                i += 1
            }
        }
        return ~c
    }

    /// The masked form TFRecord stores, so that a CRC over data that itself holds CRCs
    /// stays well distributed: rotate right by 15, add a constant.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
