import Foundation
import XCTest
@testable import HoneTensor

/// Label-smoothed cross-entropy: value against the formula, gradient against finite differences.
final class LabelSmoothingTests: XCTestCase {
    func testSmoothedLossMatchesTheSmoothedTargetFormula() {
        let logits = randomTensor([3, 4], seed: 21, std: 2)
        let labels: [Int32] = [1, 3, 0]
        let epsilon: Float = 0.2
        let loss = logits.softmaxCrossEntropy(labels: labels, labelSmoothing: epsilon).item
        var expected = 0.0
        for r in 0..<3 {
            let z = (0..<4).map { Double(logits.data[r * 4 + $0]) }
            let logSumExp = Foundation.log(z.map { Foundation.exp($0) }.reduce(0, +))
            for j in 0..<4 {
                let q = (j == Int(labels[r]) ? 1 - Double(epsilon) : 0) + Double(epsilon) / 4
                expected -= q * (z[j] - logSumExp)
            }
        }
        XCTAssertEqual(Double(loss), expected / 3, accuracy: 1e-5)
        // ε = 0 is the plain loss; smoothing raises the loss of confident correct logits.
        XCTAssertEqual(logits.softmaxCrossEntropy(labels: labels, labelSmoothing: 0).item, logits.softmaxCrossEntropy(labels: labels).item)
        let confident = Tensor([10, -10, -10, -10], shape: [1, 4])
        XCTAssertGreaterThan(confident.softmaxCrossEntropy(labels: [0], labelSmoothing: 0.1).item,
                             confident.softmaxCrossEntropy(labels: [0]).item + 0.5)
    }

    func testSmoothedGradientMatchesFiniteDifferences() {
        for epsilon: Float in [0, 0.1, 0.5] {
            let x = randomTensor([4, 5], seed: 5)
            assertGradients([x], "label smoothing \(epsilon)") { $0[0].softmaxCrossEntropy(labels: [0, 4, 2, 2], labelSmoothing: epsilon) }
        }
    }
}
