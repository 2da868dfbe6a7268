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
// numbers). Serialization failures and deadlocks are retried with jittered backoff.
//
// A lost connection (server restart or crash, failover, an administrator terminating the
// session, a network cut) is re-established with backoff for up to `maxReconnectWait`
// seconds, and then the rule for the interrupted transaction is:
// - lost before COMMIT was sent (at BEGIN or in the body): the server rolls such a
//   transaction back when the session ends, so it is re-run from the start;
// - lost while COMMIT was in flight (sent, no answer): the transaction may or may not
//   have committed, and re-running a write blindly could apply it twice (two trials for
//   one ask, a tell applied to a trial another worker has since claimed…). So every write
//   transaction learns its transaction id at BEGIN (in the same round trip, `BEGIN;
//   SELECT txid_current()`), and after reconnecting asks the server what became of it
//   (`txid_status`, PostgreSQL ≥ 10, made for this):
//   - "aborted", or "transaction ID is in the future" → it did not commit: re-run;
//   - "in progress" (the old session is still finishing) → asked again until the deadline;
//   - "committed" → the body's result is returned as if COMMIT had been answered, but only
//     when that answer is about *our* transaction. After a crash (immediate shutdown,
//     a backend crash, power loss) the server recovers its next transaction id from the
//     WAL, and an id that was assigned but never reached durable WAL — ours, if it did
//     not commit — is handed out again, so "committed" may describe someone else's
//     transaction. It is trusted when the server's incarnation (start time of its
//     checkpointer, which every restart and crash recovery replaces) is the one our
//     transaction ran on, or when the new incarnation has taken no checkpoint yet (crash
//     recovery ends with one; a clean shutdown's checkpoint covers every id handed out,
//     so nothing is reused). Otherwise, and for any other answer, the transaction throws
//     `connectionLost` saying the outcome is unknown: it fails, cleanly, rather than
//     guessing. The storage above it never sees a change applied twice.
//   Read-only transactions are simply re-run.
// Statements run outside `transaction` (schema tools, tests) are not retried. Opening a
// connection waits the same way for a server that says it is starting up or shutting down.
import CPostgres
import Foundation

public final class PostgresConnection: SQLDatabase {
    public let dialect = SQLDialect.postgres
    public let location: String
    /// How long a transaction keeps retrying serialization failures and deadlocks.
    public var maxRetryWait: Double = 120
    /// How long a transaction keeps trying to re-establish a lost connection, from the
    /// moment it was lost (a restart of a small server takes a few seconds). Each attempt
    /// may itself take up to `connect_timeout` when the host does not answer at all.
    public var maxReconnectWait: Double = 60

    /// Fault injection for the tests of the COMMIT-in-flight rule: cuts the connection
    /// just before COMMIT is sent, or just after (the server gets it, the answer is lost).
    /// Fires once.
    enum CommitFault { case dropBeforeCommit, dropAfterSendingCommit }
    var commitFault: CommitFault?
    /// Test hook: runs once when a transaction has lost its connection, before the
    /// reconnection (to restart the server at that moment).
    var onConnectionLost: (() -> Void)?
    /// How many times this connection was re-established (for tests and logs).
    private(set) var reconnectCount = 0
    /// The server incarnation this session runs on (see the top comment), when visible.
    private var incarnation: String?

