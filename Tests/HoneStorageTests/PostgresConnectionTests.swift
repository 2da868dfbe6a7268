import Foundation
import XCTest
@testable import HoneStorage

final class PostgresConnectionTests: XCTestCase {
    func testRoundTripsEveryValueShape() throws {
        let db = try PostgresConnection(url: try makePostgresTestURL(self))
        try db.execute("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)")
        for real in [0.1 + 0.2, 1e-300, -.infinity, .leastNonzeroMagnitude, 123456789.123456789] {
            let values: [SQLValue] = [.integer(.min), .real(real), .text("héllo 'quoted' ? $1"), .null]
            try db.execute("DELETE FROM t")
            try db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", values)
            let row = try XCTUnwrap(db.execute("SELECT i, r, s, n FROM t").first)
            XCTAssertEqual(row.values, values)
        }
    }

    func testRollsBackOnErrorAndCommitsOnSuccess() throws {
        let db = try PostgresConnection(url: try makePostgresTestURL(self))
        try db.execute("CREATE TABLE t (x BIGINT UNIQUE)")
        try db.transaction(.write) { try db.execute("INSERT INTO t VALUES (1)") }
        XCTAssertThrowsError(try db.transaction(.write) {
            try db.execute("INSERT INTO t VALUES (2)")
            try db.execute("INSERT INTO t VALUES (1)")
        }) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .constraint)
        }
        XCTAssertEqual(try db.execute("SELECT x FROM t").map { $0.int(0) }, [1])
    }

    func testErrorsCarryServerMessageAndStatement() throws {
        let db = try PostgresConnection(url: try makePostgresTestURL(self))
        XCTAssertThrowsError(try db.execute("SELECT * FROM missing_table")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("relation \"missing_table\" does not exist"), text)
            XCTAssertTrue(text.contains("SELECT * FROM missing_table"), text)
        }
    }

    func testUnreachableServerIsAClearErrorWithoutThePassword() throws {
        let url = "postgresql://someone:secret@127.0.0.1:1/nowhere"
        XCTAssertThrowsError(try PostgresConnection(url: url)) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .cannotConnect)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("cannot connect to PostgreSQL"), text)
            XCTAssertTrue(text.contains("127.0.0.1"), text)
            XCTAssertFalse(text.contains("secret"), text)
        }
    }

    /// A connection killed by the server (as after a restart or a network cut) is
    /// re-established once and the transaction re-run.
    func testReconnectsOnceAfterTheServerDropsTheConnection() throws {
        let url = try makePostgresTestURL(self)
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE t (x BIGINT)")
        let pid = try XCTUnwrap(db.execute("SELECT pg_backend_pid()").first?.int(0))
        let admin = try PostgresConnection(url: url)
        try admin.execute("SELECT pg_terminate_backend(?::int)", [.integer(pid)])
        try db.transaction(.write) { try db.execute("INSERT INTO t VALUES (7)") }
        XCTAssertEqual(try admin.execute("SELECT x FROM t").map { $0.int(0) }, [7])
        XCTAssertNotEqual(try db.execute("SELECT pg_backend_pid()").first?.int(0), pid)
    }

    /// Two transactions that lock rows in opposite orders deadlock; PostgreSQL aborts one
    /// and the wrapper re-runs it, so both commit.
    func testDeadlockVictimIsRetried() throws {
        let url = try makePostgresTestURL(self)
        let setup = try PostgresConnection(url: url)
        try setup.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, x BIGINT)")
        try setup.execute("INSERT INTO t VALUES (1, 0), (2, 0)")
        let group = DispatchGroup()
        let failures = LockedCounter()
        for order in [[1, 2], [2, 1]] {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                do {
                    let db = try PostgresConnection(url: url)
                    try db.transaction(.write) {
                        try db.execute("UPDATE t SET x = x + 1 WHERE id = ?", [.integer(Int64(order[0]))])
                        usleep(200_000)
                        try db.execute("UPDATE t SET x = x + 1 WHERE id = ?", [.integer(Int64(order[1]))])
                    }
                } catch {
                    failures.increment()
                }
            }
        }
        group.wait()
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(try setup.execute("SELECT x FROM t ORDER BY id").map { $0.int(0) }, [2, 2])
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
