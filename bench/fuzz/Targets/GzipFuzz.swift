// gzip: decompress (one or more members), compress what came out and decompress it
// again, and read the result as IDX, as IDX.read does with .gz files.
import HoneData

enum GzipFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let output: [UInt8]
        do {
            output = try Gzip.decompress(bytes, name: inputName)
        } catch {
            return try expectNamed(error, inputName)
        }
        try expect(output.count <= max(bytes.count, 1) * 1100, "\(bytes.count) bytes inflated to \(output.count)")
        do {
            let again = try Gzip.decompress(try Gzip.compress(output), name: "again")
            try expect(again == output, "compress/decompress round trip changed \(output.count) bytes")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            throw FuzzFailure(description: "round trip of valid data failed: \(error)")
        }
        try FuzzFiles.withFile(bytes, suffix: ".idx.gz") { path in
            do {
                _ = try IDX.read(path)
            } catch {
                try expectNamed(error, path)
            }
        }
    }
}
