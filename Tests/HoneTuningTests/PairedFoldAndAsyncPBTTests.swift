import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning
import XCTest

final class PairedFoldCrossValidationTests: XCTestCase {
    /// The paired test needs identical folds in every trial. By default the folds come from
    /// the training seed, so two trials with different seeds get different folds; with
    /// `.pairedTest` they come from the study's seed and agree.
    func testPairedFoldsAreTheSameInEveryTrialWhateverTheTrainingSeed() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 1)
        let paired = try PairedFoldPruner()
        var fingerprints: [String: [String]] = [:]
        for mode in ["default", "paired"] {
            for seed: UInt64 in [1, 2] {
                let trial = try study.ask()
                _ = try trial.crossValidate(Fixtures.mlp, config: Fixtures.config(lr: 0.2, epochs: 1, seed: seed), data: Fixtures.train,
                                            folds: 3, foldPruning: mode == "paired" ? .pairedTest(paired) : .studyPruner)
                fingerprints[mode, default: []].append(trial.systemAttributes[PairedFoldPruner.splitsAttribute]!.stringValue!)
                try study.tell(trial, value: 0)
            }
        }
        XCTAssertNotEqual(fingerprints["default"]![0], fingerprints["default"]![1], "training seeds 1 and 2 draw different folds")
        XCTAssertEqual(fingerprints["paired"]![0], fingerprints["paired"]![1])
        // An explicit split seed gives the same folds as the default path with that seed.
        let trial = try study.ask()
        _ = try trial.crossValidate(Fixtures.mlp, config: Fixtures.config(lr: 0.2, epochs: 1, seed: 9), data: Fixtures.train,
                                    folds: 3, splitSeed: 1)
        XCTAssertEqual(trial.systemAttributes[PairedFoldPruner.splitsAttribute]!.stringValue!, fingerprints["default"]![0])
    }

    /// A configuration that cannot learn is stopped by the paired test after the minimum
    /// folds (folds 3 and 4 never train); a rerun of the best configuration with another
    /// training seed (a difference within noise) runs all folds.
    func testPairedTestStopsAHopelessConfigurationBetweenFolds() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 3)
        let paired = try PairedFoldPruner(alpha: 0.05, minFolds: 3)
        let rates = [0.3, 1e-6, 0.3]
        let foldsRun = Box([Int: Set<Int>]())
        try study.optimize({ trial in
            let config = Fixtures.config(lr: rates[trial.number], epochs: 6, seed: UInt64(10 + trial.number))
            defer { foldsRun.mutate { $0[trial.number] = Set(trial.intermediateValues.keys.map(\.fold)) } }
            return try trial.crossValidate(Fixtures.mlp, config: config, data: Fixtures.train, folds: 5, foldPruning: .pairedTest(paired)).mean
        }, nTrials: rates.count)
        XCTAssertEqual(try study.trial(number: 0)?.state, .complete)
        XCTAssertEqual(try study.trial(number: 1)?.state, .pruned)
        XCTAssertEqual(foldsRun.value[1], [0, 1, 2], "pruned right after the third fold")
        XCTAssertEqual(try study.trial(number: 1)?.systemAttrs[PairedFoldPruner.completedFoldsAttribute]?.intValue, 3)
        XCTAssertEqual(try study.trial(number: 2)?.state, .complete, "within noise of the best: not pruned")
        XCTAssertEqual(foldsRun.value[2], [0, 1, 2, 3, 4])
    }

    /// The pruner by name as the study's pruner: the k-fold loop marks finished folds, so
    /// it judges right after each fold too.
    func testPairedFoldAsTheStudyPruner() throws {
        let pruner = try AlgorithmRegistry.shared.pruner("paired_fold", options: ["min_folds": .number(3)])
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: pruner, seed: 3)
        let rates = [0.3, 1e-6]
        try study.optimize({ trial in
            // Same training seed, so the default folds (drawn from it) agree.
            let config = Fixtures.config(lr: rates[trial.number], epochs: 6)
            return try trial.crossValidate(Fixtures.mlp, config: config, data: Fixtures.train, folds: 5).mean
        }, nTrials: rates.count)
        let bad = try study.trial(number: 1)!
        XCTAssertEqual(bad.state, .pruned)
        XCTAssertEqual(Set(bad.intermediateValues.keys.map(\.fold)), [0, 1, 2], "judged between folds, not one epoch into the next")
    }
}