    private var connection: OpaquePointer?
    /// "postgresql://host:port/db" as libpq resolved it (the storage's identity).
    private(set) var serverDatabase = ""
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
        // A server that is starting up, shutting down or recovering (a restart under way)
        // is waited for like a lost connection; any other failure (refused, unknown host,
        // bad password) is reported at once.
        let deadline = monotonicSeconds() + maxReconnectWait
        var delay = 0.05
        var opened: OpaquePointer?
        while true {
            let handle = PQconnectdb(conninfo)
            if let handle, PQstatus(handle) == CONNECTION_OK {
                opened = handle
                break
            }
            let message = handle.map { PostgresConnection.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            let restarting = ["is starting up", "is shutting down", "is in recovery mode", "not yet accepting connections"]
                .contains { message.contains($0) }
            guard restarting, monotonicSeconds() < deadline else {
                throw DatabaseError(.cannotConnect, location: location,
                                    message: "cannot connect to PostgreSQL: \(message)")
            }
            usleep(UInt32(Double.random(in: (delay / 2)...delay) * 1_000_000))
            delay = min(delay * 2, 1)
        }
        let handle = opened!
        connection = handle
        func text(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        serverDatabase = "postgresql://\(text(PQhost(handle))):\(text(PQport(handle)))/\(text(PQdb(handle)))"
        // CREATE … IF NOT EXISTS and friends emit NOTICEs that libpq would print to stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        incarnation = currentIncarnation()
    }

    private static let incarnationQuery =
        "SELECT backend_start::text FROM pg_stat_activity WHERE backend_type = 'checkpointer'"

    /// The start time of the server's checkpointer, which every restart and every crash
    /// recovery replaces; nil when this role may not see it.
    private func currentIncarnation() -> String? {
        (try? execute(PostgresConnection.incarnationQuery))?.first?.string(0)
    }

    deinit { close() }

    public func close() {
        PQfinish(connection)
        connection = nil
    }

    // MARK: Statements

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        guard let connection else { throw closedError(sql: sql) }
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
        var reconnectDeadline: Double?
        while true {
            var transactionId: Int64?
            var outcome: T?
            do {
                if mode == .write {
                    transactionId = try beginWrite()
                } else {
                    // Reads run at REPEATABLE READ so the several statements of one read (trials,
                    // then their params and intermediate values) see one snapshot; read-only
                    // transactions at that level never fail to serialize.
                    try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                }
                transactionDepth = 1
                defer { transactionDepth = 0 }
                let result = try body()
                outcome = result
                try commit()
                return result
            } catch let failure as DatabaseError where failure.kind == .busy {
                rollbackIfOpen()
                guard backoff.wait() else {
                    throw DatabaseError(.busy, location: location,
                                        message: "transaction kept conflicting with other workers for \(Int(maxRetryWait)) s (\(failure.message))",
                                        sql: failure.sql)
                }
            } catch let failure as DatabaseError where failure.kind == .connectionLost {
                if let hook = onConnectionLost {
                    onConnectionLost = nil
                    hook()
                }
                let deadline = reconnectDeadline ?? monotonicSeconds() + maxReconnectWait
                reconnectDeadline = deadline
                // A connection that comes back but keeps being lost again ends here too.
                guard monotonicSeconds() < deadline else {
                    let unknown = outcome != nil && transactionId != nil
                        ? "; the last change may or may not have been stored" : ""
                    throw DatabaseError(.connectionLost, location: location,
                                        message: "the connection kept being lost for \(Int(maxReconnectWait)) s (\(failure.message))\(unknown)",
                                        sql: failure.sql)
                }
                try reconnect(until: deadline, after: failure)
                // COMMIT was in flight when the body had produced its result: find out
                // whether it took effect before deciding to re-run (see the top comment).
                if let result = outcome, let transactionId,
                   try committed(transactionId, until: deadline, after: failure) {
                    return result
                }
                incarnation = currentIncarnation()
            } catch {
                rollbackIfOpen()
                throw error
            }
        }
    }

    /// BEGIN for a write transaction, returning its transaction id (assigned now rather
    /// than at the first write) in the same round trip.
    private func beginWrite() throws -> Int64 {
        let sql = "BEGIN; SELECT txid_current()"
        guard let connection else { throw closedError(sql: sql) }
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK, let row = rows(of: result!).first, let id = row.int(0) else {
            throw error(from: result, sql: sql)
        }
        return id
    }

    private func commit() throws {
        guard let connection else { throw closedError(sql: "COMMIT") }
        let fault = commitFault
        commitFault = nil
        if fault == .dropBeforeCommit { shutdown(PQsocket(connection), Int32(SHUT_RDWR)) }
        guard PQsendQuery(connection, "COMMIT") == 1 else { throw error(from: nil, sql: "COMMIT") }
        if fault == .dropAfterSendingCommit {
            // On loopback the server's answer can be in our receive buffer before the cut,
            // and Linux still delivers buffered data after SHUT_RD; so the answer is never
            // read (the reconnection's PQreset drops it), and it is lost on every run, not
            // only when the cut wins the race.
            shutdown(PQsocket(connection), Int32(SHUT_RDWR))
            throw DatabaseError(.connectionLost, location: location,
                                message: "connection cut after COMMIT was sent (injected fault)", sql: "COMMIT")
        }
        var failed: OpaquePointer?
        while let result = PQgetResult(connection) {
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK && failed == nil {
                failed = result
            } else {
                PQclear(result)
            }
        }
        if let failed {
            defer { PQclear(failed) }
            throw error(from: failed, sql: "COMMIT")
        }
        if PQstatus(connection) == CONNECTION_BAD { throw error(from: nil, sql: "COMMIT") }
    }

