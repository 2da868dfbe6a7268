// Bad input gets a clear error naming what is wrong, and loses nothing already stored
// (design.md, "Principles").
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class BadInputTests: XCTestCase {
    private func message(of body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    func testNonDatabaseFileAsSQLiteURLIsRefusedUntouched() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("results.csv").path
        let content = Data("trial,value\n0,0.5\n1,0.25\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        let text = message { try openStorage(url: "sqlite:///\(path)") }
        XCTAssertTrue(text.contains(path), text)
        XCTAssertTrue(text.contains("not a SQLite database"), text)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), content, "the file must be left as it was")
    }

    func testSQLiteFileInMissingDirectoryNamesThePath() {
        let text = message { try openStorage(url: "sqlite:////no/such/dir/study.db") }
        XCTAssertTrue(text.contains("/no/such/dir/study.db"), text)
        XCTAssertTrue(text.contains("cannot open"), text)
    }

    /// `sqlite:///no/such/dir/study.db` was an absolute path before Hone 0.3.0; now it is
    /// relative (SQLAlchemy's rule), and the error says so rather than "cannot open".
    func testThreeSlashURLWrittenForTheOldRuleSaysHowToWriteTheAbsolutePath() {
        let text = message { try openStorage(url: "sqlite:///no/such/dir/study.db") }
        XCTAssertTrue(text.contains("relative path no/such/dir/study.db"), text)
        XCTAssertTrue(text.contains("since version \(StorageURL.relativeSince)"), text)
        XCTAssertTrue(text.contains("write sqlite:////no/such/dir/study.db"), text)
    }

    func testUnreachablePostgresNamesTheServer() {
        let text = message { try openStorage(url: "postgresql://hone:s3cret@127.0.0.1:1/hone") }
        XCTAssertTrue(text.contains("cannot connect to PostgreSQL"), text)
        XCTAssertTrue(text.contains("127.0.0.1"), text)
        XCTAssertFalse(text.contains("s3cret"), "passwords never appear in messages: \(text)")
    }

    func testUnknownSchemeListsTheAcceptedForms() {
        let text = message { try openStorage(url: "mongodb://localhost/hone") }
        XCTAssertTrue(text.contains("unknown storage scheme 'mongodb'"), text)
        XCTAssertTrue(text.contains("sqlite:///"), text)
        XCTAssertTrue(text.contains("postgresql://"), text)
    }

    func testSQLiteSchemaNewerThanTheCodeIsRefusedAndKept() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("future.db").path
        try checkNewerSchemaIsRefused(
            open: { try SQLiteStorage(path: path) },
            bumpVersion: { try SQLiteConnection(path: path).execute("UPDATE schema_version SET version = version + 1") })
    }

    func testPostgresSchemaNewerThanTheCodeIsRefusedAndKept() throws {
        let url = try makePostgresTestURL(self)
        try checkNewerSchemaIsRefused(
            open: { try PostgresStorage(url: url) },
            bumpVersion: { try PostgresConnection(url: url).execute("UPDATE schema_version SET version = version + 1") })
    }

    private func checkNewerSchemaIsRefused(open: () throws -> Storage, bumpVersion: () throws -> Void) throws {
        let storage = try open()
        let study = try storage.createStudy(name: "kept", directions: [.minimize], now: Date())
        let trial = try storage.startTrial(studyId: study.id, TrialStart(now: Date()))
        try storage.updateTrial(id: trial.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [0.5], at: Date())))
        try bumpVersion()
        let text = message { try open() }
        XCTAssertTrue(text.contains("schema version \(StorageSchema.currentVersion + 1)"), text)
        XCTAssertTrue(text.contains("upgrade Hone"), text)
        // The data is all still there (read through the connection the old code kept).
        XCTAssertEqual(try storage.trial(id: trial.id)?.values, [0.5])
    }

    /// Everything told survives closing and reopening the file.
    func testSQLiteStudyReopensIntact() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("reopen.db").path
        var expected: [FrozenTrial] = []
        do {
            let storage = try SQLiteStorage(path: path)
            let study = try storage.createStudy(name: "s", directions: [.maximize], now: Date())
            for i in 0..<5 {
                let t = try storage.startTrial(studyId: study.id, TrialStart(workerId: "w", now: Date()))
                try storage.updateTrial(id: t.id, TrialUpdate(
                    params: [TrialParam(name: "lr", distribution: .float(1e-5, 1, log: true), value: .float(0.001 * Double(i + 1)))],
                    intermediateValues: [IntermediateKey(step: 1, fold: i): [Double(i), -.infinity]],
                    userAttrs: ["i": .number(Double(i))],
                    finish: TrialFinish(state: .complete, values: [Double(i) / 3], at: Date())))
            }
            expected = try storage.allTrials(studyId: study.id)
        }
        let reopened = try SQLiteStorage(path: path)
        let study = try XCTUnwrap(reopened.study(named: "s"))
        XCTAssertEqual(study.directions, [.maximize])
        XCTAssertEqual(try reopened.allTrials(studyId: study.id), expected)
    }
}
