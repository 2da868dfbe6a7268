import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning
import XCTest

/// A value behind a lock, for objectives on worker threads.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout T) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}

enum Fixtures {
    static let train = try! Synthetic.moons(count: 160, noise: 0.15, seed: 1)
    static let validation = try! Synthetic.moons(count: 80, noise: 0.15, seed: 2)
    static let mlp = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [8], outputCount: 2))

    static func config(lr: Double, epochs: Int, seed: UInt64 = 0) -> TrainerConfig {
        TrainerConfig(epochs: epochs, batchSize: 32, optimizer: .sgd(learningRate: Float(lr), momentum: 0.9), seed: seed)
    }
}

final class PruningGlueTests: XCTestCase {
    /// A pruned trial's training really stops: the trainer runs exactly the epochs up to
    /// the judged one, and the trial is stored PRUNED with that epoch's report.
    func testPrunedTrialStopsTrainingAtOnce() throws {
        // Accuracy can never exceed 2, so after the 3-epoch warm-up every trial is pruned.
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize],
                                     pruner: try ThresholdPruner(lower: 2, nWarmupSteps: 3), seed: 1)
        let epochs = Box(0)
        try study.optimize({ trial in
            let trainer = try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: 0.1, epochs: 20))
            defer { epochs.mutate { $0 = trainer.epochsCompleted } }
            return try finalAccuracy(trainer.fit(Fixtures.train, validation: Fixtures.validation, trial: trial))
        }, nTrials: 1)
        let t = try study.trial(number: 0)!
        XCTAssertEqual(t.state, .pruned)
        XCTAssertEqual(epochs.value, 3, "training went on after the pruner said stop")
        XCTAssertEqual(t.intermediateValues.keys.map(\.step).sorted(), [1, 2, 3])
        XCTAssertEqual(t.values, t.intermediateValues[IntermediateKey(step: 3)])
    }

    /// With median stopping, hopeless configurations train fewer epochs than good ones.
    func testMedianStoppingSavesEpochs() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize],
                                     pruner: try MedianPruner(nStartupTrials: 2, nWarmupSteps: 2), seed: 1)
        let epochs = Box([Int: Int]())
        let rates = [0.3, 0.2, 1e-6, 0.25, 1e-7]     // trials 2 and 4 cannot learn
        try study.optimize({ trial in
            let trainer = try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: rates[trial.number], epochs: 8))
            defer { epochs.mutate { $0[trial.number] = trainer.epochsCompleted } }
            let result = try trainer.fit(Fixtures.train, validation: Fixtures.validation, trial: trial, metric: .validationLoss)
            return result.validation!.loss
        }, nTrials: rates.count)
        for n in [2, 4] {
            XCTAssertEqual(try study.trial(number: n)?.state, .pruned, "trial \(n) with lr \(rates[n])")
            XCTAssertEqual(epochs.value[n], 2, "trial \(n) is judged after warm-up, at epoch 2")
        }
        XCTAssertEqual(epochs.value[0], 8)
        XCTAssertEqual(try study.trial(number: 0)?.state, .complete)
    }

    func testMetricMustMatchTheStudyDirection() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], seed: 1)
        let trial = try study.ask()
        let trainer = try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: 0.1, epochs: 1))
        XCTAssertThrowsError(try trainer.fit(Fixtures.train, validation: Fixtures.validation, trial: trial, metric: .validationAccuracy)) {
            XCTAssertTrue("\($0)".contains("val_accuracy"), "\($0)")
        }
        XCTAssertEqual(trainer.epochsCompleted, 0)
    }
}

func finalAccuracy(_ r: TrainingResult) throws -> Double {
    guard let a = r.validation?.accuracy else { throw TuningError.invalidArgument("no accuracy") }
    return a
}

