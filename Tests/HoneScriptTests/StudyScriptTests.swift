import Foundation
import HoneSearch
import HoneScript
import HoneStorage
import XCTest

/// Study scripts end to end: configuration, the trial API, failing trials, scripted rules.
final class StudyScriptTests: XCTestCase {
    private func write(_ source: String, name: String = "study.lua") throws -> String {
        let path = try makeScratchDirectory(self).appendingPathComponent(name).path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func trials(_ study: Study) throws -> [FrozenTrial] {
        try study.trials().sorted { $0.number < $1.number }
    }

    func testStudyTableAndOverrides() throws {
        let path = try write("""
            study { name = "cfg", direction = "maximize", trials = 50, jobs = 3, seed = 9, storage = "memory:",
                    limits = { memory_mb = 32, instructions = 1000000 } }
            function objective(trial) return trial:suggest_float("x", 0, 1) end
            """)
        let script = try StudyScript(path: path, options: StudyScriptOptions(trials: 4, jobs: 1, seed: 2))
        XCTAssertEqual(script.configuration.name, "cfg")
        XCTAssertEqual(script.configuration.directions, [.maximize])
        XCTAssertEqual(script.configuration.trials, 4)
        XCTAssertEqual(script.configuration.jobs, 1)
        XCTAssertEqual(script.configuration.seed, 2)
        XCTAssertEqual(script.configuration.limits.memoryBytes, 32 << 20)
        XCTAssertEqual(script.configuration.limits.instructionsPerCall, 1_000_000)
        let study = try script.run()
        XCTAssertEqual(try study.trials(states: [.complete]).count, 4)
        XCTAssertEqual(study.name, "cfg")
    }

    func testBadStudyTablesAreClearErrors() throws {
        for (body, expected) in [
            ("study { trails = 3 }", "study { … } has no option 'trails'"),
            ("study { direction = 'up' }", "\"direction\" must be \"minimize\" or \"maximize\", got \"up\""),
            ("study { seed = -1 }", "\"seed\" must be an integer ≥ 0"),
            ("study { heartbeat_s = 0 }", "\"heartbeat_s\" must be a number of seconds"),
            ("study { jobs = 0 }", "must be at least 1"),
            ("study { sampler = 'tpe-typo' }", "unknown sampler 'tpe-typo'"),
            ("-- no study table", "has no study { … } table"),
        ] {
            let path = try write(body + "\nfunction objective(trial) return 1 end")
            XCTAssertThrowsError(try StudyScript(path: path).openStudy(), body) { error in
                XCTAssertContains("\(error)", expected)
            }
        }
    }

    func testFailingTrialsFailAloneWithFileAndLine() throws {
        // Each trial number breaks in its own way; every other trial completes.
        let path = try write("""
            study { trials = 8, seed = 0, limits = { instructions = 2000000, memory_mb = 32 } }
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              local n = trial.number
              if n == 1 then error("deliberate failure") end
              if n == 2 then while true do end end
              if n == 3 then return nil end
              if n == 4 then return "0.5" end
              if n == 5 then return 0/0 end
              if n == 6 then local s = string.rep("x", 1 << 30) end
              return x
            end
            """, name: "breaks.lua")
        // In a SQLite file, reopened afterwards: every trial, failed or not, is stored.
        let database = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("breaks.db").path
        _ = try StudyScript(path: path, options: StudyScriptOptions(storage: "sqlite:///" + database)).run()
        let study = try Study.load(name: "breaks", storage: try openStorage(url: "sqlite:///" + database))
        let all = try trials(study)
        XCTAssertEqual(all.count, 8)
        XCTAssertEqual(all.map(\.state), [.complete, .fail, .fail, .fail, .fail, .fail, .fail, .complete])
        let reasons = all.map { $0.failReason ?? "" }
        XCTAssertContains(reasons[1], "breaks.lua:5: deliberate failure")
        XCTAssertContains(reasons[2], "breaks.lua:6: instruction limit exceeded")
        XCTAssertContains(reasons[3], "breaks.lua:2: objective returned nil (expected a number)")
        XCTAssertContains(reasons[4], "breaks.lua:2: objective returned a string (\"0.5\") where a number belongs")
        XCTAssertContains(reasons[5], "breaks.lua:2: objective returned NaN")
        XCTAssertContains(reasons[6], "not enough memory (memory limit of 32 MiB reached)")
    }

    func testTrialAPIFromLua() throws {
        let path = try write("""
            study { direction = "minimize", trials = 3, seed = 4 }
            function objective(trial)
              local lr = trial:suggest_float("lr", 1e-4, 1e-1, { log = true })
              local n = trial:suggest_int("n", 1, 9, { step = 2 })
              local kind = trial:suggest_categorical("kind", { "a", "b", 3, true })
              for step = 1, 3 do trial:report(lr * step, step) end
              trial:set_user_attr("note", { seen = { lr, n }, kind = tostring(kind) })
              assert(trial.params.lr == lr and trial.params.n == n and trial.params.kind == kind)
              assert(trial.user_attrs.note.kind == tostring(kind))
              assert(not trial:should_prune())
              return lr + n
            end
            """)
        let study = try StudyScript(path: path).run()
        let all = try trials(study)
        XCTAssertEqual(all.map(\.state), [.complete, .complete, .complete], all.map { $0.failReason ?? "" }.joined(separator: "\n"))
        for trial in all {
            XCTAssertEqual(trial.intermediateValues.count, 3)
            XCTAssertEqual(trial.values?.first, (trial.params["lr"]?.doubleValue ?? 0) + (trial.params["n"]?.doubleValue ?? 0))
            XCTAssertEqual([1, 3, 5, 7, 9].contains(trial.params["n"]?.intValue ?? 0), true)
            if case let .object(note)? = trial.userAttrs["note"] { XCTAssertNotNil(note["seen"]) } else { XCTFail("no user attribute") }
        }
        // Misuse is named.
        let misuse = try write("""
            study { trials = 1 }
            function objective(trial) return trial.suggest_float("x", 0, 1) end
            """)
        let failed = try trials(try StudyScript(path: misuse).run())
        XCTAssertContains(failed.first?.failReason, "study.lua:2: Trial:suggest_float: self (call it as trial:suggest_float(…)) is a string")
    }

    func testTrainingMisuseIsNamed() throws {
        let path = try write("""
            study { trials = 3 }
            local data = hone.dataset { synthetic = "moons", count = 60 }
            function objective(trial)
              if trial.number == 0 then return hone.fit { data = data }.val_loss end
              if trial.number == 1 then return hone.fit { model = hone.mlp { inputs = 2, outputs = 2 }, data = data, epoch = 1 } end
              return hone.mlp { inputs = 2 }
            end
            """)
        let reasons = try trials(try StudyScript(path: path).run()).map { $0.failReason ?? "" }
        XCTAssertContains(reasons[0], "study.lua:4: hone.fit: field 'model' is nil (expected a Model (from hone.mlp or hone.cnn))")
        XCTAssertContains(reasons[1], "study.lua:5: hone.fit: hone.fit { … } has no option 'epoch'")
        XCTAssertContains(reasons[2], "study.lua:6: hone.mlp: hone.mlp { … }: \"outputs\" is required")
    }

    func testMultiObjectiveAndHooks() throws {
        let directory = try makeScratchDirectory(self)
        let path = directory.appendingPathComponent("pareto.lua").path
        try """
            study { directions = { "minimize", "maximize" }, trials = 6, seed = 2 }
            finished = {}
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              return { x * x, x }
            end
            function on_trial_complete(trial)
              finished[#finished + 1] = trial.number
              assert(#trial.values == 2 and trial.state == "complete")
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let script = try StudyScript(path: path)
        let study = try script.run()
        XCTAssertEqual(try study.trials(states: [.complete]).count, 6)
        XCTAssertFalse(try study.paretoFront().isEmpty)
        // Wrong arity is the study's clear error, stored as the trial's failure.
        try "study { directions = { 'minimize', 'maximize' }, trials = 1 } function objective(t) return 1 end"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let failed = try trials(try StudyScript(path: path).run())
        XCTAssertContains(failed.first?.failReason, "2 objective(s) but 1 value(s)")
    }

    func testDeclarativeSpaceErrors() throws {
        let path = try write("""
            study { trials = 1, space = { lr = { "gaussian", 0, 1 } } }
            function objective(trial, params) return params.lr end
            """)
        let failed = try trials(try StudyScript(path: path).run())
        XCTAssertContains(failed.first?.failReason, "space entry 'lr' has type 'gaussian' (expected float, int or categorical)")
    }

    func testSameSeedSameTrials() throws {
        let path = try write("""
            study { trials = 5, seed = 11 }
            function objective(trial) return trial:suggest_float("x", 0, 1) + math.random() end
            """)
        let a = try trials(try StudyScript(path: path).run()).map { $0.values ?? [] }
        let b = try trials(try StudyScript(path: path).run()).map { $0.values ?? [] }
        XCTAssertEqual(a, b)
    }

    func testParallelWorkersEachHaveAState() throws {
        let path = try write("""
            study { trials = 12, jobs = 3, seed = 1 }
            calls = 0
            function objective(trial) calls = calls + 1 return trial:suggest_float("x", -1, 1) ^ 2 + calls * 0 end
            """)
        let study = try StudyScript(path: path).run()
        XCTAssertEqual(try study.trials(states: [.complete]).count, 12)
    }

    func testInterruptFailsRunningTrialsAndStops() throws {
        let path = try write("""
            study { trials = 100 }
            function objective(trial) trial:suggest_float("x", 0, 1) while true do end end
            """)
        let script = try StudyScript(path: path, options: StudyScriptOptions(limits: ScriptLimits(memoryBytes: 64 << 20, instructionsPerCall: nil)))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { script.interrupt() }
        let study = try script.run()
        let all = try trials(study)
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all.first?.state, .fail)
        XCTAssertContains(all.first?.failReason, "interrupted")
    }

    /// hone.fit stops within a batch on an interrupt (not at the end of a long epoch), and
    /// the trial is stored FAIL with the exact reason "interrupted".
    func testInterruptStopsTrainingWithinAnEpoch() throws {
        let path = try write("""
            study { trials = 5 }
            local data = hone.dataset { synthetic = "spirals", count = 400000, seed = 1 }
            function objective(trial)
              trial:suggest_float("x", 0, 1)
              local model = hone.mlp { inputs = data.features, hidden = { 256, 256 }, outputs = data.classes }
              local fit = hone.fit { model = model, data = data, epochs = 1, batch_size = 8 }
              return fit.loss
            end
            """)
        let script = try StudyScript(path: path)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { script.interrupt() }
        let start = Date()
        let study = try script.run()
        // One epoch of 50,000 batches takes far longer than this.
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        let all = try trials(study)
        XCTAssertEqual(all.map(\.state), [.fail])
        XCTAssertEqual(all.first?.failReason, "interrupted")
    }

    /// The paired fold test by name, fed by per-fold reports (trial:report(value, step, fold)):
    /// a trial 0.2 worse on every fold than the best is stopped once three folds are done.
    func testPairedFoldPrunerByName() throws {
        let path = try write("""
            study { trials = 3, direction = "maximize", pruner = { "paired_fold", alpha = 0.05, min_folds = 3 } }
            local folds = { 0.9, 0.7, 0.85, 0.6, 0.95 }
            local offset = { [0] = 0, [1] = -0.2, [2] = 0.01 }
            function objective(trial)
              local sum = 0
              for f = 1, #folds do
                local v = folds[f] + offset[trial.number]
                trial:report(v, 3, f - 1)
                if trial:should_prune() then trial:prune() end
                sum = sum + v
              end
              return sum / #folds
            end
            """)
        let all = try trials(try StudyScript(path: path).run())
        XCTAssertEqual(all.map(\.state), [.complete, .pruned, .complete])
        // Fold f counts as finished once fold f + 1 reports: judged when fold 3 reported.
        XCTAssertEqual(Set(all[1].intermediateValues.keys.map(\.fold)), [0, 1, 2, 3])
    }

    func testScriptedPrunerAndSamplerErrors() throws {
        let path = try write("""
            hone.pruner("every-other", function(trial, trials) return trial.number % 2 == 1 end)
            study { trials = 4, pruner = "every-other" }
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              trial:report(x, 1)
              if trial:should_prune() then trial:prune() end
              return x
            end
            """)
        let all = try trials(try StudyScript(path: path).run())
        XCTAssertEqual(all.map(\.state), [.complete, .pruned, .complete, .pruned])

        let badSampler = try write("""
            hone.sampler("broken", function(space, trials) return { x = 7 } end)
            study { trials = 2, sampler = "broken" }
            function objective(trial) return trial:suggest_float("x", 0, 1) end
            """)
        // A sampler returning a value outside the distribution fails the trial that asked,
        // naming the sampler, the parameter and where the sampler is defined.
        let failed = try trials(try StudyScript(path: badSampler).run())
        XCTAssertEqual(failed.map(\.state), [.fail, .fail])
        XCTAssertContains(failed.first?.failReason, "study.lua:1: sampler 'broken' returned for 'x' 7.0, which is not in")
    }

    func testModelTablesUseTheCAPIsSpellingAndAcceptTheOldOne() throws {
        let path = try write("""
            study { storage = "memory:", trials = 1 }
            function objective(trial)
              local new = hone.cnn { input_shape = { 1, 8, 8 }, channels = { 2 }, kernel_size = 5, pool_size = 2, outputs = 2 }
              local old = hone.cnn { input_shape = { 1, 8, 8 }, channels = { 2 }, kernel = 5, pool = 2, outputs = 2 }
              assert(new.json == old.json, "the old spelling means the same")
              assert(string.find(new.json, '"kernelSize":5'), new.json)
              local ok, err = pcall(function() return hone.cnn { input_shape = { 1, 8, 8 }, kernel = 3, kernel_size = 3, outputs = 2 } end)
              assert(not ok and string.find(tostring(err), "give kernel_size only"), tostring(err))
              return 1
            end
            """)
        let trials = try trials(try StudyScript(path: path).run())
        XCTAssertEqual(trials.first?.state, .complete, trials.first?.failReason ?? "")
    }
}