    private func rollbackIfOpen() {
        guard let connection, PQtransactionStatus(connection) != PQTRANS_IDLE else { return }
        _ = try? execute("ROLLBACK")
    }

    /// Re-establishes a dropped connection with the original parameters, retrying with
    /// jittered exponential backoff (50 ms doubling to 1 s) until `deadline`.
    private func reconnect(until deadline: Double, after failure: DatabaseError) throws {
        guard let connection else { throw failure }  // closed on purpose: nothing to re-open
        var delay = 0.05
        while true {
            PQreset(connection)
            prepared.removeAll()  // prepared statements died with the old session
            if PQstatus(connection) == CONNECTION_OK {
                PQsetNoticeProcessor(connection, { _, _ in }, nil)
                reconnectCount += 1
                return
            }
            let now = monotonicSeconds()
            guard now < deadline else {
                throw DatabaseError(.connectionLost, location: location,
                                    message: "lost the connection (\(failure.message)) and could not re-establish it within \(Int(maxReconnectWait)) s: \(PostgresConnection.trimmed(PQerrorMessage(connection)))",
                                    sql: failure.sql)
            }
            let sleep = min(Double.random(in: (delay / 2)...delay), deadline - now)
            usleep(UInt32(max(sleep, 0) * 1_000_000))
            delay = min(delay * 2, 1)
        }
    }

    /// Whether the transaction `id`, whose COMMIT was in flight when the connection was
    /// lost, committed (true) or not (false), asked on the new connection; throws
    /// `connectionLost` when that cannot be known for sure by `deadline` (the rule is in
    /// the comment at the top of the file).
    private func committed(_ id: Int64, until deadline: Double, after failure: DatabaseError) throws -> Bool {
        func unknown(_ why: String) -> DatabaseError {
            DatabaseError(.connectionLost, location: location,
                          message: "connection lost during COMMIT and whether transaction \(id) committed cannot be known (\(why)); the last change may or may not have been stored (\(failure.message))",
                          sql: "COMMIT")
        }
        while true {
            let row: SQLRow?
            do {
                row = try execute(
                    """
                    SELECT txid_status(?), (\(PostgresConnection.incarnationQuery)),
                           (SELECT checkpoint_time FROM pg_control_checkpoint()) <
                               date_trunc('second', (\(PostgresConnection.incarnationQuery))::timestamptz)
                    """, [.integer(id)]).first
            } catch let lost as DatabaseError where lost.kind == .connectionLost {
                try reconnect(until: deadline, after: lost)
                continue
            } catch let error as DatabaseError where error.message.contains("is in the future") {
                // The id was never made durable, so the transaction never committed: the
                // server crashed before it and has not handed the id out again yet.
                return false
            }
            let incarnationNow = row?.string(1)
            switch row?.string(0) {
            case "committed":
                let sameServer = incarnation != nil && incarnationNow == incarnation
                let cleanRestart = row?.int(2) == 1
                incarnation = incarnationNow
                guard sameServer || cleanRestart else {
                    throw unknown("the server crashed or restarted meanwhile and may have reused the transaction id")
                }
                return true
            case "aborted":
                incarnation = incarnationNow
                return false
            case "in progress" where monotonicSeconds() < deadline:
                usleep(20_000)  // the old session is still finishing its COMMIT
            case let status:
                throw unknown("txid_status: \(status ?? "NULL")")
            }
        }
    }

    private func closedError(sql: String) -> DatabaseError {
        DatabaseError(.connectionLost, location: location, message: "connection is closed", sql: sql)
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
        // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going down or
        // not up yet (a restart); the session is over either way.
        case "57P01", "57P02", "57P03": kind = .connectionLost
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
