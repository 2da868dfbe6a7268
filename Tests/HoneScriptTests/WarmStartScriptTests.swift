import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneScript
import HoneStorage
import HoneTuning
import XCTest

/// `study { warm_start = … }` and `hone.fit { init = … }` from Lua study scripts.
final class WarmStartScriptTests: XCTestCase {
    private func write(_ source: String, in dir: URL, name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testWarmStartCopiesTheTrialsThatFitTheDeclaredSpace() throws {
        let dir = try makeScratchDirectory(self)
        let url = "sqlite:///" + dir.appendingPathComponent("runs.db").path
        let first = try write("""
            study { name = "first", storage = "\(url)", trials = 8, seed = 3, space = { x = { "float", 0, 10 } } }
            function objective(trial, p) return (p.x - 2) ^ 2 end
            """, in: dir, name: "first.lua")
        let earlier = try StudyScript(path: first).run()
        let fitting = try earlier.trials(states: [.complete]).filter { $0.params["x"]!.doubleValue! <= 5 }
        XCTAssertGreaterThan(fitting.count, 0)
        XCTAssertLessThan(fitting.count, 8, "seed 3 should put some x above 5")

        // Same storage, narrower space: only trials with x ≤ 5 are copied, in the new range.
        let second = try write("""
            study { name = "second", storage = "\(url)", trials = 2, seed = 4, sampler = "tpe",
                    warm_start = { study = "first" }, space = { x = { "float", 0, 5 } } }
            function objective(trial, p) return (p.x - 2) ^ 2 end
            """, in: dir, name: "second.lua")
        let script = try StudyScript(path: second)
        XCTAssertEqual(script.configuration.warmStart, WarmStartSource(study: "first"))
        let study = try script.openStudy()
        XCTAssertEqual(script.warmStartSummary?.copied, fitting.count)
        XCTAssertEqual(script.warmStartSummary?.skipped.count, 8 - fitting.count)
        let copies = try study.trials()
        XCTAssertEqual(Set(copies.map { $0.params["x"]! }), Set(fitting.map { $0.params["x"]! }))
        XCTAssertTrue(copies.allSatisfy { $0.distributions["x"] == .float(0, 5) })
        try script.run(study: study)
        XCTAssertEqual(try study.trialCount(states: [.complete]), fitting.count + 2)

        // Resuming does not copy again; another storage is named by URL.
        XCTAssertEqual(try StudyScript(path: second).openStudy().trialCount(), fitting.count + 2)
        let elsewhere = try write("""
            study { name = "third", storage = "memory:", trials = 1, warm_start = "first@\(url)" }
            function objective(trial) return trial:suggest_float("x", 0, 10) end
            """, in: dir, name: "third.lua")
        let third = try StudyScript(path: elsewhere)
        _ = try third.openStudy()
        XCTAssertEqual(third.warmStartSummary?.copied, 8, "no declared space: every complete trial is copied")
    }

    /// A define-by-run script: once the study has run trials of its own, their
    /// distributions decide which source trials fit.
    func testDefineByRunWarmStartUsesTheStudysOwnTrials() throws {
        let dir = try makeScratchDirectory(self)
        let url = "sqlite:///" + dir.appendingPathComponent("runs.db").path
        let first = try write("""
            study { name = "wide", storage = "\(url)", trials = 10, seed = 5 }
            function objective(trial) return trial:suggest_float("x", -5, 5) ^ 2 end
            """, in: dir, name: "wide.lua")
        let wide = try StudyScript(path: first).run()
        let inside = try wide.trials(states: [.complete]).filter { (0...2).contains($0.params["x"]!.doubleValue!) }.count
        XCTAssertLessThan(inside, 10)
        XCTAssertGreaterThan(inside, 0, "seed 5 should put some x in [0, 2]")
        let narrow = try write("""
            study { name = "narrow", storage = "\(url)", trials = 2, seed = 6 }
            function objective(trial) return trial:suggest_float("x", 0, 2) ^ 2 end
            """, in: dir, name: "narrow.lua")
        try StudyScript(path: narrow).run()
        var options = StudyScriptOptions()
        options.warmStart = WarmStartSource(study: "wide")
        let script = try StudyScript(path: narrow, options: options)
        let study = try script.openStudy()
        XCTAssertEqual(script.warmStartSummary?.copied, inside)
        XCTAssertTrue(try study.trials().allSatisfy { $0.distributions["x"] == .float(0, 2) })
    }

    func testWarmStartMistakesAreNamed() throws {
        let dir = try makeScratchDirectory(self)
        for (field, expected) in [
            ("warm_start = { studdy = 'x' }", "has no option 'studdy'"),
            ("warm_start = { storage = 'memory:' }", "needs study = \"name\""),
            ("warm_start = 3", "expected { study = \"name\", storage = \"url\" }"),
            ("warm_start = { study = 'missing' }", "no study named \"missing\""),
        ] {
            let path = try write("study { storage = 'memory:', \(field) }\nfunction objective(trial) return 1 end", in: dir, name: "bad.lua")
            XCTAssertThrowsError(try StudyScript(path: path).openStudy(), field) { XCTAssertContains("\($0)", expected) }
        }
        // A command-line warm start replaces the script's.
        let path = try write("study { storage = 'memory:', warm_start = { study = 'a' } }\nfunction objective(trial) return 1 end", in: dir, name: "cli.lua")
        var options = StudyScriptOptions()
        options.warmStart = WarmStartSource(study: "b", storage: "memory:")
        XCTAssertEqual(try StudyScript(path: path, options: options).configuration.warmStart, WarmStartSource(study: "b", storage: "memory:"))
    }

    func testFitInitStartsFromSavedWeights() throws {
        let dir = try makeScratchDirectory(self)
        let data = try Synthetic.moons(count: 200, seed: 1)
        let pretrained = try Trainer(description: .mlp(MLPDescription(inputCount: 2, hiddenWidths: [8], outputCount: 2)),
                                     config: TrainerConfig(epochs: 40, batchSize: 16, seed: 2))
        try pretrained.fit(data)
        try pretrained.model.save(to: dir.appendingPathComponent("pre.safetensors").path)
        let expected = try pretrained.evaluate(data).accuracy!

        // No training at all: the model evaluates exactly as the saved one.
        let script = try write("""
            study { storage = "memory:", trials = 2, direction = "maximize" }
            function objective(trial)
              local data = hone.dataset { synthetic = "moons", count = 200, seed = 1 }
              local hidden = trial.number == 0 and 8 or 4
              local model = hone.mlp { inputs = 2, hidden = { hidden }, outputs = 2 }
              local fit = hone.fit { model = model, data = data, epochs = 0, init = "pre.safetensors" }
              return hone.evaluate(fit.model, data, "train").accuracy
            end
            """, in: dir, name: "init.lua")
        let trials = try StudyScript(path: script).run().trials().sorted { $0.number < $1.number }
        XCTAssertEqual(trials[0].state, .complete, trials[0].failReason ?? "")
        XCTAssertEqual(trials[0].values?.first ?? 0, expected, accuracy: 1e-12)
        XCTAssertGreaterThan(expected, 0.8)
        // A model of another shape fails its trial with the first differing tensor named.
        XCTAssertEqual(trials[1].state, .fail)
        XCTAssertContains(trials[1].failReason, "hone.fit { init = \"pre.safetensors\" }")
        XCTAssertContains(trials[1].failReason, "has shape [2, 8] in the file but [2, 4] in the model")
    }
}
