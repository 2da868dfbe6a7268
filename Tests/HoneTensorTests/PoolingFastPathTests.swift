import XCTest
@testable import HoneTensor

/// maxPool2d's unrolled 2×2 / stride 2 path against the general window loop (stride 2 via
/// a 2×2 window equals the general path by definition, so the reference is computed here).
final class PoolingFastPathTests: XCTestCase {
    func testTwoByTwoPathOnOddSizesAndTies() {
        // 5×7: the last row and column are dropped (floor mode).
        let x = randomTensor([2, 3, 5, 7], seed: 8)
        let y = x.maxPool2d(kernel: 2, stride: 2)
        XCTAssertEqual(y.shape, [2, 3, 2, 3])
        var ref: [Float] = []
        for pl in 0..<6 { for oy in 0..<2 { for ox in 0..<3 {
            let base = pl * 35 + 2 * oy * 7 + 2 * ox
            ref.append(max(max(x.data[base], x.data[base + 1]), max(x.data[base + 7], x.data[base + 8])))
        } } }
        assertClose(y, ref, accuracy: 0)
        // Ties: the gradient goes to the first maximum in row-major window order.
        let flat = Tensor([Float](repeating: 1, count: 16), shape: [1, 1, 4, 4], requiresGrad: true)
        flat.maxPool2d(kernel: 2, stride: 2).sum().backward()
        XCTAssertEqual(flat.grad.map { Array($0.buffer) }, [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0])
        let x2 = randomTensor([1, 2, 6, 6], seed: 2)
        assertGradients([x2], "2×2 stride 2") { $0[0].maxPool2d(kernel: 2, stride: 2) }
    }
}
