import XCTest
@testable import HoneTensor

final class CoreOpsTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor(randomNormal: shape, std: std, rng: &rng)
    }

    func testMatmulMatchesNaiveAndGradChecks() {
        let a = randn([3, 4], seed: 1), b = randn([4, 5], seed: 2)
        let c = a.matmul(b)
        for i in 0..<3 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<4 { s += a.data[i * 4 + k] * b.data[k * 5 + j] }
            XCTAssertEqual(c.data[i * 5 + j], s, accuracy: 1e-5)
        } }
        let r = GradientCheck.check([a, b]) { $0[0].matmul($0[1]) }
        XCTAssertLessThan(r.maxError, 2e-3, "\(r)")
    }

    func testActivationsGradCheck() {
        for f in [Activation.identity, .relu, .leakyRelu(0.1), .elu(1), .gelu, .tanh, .sigmoid] {
            // Keep values away from relu's kink so the finite difference is well defined.
            let x = randn([4, 6], seed: 3)
            for i in 0..<x.count where abs(x.data[i]) < 0.05 { x.data[i] += 0.1 }
            let r = GradientCheck.check([x], epsilon: 1e-3) { $0[0].activated(f) }
            XCTAssertLessThan(r.maxError, 5e-3, "\(f): \(r)")
        }
    }

    func testDenseGradCheckEveryActivation() {
        for f in [Activation.identity, .relu, .gelu, .tanh, .sigmoid, .elu(1), .leakyRelu(0.01)] {
            let x = randn([5, 4], seed: 4), w = randn([4, 3], seed: 5, std: 0.5), b = randn([3], seed: 6)
            let r = GradientCheck.check([x, w, b], epsilon: 1e-3) { Tensor.dense($0[0], weight: $0[1], bias: $0[2], activation: f) }
            XCTAssertLessThan(r.maxError, 5e-3, "\(f): \(r)")
        }
    }

    func testSoftmaxCrossEntropyValueAndGradient() {
        let logits = Tensor([1, 2, 3, 0, 0, 0], shape: [2, 3])
        let loss = logits.softmaxCrossEntropy(labels: [2, 0])
        let expected = (-log(exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0))) + log(3.0)) / 2
        XCTAssertEqual(Double(loss.item), expected, accuracy: 1e-5)
        let x = randn([4, 5], seed: 8)
        let r = GradientCheck.check([x], epsilon: 1e-3) { $0[0].softmaxCrossEntropy(labels: [0, 4, 2, 2]) }
        XCTAssertLessThan(r.maxError, 5e-3, "\(r)")
    }

    func testGraphIsFreedAfterBackwardAndNoGradRecordsNothing() {
        let w = randn([3, 3], seed: 9)
        w.requiresGrad = true
        let x = randn([2, 3], seed: 10)
        let y = x.matmul(w).relu()
        XCTAssertFalse(y.isLeaf)
        let loss = y.softmaxCrossEntropy(labels: [0, 1])
        loss.backward()
        XCTAssertTrue(y.isLeaf, "backward must release the graph")
        XCTAssertNotNil(w.grad)
        let z = GradMode.withoutGrad { x.matmul(w) }
        XCTAssertTrue(z.isLeaf)
        XCTAssertFalse(z.requiresGrad)
    }
}
