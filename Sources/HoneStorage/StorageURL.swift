// Storage URLs (design.md, "Storage"). SQLite and PostgreSQL URLs follow SQLAlchemy's rules
// (those of Optuna's `storage=`), so a URL copied from an Optuna or SQLAlchemy program opens
// the same database in Hone:
//
//   memory:                          in-process, gone when the process exits
//   sqlite:///relative/file.db       one SQLite file, relative to the working directory
//   sqlite:////absolute/file.db      one SQLite file, absolute path (four slashes)
//   sqlite:relative/file.db          Hone's shorthand: relative, or absolute after one `/`
//   sqlite://  sqlite:///:memory:    SQLAlchemy's in-memory database: the same as memory:
//   postgresql://user@host:port/db   a PostgreSQL database (any libpq connection URI;
//   postgres://…                     query parameters such as sslmode pass through)
//
// A `+driver` after the scheme (`sqlite+pysqlite://`, `postgresql+psycopg2://`) names the
// Python module SQLAlchemy would use; Hone has one client per database and ignores it.
//
// Before Hone 0.3.0, `sqlite:///x` was the absolute path /x (see `relativeSince`).
import Foundation

public enum StorageURL: Equatable, Sendable {
    case memory
    /// An absolute path: relative paths are resolved against the working directory when
    /// the URL is parsed.
    case sqlite(path: String)
    /// A libpq connection URI (without any `+driver`).
    case postgres(url: String)

    /// The accepted forms, for error messages and help texts.
    public static let accepted = "memory:, sqlite:///relative/path.db, sqlite:////absolute/path.db, "
        + "sqlite:relative/path.db or postgresql://user@host:port/database (a +driver suffix such as "
        + "postgresql+psycopg2:// is accepted)"

    /// The Hone version since which `sqlite:///x` is the relative path x (SQLAlchemy's rule)
    /// rather than the absolute path /x.
    public static let relativeSince = "0.3.0"

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw StorageURLError(url: text, reason: "it has no scheme; to use the file \(trimmed) write sqlite:\(trimmed)")
        }
        let schemeAndDriver = trimmed[..<colon].lowercased()
        let rest = String(trimmed[trimmed.index(after: colon)...])
        let scheme = try StorageURL.scheme(of: schemeAndDriver, url: text)
        switch scheme {
        case "memory":
            guard rest.isEmpty || rest == "//" else {
                throw StorageURLError(url: text, reason: "memory: takes nothing after the colon")
            }
            self = .memory
        case "sqlite", "sqlite3":
            self = try StorageURL.sqlite(rest, url: text)
        case "postgresql", "postgres":
            guard rest.hasPrefix("//") else {
                throw StorageURLError(url: text, reason: "a PostgreSQL URL looks like postgresql://user@host:port/database")
            }
            // libpq knows postgresql:// and postgres:// only: the driver goes.
            self = .postgres(url: scheme + ":" + rest)
        default:
            throw StorageURLError(url: text, reason: "unknown storage scheme '\(scheme)'")
        }
    }

    /// The URL that names this storage, in SQLAlchemy's spelling where it has one (for
    /// messages, and for a path to hand on as a URL).
    public var url: String {
        switch self {
        case .memory:
            return "memory:"
        case .sqlite(let path):
            // SQLAlchemy takes the path literally up to a `?`; Hone's shorthand is
            // percent-decoded and so can carry any path.
            if path.hasPrefix("/") && !path.contains("?") && !path.contains("%") { return "sqlite:///" + path }
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?%")
            return "sqlite:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path)
        case .postgres(let url):
            return url
        }
    }

    /// `scheme+driver` → `scheme`, refusing a malformed driver.
    private static func scheme(of text: String, url: String) throws -> String {
        guard let plus = text.firstIndex(of: "+") else { return text }
        let driver = text[text.index(after: plus)...]
        guard !driver.isEmpty, driver.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StorageURLError(url: url, reason: "'\(text)' is no scheme+driver (write e.g. postgresql+psycopg2://)")
        }
        return String(text[..<plus])
    }

    /// What follows `sqlite:`. SQLAlchemy's forms start with `//`: an empty host, then `/`
    /// and the path as written (so `///rel`, `////abs`), nothing at all meaning an
    /// in-memory database. Anything else is Hone's shorthand, a percent-encoded path. A
    /// host (`sqlite://host/…`) is refused: SQLite files are local, and SQLAlchemy would
    /// silently ignore it.
    private static func sqlite(_ rest: String, url: String) throws -> StorageURL {
        guard rest.hasPrefix("//") else {
            return .sqlite(path: try shorthandPath(rest, url: url))
        }
        let afterHost = rest.dropFirst(2)
        if afterHost.isEmpty { return .memory }
        guard afterHost.hasPrefix("/") else {
            throw StorageURLError(url: url, reason: "SQLite URLs have no host; write sqlite:///relative/path.db or sqlite:////absolute/path.db")
        }
        let path = String(afterHost.dropFirst())
        if path.contains("?") {
            throw StorageURLError(url: url, reason: "SQLite URLs take no query parameters")
        }
        if path.isEmpty || path == ":memory:" { return .memory }
        if path.hasPrefix("/") {
            var absolute = path
            while absolute.hasPrefix("//") { absolute.removeFirst() }
            return .sqlite(path: absolute)
        }
        let resolved = resolve(path)
        try checkFolderExists(of: resolved, relative: path, url: url)
        return .sqlite(path: resolved)
    }

    private static func shorthandPath(_ rest: String, url: String) throws -> String {
        if rest.contains("?") {
            throw StorageURLError(url: url, reason: "SQLite URLs take no query parameters")
        }
        guard let decoded = rest.removingPercentEncoding, !decoded.isEmpty else {
            throw StorageURLError(url: url, reason: "the SQLite file path is empty or badly percent-encoded")
        }
        return decoded.hasPrefix("/") ? decoded : resolve(decoded)
    }

    private static func resolve(_ relative: String) -> String {
        FileManager.default.currentDirectoryPath + "/" + relative
    }

    /// `sqlite:///tmp/x.db` meant /tmp/x.db before Hone 0.3.0 and means ./tmp/x.db now. When
    /// the relative reading names a folder that does not exist, the URL was most likely
    /// written for the old rule: say so, and how to write the absolute path, instead of
    /// SQLite's "unable to open database file".
    private static func checkFolderExists(of resolved: String, relative: String, url: String) throws {
        let folder = (resolved as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue { return }
        throw StorageURLError(url: url, reason: "three slashes make the relative path \(relative) (SQLAlchemy's rule, "
            + "Hone's since version \(relativeSince)), and the folder \(folder) does not exist; "
            + "for the absolute path /\(relative) write sqlite:////\(relative) (four slashes)")
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
