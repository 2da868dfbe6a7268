// The default backend: one SQLite file (design.md, "Storage").
import Foundation
import HoneSearch

/// Storage in one SQLite file, shared safely by the threads of a process and by several
/// processes on one machine (WAL; writers wait and retry, never "database is locked").
/// Not for network filesystems: SQLite's locking is unreliable there; use PostgreSQL
/// to share a study between machines.
public final class SQLiteStorage: RelationalStorage, @unchecked Sendable {
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the study database at `path` and brings its schema up
    /// to date. Throws `StorageError.backend` naming the file when it cannot be opened,
    /// is not a SQLite database (left untouched), or was written by a newer Hone.
    public init(path: String) throws {
        self.path = path
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path)
        } catch let error as DatabaseError {
            throw RelationalStorage.storageError(error)
        }
        // The connection created the file: its real path (links and relative paths
        // resolved) names this database however it was reached.
        let resolved = realpath(path, nil)
        defer { free(resolved) }
        try super.init(database: connection, identity: "sqlite:" + (resolved.map { String(cString: $0) } ?? path))
    }

    /// Opens a `sqlite:` URL (see `StorageURL`).
    public convenience init(url: String) throws {
        guard case .sqlite(let path) = try StorageURL(parsing: url) else {
            throw StorageError.invalidURL("\(url) is not a sqlite: URL")
        }
        try self.init(path: path)
    }
}
