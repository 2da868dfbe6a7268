import Foundation
import XCTest
@testable import HoneStorage

/// Storage URLs follow SQLAlchemy's rules (those of Optuna's `storage=`): `sqlite:///rel.db`
/// is relative to the working directory, `sqlite:////abs.db` absolute, `+driver` accepted.
final class StorageURLTests: XCTestCase {
    private let cwd = FileManager.default.currentDirectoryPath

    func testParsesEveryAcceptedForm() throws {
        XCTAssertEqual(try StorageURL(parsing: "memory:"), .memory)
        XCTAssertEqual(try StorageURL(parsing: "sqlite:////abs/path.db"), .sqlite(path: "/abs/path.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite://///abs/path.db"), .sqlite(path: "/abs/path.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:relative.db"), .sqlite(path: cwd + "/relative.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:/abs/short.db"), .sqlite(path: "/abs/short.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:runs/a%20b.db"), .sqlite(path: cwd + "/runs/a b.db"))
        XCTAssertEqual(try StorageURL(parsing: "postgresql://u@h:5432/db?sslmode=disable"),
                       .postgres(url: "postgresql://u@h:5432/db?sslmode=disable"))
        XCTAssertEqual(try StorageURL(parsing: "postgres://u@h/db"), .postgres(url: "postgres://u@h/db"))
    }

    /// The example of Optuna's README, `sqlite:///db.sqlite3`, is ./db.sqlite3 — not a file at
    /// the root of the file system.
    func testThreeSlashesAreRelativeToTheWorkingDirectory() throws {
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///db.sqlite3"), .sqlite(path: cwd + "/db.sqlite3"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///runs.db"), .sqlite(path: cwd + "/runs.db"))
        let directory = try makeTemporaryDirectory(self)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: false)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory.path))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let here = FileManager.default.currentDirectoryPath
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///sub/x.db"), .sqlite(path: here + "/sub/x.db"))
        // SQLAlchemy takes the path as written: no percent-decoding in its forms.
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///sub/a%20b.db"), .sqlite(path: here + "/sub/a%20b.db"))
    }

    func testDriverSuffixesAreAcceptedAndLeftOutOfTheConnectionURL() throws {
        XCTAssertEqual(try StorageURL(parsing: "postgresql+psycopg2://u:pw@h:5432/db"), .postgres(url: "postgresql://u:pw@h:5432/db"))
        XCTAssertEqual(try StorageURL(parsing: "postgresql+asyncpg://u@h/db"), .postgres(url: "postgresql://u@h/db"))
        XCTAssertEqual(try StorageURL(parsing: "POSTGRESQL+PG8000://u@h/db"), .postgres(url: "postgresql://u@h/db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite+pysqlite:////abs/p.db"), .sqlite(path: "/abs/p.db"))
        XCTAssertEqual(try StorageURL(parsing: "sqlite+pysqlite:///rel.db"), .sqlite(path: cwd + "/rel.db"))
    }

    /// SQLAlchemy's in-memory SQLite URLs are Hone's memory: storage.
    func testSQLAlchemyInMemoryURLs() throws {
        XCTAssertEqual(try StorageURL(parsing: "sqlite://"), .memory)
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///"), .memory)
        XCTAssertEqual(try StorageURL(parsing: "sqlite:///:memory:"), .memory)
    }

    func testURLSpellsThePathTheWaySQLAlchemyReadsIt() throws {
        for path in ["/abs/path.db", "/a b/c.db", "/odd?name.db", "/50%.db"] {
            let url = StorageURL.sqlite(path: path).url
            XCTAssertEqual(try StorageURL(parsing: url), .sqlite(path: path), url)
        }
        XCTAssertEqual(StorageURL.sqlite(path: "/abs/path.db").url, "sqlite:////abs/path.db")
        XCTAssertEqual(StorageURL.memory.url, "memory:")
    }

    func testRejectsUnknownAndMalformedURLsWithTheReason() {
        let cases: [(String, String)] = [
            ("mysql://u@h/db", "unknown storage scheme 'mysql'"),
            ("mysql+pymysql://u@h/db", "unknown storage scheme 'mysql'"),
            ("runs.db", "write sqlite:runs.db"),
            ("sqlite://host/file.db", "SQLite URLs have no host"),
            ("sqlite:", "path is empty"),
            ("sqlite:////a.db?mode=ro", "no query parameters"),
            ("sqlite:a.db?mode=ro", "no query parameters"),
            ("sqlite+:///a.db", "no scheme+driver"),
            ("postgresql+psycopg-2://u@h/db", "no scheme+driver"),
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

    /// A URL written for Hone before 0.3.0 (`sqlite:///tmp/x.db` meaning /tmp/x.db) names a
    /// folder that does not exist relative to the working directory: the error says what
    /// three slashes mean now and how to write the absolute path.
    func testOldStyleAbsoluteURLGetsTheFourSlashHint() {
        XCTAssertThrowsError(try StorageURL(parsing: "sqlite:///no-such-folder-here/x.db")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("three slashes make the relative path no-such-folder-here/x.db"), text)
            XCTAssertTrue(text.contains("SQLAlchemy's rule"), text)
            XCTAssertTrue(text.contains("since version \(StorageURL.relativeSince)"), text)
            XCTAssertTrue(text.contains("write sqlite:////no-such-folder-here/x.db (four slashes)"), text)
        }
    }

    func testPasswordsNeverAppearInErrors() {
        XCTAssertThrowsError(try StorageURL(parsing: "mysql://user:hunter2@h/db")) { error in
            XCTAssertFalse(String(describing: error).contains("hunter2"), "\(error)")
        }
        XCTAssertThrowsError(try StorageURL(parsing: "postgresql+bad-driver://user:hunter2@h/db")) { error in
            XCTAssertFalse(String(describing: error).contains("hunter2"), "\(error)")
        }
    }
}
