import XCTest
@testable import HoneTensor

final class SoftmaxLossDropoutTests: XCTestCase {
    func testSoftmaxAndLogSoftmaxMatchNaive() {
        let x = randomTensor([2, 3, 4], seed: 1, std: 3)
        for axis in [-1, 0, 1, 2] {
            let ax = axis < 0 ? axis + 3 : axis
            let s = x.softmax(axis: axis), ls = x.logSoftmax(axis: axis)
            for i in 0..<x.count {
                let idx = multiIndex(i, x.shape)
                var denom: Double = 0
                for k in 0..<x.shape[ax] {
                    var j = idx; j[ax] = k
                    denom += exp(Double(x.data[flatIndex(j, x.shape)]))
                }
                XCTAssertEqual(Double(s.data[i]), exp(Double(x.data[i])) / denom, accuracy: 1e-6, "axis \(axis)")
                XCTAssertEqual(Double(ls.data[i]), Double(x.data[i]) - log(denom), accuracy: 1e-5, "axis \(axis)")
            }
            assertGradients([x], "softmax axis \(axis)") { $0[0].softmax(axis: axis) }
            assertGradients([x], "logSoftmax axis \(axis)") { $0[0].logSoftmax(axis: axis) }
        }
    }

    func testSoftmaxIsStableForLargeLogits() {
        let x = Tensor([1000, 1001, -1000, 0], shape: [2, 2])
        let s = x.softmax(), ls = x.logSoftmax()
        XCTAssertTrue(s.scalars.allSatisfy(\.isFinite) && ls.scalars.allSatisfy(\.isFinite))
        XCTAssertEqual(s.data[1], Float(1 / (1 + exp(-1.0))), accuracy: 1e-6)
        XCTAssertEqual(ls.data[2], -1000, accuracy: 1e-3)
    }

    func testBinaryCrossEntropyWithLogits() {
        let x = Tensor([0.5, -2, 30, -30, 0, 3], shape: [2, 3])
        let t = Tensor([1, 0, 1, 1, 0.5, 0], shape: [2, 3])
        var ref = 0.0
        for i in 0..<6 {
            let v = Double(x.data[i]), ti = Double(t.data[i])
            // −[t log σ(x) + (1 − t) log(1 − σ(x))], with log σ(x) = −log(1 + e^−x).
            ref += ti * log1p(exp(-v)) + (1 - ti) * log1p(exp(v))
        }
        XCTAssertEqual(Double(x.binaryCrossEntropyWithLogits(targets: t).item), ref / 6, accuracy: 1e-5)

        let logits = randomTensor([3, 4], seed: 2, std: 2)
        let targets = uniformTensor([3, 4], seed: 3, 0, 1)
        assertGradients([logits, targets]) { $0[0].binaryCrossEntropyWithLogits(targets: $0[1]) }
    }

    func testMSEAndL1() {
        let x = Tensor([1, 2, 3, 4], shape: [2, 2]), t = Tensor([0, 2, 5, 3], shape: [2, 2])
        XCTAssertEqual(x.mse(target: t).item, (1 + 0 + 4 + 1) / 4, accuracy: 1e-6)
        XCTAssertEqual(x.l1(target: t).item, (1 + 0 + 2 + 1) / 4, accuracy: 1e-6)
        let p = randomTensor([3, 4], seed: 4), q = randomTensor([3, 4], seed: 5)
        assertGradients([p, q]) { $0[0].mse(target: $0[1]) }
        // Random normals are far apart relative to epsilon, away from l1's kink.
        assertGradients([p, q]) { $0[0].l1(target: $0[1]) }
    }

    func testDropoutScalesAndGradChecks() {
        let x = randomTensor([4, 5], seed: 6)
        var rng = RandomGenerator(seed: 1)
        let y = x.dropout(p: 0.4, rng: &rng, training: true)
        var dropped = 0
        for i in 0..<x.count {
            if y.data[i] == 0 { dropped += 1 } else { XCTAssertEqual(y.data[i], x.data[i] / 0.6, accuracy: 1e-5) }
        }
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertLessThan(dropped, x.count)
        // Each evaluation must draw the same mask: reseed inside the function.
        assertGradients([x]) { var r = RandomGenerator(seed: 1); return $0[0].dropout(p: 0.4, rng: &r, training: true) }
    }

    func testDropoutMaskIsSeeded() {
        let x = Tensor(repeating: 1, shape: [64])
        func mask(_ seed: UInt64) -> [Float] {
            var rng = RandomGenerator(seed: seed)
            return x.dropout(p: 0.5, rng: &rng, training: true).scalars
        }
        XCTAssertEqual(mask(42), mask(42))
        XCTAssertNotEqual(mask(42), mask(43))
    }

    func testDropoutIdentityWhenNotTrainingOrZeroRate() {
        let x = randomTensor([3, 3], seed: 7)
        var rng = RandomGenerator(seed: 9)
        let before = rng
        XCTAssertTrue(x.dropout(p: 0.5, rng: &rng, training: false) === x)
        XCTAssertTrue(x.dropout(p: 0, rng: &rng, training: true) === x)
        XCTAssertEqual(rng.next(), { var r = before; return r.next() }(), "no draws when dropout is off")
    }
}
