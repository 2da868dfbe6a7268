// The shared Storage contract (HoneSearchConformance) on the real engines: every check on
// a fresh SQLite file, and on a fresh PostgreSQL schema.
import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest
@testable import HoneStorage

final class SQLiteStorageConformanceTests: XCTestCase {
    func testConformance() throws {
        let directory = try makeTemporaryDirectory(self)
        StorageConformance.run { try SQLiteStorage(path: directory.appendingPathComponent("\(UUID()).db").path) }
    }

    /// The same checks through the URL factory, as users reach the backend.
    func testOpenedByURLIsSQLite() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("by-url.db").path
        XCTAssertTrue(try openStorage(url: "sqlite:///\(path)") is SQLiteStorage)
        XCTAssertTrue(try openStorage(url: "memory:") is InMemoryStorage)
    }
}

final class PostgresStorageConformanceTests: XCTestCase {
    func testConformance() throws {
        _ = try postgresServerURL()
        StorageConformance.run { try PostgresStorage(url: makePostgresTestURL(self)) }
    }

    func testOpenedByURLIsPostgres() throws {
        let url = try makePostgresTestURL(self)
        XCTAssertTrue(try openStorage(url: url) is PostgresStorage)
    }
}
