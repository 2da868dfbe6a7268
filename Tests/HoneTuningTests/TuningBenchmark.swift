// The end-to-end tuning benchmark of issue 5 (bench/tuning/run.sh drives it): tune an MLP
// on Fashion-MNIST with random search at full budget, Hyperband, BOHB and ASHA (2
// workers), each for the same wall-clock budget. It lives in the test target (skipped
// unless HONE_TUNING_BENCH is set) because the package has no executable target for it.
//
//     HONE_TUNING_BENCH=1 HONE_BENCH_SECONDS=600 swift test -c release -Xswiftc -enable-testing --filter TuningBenchmark
//
// Prints one JSON object per method (prefixed "BENCH ") with the best validation accuracy
// at full budget over time, total epochs trained, and the test accuracy of the best
// configuration retrained on the full training set.

import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning
import XCTest

final class TuningBenchmark: XCTestCase {
    struct Setup: @unchecked Sendable {
        let train: Dataset, validation: Dataset, fullTrain: Dataset, test: Dataset
        let maxEpochs: Int, seconds: Double, seed: UInt64
    }

    /// The search space of the issue: widths, depth 1–3, activation, dropout, lr (log),
    /// weight decay (log), batch size, optimizer.
    static func trainer(for trial: Trial, epochs: Int) throws -> Trainer {
        let depth = try trial.suggestInt("depth", 1, 3)
        let widths = try (0..<depth).map { try trial.suggestInt("width\($0)", 32, 512, log: true) }
        let activation = try trial.suggestCategorical("activation", ["relu", "tanh", "gelu"])
        let dropout = try trial.suggestFloat("dropout", 0, 0.5)
        let lr = try trial.suggestFloat("lr", 1e-4, 1e-1, log: true)
        let weightDecay = try trial.suggestFloat("weight_decay", 1e-6, 1e-2, log: true)
        let batch = try trial.suggestCategorical("batch_size", [64, 128, 256])
        let optimizer = try trial.suggestCategorical("optimizer", ["adamw", "sgd"])
        let description = ModelDescription.mlp(MLPDescription(inputCount: 784, hiddenWidths: widths, activation: activation,
                                                              dropout: Float(dropout), outputCount: 10))
        let opt: OptimizerConfig = optimizer == "adamw"
            ? .adamW(learningRate: Float(lr), weightDecay: Float(weightDecay))
            : .sgd(learningRate: Float(lr), momentum: 0.9, nesterov: true, weightDecay: Float(weightDecay))
        return try Trainer(description: description, config: TrainerConfig(epochs: epochs, batchSize: batch, optimizer: opt,
                                                                            seed: UInt64(trial.number)))
    }

    /// Best full-budget validation accuracy over time and epochs trained, per method.
    final class Recorder: @unchecked Sendable {
        let start = Date()
        private let lock = NSLock()
        private(set) var curve: [(seconds: Double, best: Double)] = []
        private(set) var best: (accuracy: Double, params: [String: ParamValue])?
        private(set) var epochs = 0
        func epochsTrained(_ n: Int) { lock.lock(); epochs += n; lock.unlock() }
        func fullBudget(_ accuracy: Double, _ params: [String: ParamValue]) {
            lock.lock(); defer { lock.unlock() }
            guard accuracy > (best?.accuracy ?? -1) else { return }
            best = (accuracy, params)
            curve.append((Date().timeIntervalSince(start), accuracy))
        }
    }

    func retrainAndTest(_ params: [String: ParamValue], _ setup: Setup) throws -> Double {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 0)
        let trial = try study.ask(fixedParams: params)
        let trainer = try Self.trainer(for: trial, epochs: setup.maxEpochs)
        try trainer.fit(setup.fullTrain)
        return try trainer.evaluate(setup.test).accuracy!
    }

    func report(_ method: String, _ r: Recorder, _ setup: Setup) throws {
        let test = try r.best.map { try retrainAndTest($0.params, setup) }
        var fields: [String: Any] = [
            "method": method, "seed": setup.seed, "seconds": setup.seconds, "max_epochs": setup.maxEpochs, "epochs_trained": r.epochs,
            "best_val_acc": r.best?.accuracy ?? 0, "curve": r.curve.map { [$0.seconds, $0.best] },
        ]
        if let test { fields["test_acc_retrained"] = test }
        if let p = r.best?.params { fields["best_params"] = p.mapValues { "\($0)" } }
        let json = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        print("BENCH " + String(decoding: json, as: UTF8.self))
    }

    func testTuningBenchmark() throws {
        let env = ProcessInfo.processInfo.environment
        try XCTSkipUnless(env["HONE_TUNING_BENCH"] != nil, "set HONE_TUNING_BENCH=1 to run the tuning benchmark")
        try XCTSkipUnless(FashionMNIST.isAvailable(), "Fashion-MNIST is not installed")
        let (full, test) = try FashionMNIST.load()
        let split = try full.trainValidationSplit(validationFraction: 1.0 / 6, stratified: true, seed: 0)
        let setup = Setup(train: split.train, validation: split.validation, fullTrain: full, test: test,
                          maxEpochs: Int(env["HONE_BENCH_MAX_EPOCHS"] ?? "") ?? 9,
                          seconds: Double(env["HONE_BENCH_SECONDS"] ?? "") ?? 600,
                          seed: UInt64(env["HONE_BENCH_SEED"] ?? "") ?? 1)
        let methods = (env["HONE_BENCH_METHODS"] ?? "random,hyperband,bohb,asha").split(separator: ",").map(String.init)
        let R = Double(setup.maxEpochs)

        for method in methods {
            let recorder = Recorder()
            let budgets = BudgetTrainer(unit: .epochs)
            let budgetObjective: @Sendable (Trial, Budget) throws -> Double = { trial, budget in
                let before = budgets.epochsTrained[trial.number] ?? 0
                let acc = try budgets.train(trial, to: budget, data: setup.train, validation: setup.validation) {
                    try Self.trainer(for: $0, epochs: setup.maxEpochs)
                }
                recorder.epochsTrained((budgets.epochsTrained[trial.number] ?? 0) - before)
                if budget.resource >= R { recorder.fullBudget(acc, trial.parameters) }
                return acc
            }
            switch method {
            case "random":
                let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: setup.seed)
                try study.optimize({ trial in
                    let trainer = try Self.trainer(for: trial, epochs: setup.maxEpochs)
                    let result = try trainer.fit(setup.train, validation: setup.validation)
                    recorder.epochsTrained(result.history.count)
                    let acc = result.validation!.accuracy!
                    recorder.fullBudget(acc, trial.parameters)
                    return acc
                }, timeout: setup.seconds)
            case "hyperband":
                let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: setup.seed)
                try study.optimize(scheduler: try HyperbandScheduler(maxResource: R), timeout: setup.seconds, budgetObjective)
            case "bohb":
                let bohb = try BOHB(maxResource: R)
                let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], sampler: bohb.sampler, seed: setup.seed)
                try study.optimize(scheduler: bohb.scheduler, timeout: setup.seconds, budgetObjective)
            case "asha":
                let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: setup.seed)
                try study.optimizeTraining(scheduler: try ASHAScheduler(maxResource: R), timeout: setup.seconds, nJobs: 2, budgetObjective)
            default:
                XCTFail("unknown method \(method)")
                continue
            }
            try report(method, recorder, setup)
        }
    }
}
