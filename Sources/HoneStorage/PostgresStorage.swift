// The backend for many machines: one PostgreSQL database (design.md, "Storage").
import Foundation
import HoneSearch

/// Storage in a PostgreSQL database through libpq, for workers on many machines sharing
/// one study. Each call is one transaction; claims use row locks, so no enqueued trial is
/// handed out twice.
public final class PostgresStorage: RelationalStorage, @unchecked Sendable {
    /// Connects to a `postgresql://` (or `postgres://`) URL — any libpq connection URI —
    /// and brings the schema up to date. Throws `StorageError.backend` with libpq's
    /// message (password removed) when the server cannot be reached or refuses.
    public init(url: String) throws {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(url: url)
        } catch let error as DatabaseError {
            throw RelationalStorage.storageError(error)
        }
        // The server and database the connection reached ("postgresql://host:port/db").
        try super.init(database: connection, identity: connection.serverDatabase)
    }
}
