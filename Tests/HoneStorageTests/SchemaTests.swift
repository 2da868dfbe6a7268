import Foundation
import XCTest
@testable import HoneStorage

/// Migrations on both engines: a fresh database gets the current schema, reopening is a
/// no-op, and a database from a newer Hone is refused without being changed.
final class SchemaTests: XCTestCase {
    func testSQLiteMigratesFreshDatabaseOnceAndRefusesNewerSchema() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("a.db").path
        try checkMigrations { try SQLiteConnection(path: path) }
    }

    func testPostgresMigratesFreshDatabaseOnceAndRefusesNewerSchema() throws {
        let url = try makePostgresTestURL(self)
        try checkMigrations { try PostgresConnection(url: url) }
    }

    /// Eight connections opening one fresh PostgreSQL database at once all succeed and the
    /// schema is created exactly once (the advisory lock serializes them).
    func testPostgresConcurrentFirstOpenMigratesOnce() throws {
        let url = try makePostgresTestURL(self)
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { try StorageSchema.migrate(PostgresConnection(url: url)) } catch { failures.increment() }
        }
        XCTAssertEqual(failures.value, 0)
        let db = try PostgresConnection(url: url)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM schema_version").first?.int(0), 1)
        XCTAssertEqual(try StorageSchema.storedVersion(db), StorageSchema.currentVersion)
    }

    private func checkMigrations(open: () throws -> SQLDatabase) throws {
        let db = try open()
        XCTAssertEqual(try StorageSchema.storedVersion(db), 0)
        try StorageSchema.migrate(db)
        XCTAssertEqual(try StorageSchema.storedVersion(db), StorageSchema.currentVersion)
        try db.execute("INSERT INTO studies (name, directions, created_at) VALUES ('kept', '[\"minimize\"]', 0)")
        try StorageSchema.migrate(open())  // reopening changes nothing
        XCTAssertEqual(try db.execute("SELECT name FROM studies").map { $0.string(0) }, ["kept"])

        let newer = StorageSchema.currentVersion + 1
        try db.execute("UPDATE schema_version SET version = ?", [.integer(Int64(newer))])
        XCTAssertThrowsError(try StorageSchema.migrate(open())) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .schemaTooNew)
            XCTAssertTrue(String(describing: error).contains("schema version \(newer)"), "\(error)")
        }
        XCTAssertEqual(try StorageSchema.storedVersion(db), newer)
        XCTAssertEqual(try db.execute("SELECT name FROM studies").map { $0.string(0) }, ["kept"])
    }
}
