// A thin, safe wrapper over one sqlite3 connection.
//
// Settings and why:
// - WAL journal: readers never block the writer and the writer never blocks readers, so
//   many worker processes can share one study file.
// - synchronous=NORMAL: in WAL mode a crash (even kill -9 or power loss) never corrupts
//   the file; at worst the last commits before a power loss roll back. That is the right
//   trade for trial records, and it removes an fsync from every tell.
// - a busy handler: SQLite itself waits (briefly, see busyWait) for a competing writer
//   before reporting SQLITE_BUSY.
// - transaction(.write) uses BEGIN IMMEDIATE: it takes the write lock at the start, so two
//   writers never both read and then deadlock upgrading to write (which SQLite reports as
//   an immediate SQLITE_BUSY that no timeout can fix). What still comes back busy is
//   retried with jittered backoff; "database is locked" reaches the user only if the
//   file stays locked for `maxLockWait` seconds. The settings made when opening (WAL
//   above all) are retried the same way.
import CSQLite
import Foundation

// SQLite copies bound text before sqlite3_bind_text returns when given this destructor.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

public final class SQLiteConnection: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    public let location: String
    /// The file path as given.
    public let path: String
    /// How long a transaction keeps retrying on SQLITE_BUSY/SQLITE_LOCKED before giving up.
    public var maxLockWait: Double = 300

    private var db: OpaquePointer?
    /// Seconds one statement waits for a competing writer before SQLITE_BUSY.
    private var busyTimeout: Double = 2
    private var busySince = 0.0
    private var statements: [String: OpaquePointer] = [:]
    private var transactionDepth = 0

    /// Opens (creating if needed) the database file at `path`.
    /// - Parameter busyTimeoutMilliseconds: how long SQLite waits on a lock per statement.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 2_000) throws {
        self.path = path
        self.location = "sqlite:\(path)"
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw DatabaseError(.cannotConnect, location: location,
                                message: "cannot open database file (\(message))")
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        busyTimeout = Double(busyTimeoutMilliseconds) / 1000
        // Our busy handler instead of sqlite3_busy_timeout's: see `busyWait`.
        sqlite3_busy_handler(handle, { context, attempt in
            Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue().busyWait(attempt: attempt)
        }, Unmanaged.passUnretained(self).toOpaque())
        do {
            // Several processes opening one new file at the same moment meet each other
            // here: reading the header, and above all switching to WAL (which needs the
            // exclusive lock, and for which SQLite may answer SQLITE_BUSY at once, without
            // calling the busy handler). So these statements wait and retry like a
            // transaction does.
            try retryingWhileBusy {
                // The first statement reads the header, so a file that is not a database is
                // rejected here, before anything could be written to it.
                try execute("PRAGMA schema_version")
                let mode = try execute("PRAGMA journal_mode=WAL").first?.string(0)?.lowercased()
                // ":memory:" databases cannot use WAL; every file-backed one must.
                if mode != "wal" && path != ":memory:" {
                    throw DatabaseError(.other, location: location,
                                        message: "could not switch to WAL journal mode (got \(mode ?? "nothing"))")
                }
                try execute("PRAGMA synchronous=NORMAL")
                try execute("PRAGMA foreign_keys=ON")
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Finalizes cached statements and closes the connection. Safe to call twice.
    public func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    // MARK: Statements

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters, to: statement, sql: sql)
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            rows.append(row(of: statement))
        }
        return rows
    }

    /// Runs several `;`-separated statements without parameters (schema scripts).
    public func executeScript(_ sql: String) throws {
        guard let db else { throw closedError(sql: sql) }
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw DatabaseError(kind(of: rc), location: location, message: text, sql: sql)
        }
    }

    /// The statement for `sql`, prepared once per connection and reused: parsing and
    /// planning are a large share of a small statement's cost.
    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        guard let db else { throw closedError(sql: sql) }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql: sql) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLValue], to statement: OpaquePointer, sql: String) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == parameters.count else {
            throw DatabaseError(.other, location: location,
                                message: "statement takes \(expected) parameters, got \(parameters.count)", sql: sql)
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let s): rc = sqlite3_bind_text(statement, index, s, -1, SQLITE_TRANSIENT)
            }
            guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        }
    }

    private func row(of statement: OpaquePointer) -> SQLRow {
        let count = sqlite3_column_count(statement)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
            case SQLITE_NULL: values.append(.null)
            default:
                if let text = sqlite3_column_text(statement, column) {
                    values.append(.text(String(cString: text)))
                } else {
                    values.append(.null)
                }
            }
        }
        return SQLRow(values)
    }

    /// Called by SQLite when another connection holds the lock it needs; returns 1 to try
    /// again, 0 to give up with SQLITE_BUSY. sqlite3_busy_timeout's handler sleeps 1, 2,
    /// 5, 10… ms, which is long next to a storage transaction (~0.1 ms): workers would
    /// spend most of their time asleep while the lock sits free. This one starts at
    /// 20 µs and doubles up to 1 ms, with jitter so waiting processes spread out.
    fileprivate func busyWait(attempt: Int32) -> Int32 {
        let now = monotonicSeconds()
        if attempt == 0 { busySince = now }
        if now - busySince >= busyTimeout { return 0 }
        let delay = min(20e-6 * pow(2, Double(min(attempt, 10))), 1e-3)
        usleep(UInt32(Double.random(in: (delay / 2)...delay) * 1_000_000))
        return 1
    }

    // MARK: Transactions

    @discardableResult
    public func transaction<T>(_ mode: TransactionMode, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        let begin = mode == .write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"
        return try retryingWhileBusy {
            do {
                try execute(begin)
                transactionDepth = 1
                defer { transactionDepth = 0 }
                let result = try body()
                try execute("COMMIT")
                return result
            } catch {
                rollbackIfOpen()
                throw error
            }
        }
    }

    /// Runs `body` again, with jittered backoff, while it fails because another connection
    /// holds a lock, for up to `maxLockWait` seconds: the one rule for every statement that
    /// can meet a busy database (transactions, and the settings made when opening).
    private func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        var backoff = Backoff(maxWait: maxLockWait)
        while true {
            do {
                return try body()
            } catch let failure as DatabaseError where failure.kind == .busy {
                guard backoff.wait() else {
                    throw DatabaseError(.busy, location: location,
                                        message: "database stayed locked by other processes for \(Int(maxLockWait)) s (\(failure.message))",
                                        sql: failure.sql)
                }
            }
        }
    }

    private func rollbackIfOpen() {
        guard let db, sqlite3_get_autocommit(db) == 0 else { return }
        _ = try? execute("ROLLBACK")
    }

    // MARK: Errors

    private func kind(of rc: Int32) -> DatabaseError.Kind {
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_NOTADB: return .notADatabase
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_CANTOPEN: return .cannotConnect
        default: return .other
        }
    }

    private func error(_ rc: Int32, sql: String) -> DatabaseError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        let kind = kind(of: rc)
        if kind == .notADatabase {
            return DatabaseError(kind, location: location,
                                 message: "the file is not a SQLite database (\(message)); it was left untouched")
        }
        return DatabaseError(kind, location: location, message: message, sql: sql)
    }

    private func closedError(sql: String) -> DatabaseError {
        DatabaseError(.other, location: location, message: "connection is closed", sql: sql)
    }
}

/// Exponential backoff with full jitter for retrying contended transactions. The jitter
/// comes from the system generator on purpose: it must differ between processes so that
/// workers that collided once do not collide again in lockstep (it affects no trial).
struct Backoff {
    private let deadline: Double
    private var delay = 0.001
    private let cap = 0.1

    init(maxWait: Double) { deadline = monotonicSeconds() + maxWait }

    /// Sleeps before the next attempt; false when the deadline has passed.
    mutating func wait() -> Bool {
        guard monotonicSeconds() < deadline else { return false }
        let sleep = Double.random(in: (delay / 2)...delay)
        usleep(UInt32(sleep * 1_000_000))
        delay = min(delay * 2, cap)
        return true
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
