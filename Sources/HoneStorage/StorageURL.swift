// Storage URLs (design.md, "Storage"):
//
//   memory:                         in-process, gone when the process exits
//   sqlite:///abs/path/to/file.db   one SQLite file (absolute path)
//   sqlite:relative/file.db         one SQLite file relative to the working directory
//   postgresql://user@host:port/db  a PostgreSQL database (any libpq connection URI;
//   postgres://…                    query parameters such as sslmode pass through)
import Foundation

public enum StorageURL: Equatable, Sendable {
    case memory
    case sqlite(path: String)
    case postgres(url: String)

    /// The accepted forms, for error messages and help texts.
    public static let accepted = "memory:, sqlite:///absolute/path.db, sqlite:relative/path.db or postgresql://user@host:port/database"

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw StorageURLError(url: text, reason: "it has no scheme; to use the file \(trimmed) write sqlite:\(trimmed)")
        }
        let scheme = trimmed[..<colon].lowercased()
        let rest = String(trimmed[trimmed.index(after: colon)...])
        switch scheme {
        case "memory":
            guard rest.isEmpty || rest == "//" else {
                throw StorageURLError(url: text, reason: "memory: takes nothing after the colon")
            }
            self = .memory
        case "sqlite", "sqlite3":
            self = .sqlite(path: try StorageURL.sqlitePath(rest, url: text))
        case "postgresql", "postgres":
            guard rest.hasPrefix("//") else {
                throw StorageURLError(url: text, reason: "a PostgreSQL URL looks like postgresql://user@host:port/database")
            }
            self = .postgres(url: trimmed)
        default:
            throw StorageURLError(url: text, reason: "unknown storage scheme '\(scheme)'")
        }
    }

    /// `sqlite:` followed by `///abs`, `////abs` (SQLAlchemy's spelling of an absolute
    /// path) or a relative path. A host (`sqlite://host/…`) is refused: SQLite files are
    /// local, and silently reading it as a path would surprise.
    private static func sqlitePath(_ rest: String, url: String) throws -> String {
        var path: String
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            guard afterSlashes.hasPrefix("/") else {
                throw StorageURLError(url: url, reason: "SQLite URLs have no host; write sqlite:///absolute/path.db or sqlite:relative/path.db")
            }
            path = String(afterSlashes)
            while path.hasPrefix("//") { path.removeFirst() }
        } else {
            path = rest
        }
        if path.contains("?") {
            throw StorageURLError(url: url, reason: "SQLite URLs take no query parameters")
        }
        guard let decoded = path.removingPercentEncoding, !decoded.isEmpty else {
            throw StorageURLError(url: url, reason: "the SQLite file path is empty or badly percent-encoded")
        }
        if decoded.hasPrefix("/") { return decoded }
        return FileManager.default.currentDirectoryPath + "/" + decoded
    }
}

public struct StorageURLError: Error, CustomStringConvertible, Sendable {
    public let url: String
    public let reason: String

    /// What is wrong, naming the URL (password removed) and the accepted forms.
    public var message: String {
        "'\(PostgresConnection.redacted(url))': \(reason) (expected \(StorageURL.accepted))"
    }

    public var description: String { "invalid storage URL " + message }
}
