// The small surface the relational storage needs from a SQL engine. SQLiteConnection and
// PostgresConnection implement it; everything above (schema, migrations, the Storage
// conformance) is written once against it.

/// What a transaction intends to do. SQLite uses it to take the write lock up front
/// (BEGIN IMMEDIATE), which is what keeps concurrent writers from deadlocking on a lock
/// upgrade; PostgreSQL can use it to open read-only transactions.
public enum TransactionMode: Sendable {
    case read
    case write
}

/// Where the two SQL dialects differ in what the shared storage code writes.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Appended to the SELECT that picks a WAITING trial to claim. PostgreSQL locks the
    /// chosen row and lets concurrent claimers skip it; SQLite needs nothing because
    /// BEGIN IMMEDIATE already serializes writers.
    public var claimLockSuffix: String {
        switch self {
        case .sqlite: return ""
        case .postgres: return " FOR UPDATE SKIP LOCKED"
        }
    }
}

/// A connection to one database. Not thread-safe: callers serialize access (the storage
/// classes hold a lock around each transaction).
public protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// The database's location for messages, without credentials.
    var location: String { get }

    /// Runs one statement written with `?` placeholders and returns its rows.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow]

    /// Runs `body` inside one transaction and commits it. Transient contention (SQLite's
    /// SQLITE_BUSY, PostgreSQL's serialization failures and deadlocks, a dropped
    /// PostgreSQL connection, re-established within a bound; PostgresConnection says when
    /// a COMMIT in flight is re-run) rolls back and runs `body` again after a jittered
    /// backoff, so `body` must have no effects outside the database. Any other error
    /// rolls back and is rethrown. Nested calls join the outer transaction.
    @discardableResult
    func transaction<T>(_ mode: TransactionMode, _ body: () throws -> T) throws -> T
}

extension SQLDatabase {
    @discardableResult
    public func execute(_ sql: String) throws -> [SQLRow] { try execute(sql, []) }
}
