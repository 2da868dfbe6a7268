import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest

/// Median stopping (Golovin et al. 2017) and the percentile, threshold and patience rules.
final class StoppingRuleTests: XCTestCase {
    /// Completes trials with the given curves (one value per step 0, 1, 2, …).
    func complete(_ study: Study, _ curves: [[Double]]) throws {
        for c in curves {
            let t = try study.ask()
            for (step, v) in c.enumerated() { try t.report(v, step: step) }
            try study.tell(t, value: c.last!)
        }
    }

    func testMedianPrunesBelowTheMedianAtTheSameStepAndNeverBeforeWarmUp() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize],
                                     pruner: try MedianPruner(nStartupTrials: 3, nWarmupSteps: 3), seed: 1)
        // Accuracy curves of three earlier trials (steps 0–4); reports at step 3: 0.5, 0.6, 0.7.
        try complete(study, [[0.5, 0.5, 0.5, 0.5, 0.5], [0.6, 0.6, 0.6, 0.6, 0.6], [0.7, 0.7, 0.7, 0.7, 0.7]])
        let poor = try study.ask()
        for step in 0..<6 {
            try poor.report(0.3, step: step)
            // Below the median (0.6) from the start, yet never pruned during warm-up; at step 5,
            // which no completed trial reached, there is nothing to compare with (as Optuna).
            XCTAssertEqual(try poor.shouldPrune(), (3...4).contains(step), "poor trial at step \(step)")
        }
        try study.tell(poor, state: .pruned)
        let good = try study.ask()
        for step in 0..<5 {
            try good.report(0.65, step: step)
            XCTAssertFalse(try good.shouldPrune(), "a trial above the median is never pruned (step \(step))")
        }
        try study.tell(good, value: 0.65)
        // Exactly at the median's side: best so far 0.55 < median 0.6 → pruned after warm-up.
        let borderline = try study.ask()
        try borderline.report(0.55, step: 3)
        XCTAssertTrue(try borderline.shouldPrune())
        try study.tell(borderline, state: .pruned)
    }

    func testMedianWaitsForStartupTrials() throws {
        let study = try Study.create(storage: InMemoryStorage(), pruner: try MedianPruner(nStartupTrials: 2), seed: 1)
        try complete(study, [[1, 1, 1]])
        let t = try study.ask()
        try t.report(100, step: 0)
        XCTAssertFalse(try t.shouldPrune(), "only one completed trial: still in the startup phase")
        try study.tell(t, state: .fail)
        try complete(study, [[1, 1, 1]])
        let u = try study.ask()
        try u.report(100, step: 0)
        XCTAssertTrue(try u.shouldPrune())
        try study.tell(u, state: .pruned)
    }

    func testMedianUsesTheRunningMeanAcrossFolds() throws {
        let study = try Study.create(storage: InMemoryStorage(), pruner: try MedianPruner(nStartupTrials: 1), seed: 1)
        try complete(study, [[1.0]])
        let t = try study.ask()
        try t.report(0.5, step: 0, fold: 0)
        XCTAssertFalse(try t.shouldPrune())
        try t.report(2.5, step: 0, fold: 1)                 // mean 1.5 > 1.0 (minimizing)
        XCTAssertTrue(try t.shouldPrune())
        try study.tell(t, state: .pruned)
        XCTAssertEqual(try study.trial(number: t.number)?.state, .pruned)
    }

    func testPercentile() throws {
        let study = try Study.create(storage: InMemoryStorage(),
                                     pruner: try PercentilePruner(percentile: 25, nStartupTrials: 4), seed: 1)
        try complete(study, [[1], [2], [3], [4]])            // losses at step 0; 25th percentile = 1.75
        for (loss, prune) in [(1.5, false), (1.75, false), (2.0, true)] {
            let t = try study.ask()
            try t.report(loss, step: 0)
            XCTAssertEqual(try t.shouldPrune(), prune, "loss \(loss)")
            try study.tell(t, state: .fail)
        }
        XCTAssertEqual(PrunerMath.percentile([1, 2, 3, 4], 25), 1.75)
        XCTAssertEqual(PrunerMath.percentile([5], 90), 5)
        XCTAssertNil(PrunerMath.percentile([], 50))
    }

    func testThreshold() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize],
                                     pruner: try ThresholdPruner(lower: 0.2, nWarmupSteps: 2), seed: 1)
        let t = try study.ask()
        for (step, acc, prune) in [(0, 0.1, false), (1, 0.1, false), (2, 0.3, false), (3, 0.15, true)] {
            try t.report(acc, step: step)
            XCTAssertEqual(try t.shouldPrune(), prune, "step \(step)")
        }
        let u = try study.ask()
        try u.report(-Double.infinity, step: 5)
        XCTAssertTrue(try u.shouldPrune(), "a diverged value is always outside the band")
    }

    func testPatience() throws {
        let study = try Study.create(storage: InMemoryStorage(), pruner: try PatiencePruner(patience: 2, minDelta: 0.01), seed: 1)
        let t = try study.ask()
        let losses = [1.0, 0.8, 0.7, 0.695, 0.71, 0.70, 0.5]
        let expected = [false, false, false, false, false, true, false]
        for (step, loss) in losses.enumerated() {
            try t.report(loss, step: step)
            // At step 5 the best of the last three (0.695) is not better than 0.7 − 0.01.
            XCTAssertEqual(try t.shouldPrune(), expected[step], "step \(step)")
        }
        // Wrapped: out of patience *and* the inner rule agrees.
        let never = try PatiencePruner(patience: 0, wrapped: NopPruner())
        let s2 = try Study.create(storage: InMemoryStorage(), pruner: never, seed: 1)
        let u = try s2.ask()
        try u.report(1, step: 0); try u.report(2, step: 1)
        XCTAssertFalse(try u.shouldPrune())
    }

    func testConformance() {
        PrunerConformance.run(options: .init(multiObjective: true)) { try! PercentilePruner(percentile: 30, nStartupTrials: 3) }
        PrunerConformance.run(options: .init(multiObjective: true)) { try! ThresholdPruner(upper: 1000) }
        PrunerConformance.run(options: .init(multiObjective: true)) { try! PatiencePruner(patience: 2) }
    }
}
