// Protocol Buffers wire format, enough of it to write TensorBoard's Event messages by hand
// (no protobuf dependency): varints, 64- and 32-bit fixed fields, length-delimited fields.

/// Bytes of one message under construction. Fields are written in the order the calls
/// are made; every call writes its field even when it holds the default value (needed for
/// members of a `oneof`, harmless elsewhere).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    private mutating func key(_ field: Int, _ type: WireType) {
        appendVarint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ field: Int, _ value: UInt64) { key(field, .varint); appendVarint(value) }

    /// int64/int32/enum: negative values take ten bytes as two's complement (not zigzag).
    mutating func int64(_ field: Int, _ value: Int64) { uint64(field, UInt64(bitPattern: value)) }

    mutating func bool(_ field: Int, _ value: Bool) { uint64(field, value ? 1 : 0) }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        appendLittleEndian(value.bitPattern)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ value: ProtobufWriter) { bytes(field, value.bytes) }

    /// Builds a nested message in place: `message(5) { $0.string(1, "tag") }`.
    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        message(field, inner)
    }
}