final class VariabilityTests: XCTestCase {
    func testCrossValidationStoresMeanAndStdAndReportsPerFold() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 1)
        try study.optimize({ trial in
            try trial.crossValidate(Fixtures.mlp, config: Fixtures.config(lr: 0.2, epochs: 2), data: Fixtures.train, folds: 3).mean
        }, nTrials: 1)
        let t = try study.trial(number: 0)!
        XCTAssertEqual(t.state, .complete)
        let values = t.userAttrs["cv.values"]!
        guard case .array(let folds) = values else { return XCTFail("cv.values: \(values)") }
        let xs = folds.compactMap(\.numberValue)
        XCTAssertEqual(xs.count, 3)
        let mean = xs.reduce(0, +) / 3
        XCTAssertEqual(t.value!, mean, accuracy: 1e-12, "samplers see the mean")
        XCTAssertEqual(t.userAttrs["cv.mean"]?.numberValue ?? .nan, mean, accuracy: 1e-12)
        let std = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        XCTAssertEqual(t.userAttrs["cv.std"]?.numberValue ?? .nan, std, accuracy: 1e-12)
        XCTAssertEqual(Set(t.intermediateValues.keys), Set((1...2).flatMap { s in (0..<3).map { IntermediateKey(step: s, fold: $0) } }))
    }

    func testCrossValidationPrunedInTheFirstFoldRunsNoOtherFold() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize],
                                     pruner: try ThresholdPruner(lower: 2, nWarmupSteps: 2), seed: 1)
        try study.optimize({ trial in
            try trial.crossValidate(Fixtures.mlp, config: Fixtures.config(lr: 0.2, epochs: 5), data: Fixtures.train, folds: 4).mean
        }, nTrials: 1)
        let t = try study.trial(number: 0)!
        XCTAssertEqual(t.state, .pruned)
        XCTAssertEqual(Set(t.intermediateValues.keys), [IntermediateKey(step: 1), IntermediateKey(step: 2)])
    }

    /// Folds after the first are judged on the running mean: a trial whose second fold
    /// drags the mean below the threshold is pruned before the third.
    func testRepeatedSeedsPruneOnTheRunningMean() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize],
                                     pruner: try ThresholdPruner(lower: 0.5), seed: 1)
        let ran = Box([UInt64]())
        try study.optimize({ trial in
            try trial.repeatedSeeds([10, 20, 30, 40], step: 1) { seed, _ in
                ran.mutate { $0.append(seed) }
                return seed == 10 ? 0.8 : 0.1                  // mean 0.8, then 0.45
            }.mean
        }, nTrials: 1)
        XCTAssertEqual(ran.value, [10, 20])
        XCTAssertEqual(try study.trial(number: 0)?.state, .pruned)

        let clean = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 1)
        try clean.optimize({ trial in
            try trial.repeatedSeeds([1, 2, 3], step: 1) { seed, _ in Double(seed) }.mean
        }, nTrials: 1)
        let t = try clean.trial(number: 0)!
        XCTAssertEqual(t.value, 2)
        XCTAssertEqual(t.userAttrs["repeats.std"]?.numberValue ?? .nan, (2.0 / 3).squareRoot(), accuracy: 1e-12)
    }
}

final class SchedulerTrainingTests: XCTestCase {
    /// Successive halving with epoch budgets: promoted configurations continue training
    /// (epochs are paid once), and BLAS is single-threaded while trials run in parallel.
    func testPromotedConfigurationsContinueTraining() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 3)
        let budgets = BudgetTrainer(unit: .epochs)
        let blasThreads = Box(Set<Int>())
        let before = BLAS.threads
        try study.optimizeTraining(scheduler: try SuccessiveHalvingScheduler(configurations: 9, maxResource: 9), nJobs: 2) { trial, budget in
            blasThreads.mutate { $0.insert(BLAS.threads) }
            return try budgets.train(trial, to: budget, data: Fixtures.train, validation: Fixtures.validation) { trial in
                let lr = try trial.suggestFloat("lr", 1e-4, 1, log: true)
                return try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: lr, epochs: 9))
            }
        }
        XCTAssertEqual(blasThreads.value, [1])
        XCTAssertEqual(BLAS.threads, before)
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 9)
        for t in trials {
            let final = t.intermediateValues.keys.map(\.step).max()!
            XCTAssertTrue([1, 3, 9].contains(final))
            XCTAssertEqual(budgets.epochsTrained[t.number], final, "trial \(t.number) retrained instead of continuing")
            XCTAssertEqual(t.state, final == 9 ? .complete : .pruned)
        }
        XCTAssertEqual(budgets.epochsTrained.values.reduce(0, +), 9 * 1 + 3 * 2 + 1 * 6)
    }

    func testDataFractionBudgets() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 3)
        let budgets = BudgetTrainer(unit: .dataFraction(epochs: 1))
        let data = Fixtures.train.shuffled(seed: 5)
        try study.optimize(scheduler: try HyperbandScheduler(maxResource: 4, reductionFactor: 2, iterations: 1)) { trial, budget in
            try budgets.train(trial, to: budget, data: data, validation: Fixtures.validation) { trial in
                try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: try trial.suggestFloat("lr", 1e-3, 1, log: true), epochs: 3))
            }
        }
        XCTAssertTrue(try study.trials().allSatisfy { $0.state == .complete || $0.state == .pruned })
        XCTAssertGreaterThan(try study.trials(states: [.complete]).count, 0)
    }
}

