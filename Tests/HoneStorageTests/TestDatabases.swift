// Real databases for the tests: SQLite files in a fresh temporary directory, and a fresh
// PostgreSQL schema per test on the server named by HONE_TEST_POSTGRES_URL
// (scripts/start-postgres.sh starts one; scripts/test.sh exports the variable).
import Foundation
import XCTest
@testable import HoneStorage

/// A temporary directory removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("hone-storage-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
    return directory
}

/// The test server's URL, or XCTSkip when none is configured.
func postgresServerURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["HONE_TEST_POSTGRES_URL"], !url.isEmpty else {
        throw XCTSkip("HONE_TEST_POSTGRES_URL is not set (scripts/start-postgres.sh starts a server)")
    }
    return url
}

/// A URL whose connections see only a fresh, empty schema (through libpq's `options`
/// parameter setting search_path), dropped when the test ends. Tests on it cannot see
/// each other's tables, so they may run in any order or at once.
func makePostgresTestURL(_ test: XCTestCase) throws -> String {
    let server = try postgresServerURL()
    let schema = "hone_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let admin = try PostgresConnection(url: server)
    try admin.execute("CREATE SCHEMA \(schema)")
    test.addTeardownBlock {
        if let admin = try? PostgresConnection(url: server) {
            _ = try? admin.execute("DROP SCHEMA \(schema) CASCADE")
        }
    }
    return server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
}
