// A thin wrapper over one libpq connection.
//
// Statements go through PQexecParams with text-format parameters and results: no string
// interpolation of values into SQL, and no binary formats to keep in sync with server
// versions. Doubles travel in Swift's shortest round-trip form, which PostgreSQL parses
// back to the identical float8 (and prints back identically since extra_float_digits
// defaults to 1).
//
// Transactions run at READ COMMITTED; the storage makes claims atomic with row locks
// (`SELECT … FOR UPDATE SKIP LOCKED`, and an UPDATE on the study's counter row for trial
// numbers). Serialization failures and deadlocks are retried with jittered backoff; a
// dropped connection is re-established once per transaction and the transaction re-run,
// unless the drop happened during COMMIT, when the outcome is unknown and re-running
// could apply it twice.
import CPostgres
import Foundation

public final class PostgresConnection: SQLDatabase {
    public let dialect = SQLDialect.postgres
    public let location: String
    /// How long a transaction keeps retrying serialization failures and deadlocks.
    public var maxRetryWait: Double = 120

    private var connection: OpaquePointer?
    private var translated: [String: String] = [:]
    /// Names of the statements prepared on this connection, by SQL text.
    private var prepared: [String: String] = [:]
    private var transactionDepth = 0

    /// Connects to a `postgresql://` or `postgres://` URL (any libpq connection URI).
    /// A `connect_timeout` of 10 s is added unless the URL sets one, so an unreachable
    /// host fails promptly instead of hanging on the operating system's TCP timeout.
    public init(url: String) throws {
        location = PostgresConnection.redacted(url)
        var conninfo = url
        if !url.contains("connect_timeout=") {
            conninfo += (url.contains("?") ? "&" : "?") + "connect_timeout=10"
        }
        let handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { PostgresConnection.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            throw DatabaseError(.cannotConnect, location: location,
                                message: "cannot connect to PostgreSQL: \(message)")
        }
        connection = handle
        // CREATE … IF NOT EXISTS and friends emit NOTICEs that libpq would print to stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { close() }

    public func close() {
        PQfinish(connection)
        connection = nil
    }

    // MARK: Statements

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        guard let connection else {
            throw DatabaseError(.connectionLost, location: location, message: "connection is closed", sql: sql)
        }
        let statement = postgresPlaceholders(sql)
        var types: [Oid] = []
        var texts: [String?] = []
        types.reserveCapacity(parameters.count)
        texts.reserveCapacity(parameters.count)
        for value in parameters {
            switch value {
            case .null: types.append(0); texts.append(nil)
            case .integer(let v): types.append(20); texts.append(String(v))  // int8
            case .real(let v): types.append(701); texts.append(PostgresConnection.float8Text(v))  // float8
            case .text(let s): types.append(25); texts.append(s)  // text
            }
        }
        let result: OpaquePointer?
        if parameters.isEmpty && (sql == "BEGIN" || sql == "COMMIT" || sql == "ROLLBACK" || sql.hasPrefix("BEGIN ")) {
            // Transaction control: nothing to plan, and it must work even when a failed
            // statement left the transaction aborted.
            result = PQexec(connection, statement)
        } else {
            let name = try preparedName(for: sql, statement: statement, types: types, sql: sql)
            result = withCStrings(texts) { pointers in
                PQexecPrepared(connection, name, Int32(parameters.count), pointers, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            return rows(of: result!)
        default:
            throw error(from: result, sql: sql)
        }
    }

    /// The server-side prepared statement for `sql`, prepared on first use. The server
    /// then parses and plans each statement once per connection instead of on every
    /// call, which is most of its work for the storage's small statements. Parameter
    /// types are fixed by the first call; later calls bind the same kinds (or NULL, which
    /// fits any type).
    private func preparedName(for key: String, statement: String, types: [Oid], sql: String) throws -> String {
        if let name = prepared[key] { return name }
        let name = "hone_\(prepared.count + 1)"
        let result = PQprepare(connection, name, statement, Int32(types.count), types)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw error(from: result, sql: sql) }
        prepared[key] = name
        return name
    }

    /// Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`, skipping quoted text. Cached
    /// per statement text, which is a handful of constants.
    private func postgresPlaceholders(_ sql: String) -> String {
        if let cached = translated[sql] { return cached }
        var output = ""
        var index = 0
        var inQuote = false
        for character in sql {
            if character == "'" { inQuote.toggle() }
            if character == "?" && !inQuote {
                index += 1
                output += "$\(index)"
            } else {
                output.append(character)
            }
        }
        translated[sql] = output
        return output
    }

    private func rows(of result: OpaquePointer) -> [SQLRow] {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columnTypes = (0..<columnCount).map { PQftype(result, $0) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                if PQgetisnull(result, r, c) != 0 {
                    values.append(.null)
                    continue
                }
                let text = String(cString: PQgetvalue(result, r, c))
                switch columnTypes[Int(c)] {
                case 20, 21, 23:  // int8, int2, int4
                    values.append(Int64(text).map(SQLValue.integer) ?? .text(text))
                case 700, 701, 1700:  // float4, float8, numeric
                    values.append(PostgresConnection.parseFloat8(text).map(SQLValue.real) ?? .text(text))
                case 16:  // bool
                    values.append(.integer(text == "t" ? 1 : 0))
                default:
                    values.append(.text(text))
                }
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    // MARK: Transactions

    @discardableResult
    public func transaction<T>(_ mode: TransactionMode, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        var backoff = Backoff(maxWait: maxRetryWait)
        var reconnected = false
        while true {
            var committing = false
            do {
                // Reads run at REPEATABLE READ so the several statements of one read (trials, then
                // their params and intermediate values) see one snapshot; read-only
                // transactions at that level never fail to serialize.
                try execute(mode == .write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                transactionDepth = 1
                defer { transactionDepth = 0 }
                let result = try body()
                committing = true
                try execute("COMMIT")
                return result
            } catch let failure as DatabaseError where failure.kind == .busy {
                rollbackIfOpen()
                guard backoff.wait() else {
                    throw DatabaseError(.busy, location: location,
                                        message: "transaction kept conflicting with other workers for \(Int(maxRetryWait)) s (\(failure.message))",
                                        sql: failure.sql)
                }
            } catch let failure as DatabaseError where failure.kind == .connectionLost {
                if committing {
                    throw DatabaseError(.connectionLost, location: location,
                                        message: "connection lost during COMMIT; the last change may or may not have been stored (\(failure.message))")
                }
                guard !reconnected, reconnect() else { throw failure }
                reconnected = true
            } catch {
                rollbackIfOpen()
                throw error
            }
        }
    }

    private func rollbackIfOpen() {
        guard let connection, PQtransactionStatus(connection) != PQTRANS_IDLE else { return }
        _ = try? execute("ROLLBACK")
    }

    /// Re-establishes a dropped connection with the original parameters.
    private func reconnect() -> Bool {
        guard let connection else { return false }
        PQreset(connection)
        prepared.removeAll()  // prepared statements died with the old session
        guard PQstatus(connection) == CONNECTION_OK else { return false }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return true
    }

    // MARK: Errors

    private func error(from result: OpaquePointer?, sql: String) -> DatabaseError {
        let message: String
        if let result, let text = PQresultErrorMessage(result), text.pointee != 0 {
            message = PostgresConnection.trimmed(text)
        } else {
            message = connection.map { PostgresConnection.trimmed(PQerrorMessage($0)) } ?? "unknown error"
        }
        if let connection, PQstatus(connection) == CONNECTION_BAD {
            return DatabaseError(.connectionLost, location: location, message: message, sql: sql)
        }
        let sqlState = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        let kind: DatabaseError.Kind
        switch sqlState {
        case "40001", "40P01", "55P03": kind = .busy  // serialization_failure, deadlock_detected, lock_not_available
        case let s where s.hasPrefix("23"): kind = .constraint  // integrity_constraint_violation
        case let s where s.hasPrefix("08"): kind = .connectionLost  // connection_exception
        default: kind = .other
        }
        return DatabaseError(kind, location: location, message: message, sql: sql)
    }

    // MARK: Helpers

    static func trimmed(_ text: UnsafePointer<CChar>) -> String {
        String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL with any password replaced, for messages and logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    static func float8Text(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return "\(value)"
    }

    static func parseFloat8(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}

/// Calls `body` with C strings for `strings` (nil stays a NULL pointer), valid for the call.
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { $0.map { strdup($0)! } }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { $0.map { UnsafePointer($0) } })
}
