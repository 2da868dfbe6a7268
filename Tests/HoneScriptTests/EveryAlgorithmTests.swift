import Foundation
import HoneSearch
import HoneSearchConformance
import HoneScript
import XCTest

/// Every registered sampler, pruner and scheduler runs from a Lua study script, with the
/// options of tests/algorithms.json (shared with tests/c/every_algorithm.c,
/// bindings/python/tests/test_every_algorithm.py and the `hone tune` test). The README's
/// algorithm × front-end table points here.
final class EveryAlgorithmTests: XCTestCase {
    func testEveryRegisteredAlgorithmRunsFromAStudyScript() throws {
        let fixture = try AlgorithmFixture()
        XCTAssertEqual(fixture.missing(), [], "add them to tests/algorithms.json")
        let directory = try makeScratchDirectory(self)
        for entry in fixture.entries {
            let path = directory.appendingPathComponent("\(entry.kind)-\(entry.name).lua").path
            try AlgorithmFixture.luaStudyScript(entry, trials: 8, name: entry.name).write(toFile: path, atomically: true, encoding: .utf8)
            let study = try StudyScript(path: path, options: StudyScriptOptions(storage: "memory:")).run()
            let trials = try study.trials()
            XCTAssertEqual(trials.filter { $0.state == .fail }.compactMap(\.failReason), [], "\(entry.kind) \(entry.name)")
            XCTAssertGreaterThanOrEqual(trials.filter { $0.state == .complete }.count, 1, "\(entry.kind) \(entry.name)")
            XCTAssertGreaterThanOrEqual(trials.count, 3, "\(entry.kind) \(entry.name)")
        }
    }
}