final class AsynchronousPopulationTrainingTests: XCTestCase {
    /// Asynchronous PBT with the real trainer on two workers: every segment that names a
    /// parent starts from exactly that checkpoint's weights and optimizer state, at its
    /// epoch, with the segment's own learning rate; exploited checkpoints come from the
    /// member the attributes name; released checkpoints are gone, final ones kept.
    func testExploitCopiesTheCheckpointItClaims() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 9)
        let pbt = try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 1, truncation: 0.25, resampleProbability: 0)
        let population = PopulationTrainer(retention: .untilReleased)
        struct Start: @unchecked Sendable { var segment: PBTSegment; var weightsMatch: Bool; var optimizerMatches: Bool; var lr: Float; var epochs: Int }
        let starts = Box([Int: Start]())
        try study.optimize(asyncPBT: pbt, nJobs: 2, train: { trial, segment in
            try population.train(trial, segment: segment, data: Fixtures.train, validation: Fixtures.validation, makeTrainer: { trial in
                let lr = try trial.suggestFloat("lr", 1e-4, 1, log: true)
                return try Trainer(description: Fixtures.mlp, config: Fixtures.config(lr: lr, epochs: 4, seed: UInt64(segment.member)))
            }, afterRestore: { trainer in
                let parent = segment.parentTrial.flatMap { population.checkpoint(ofTrial: $0) }
                starts.mutate {
                    $0[trial.number] = Start(segment: segment,
                                             weightsMatch: parent.map { $0.modelState == trainer.model.stateEntries() } ?? false,
                                             optimizerMatches: parent.map { $0.optimizerState == trainer.optimizer.exportState() } ?? false,
                                             lr: trainer.optimizer.learningRate, epochs: trainer.epochsCompleted)
                }
            })
        }, release: { population.release(trial: $0) })
        let trials = try study.trials()
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "\(trials.compactMap(\.failReason))")
        var exploits = 0
        for t in trials {
            let s = starts.value[t.number]!
            XCTAssertEqual(s.epochs, s.segment.startStep, "training continues from the parent's epoch count")
            XCTAssertEqual(s.lr, Float(t.params["lr"]!.doubleValue!), "the optimizer runs with the segment's rate")
            guard let parentNumber = s.segment.parentTrial else { continue }
            XCTAssertTrue(s.weightsMatch, "trial \(t.number) did not start from parent \(parentNumber)'s weights")
            XCTAssertTrue(s.optimizerMatches, "trial \(t.number) did not start from parent \(parentNumber)'s optimizer state")
            XCTAssertEqual(t.systemAttrs["pbt.parent"]?.intValue, parentNumber)
            let parent = try study.trial(number: parentNumber)!
            if let source = s.segment.exploitedMember {
                exploits += 1
                XCTAssertEqual(parent.systemAttrs["pbt.member"]?.intValue, source)
                XCTAssertEqual(t.systemAttrs["pbt.exploited_member"]?.intValue, source)
                let ratio = t.params["lr"]!.doubleValue! / parent.params["lr"]!.doubleValue!
                XCTAssertTrue(abs(ratio - 0.8) < 1e-9 || abs(ratio - 1.2) < 1e-9, "lr perturbed by \(ratio)")
            } else {
                XCTAssertEqual(parent.systemAttrs["pbt.member"]?.intValue, s.segment.member)
            }
        }
        XCTAssertGreaterThan(exploits, 0)
        var last: [Int: Int] = [:]
        for t in trials { let m = t.systemAttrs["pbt.member"]!.intValue!; last[m] = max(last[m] ?? -1, t.number) }
        XCTAssertEqual(Set(population.heldCheckpoints), Set(last.values), "only each member's final checkpoint is left")
    }
}
