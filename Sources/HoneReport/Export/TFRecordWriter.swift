// TFRecord framing, the container of TensorBoard event files: each record is
//   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes |
//   data | uint32 masked CRC-32C of data.

/// Accumulates framed records in memory; the caller writes `bytes` out in one go.
struct TFRecordWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(record data: [UInt8]) {
        var length = [UInt8]()
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length.append(contentsOf: $0) }
        bytes += length
        appendCRC(of: length)
        bytes += data
        appendCRC(of: data)
    }

    private mutating func appendCRC(of data: [UInt8]) {
        withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(data)).littleEndian) { bytes.append(contentsOf: $0) }
    }
}
