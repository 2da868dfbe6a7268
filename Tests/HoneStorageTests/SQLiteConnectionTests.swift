import Foundation
import XCTest
@testable import HoneStorage

final class SQLiteConnectionTests: XCTestCase {
    func testOpensInWALModeWithForeignKeys() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("a.db").path
        let db = try SQLiteConnection(path: path)
        XCTAssertEqual(try db.execute("PRAGMA journal_mode").first?.string(0), "wal")
        XCTAssertEqual(try db.execute("PRAGMA foreign_keys").first?.int(0), 1)
        XCTAssertEqual(try db.execute("PRAGMA synchronous").first?.int(0), 1)  // NORMAL
    }

    func testRoundTripsEveryValueShape() throws {
        let db = try SQLiteConnection(path: try makeTemporaryDirectory(self).appendingPathComponent("a.db").path)
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n TEXT)")
        let values: [SQLValue] = [.integer(.max), .real(0.1 + 0.2), .text("héllo 'quoted' ?"), .null]
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", values)
        let row = try XCTUnwrap(db.execute("SELECT i, r, s, n FROM t").first)
        XCTAssertEqual(row.values, values)
    }

    func testRollsBackOnErrorAndCommitsOnSuccess() throws {
        let db = try SQLiteConnection(path: try makeTemporaryDirectory(self).appendingPathComponent("a.db").path)
        try db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        try db.transaction(.write) { try db.execute("INSERT INTO t VALUES (1)") }
        XCTAssertThrowsError(try db.transaction(.write) {
            try db.execute("INSERT INTO t VALUES (2)")
            try db.execute("INSERT INTO t VALUES (1)")
        }) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .constraint)
        }
        XCTAssertEqual(try db.execute("SELECT x FROM t").map { $0.int(0) }, [1])
    }

    func testErrorsCarryMessageAndStatement() throws {
        let db = try SQLiteConnection(path: try makeTemporaryDirectory(self).appendingPathComponent("a.db").path)
        XCTAssertThrowsError(try db.execute("SELECT * FROM missing_table")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("no such table: missing_table"), text)
            XCTAssertTrue(text.contains("SELECT * FROM missing_table"), text)
        }
    }

    func testNonDatabaseFileIsRejectedAndLeftUntouched() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("notes.txt").path
        let content = Data(String(repeating: "these are my notes, not a database\n", count: 100).utf8)
        try content.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteConnection(path: path)) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .notADatabase)
            XCTAssertTrue(String(describing: error).contains("not a SQLite database"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), content)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    func testMissingDirectoryIsAClearError() throws {
        XCTAssertThrowsError(try SQLiteConnection(path: "/nonexistent-hone-dir/x/study.db")) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .cannotConnect)
            XCTAssertTrue(String(describing: error).contains("/nonexistent-hone-dir/x/study.db"), "\(error)")
        }
    }

    /// Two connections (as two processes would have) contend for the write lock: the
    /// second waits and retries instead of reporting "database is locked".
    func testWriterWaitsForAnotherWriterInsteadOfFailing() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("a.db").path
        let first = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 10)
        try first.execute("CREATE TABLE t (x INTEGER)")
        let second = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 10)
        try first.execute("BEGIN IMMEDIATE")
        try first.execute("INSERT INTO t VALUES (1)")
        let released = expectation(description: "first writer commits")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            _ = try? first.execute("COMMIT")
            released.fulfill()
        }
        try second.transaction(.write) { try second.execute("INSERT INTO t VALUES (2)") }
        wait(for: [released], timeout: 5)
        XCTAssertEqual(try second.execute("SELECT x FROM t ORDER BY x").map { $0.int(0) }, [1, 2])
    }

    func testLockHeldTooLongIsReportedAsBusyWithTheWait() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("a.db").path
        let first = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 10)
        try first.execute("CREATE TABLE t (x INTEGER)")
        let second = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 10)
        second.maxLockWait = 0.2
        try first.execute("BEGIN IMMEDIATE")
        defer { _ = try? first.execute("ROLLBACK") }
        XCTAssertThrowsError(try second.transaction(.write) { try second.execute("INSERT INTO t VALUES (2)") }) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .busy)
            XCTAssertTrue(String(describing: error).contains("stayed locked"), "\(error)")
        }
    }
}
