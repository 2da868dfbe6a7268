// Storage URLs: parsing (without connecting); errors name the URL without its password.
import HoneStorage

enum StorageURLFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            switch try StorageURL(parsing: text) {
            case .memory: break
            case .sqlite(let path): try expect(path.hasPrefix("/"), "a relative SQLite path \(path.debugDescription) after parsing")
            case .postgres(let url): try expect(url.lowercased().hasPrefix("postgres"), "PostgreSQL URL \(url.debugDescription)")
            }
        } catch let error as FuzzFailure {
            throw error
        } catch let error as StorageURLError {
            try expect(!error.reason.isEmpty, "an empty reason")
            _ = error.message
        } catch {
            try expectNamed(error)
        }
    }
}
