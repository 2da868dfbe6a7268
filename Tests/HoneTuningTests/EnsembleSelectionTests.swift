import HoneData
@testable import HoneTuning
import XCTest

/// Greedy ensemble selection on validation outputs (EnsembleSelection).
final class EnsembleSelectionTests: XCTestCase {
    /// Logits of a network whose true-class logit exceeds its strongest wrong class's by
    /// `margins[i]` on sample i (negative: a mistake), for 3 classes.
    private func logits(_ labels: [Int32], margins: [Float]) -> [Float] {
        zip(labels, margins).flatMap { label, m -> [Float] in
            var row = [Float](repeating: -5, count: 3)
            row[Int(label)] = m
            row[(Int(label) + 1) % 3] = 0
            return row
        }
    }

    func testPrefersANetworkWithOtherMistakesOverANearCopyOfTheBest() {
        let labels: [Int32] = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
        let best = logits(labels, margins: [3, 3, 3, 3, 3, 3, 3, 3, -0.5, -0.5])   // 8/10
        let copy = logits(labels, margins: [3, 3, 3, 3, 3, 3, 3, 2.5, -1, -1])     // 8/10, the same mistakes
        let other = logits(labels, margins: [-0.5, -0.5, -0.5, 3, 3, 3, 3, 3, 3, 3]) // 7/10, wrong where the best is sure
        let outputs = [best, copy, other]
        let targets = Targets.classes(labels: labels, classCount: 3, classNames: nil)
        // Starting from the best (index 0): `other`, worse alone than the copy, fixes both of
        // the best's mistakes and costs none; the copy fixes nothing. Ranking by each
        // network's own score would take the copy.
        XCTAssertEqual(EnsembleSelection.select(outputs, targets: targets, first: 0, maxMembers: 3), [0, 2])
        XCTAssertEqual(EnsembleSelection.select(outputs, targets: targets, first: 0, maxMembers: 1), [0])
    }

    func testStopsWhenNoNetworkImprovesTheScore() {
        let labels: [Int32] = [0, 1, 2, 0]
        let perfect = logits(labels, margins: [2, 2, 2, 2]), wrong = logits(labels, margins: [-2, -2, -2, -2])
        let chosen = EnsembleSelection.select([perfect, wrong, wrong], targets: .classes(labels: labels, classCount: 3, classNames: nil),
                                              first: 0, maxMembers: 3)
        XCTAssertEqual(chosen, [0])
    }

    func testRegressionAveragesOutputsByMeanSquaredError() {
        let targets = Targets.regression(values: [1, 2, 3, 4], outputCount: 1)
        let high: [Float] = [1.5, 2.5, 3.5, 4.5], low: [Float] = [0.4, 1.4, 2.4, 3.4], far: [Float] = [9, 9, 9, 9]
        // Alone `high` is best (0.25 < 0.36); with `low` the mean is off by 0.05.
        XCTAssertEqual(EnsembleSelection.select([high, far, low], targets: targets, first: 0, maxMembers: 3), [0, 2])
    }
}
