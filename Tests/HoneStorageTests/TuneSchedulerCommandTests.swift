// `hone tune` with a study script that names a scheduler: the command-line front end of
// the schedulers (tests/c/schedulers.c, bindings/python/tests/test_schedulers.py and
// Tests/HoneScriptTests/RegistrySchedulersTests.swift are the others).
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class TuneSchedulerCommandTests: XCTestCase {
    func testHoneTuneRunsHyperbandAndPBTScripts() throws {
        let directory = try makeTemporaryDirectory(self)
        for (name, scheduler, expected) in [
            ("hyperband", #"{ "hyperband", max_resource = 4, reduction_factor = 2, iterations = 1 }"#, 10),   // brackets of 4, 3 and 3
            ("pbt", #"{ "pbt", population_size = 3, generations = 2, steps_per_generation = 1 }"#, 6),
        ] {
            let script = directory.appendingPathComponent("\(name).lua")
            try """
                study { name = "\(name)", direction = "maximize", seed = 1, scheduler = \(scheduler) }
                local data = hone.dataset { synthetic = "moons", count = 200, seed = 1 }
                function objective(trial)
                  local lr = trial:suggest_float("lr", 1e-3, 1e-1, { log = true })
                  local model = hone.mlp { inputs = data.features, hidden = { 8 }, outputs = data.classes }
                  local fit = hone.fit { model = model, data = data, batch_size = 32, resume = trial,
                                         epochs = trial.work.max_budget, optimizer = { "adam", lr = lr } }
                  trial:set_user_attr("epochs_done", fit.model.epochs)
                  return fit.val_accuracy
                end
                """.write(to: script, atomically: true, encoding: .utf8)
            let db = directory.appendingPathComponent("\(name).db").path
            let process = try WorkerProcess(["tune", script.path, "--storage", "sqlite:\(db)"], executable: "hone-cli")
            let status = process.finish(timeout: 120)
            XCTAssertEqual(status, 0, process.standardError)
            let storage = try SQLiteStorage(path: db)
            let study = try XCTUnwrap(try storage.study(named: name))
            let trials = try storage.allTrials(studyId: study.id)
            XCTAssertEqual(trials.count, expected, name)
            XCTAssertEqual(trials.filter { $0.state == .fail }.count, 0, "\(name): \(trials.compactMap(\.failReason))")
            XCTAssertTrue(trials.contains { ($0.userAttrs["epochs_done"]?.numberValue ?? 0) > 1 }, "\(name): trials continued")
        }
    }
}
