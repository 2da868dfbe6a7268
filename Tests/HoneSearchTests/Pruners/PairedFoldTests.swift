import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest

/// Student's t quantiles against published tables (Abramowitz & Stegun table 26.10;
/// R's qt gives the same digits).
final class StudentTTests: XCTestCase {
    func testQuantilesMatchTables() {
        let table: [(p: Double, df: Double, t: Double)] = [
            (0.95, 4, 2.131847), (0.95, 1, 6.313752), (0.95, 2, 2.919986), (0.975, 2, 4.302653),
            (0.975, 10, 2.228139), (0.99, 10, 2.763769), (0.975, 30, 2.042272), (0.90, 5, 1.475884),
            (0.995, 3, 5.840909), (0.6, 7, 0.263167),
        ]
        for row in table {
            XCTAssertEqual(StudentT.quantile(row.p, degreesOfFreedom: row.df), row.t, accuracy: 2e-6, "t_{\(row.p),\(row.df)}")
            XCTAssertEqual(StudentT.quantile(1 - row.p, degreesOfFreedom: row.df), -row.t, accuracy: 2e-6, "symmetry")
            XCTAssertEqual(StudentT.cdf(row.t, degreesOfFreedom: row.df), row.p, accuracy: 1e-6)
        }
        // Many degrees of freedom: the normal quantile z_{0.95} = 1.644854.
        XCTAssertEqual(StudentT.quantile(0.95, degreesOfFreedom: 1e7), 1.644854, accuracy: 1e-5)
        // ν = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
        for t in [-3.0, -0.5, 0.2, 4.0] {
            XCTAssertEqual(StudentT.cdf(t, degreesOfFreedom: 1), 0.5 + atan(t) / Double.pi, accuracy: 1e-12)
        }
        XCTAssertTrue(StudentT.quantile(1.5, degreesOfFreedom: 3).isNaN)
    }
}

final class PairedFoldPrunerTests: XCTestCase {
    /// The best trial's per-fold scores: folds differ a lot (easy and hard folds).
    let bestFolds = [0.90, 0.70, 0.85, 0.60, 0.95]

    /// Reports each fold's curve (3 steps ending at the fold's score) and completes the
    /// trial with the mean.
    func completeTrial(_ study: Study, folds: [Double]) throws {
        let t = try study.ask()
        for (f, score) in folds.enumerated() {
            for step in 1...3 { try t.report(score - 0.1 * Double(3 - step), step: step, fold: f) }
        }
        try study.tell(t, value: folds.reduce(0, +) / Double(folds.count))
    }

    /// Runs a trial fold by fold as the k-fold loop does (marking each finished fold) and
    /// returns after how many finished folds it was pruned (nil: never).
    func runTrial(_ study: Study, folds: [Double]) throws -> Int? {
        let t = try study.ask()
        for (f, score) in folds.enumerated() {
            for step in 1...3 { try t.report(score - 0.1 * Double(3 - step), step: step, fold: f) }
            t.setSystemAttribute(PairedFoldPruner.completedFoldsAttribute, .number(Double(f + 1)))
            if try t.shouldPrune() {
                try study.tell(t, state: .pruned)
                return f + 1
            }
        }
        try study.tell(t, value: folds.reduce(0, +) / Double(folds.count))
        return nil
    }

