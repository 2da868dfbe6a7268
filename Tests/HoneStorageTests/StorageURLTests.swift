import Foundation
import XCTest
@testable import HoneStorage

final class StorageURLTests: XCTestCase {
    func testParsesEveryAcceptedForm() throws {
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertEqual(try StorageURL(parsing: "memory:"), .memory)
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///abs/path.db"), .sqlite(path: "/abs/path.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:////abs/path.db"), .sqlite(path: "/abs/path.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:relative.db"), .sqlite(path: cwd + "/relative.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:runs/a%20b.db"), .sqlite(path: cwd + "/runs/a b.db"))
        XCTAssertEqual(try StorageURL(parsing: "postgresql://u@h:5432/db?sslmode=disable"),
                       .postgres(url: "postgresql://u@h:5432/db?sslmode=disable"))
        XCTAssertEqual(try StorageURL(parsing: "postgres://u@h/db"), .postgres(url: "postgres://u@h/db"))
    }

    func testRejectsUnknownAndMalformedURLsWithTheReason() {
        let cases: [(String, String)] = [
            ("mysql://u@h/db", "unknown storage scheme 'mysql'"),
            ("runs.db", "write sqlite:runs.db"),
            ("sqlite://host/file.db", "SQLite URLs have no host"),
            ("sqlite:", "path is empty"),
            ("sqlite:///a.db?mode=ro", "no query parameters"),
            ("memory:foo", "memory: takes nothing"),
            ("postgresql:db", "postgresql://user@host:port/database"),
        ]
        for (url, reason) in cases {
            XCTAssertThrowsError(try StorageURL(parsing: url), url) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains(reason), "\(url): \(text)")
                XCTAssertTrue(text.contains("expected memory:"), "\(url): \(text)")
            }
        }
    }

    func testPasswordsNeverAppearInErrors() {
        XCTAssertThrowsError(try StorageURL(parsing: "mysql://user:hunter2@h/db")) { error in
            XCTAssertFalse(String(describing: error).contains("hunter2"), "\(error)")
        }
    }
}
