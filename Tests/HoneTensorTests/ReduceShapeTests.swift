import XCTest
@testable import HoneTensor

final class ReduceShapeTests: XCTestCase {
    /// Sum over `axes` evaluated one element at a time, keepDims shape.
    func naiveSum(_ x: Tensor, axes: Set<Int>) -> [Float] {
        let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        var out = [Float](repeating: 0, count: kept.reduce(1, *))
        for i in 0..<x.count {
            let idx = multiIndex(i, x.shape)
            out[flatIndex(idx.enumerated().map { axes.contains($0.offset) ? 0 : $0.element }, kept)] += x.data[i]
        }
        return out
    }

    func testSumAndMeanMatchNaive() {
        let x = randomTensor([2, 3, 4], seed: 1)
        for axes in [[0], [1], [2], [-1], [0, 1], [1, 2], [0, 2], [0, 1, 2]] {
            let norm = Set(axes.map { $0 < 0 ? $0 + 3 : $0 })
            let ref = naiveSum(x, axes: norm)
            let n = Float(norm.reduce(1) { $0 * x.shape[$1] })
            let s = x.sum(axes: axes), sk = x.sum(axes: axes, keepDims: true), m = x.mean(axes: axes)
            XCTAssertEqual(s.shape, x.shape.enumerated().filter { !norm.contains($0.offset) }.map(\.element))
            XCTAssertEqual(sk.shape, x.shape.enumerated().map { norm.contains($0.offset) ? 1 : $0.element })
            assertClose(s, ref, "sum \(axes)")
            assertClose(sk, ref, "sum keepDims \(axes)")
            assertClose(m, ref.map { $0 / n }, "mean \(axes)")
        }
        XCTAssertEqual(x.sum().shape, [])
        XCTAssertEqual(x.sum().item, x.scalars.reduce(0, +), accuracy: 1e-4)
        XCTAssertEqual(x.mean().item, x.scalars.reduce(0, +) / 24, accuracy: 1e-5)
        XCTAssertEqual(x.sum(axes: []).shape, x.shape)
    }

    func testReductionGradients() {
        let x = randomTensor([2, 3, 2], seed: 2)
        for axes in [[0], [1], [2], [0, 2], [1, 2]] {
            assertGradients([x], "sum \(axes)") { $0[0].sum(axes: axes) }
            assertGradients([x], "mean \(axes)") { $0[0].mean(axes: axes, keepDims: true) }
        }
        assertGradients([x]) { $0[0].sum() }
        assertGradients([x]) { $0[0].mean() }
    }

    func testReshapeSharesValuesAndInfers() {
        let x = randomTensor([2, 3, 4], seed: 3)
        let y = x.reshaped([4, -1])
        XCTAssertEqual(y.shape, [4, 6])
        XCTAssertTrue(y.buffer === x.buffer)
        XCTAssertEqual(x.flattened().shape, [2, 12])
        XCTAssertEqual(x.flattened(startAxis: 2).shape, [2, 3, 4])
        XCTAssertEqual(x.flattened(startAxis: 0).shape, [24])
        assertGradients([x]) { $0[0].reshaped([6, 4]) * $0[0].reshaped([6, 4]) }
        assertGradients([x]) { $0[0].flattened() }
    }

    func testTransposeMatchesNaiveAndGradChecks() {
        let m = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let mt = m.transposed()
        XCTAssertEqual(mt.shape, [3, 2])
        assertClose(mt, [1, 4, 2, 5, 3, 6])

        let x = randomTensor([2, 3, 4], seed: 4)
        for perm in [[0, 2, 1], [2, 0, 1], [1, 2, 0], [2, 1, 0], [1, 0, 2]] {
            let y = x.transposed(perm)
            XCTAssertEqual(y.shape, perm.map { x.shape[$0] })
            for i in 0..<y.count {
                let idx = multiIndex(i, y.shape)
                var src = [0, 0, 0]
                for d in 0..<3 { src[perm[d]] = idx[d] }
                XCTAssertEqual(y.data[i], x.data[flatIndex(src, x.shape)])
            }
            assertGradients([x], "\(perm)") { $0[0].transposed(perm) }
        }
    }
}

final class ConcatTests: XCTestCase {
    func testConcatValuesAndGradients() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6], shape: [2, 1])
        assertClose(Tensor.concat([a, b], axis: 1), [1, 2, 5, 3, 4, 6])
        XCTAssertEqual(Tensor.concat([a, b], axis: -1).shape, [2, 3])
        assertClose(Tensor.concat([a, a], axis: 0), [1, 2, 3, 4, 1, 2, 3, 4])

        let x = randomTensor([2, 1, 3], seed: 1), y = randomTensor([2, 2, 3], seed: 2), z = randomTensor([2, 3, 3], seed: 3)
        XCTAssertEqual(Tensor.concat([x, y, z], axis: 1).shape, [2, 6, 3])
        assertGradients([x, y, z]) { Tensor.concat($0, axis: 1) }
        assertGradients([x]) { Tensor.concat([$0[0], $0[0]], axis: 2) }
    }
}
