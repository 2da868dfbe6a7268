import Foundation
import HoneSearch
import HoneScript
import XCTest

/// Every example in scripts/ runs, with small budgets (few trials, little data, few epochs).
final class ExampleScriptTests: XCTestCase {
    private static let scripts = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts")

    private func run(_ name: String, trials: Int, jobs: Int = 1,
                     budget: TrainingBudget = TrainingBudget(maxSamples: 300, maxEpochs: 2)) throws -> [FrozenTrial] {
        let path = Self.scripts.appendingPathComponent(name).path
        let script = try StudyScript(path: path, options: StudyScriptOptions(storage: "memory:", trials: trials, jobs: jobs, budget: budget))
        let trials = try script.run().trials().sorted { $0.number < $1.number }
        XCTAssertEqual(trials.count, trials.count)
        for trial in trials where trial.state == .fail {
            XCTFail("\(name): trial \(trial.number) failed: \(trial.failReason ?? "")")
        }
        return trials
    }

    func testBranin() throws {
        let trials = try run("branin.lua", trials: 60)
        let best = trials.compactMap { $0.values?.first }.min() ?? .infinity
        XCTAssertLessThan(best, 5) // random search on Branin: comfortably under 5 in 60 draws
        XCTAssertGreaterThan(best, 0.3978)
    }

    func testConditionalSpace() throws {
        let trials = try run("conditional_space.lua", trials: 20)
        for trial in trials {
            let sgd = trial.params["optimizer"] == .string("sgd")
            XCTAssertEqual(trial.params["momentum"] != nil, sgd)
            XCTAssertEqual(trial.params["beta1"] != nil, !sgd)
            let layers = trial.params["layers"]?.intValue ?? 0
            XCTAssertEqual((1 ... 3).filter { trial.params["width_\($0)"] != nil }.count, layers)
            XCTAssertEqual(trial.userAttrs["parameter_count"], .number(Double(trial.params.count)))
        }
    }

    func testCustomSampler() throws {
        let trials = try run("custom_sampler.lua", trials: 60)
        let best = trials.compactMap { $0.values?.first }.min() ?? .infinity
        XCTAssertLessThan(best, 0.5) // local search homes in on (1, -2)
    }