final class PopulationTrainingTests: XCTestCase {
    /// Jaderberg et al. 2017: the bottom member copies a top member's weights (and
    /// optimizer state) and its hyperparameters, perturbed by 0.8 or 1.2.
    func testPBTCopiesWeightsAndPerturbsHyperparameters() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 9)
        let pbt = try PopulationBasedTraining(populationSize: 4, generations: 3, stepsPerGeneration: 1,
                                          truncation: 0.25, resampleProbability: 0)
        let population = PopulationTrainer()
        struct Start: @unchecked Sendable { var segment: PBTSegment; var weightsMatch: Bool; var optimizerMatches: Bool; var lr: Float; var epochs: Int }
        let starts = Box([Int: Start]())
        try study.optimize(pbt: pbt, nJobs: 2) { trial, segment in
            try population.train(trial, segment: segment, data: Fixtures.train, validation: Fixtures.validation, makeTrainer: { trial in
                let lr = try trial.suggestFloat("lr", 1e-4, 1, log: true)
                return try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: lr, epochs: 3, seed: UInt64(segment.member)))
            }, afterRestore: { trainer in
                let parent = segment.parentTrial.flatMap { population.checkpoint(ofTrial: $0) }
                let start = Start(segment: segment,
                                  weightsMatch: parent.map { $0.modelState == trainer.model.stateEntries() } ?? false,
                                  optimizerMatches: parent.map { $0.optimizerState == trainer.optimizer.exportState() } ?? false,
                                  lr: trainer.optimizer.learningRate, epochs: trainer.epochsCompleted)
                starts.mutate { $0[trial.number] = start }
            })
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 4 * 3)
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete })
        var exploits = 0
        for t in trials {
            let s = starts.value[t.number]!
            XCTAssertEqual(t.systemAttrs["pbt.member"]?.intValue, s.segment.member)
            XCTAssertEqual(s.epochs, s.segment.startStep, "training continues from the parent's epoch count")
            XCTAssertEqual(s.lr, Float(t.params["lr"]!.doubleValue!), "the optimizer runs with the segment's hyperparameters")
            guard let parentNumber = s.segment.parentTrial else { continue }
            XCTAssertTrue(s.weightsMatch, "trial \(t.number) did not start from parent \(parentNumber)'s weights")
            XCTAssertTrue(s.optimizerMatches, "trial \(t.number) did not start from parent \(parentNumber)'s optimizer state")
            let parent = try study.trial(number: parentNumber)!
            let ratio = t.params["lr"]!.doubleValue! / parent.params["lr"]!.doubleValue!
            if let source = s.segment.exploitedMember {
                exploits += 1
                XCTAssertNotEqual(source, s.segment.member)
                XCTAssertEqual(parent.systemAttrs["pbt.member"]?.intValue, source)
                XCTAssertTrue(abs(ratio - 0.8) < 1e-9 || abs(ratio - 1.2) < 1e-9, "lr perturbed by \(ratio)")
                // The exploiting member was the worst of its generation; its source the best.
                let generation = try study.trials().filter { $0.systemAttrs["pbt.generation"]?.intValue == s.segment.generation - 1 }
                let worst = generation.min { $0.value! < $1.value! }!, best = generation.max { $0.value! < $1.value! }!
                XCTAssertEqual(worst.systemAttrs["pbt.member"]?.intValue, s.segment.member)
                XCTAssertEqual(best.number, parentNumber)
            } else {
                XCTAssertEqual(parent.systemAttrs["pbt.member"]?.intValue, s.segment.member)
                XCTAssertEqual(ratio, 1, "a member that does not exploit keeps its hyperparameters")
            }
        }
        XCTAssertEqual(exploits, 2, "one exploit per generation after the first")
    }
}
