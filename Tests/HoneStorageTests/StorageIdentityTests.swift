// A storage's identity: the same database through two handles is one storage, so a study
// cannot copy trials into itself that way; the same name elsewhere is another study.
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class StorageIdentityTests: XCTestCase {
    func testTwoHandlesOnOneSQLiteFileAreOneStorage() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory.appendingPathComponent("one.db").path
        let first = try SQLiteStorage(path: path)
        // Another spelling of the same file: through a symbolic link.
        let link = directory.appendingPathComponent("link.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        let second = try SQLiteStorage(path: link)
        XCTAssertEqual(first.identity, second.identity)
        XCTAssertNotEqual(first.identity, try SQLiteStorage(path: directory.appendingPathComponent("other.db").path).identity)

        let study = try Study.create(name: "s", storage: first, sampler: RandomSampler(), seed: 1)
        try study.optimize({ try $0.suggestFloat("x", 0, 1) }, nTrials: 3)
        let sameThroughLink = try Study.load(name: "s", storage: second, sampler: RandomSampler())
        XCTAssertThrowsError(try sameThroughLink.copyTrials(from: study)) { XCTAssertTrue("\($0)".contains("from itself"), "\($0)") }
        XCTAssertEqual(try study.trials().count, 3, "nothing was copied")

        // The same name and id in another file: another study, copied from as usual.
        let elsewhere = try Study.create(name: "s", storage: SQLiteStorage(path: directory.appendingPathComponent("other.db").path),
                                         sampler: RandomSampler(), seed: 1)
        XCTAssertEqual(elsewhere.id, study.id)
        XCTAssertEqual(try elsewhere.copyTrials(from: study), 3)
    }

    func testPostgresIdentityIsTheServerAndDatabase() throws {
        let url = try makePostgresTestURL(self)
        let a = try PostgresStorage(url: url), b = try PostgresStorage(url: url)
        XCTAssertEqual(a.identity, b.identity)
        XCTAssertTrue(a.identity.hasPrefix("postgresql://"), a.identity)
    }
}
