import XCTest
@testable import HoneTensor

final class NormalizationTests: XCTestCase {
    func testLayerNormMatchesNaive() {
        let x = randomTensor([3, 5], seed: 1, std: 2), g = randomTensor([5], seed: 2), b = randomTensor([5], seed: 3)
        let y = x.layerNorm(gamma: g, beta: b, eps: 1e-5)
        for r in 0..<3 {
            let row = (0..<5).map { Double(x.data[r * 5 + $0]) }
            let m = row.reduce(0, +) / 5
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 5
            for i in 0..<5 {
                let ref = (row[i] - m) / (v + 1e-5).squareRoot() * Double(g.data[i]) + Double(b.data[i])
                XCTAssertEqual(Double(y.data[r * 5 + i]), ref, accuracy: 1e-5)
            }
        }
    }

    func testLayerNormGradients() {
        let x = randomTensor([2, 3, 4], seed: 4), g = randomTensor([4], seed: 5), b = randomTensor([4], seed: 6)
        assertGradients([x, g, b]) { $0[0].layerNorm(gamma: $0[1], beta: $0[2]) }
        assertGradients([x]) { $0[0].layerNorm() }
    }

    /// Per-channel batch statistics computed naively: (mean, biased variance, unbiased variance).
    func channelStats(_ x: Tensor) -> [(Double, Double, Double)] {
        let n = x.shape[0], c = x.shape[1], s = x.count / (n * c)
        return (0..<c).map { ch in
            var vals: [Double] = []
            for b in 0..<n { for i in 0..<s { vals.append(Double(x.data[(b * c + ch) * s + i])) } }
            let m = vals.reduce(0, +) / Double(vals.count)
            let ss = vals.map { ($0 - m) * ($0 - m) }.reduce(0, +)
            return (m, ss / Double(vals.count), ss / Double(vals.count - 1))
        }
    }

    func testBatchNormTrainingValuesAndRunningStats() {
        for shape in [[4, 3], [2, 3, 2, 2]] {
            let x = randomTensor(shape, seed: 7, std: 2).adding(1)
            let c = shape[1], s = x.count / (shape[0] * c)
            let g = randomTensor([c], seed: 8), b = randomTensor([c], seed: 9)
            let rm = Tensor(repeating: 0.5, shape: [c]), rv = Tensor(repeating: 2, shape: [c])
            let y = x.batchNorm(gamma: g, beta: b, runningMean: rm, runningVar: rv, momentum: 0.1, eps: 1e-5, training: true)
            let stats = channelStats(x)
            for i in 0..<x.count {
                let ch = (i / s) % c
                let (m, v, _) = stats[ch]
                let ref = (Double(x.data[i]) - m) / (v + 1e-5).squareRoot() * Double(g.data[ch]) + Double(b.data[ch])
                XCTAssertEqual(Double(y.data[i]), ref, accuracy: 1e-4, "\(shape)")
            }
            for ch in 0..<c {
                XCTAssertEqual(Double(rm.data[ch]), 0.9 * 0.5 + 0.1 * stats[ch].0, accuracy: 1e-5)
                XCTAssertEqual(Double(rv.data[ch]), 0.9 * 2 + 0.1 * stats[ch].2, accuracy: 1e-5, "unbiased running variance")
            }
        }
    }

    func testBatchNormEvalUsesRunningStatistics() {
        let x = randomTensor([3, 2, 2, 2], seed: 10)
        let rm = Tensor([0.25, -1], shape: [2]), rv = Tensor([4, 0.5], shape: [2])
        let g = Tensor([2, 3], shape: [2]), b = Tensor([0.5, -0.5], shape: [2])
        let y = x.batchNorm(gamma: g, beta: b, runningMean: rm, runningVar: rv, eps: 1e-5, training: false)
        for i in 0..<x.count {
            let ch = (i / 4) % 2
            let ref = (x.data[i] - rm.data[ch]) / (rv.data[ch] + 1e-5).squareRoot() * g.data[ch] + b.data[ch]
            XCTAssertEqual(y.data[i], ref, accuracy: 1e-5)
        }
        XCTAssertEqual(rm.scalars, [0.25, -1], "eval must not touch running statistics")
        XCTAssertEqual(rv.scalars, [4, 0.5])
        assertGradients([x, g, b]) { $0[0].batchNorm(gamma: $0[1], beta: $0[2], runningMean: rm, runningVar: rv, training: false) }
    }

    func testBatchNormTrainingGradients() {
        for shape in [[5, 3], [2, 3, 2, 3]] {
            let c = shape[1]
            let x = randomTensor(shape, seed: 11), g = randomTensor([c], seed: 12), b = randomTensor([c], seed: 13)
            let rm = Tensor(zeros: [c]), rv = Tensor(repeating: 1, shape: [c])
            assertGradients([x, g, b], "\(shape)") {
                $0[0].batchNorm(gamma: $0[1], beta: $0[2], runningMean: rm, runningVar: rv, training: true)
            }
            assertGradients([x], "\(shape) no affine") { $0[0].batchNorm(runningMean: rm, runningVar: rv, training: true) }
        }
    }
}
