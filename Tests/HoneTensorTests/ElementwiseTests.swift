import XCTest
@testable import HoneTensor

final class ElementwiseTests: XCTestCase {
    /// NumPy broadcasting evaluated one element at a time.
    func naive(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> (shape: [Int], values: [Float]) {
        let r = max(a.rank, b.rank)
        let sa = [Int](repeating: 1, count: r - a.rank) + a.shape, sb = [Int](repeating: 1, count: r - b.rank) + b.shape
        let out = (0..<r).map { max(sa[$0], sb[$0]) }
        let n = out.reduce(1, *)
        let values = (0..<n).map { i -> Float in
            let idx = multiIndex(i, out)
            let ia = flatIndex((0..<r).map { sa[$0] == 1 ? 0 : idx[$0] }, sa)
            let ib = flatIndex((0..<r).map { sb[$0] == 1 ? 0 : idx[$0] }, sb)
            return f(a.data[ia], b.data[ib])
        }
        return (out, values)
    }

    let shapePairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]),          // same shape
        ([4, 3], [3]),             // bias row
        ([2, 3, 2, 2], [3, 1, 1]), // per channel
        ([2, 3, 2, 2], [1, 3, 1, 1]),
        ([3, 1], [1, 4]),          // outer product
        ([2, 1, 3], [4, 1]),       // both stretched, different ranks
        ([3], []),                 // scalar tensor
        ([], [2, 2]),
        ([1, 3], [2, 3]),          // left operand stretched
    ]

    func testBroadcastValuesMatchNaive() {
        let ops: [(BinaryOp, (Float, Float) -> Float)] = [(.add, +), (.sub, -), (.mul, *), (.div, /)]
        for (k, (sa, sb)) in shapePairs.enumerated() {
            let a = randomTensor(sa, seed: UInt64(k)), b = uniformTensor(sb, seed: UInt64(100 + k), 0.5, 2)
            for (op, f) in ops {
                let y = a.broadcasting(op, b)
                let ref = naive(a, b, f)
                XCTAssertEqual(y.shape, ref.shape, "\(op) \(sa) \(sb)")
                assertClose(y, ref.values, "\(op) \(sa) \(sb)")
            }
        }
    }

    func testBroadcastGradients() {
        for (k, (sa, sb)) in shapePairs.enumerated() {
            for op in [BinaryOp.add, .sub, .mul, .div] {
                let a = randomTensor(sa, seed: UInt64(k)), b = uniformTensor(sb, seed: UInt64(100 + k), 0.5, 2)
                assertGradients([a, b], "\(op) \(sa) \(sb)") { $0[0].broadcasting(op, $0[1]) }
            }
        }
    }

    func testSameTensorOnBothSides() {
        let x = randomTensor([3, 2], seed: 1)
        assertGradients([x]) { $0[0] * $0[0] }
        assertGradients([x]) { $0[0] - $0[0] * 2 }
    }

    func testScalarOpsAndOperators() {
        let x = Tensor([1, 2, -3, 4], shape: [2, 2]), y = Tensor([2, 4], shape: [2])
        assertClose(x + y, [3, 6, -1, 8])
        assertClose(x - y, [-1, -2, -5, 0])
        assertClose(x * y, [2, 8, -6, 16])
        assertClose(x / y, [0.5, 0.5, -1.5, 1])
        assertClose(x + 1, [2, 3, -2, 5])
        assertClose(1 + x, [2, 3, -2, 5])
        assertClose(x - 1, [0, 1, -4, 3])
        assertClose(1 - x, [0, -1, 4, -3])
        assertClose(x * 3, [3, 6, -9, 12])
        assertClose(3 * x, [3, 6, -9, 12])
        assertClose(x / 2, [0.5, 1, -1.5, 2])
        assertClose(2 / x, [2, 1, -2.0 / 3, 0.5])
        assertClose(-x, [-1, -2, 3, -4])
        assertClose(x.adding(0.5), [1.5, 2.5, -2.5, 4.5])
        assertClose(x.scaled(by: -2), [-2, -4, 6, -8])
        assertClose(x.negated(), [-1, -2, 3, -4])

        let t = randomTensor([2, 3], seed: 5)
        assertGradients([t]) { $0[0].adding(2) }
        assertGradients([t]) { $0[0].scaled(by: -1.5) }
        assertGradients([t]) { -$0[0] }
        assertGradients([t]) { 1 - $0[0] * 3 }
        let p = uniformTensor([2, 3], seed: 6, 0.5, 2)
        assertGradients([p]) { 2 / $0[0] }
    }

    func testNoGradientToConstantOperand() {
        let a = randomTensor([2, 3], seed: 1), b = randomTensor([3], seed: 2)
        a.requiresGrad = true
        (a * b).backward(seed: [Float](repeating: 1, count: 6))
        XCTAssertNotNil(a.grad)
        XCTAssertNil(b.grad)
    }
}