    func testCustomEarlyStoppingRule() throws {
        let trials = try run("early_stopping.lua", trials: 6, budget: TrainingBudget(maxSamples: 300, maxEpochs: 4))
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete || $0.state == .pruned })
        XCTAssertTrue(trials.allSatisfy { !$0.intermediateValues.isEmpty })
    }

    func testKFoldOnCSV() throws {
        let trials = try run("kfold_csv.lua", trials: 4, budget: TrainingBudget(maxEpochs: 3))
        XCTAssertEqual(trials.filter { $0.state == .complete }.count + trials.filter { $0.state == .pruned }.count, 4)
        // One split for the whole study, so folds can be paired across trials.
        let splits = Set(trials.compactMap { $0.systemAttrs["cv.splits"] })
        XCTAssertEqual(splits.count, 1)
        for trial in trials {
            XCTAssertNotNil(trial.params["activation"])
            XCTAssertFalse(trial.intermediateValues.isEmpty, "every epoch of every fold is reported")
            guard trial.state == .complete else { continue }
            XCTAssertGreaterThan(trial.values?.first ?? 0, 0.4)
            XCTAssertEqual(trial.userAttrs["cv.mean"], .number(trial.values!.first!))
            XCTAssertNotNil(trial.userAttrs["cv.std"])
        }
    }

    /// hone.cross_validate's options that need a trial are refused without one, and a
    /// trial excludes on_epoch (its epochs go to the trial).
    func testCrossValidateOptionsAreChecked() throws {
        let dir = try makeScratchDirectory(self)
        try FileManager.default.copyItem(at: Self.scripts.appendingPathComponent("data/moons.csv"),
                                         to: dir.appendingPathComponent("moons.csv"))
        for (call, expected) in [
            ("paired_test = true", "'metric' and 'paired_test' need 'trial'"),
            ("trial = trial, on_epoch = function() end", "takes 'trial' or 'on_epoch', not both"),
            ("trial = trial, metric = 'val_acc'", "'val_acc' (known: train_loss, val_loss, val_accuracy"),
            ("trial = trial, metric = 'val_loss'", "val_loss"),
        ] {
            let path = dir.appendingPathComponent("cv.lua").path
            try """
                study { direction = "maximize", trials = 1 }
                local data = hone.dataset { name = "moons.csv", target = "label" }
                function objective(trial)
                  local model = hone.mlp { inputs = data.features, hidden = { 4 }, outputs = data.classes }
                  return hone.cross_validate { model = model, data = data, folds = 3, epochs = 1, \(call) }.mean
                end
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let study = try StudyScript(path: path, options: StudyScriptOptions(storage: "memory:")).run()
            let trial = try XCTUnwrap(try study.trials().first)
            XCTAssertEqual(trial.state, .fail, call)
            XCTAssertContains(trial.failReason, expected)
        }
    }

    /// hone.dataset reads the C API's keys through the one data reader (DataSpec); Lua's
    /// old spellings csv / test_csv still work for one release.
    func testDatasetTakesTheSharedKeysAndTheOldSpellings() throws {
        let dir = try makeScratchDirectory(self)
        try FileManager.default.copyItem(at: Self.scripts.appendingPathComponent("data/moons.csv"),
                                         to: dir.appendingPathComponent("moons.csv"))
        let path = dir.appendingPathComponent("data.lua").path
        try """
            study { direction = "maximize", trials = 1 }
            function objective(trial)
              local a = hone.dataset { name = "moons.csv", target = "label", test = "moons.csv", max_samples = 50 }
              local b = hone.dataset { csv = "moons.csv", target = "label", test_csv = "moons.csv" }
              local c = hone.dataset { synthetic = "blobs", count = 90, classes = 4, seed = 2 }
              trial:set_user_attr("a", { a.count, a.test_count })
              trial:set_user_attr("b", { b.count, b.test_count })
              trial:set_user_attr("c", { c.count, c.classes })
              local ok, err = pcall(hone.dataset, { name = "moons.csv" })
              trial:set_user_attr("no_target", err)
              ok, err = pcall(hone.dataset, { synthetic = "moons", target = "label" })
              trial:set_user_attr("synthetic_target", err)
              -- hone.fit: early_stopping is early_stopping_patience's old spelling.
              local m = hone.mlp { inputs = c.features, hidden = { 4 }, outputs = c.classes }
              local r = hone.fit { model = m, data = c, epochs = 2, early_stopping = 1 }
              trial:set_user_attr("fit_epochs", r.epochs)
              ok, err = pcall(hone.fit, { model = m, data = c, early_stopping = 1, early_stopping_patience = 2 })
              trial:set_user_attr("both", err)
              ok, err = pcall(hone.fit, { model = m, data = c, batch_size = 0 })
              trial:set_user_attr("batch", err)
              return 1
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let study = try StudyScript(path: path, options: StudyScriptOptions(storage: "memory:")).run()
        let trial = try XCTUnwrap(try study.trials().first)
        XCTAssertEqual(trial.state, .complete, trial.failReason ?? "")
        XCTAssertEqual(trial.userAttrs["a"], [50, 50])
        let rows = Double(try String(contentsOf: dir.appendingPathComponent("moons.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1)
        XCTAssertEqual(trial.userAttrs["b"], .array([.number(rows), .number(rows)]))
        XCTAssertEqual(trial.userAttrs["c"], [90, 4])
        XCTAssertContains(trial.userAttrs["no_target"]?.stringValue, "name its label column with \"target\"")
        XCTAssertContains(trial.userAttrs["synthetic_target"]?.stringValue, "\"target\" is not an option of synthetic data")
        XCTAssertEqual(trial.userAttrs["fit_epochs"]?.numberValue.map(Int.init).map { (1...2).contains($0) }, true)
        XCTAssertContains(trial.userAttrs["both"]?.stringValue, "give early_stopping_patience only")
        XCTAssertContains(trial.userAttrs["batch"]?.stringValue, "\"batch_size\" must be an integer in [1, 1048576]")
    }

    func testFashionMNISTMLP() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
                          || ProcessInfo.processInfo.environment["HONE_FASHION_MNIST_DIR"] != nil,
                          "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)")
        let trials = try run("fashion_mnist_mlp.lua", trials: 2, jobs: 2, budget: TrainingBudget(maxSamples: 400, maxEpochs: 1))
        XCTAssertEqual(trials.count, 2)
        for trial in trials where trial.state == .complete {
            XCTAssertNotNil(trial.userAttrs["test_accuracy"])
        }
    }

    func testFashionMNISTCNN() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
                          || ProcessInfo.processInfo.environment["HONE_FASHION_MNIST_DIR"] != nil,
                          "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)")
        let trials = try run("fashion_mnist_cnn.lua", trials: 1, budget: TrainingBudget(maxSamples: 200, maxEpochs: 1))
        XCTAssertEqual(trials.first?.state, .complete)
    }
}
