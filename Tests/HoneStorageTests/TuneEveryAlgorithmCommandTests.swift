// `hone tune` runs every registered sampler, pruner and scheduler from a study script
// (tests/algorithms.json; the Lua, C and Python front ends have the same test). The
// README's algorithm × front-end table points here.
import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest
@testable import HoneStorage

final class TuneEveryAlgorithmCommandTests: XCTestCase {
    func testHoneTuneRunsEveryRegisteredAlgorithm() throws {
        let fixture = try AlgorithmFixture()
        XCTAssertEqual(fixture.missing(), [], "add them to tests/algorithms.json")
        let directory = try makeTemporaryDirectory(self)
        let db = directory.appendingPathComponent("every.db").path
        for entry in fixture.entries {
            let name = "\(entry.kind.rawValue)-\(entry.name)"
            let script = directory.appendingPathComponent("\(name).lua")
            try AlgorithmFixture.luaStudyScript(entry, trials: 8, name: name).write(to: script, atomically: true, encoding: .utf8)
            let process = try WorkerProcess(["tune", script.path, "--storage", "sqlite:\(db)"], executable: "hone-cli")
            XCTAssertEqual(process.finish(timeout: 120), 0, "\(name): \(process.standardError)")
        }
        let storage = try SQLiteStorage(path: db)
        for entry in fixture.entries {
            let name = "\(entry.kind.rawValue)-\(entry.name)"
            let study = try XCTUnwrap(try storage.study(named: name), name)
            let trials = try storage.allTrials(studyId: study.id)
            XCTAssertEqual(trials.filter { $0.state == .fail }.compactMap(\.failReason), [], name)
            XCTAssertGreaterThanOrEqual(trials.filter { $0.state == .complete }.count, 1, name)
        }
    }
}
