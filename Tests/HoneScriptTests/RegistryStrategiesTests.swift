import Foundation
import HoneSearch
import HoneScript
import XCTest

/// Strategies reached by name from a Lua study script (the CLI's `hone tune` runs the same
/// scripts): each runs as it does from C and Python (tests/c/strategies.c,
/// bindings/python/tests/test_strategies.py).
final class RegistryStrategiesTests: XCTestCase {
    func testGridFromAStudyScriptRunsEveryPointOnceThenStops() throws {
        let path = try makeScratchDirectory(self).appendingPathComponent("grid.lua").path
        try """
            study { storage = "memory:", seed = 1, trials = 50,
                    sampler = { "grid", search_space = { width = { 32, 64, 128 }, act = { "relu", "tanh" } } } }
            function objective(trial)
              local w = trial:suggest_int("width", 16, 256)
              local a = trial:suggest_categorical("act", { "relu", "tanh" })
              return w + (a == "relu" and 0 or 1)
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let study = try StudyScript(path: path, options: StudyScriptOptions()).run()
        let trials = try study.trials(states: [.complete])
        XCTAssertEqual(trials.count, 6, "the grid has 3 × 2 points and the study stops there, not at 50")
        let points = Set(trials.map { "\($0.params["width"]!)|\($0.params["act"]!)" })
        XCTAssertEqual(points.count, 6, "every point once")
    }

    func testStudyScriptsDefaultToTheAutoSampler() throws {
        let path = try makeScratchDirectory(self).appendingPathComponent("default.lua").path
        try "study { storage = \"memory:\" }\nfunction objective(trial) return trial:suggest_float(\"x\", 0, 1) end\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try StudyScript(path: path, options: StudyScriptOptions(trials: 1)).configuration.sampler.name, "auto",
                       "the same default as the C API and Python")
    }
}
