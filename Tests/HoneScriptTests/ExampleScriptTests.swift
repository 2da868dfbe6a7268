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
        let trials = try run("kfold_csv.lua", trials: 3, budget: TrainingBudget(maxEpochs: 3))
        for trial in trials {
            XCTAssertEqual(trial.state, .complete)
            XCTAssertGreaterThan(trial.values?.first ?? 0, 0.4)
            XCTAssertNotNil(trial.userAttrs["val_accuracy_std"])
            XCTAssertNotNil(trial.params["activation"])
        }
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
