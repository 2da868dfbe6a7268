// safetensors: decode, then encode what was read and check that decoding that again
// gives the same bytes (encode(decode(x)) is a fixed point).
import HoneData

enum SafetensorsFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let contents: SafetensorsContents
        do {
            contents = try Safetensors.decode(bytes, name: inputName)
        } catch {
            return try expectNamed(error, inputName)
        }
        for entry in contents.entries {
            try expect(entry.shape.allSatisfy { $0 >= 0 }, "tensor '\(entry.name)': negative dimension")
            try expect(entry.data.count == entry.shape.reduce(1, *), "tensor '\(entry.name)': \(entry.data.count) values for shape \(entry.shape)")
        }
        do {
            let encoded = try Safetensors.encode(contents.entries, metadata: contents.metadata)
            let again = try Safetensors.decode(encoded, name: inputName)
            try expect(again.entries.map(\.name) == contents.entries.map(\.name), "round trip changed the tensor names")
            try expect(again.metadata == contents.metadata, "round trip changed the metadata")
            let encodedAgain = try Safetensors.encode(again.entries, metadata: again.metadata)
            try expect(encodedAgain == encoded, "encode(decode(encode(x))) differs from encode(x)")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error)
        }
    }
}
