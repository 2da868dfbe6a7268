import Foundation
import HoneNN
import HoneSearch
import HoneScript
import XCTest

/// Budget schedulers and PBT from a Lua study script (`hone tune` runs the same scripts):
/// `study { scheduler = … }`, the objective reading `trial.work`, and `hone.fit { resume =
/// trial }` continuing training from the study's checkpoints — the same shape as
/// tests/c/schedulers.c and bindings/python/tests/test_schedulers.py.
final class RegistrySchedulersTests: XCTestCase {
    /// The objective keeps "checkpoints" in a Lua table (one worker) and fails its trial
    /// if the work names one that does not hold exactly `start` units.
    private func run(scheduler: String, trials: Int? = nil, sampler: String = "") throws -> Study {
        let path = try makeScratchDirectory(self).appendingPathComponent("s.lua").path
        try """
            study { storage = "memory:", seed = 3, scheduler = \(scheduler) \(sampler) }
            local saved = {}
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              local w = trial.work
              assert(w and w.budget > w.start and w.budget <= w.max_budget, "work: " .. tostring(w))
              if w.resume_from then
                assert(saved[w.resume_from] == w.start,
                       "trial " .. w.resume_from .. " saved " .. tostring(saved[w.resume_from]) .. ", work starts at " .. w.start)
              else
                assert(w.start == 0, "no checkpoint but start " .. w.start)
              end
              saved[trial.number] = w.budget
              return (x - 0.3) ^ 2 + 1 / (1 + w.budget)
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try StudyScript(path: path, options: StudyScriptOptions(trials: trials)).run()
    }

    func testEverySchedulerRunsFromAStudyScript() throws {
        let cases: [(String, Int)] = [
            (#"{ "successive_halving", n_configurations = 9, max_resource = 9 }"#, 9),
            (#"{ "hyperband", max_resource = 9, iterations = 1 }"#, 17),
            (#"{ "bohb", max_resource = 9, iterations = 1 }"#, 17),
            (#"{ "asha", max_resource = 9 }"#, 15),
            (#"{ "pbt", population_size = 4, generations = 3, steps_per_generation = 2 }"#, 12),
            (#"{ "async_pbt", population_size = 4, total_steps = 6, steps_per_ready = 2 }"#, 12),
        ]
        for (scheduler, expected) in cases {
            let study = try run(scheduler: scheduler, trials: scheduler.contains("asha") ? 15 : nil)
            let trials = try study.trials()
            XCTAssertEqual(trials.count, expected, scheduler)
            XCTAssertEqual(trials.filter { $0.state == .fail }.map { $0.failReason ?? "" }, [], scheduler)
            XCTAssertTrue(trials.allSatisfy(\.state.isFinished), scheduler)
        }
    }

    func testBOHBBringsItsSamplerAndRefusesAnother() throws {
        let path = try makeScratchDirectory(self).appendingPathComponent("b.lua").path
        try "study { storage = \"memory:\", scheduler = { \"bohb\", max_resource = 9 } }\nfunction objective(t) return 1 end\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try StudyScript(path: path, options: StudyScriptOptions()).configuration.sampler.name, "bohb")
        XCTAssertThrowsError(try run(scheduler: #"{ "bohb", max_resource = 9 }"#, sampler: #", sampler = "tpe""#)) {
            XCTAssertTrue("\($0)".contains("'bohb' sampler"), "\($0)")
        }
        XCTAssertThrowsError(try run(scheduler: #"{ "hyperband" }"#)) { XCTAssertTrue("\($0)".contains("max_resource"), "\($0)") }
    }

    /// Real training: hone.fit { resume = trial } continues the promoted configuration's
    /// trainer (from any worker: the checkpoints live in the study, not in a Lua state),
    /// and PBT segments continue their parents'.
    func testFitResumesTheCheckpointTheWorkNames() throws {
        for scheduler in [#"{ "hyperband", max_resource = 4, reduction_factor = 2, iterations = 1 }"#,
                          #"{ "pbt", population_size = 3, generations = 3, steps_per_generation = 1 }"#] {
            let path = try makeScratchDirectory(self).appendingPathComponent("fit.lua").path
            try """
                study { storage = "memory:", seed = 5, jobs = 2, direction = "maximize", scheduler = \(scheduler) }
                local data = hone.dataset { synthetic = "moons", count = 200, seed = 1 }
                function objective(trial)
                  local lr = trial:suggest_float("lr", 1e-3, 1e-1, { log = true })
                  local model = hone.mlp { inputs = data.features, hidden = { 8 }, outputs = data.classes }
                  local fit = hone.fit { model = model, data = data, batch_size = 32, resume = trial,
                                         epochs = trial.work.max_budget, optimizer = { "adam", lr = lr } }
                  trial:set_user_attr("epochs_done", fit.model.epochs)
                  trial:set_user_attr("budget", trial.work.budget)
                  return fit.val_accuracy
                end
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let study = try StudyScript(path: path, options: StudyScriptOptions()).run()
            let trials = try study.trials()
            XCTAssertEqual(trials.filter { $0.state == .fail }.map { $0.failReason ?? "" }, [], scheduler)
            for t in trials where t.state != .fail {
                // The trainer holds exactly the budget's epochs: it continued, it did not restart.
                XCTAssertEqual(t.userAttrs["epochs_done"]?.numberValue, t.userAttrs["budget"]?.numberValue, "\(scheduler) trial \(t.number)")
            }
            XCTAssertTrue(trials.contains { ($0.userAttrs["budget"]?.numberValue ?? 0) > 1 }, scheduler)
            XCTAssertLessThanOrEqual(study.checkpoints.trialNumbers.count, 6, "the driver drops checkpoints nothing resumes: \(scheduler)")
        }
    }

    func testResumeWithoutASchedulerIsAClearError() throws {
        let path = try makeScratchDirectory(self).appendingPathComponent("r.lua").path
        try """
            study { storage = "memory:", trials = 1 }
            local data = hone.dataset { synthetic = "moons", count = 50 }
            function objective(trial)
              local model = hone.mlp { inputs = data.features, hidden = { 4 }, outputs = data.classes }
              return hone.fit { model = model, data = data, epochs = 1, resume = trial }.val_accuracy
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let study = try StudyScript(path: path, options: StudyScriptOptions()).run()
        let reason = try study.trials().first?.failReason ?? ""
        XCTAssertTrue(reason.contains("has no work (the study has no scheduler)"), reason)
    }
}