    func testClearlyWorseOnEveryFoldIsPrunedAfterTheMinimumFolds() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: try PairedFoldPruner(), seed: 1)
        try completeTrial(study, folds: bestFolds)
        // 0.04 worse on every fold, give or take 0.005: far smaller than the spread between
        // folds (0.6 … 0.95), so a running mean after three folds (0.77 vs the best's 0.80)
        // says little, but the paired differences are unmistakable.
        let worse = zip(bestFolds, [0.004, -0.005, 0.002, 0.0, -0.003]).map { $0 - 0.04 + $1 }
        XCTAssertEqual(try runTrial(study, folds: worse), 3, "pruned as soon as min_folds = 3 folds are finished")
        // Hugely worse, but only two folds finished: the test may not prune yet.
        let pruner = try PairedFoldPruner(minFolds: 4)
        let study4 = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: pruner, seed: 1)
        try completeTrial(study4, folds: bestFolds)
        XCTAssertEqual(try runTrial(study4, folds: bestFolds.map { $0 - 0.5 }), 4)
    }

    func testBetterOrWithinNoiseIsNotPruned() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: try PairedFoldPruner(), seed: 1)
        try completeTrial(study, folds: bestFolds)
        let noisy = zip(bestFolds, [0.03, -0.04, 0.02, -0.05, 0.01]).map { $0 + $1 }      // mean difference −0.006
        XCTAssertNil(try runTrial(study, folds: noisy))
        XCTAssertNil(try runTrial(study, folds: bestFolds.map { $0 + 0.05 }))
        // Worse on average and on most folds, but inconsistently: not significant at 5 %.
        let mixed = zip(bestFolds, [-0.10, 0.08, -0.12, 0.05, -0.02]).map { $0 + $1 }
        XCTAssertNil(try runTrial(study, folds: mixed))
    }

    /// The bound is d̄ + t_{1−α,n−1}·s/√n, checked by hand for d = (−0.1, −0.2, −0.15).
    func testUpperConfidenceBound() throws {
        let p = try PairedFoldPruner(alpha: 0.05, minFolds: 3)
        XCTAssertEqual(p.upperConfidenceBound([-0.1, -0.2, -0.15])!, -0.15 + 2.919986 * 0.05 / 3.0.squareRoot(), accuracy: 1e-6)
        XCTAssertNil(p.upperConfidenceBound([-0.1, -0.2]))
        let loose = try PairedFoldPruner(alpha: 0.01, minFolds: 3)
        XCTAssertGreaterThan(loose.upperConfidenceBound([-0.1, -0.2, -0.15])!, 0, "at 1 % three folds this noisy are not enough")
    }

    /// Minimization: lower is better, so a trial with higher losses is the worse one.
    func testMinimizeOrientation() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], pruner: try PairedFoldPruner(), seed: 1)
        try completeTrial(study, folds: bestFolds)
        XCTAssertNil(try runTrial(study, folds: bestFolds.map { $0 - 0.05 }))
        XCTAssertEqual(try runTrial(study, folds: bestFolds.map { $0 + 0.05 }), 3)
    }

    /// Without the loop's marker, a fold counts as finished once the next one reports.
    func testFoldFinishedWhenTheNextFoldReports() throws {
        let pruner = try PairedFoldPruner()
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: pruner, seed: 1)
        try completeTrial(study, folds: bestFolds)
        let t = try study.ask()
        for f in 0..<3 { try t.report(bestFolds[f] - 0.3, step: 3, fold: f) }
        XCTAssertEqual(pruner.finishedFoldScores(t.frozen()).count, 2, "fold 2 may still be training")
        XCTAssertFalse(try t.shouldPrune())
        try t.report(bestFolds[3] - 0.3, step: 1, fold: 3)
        XCTAssertEqual(pruner.finishedFoldScores(t.frozen()).keys.sorted(), [0, 1, 2])
        XCTAssertTrue(try t.shouldPrune())
    }

    /// Trials evaluated on different splits are not paired.
    func testDifferentSplitsAreNeverPaired() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: try PairedFoldPruner(), seed: 1)
        let best = try study.ask()
        best.setSystemAttribute(PairedFoldPruner.splitsAttribute, .string("A"))
        for (f, s) in bestFolds.enumerated() { try best.report(s, step: 1, fold: f) }
        try study.tell(best, value: 0.8)
        let other = try study.ask()
        other.setSystemAttribute(PairedFoldPruner.splitsAttribute, .string("B"))
        for f in 0..<4 { try other.report(bestFolds[f] - 0.3, step: 1, fold: f) }
        XCTAssertFalse(try other.shouldPrune(), "split B has no completed trial to compare with")
        other.setSystemAttribute(PairedFoldPruner.splitsAttribute, .string("A"))
        XCTAssertTrue(try other.shouldPrune())
        try study.tell(other, state: .fail)
    }

    /// It compares with the best completed trial, not the latest.
    func testComparesWithTheBestTrial() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], pruner: try PairedFoldPruner(), seed: 1)
        try completeTrial(study, folds: bestFolds.map { $0 - 0.2 })
        try completeTrial(study, folds: bestFolds)
        try completeTrial(study, folds: bestFolds.map { $0 - 0.3 })
        XCTAssertEqual(try runTrial(study, folds: bestFolds.map { $0 - 0.1 }), 3, "worse than trial 1, better than 0 and 2")
    }

    func testBadSettingsAreErrors() {
        XCTAssertThrowsError(try PairedFoldPruner(alpha: 0))
        XCTAssertThrowsError(try PairedFoldPruner(alpha: 0.7))
        XCTAssertThrowsError(try PairedFoldPruner(minFolds: 1)) { XCTAssertTrue("\($0)".contains("minFolds"), "\($0)") }
        XCTAssertThrowsError(try AlgorithmRegistry.shared.pruner("paired_fold", options: ["min_folds": .number(1)]))
        XCTAssertThrowsError(try AlgorithmRegistry.shared.pruner("paired_fold", options: ["alfa": .number(0.1)]))
    }

    func testByName() throws {
        let p = try AlgorithmRegistry.shared.pruner("paired_fold", options: ["alpha": .number(0.1), "min_folds": .number(4)])
        let paired = try XCTUnwrap(p as? PairedFoldPruner)
        XCTAssertEqual(paired.alpha, 0.1)
        XCTAssertEqual(paired.minFolds, 4)
        XCTAssertEqual(paired.name, "paired_fold")
    }

    func testConformance() {
        PrunerConformance.run(options: .init(multiObjective: true)) { try! PairedFoldPruner() }
        PrunerConformance.run { try! PairedFoldPruner(alpha: 0.2, minFolds: 2) }
    }
}
