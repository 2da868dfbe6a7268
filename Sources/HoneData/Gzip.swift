// gzip through the system zlib. IDX files are usually distributed gzipped (Debian's
// dataset-fashion-mnist ships only the .gz files), and decompressing in memory is far
// faster than parsing them through a pipe.

import CZlib

public enum Gzip {
    /// True when `bytes` starts with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a complete gzip file (one or more concatenated members, as `gzip`
    /// itself accepts). `name` labels errors: a corrupt stream, a truncated one, or
    /// trailing bytes that are not another gzip member.
    public static func decompress(_ input: [UInt8], name: String) throws -> [UInt8] {
        guard isGzip(input) else {
            throw DataError(file: name, "not gzip data (expected magic bytes 1f 8b)")
        }
        // The trailer's ISIZE is the uncompressed size mod 2^32: a good first guess for
        // the output size. A corrupt trailer only costs a bad guess, so cap it by the
        // deflate format's maximum ratio (~1032:1).
        let sizeHint: Int = {
            guard input.count >= 18 else { return 0 }
            let t = input.count - 4
            let isize = Int(input[t]) | Int(input[t + 1]) << 8 | Int(input[t + 2]) << 16 | Int(input[t + 3]) << 24
            return min(isize, input.count * 1032)
        }()
        var output = [UInt8](repeating: 0, count: max(sizeHint, 4096))
        var produced = 0
        var stream = z_stream()
        // inflateInit2 is a C macro; call the function it expands to. 16 + MAX_WBITS
        // makes zlib expect (and check) a gzip header and CRC-32 trailer.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: name, "cannot initialize zlib")
        }
        defer { inflateEnd(&stream) }

        try input.withUnsafeBufferPointer { source in
            var consumed = 0
            while true {
                let offered = min(source.count - consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
                stream.avail_in = UInt32(offered)
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16))) }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = stream.avail_out
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced += Int(before - stream.avail_out)
                    return result
                }
                consumed += offered - Int(stream.avail_in)
                switch status {
                case Z_STREAM_END:
                    // Another member may follow (`cat a.gz b.gz`); anything else is an error.
                    if consumed == source.count { return }
                    if source.count - consumed >= 2 && source[consumed] == 0x1F && source[consumed + 1] == 0x8B {
                        inflateReset(&stream)
                        continue
                    }
                    throw DataError(file: name, "\(source.count - consumed) unexpected bytes after the end of the gzip data")
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (grow it and go on)
                    // or the input ran out before the end of the stream.
                    if produced == output.count { continue }
                    throw DataError(file: name, "gzip data is truncated (the compressed stream ends after \(source.count) bytes without its end marker)")
                case Z_DATA_ERROR:
                    let reason = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw DataError(file: name, "corrupt gzip data at compressed byte \(consumed): \(reason)")
                case Z_MEM_ERROR:
                    throw DataError(file: name, "out of memory while decompressing")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw DataError(file: name, "cannot decompress gzip data: \(reason)")
                }
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// Compresses `input` as a single gzip member. Used to write `.gz` test fixtures
    /// and available to anyone exporting IDX files.
    public static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("cannot initialize zlib for compression (level \(level))")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var copy = input  // zlib's next_in is non-const
        let status: Int32 = copy.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw DataError("gzip compression failed (zlib status \(status))")
        }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
