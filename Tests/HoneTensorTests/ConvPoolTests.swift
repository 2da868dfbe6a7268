import XCTest
@testable import HoneTensor

final class ConvPoolTests: XCTestCase {
    /// Direct convolution, one output element at a time.
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int) -> (shape: [Int], values: [Float]) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding - kh) / stride + 1, ow = (wd + 2 * padding - kw) / stride + 1
        var out: [Float] = []
        for bi in 0..<n { for oc in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
            var s: Float = b?.data[oc] ?? 0
            for ic in 0..<c { for ki in 0..<kh { for kj in 0..<kw {
                let iy = oy * stride - padding + ki, ix = ox * stride - padding + kj
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                s += x.data[((bi * c + ic) * h + iy) * wd + ix] * w.data[((oc * c + ic) * kh + ki) * kw + kj]
            } } }
            out.append(s)
        } } } }
        return ([n, o, oh, ow], out)
    }

    let configs: [(input: [Int], weight: [Int], stride: Int, padding: Int)] = [
        ([2, 2, 5, 5], [3, 2, 3, 3], 1, 0),
        ([2, 2, 5, 5], [3, 2, 3, 3], 1, 1),
        ([2, 2, 5, 5], [3, 2, 3, 3], 2, 0),
        ([1, 2, 6, 5], [2, 2, 3, 2], 2, 1), // non-square kernel and image, stride and padding
        ([2, 3, 4, 4], [2, 3, 1, 1], 1, 0), // 1×1 fast path
        ([1, 1, 3, 3], [1, 1, 3, 3], 1, 2), // padding wider than needed: all-zero border columns
    ]

    func testConv2dMatchesNaive() {
        for (i, cfg) in configs.enumerated() {
            let x = randomTensor(cfg.input, seed: UInt64(i)), w = randomTensor(cfg.weight, seed: UInt64(10 + i))
            let b = randomTensor([cfg.weight[0]], seed: UInt64(20 + i))
            for bias in [b, nil] {
                let y = x.conv2d(weight: w, bias: bias, stride: cfg.stride, padding: cfg.padding)
                let ref = naiveConv(x, w, bias, stride: cfg.stride, padding: cfg.padding)
                XCTAssertEqual(y.shape, ref.shape, "\(cfg)")
                assertClose(y, ref.values, accuracy: 1e-4, "\(cfg) bias \(bias != nil)")
            }
        }
    }

    func testConv2dGradients() {
        for (i, cfg) in configs.enumerated() {
            let x = randomTensor(cfg.input, seed: UInt64(i)), w = randomTensor(cfg.weight, seed: UInt64(10 + i), std: 0.5)
            let b = randomTensor([cfg.weight[0]], seed: UInt64(20 + i))
            assertGradients([x, w, b], "\(cfg)") { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: cfg.stride, padding: cfg.padding) }
        }
        // Only the weight needs a gradient (first layer): the dx path is skipped.
        let x = randomTensor([1, 2, 4, 4], seed: 30), w = randomTensor([2, 2, 3, 3], seed: 31)
        w.requiresGrad = true
        x.conv2d(weight: w, padding: 1).sum().backward()
        XCTAssertNil(x.grad)
        XCTAssertNotNil(w.grad)
    }

    /// Distinct values spaced well beyond the finite-difference step, so no window has a near-tie.
    func spacedInput(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = shape.reduce(1, *)
        let order = rng.permutation(n)
        return Tensor(order.map { Float($0) * 0.1 - Float(n) * 0.05 }, shape: shape)
    }

    func testMaxPoolMatchesNaiveAndGradChecks() {
        for (shape, k, s) in [([2, 2, 4, 4], 2, 2), ([1, 2, 5, 5], 3, 1), ([1, 1, 5, 4], 2, 1), ([1, 1, 5, 5], 2, 3)] {
            let x = spacedInput(shape, seed: 1)
            let y = x.maxPool2d(kernel: k, stride: s)
            let oh = (shape[2] - k) / s + 1, ow = (shape[3] - k) / s + 1
            XCTAssertEqual(y.shape, [shape[0], shape[1], oh, ow])
            var ref: [Float] = []
            for pl in 0..<(shape[0] * shape[1]) { for oy in 0..<oh { for ox in 0..<ow {
                var m = -Float.infinity
                for ki in 0..<k { for kj in 0..<k { m = max(m, x.data[pl * shape[2] * shape[3] + (oy * s + ki) * shape[3] + ox * s + kj]) } }
                ref.append(m)
            } } }
            assertClose(y, ref, "max \(shape) k\(k) s\(s)")
            assertGradients([x], "max \(shape) k\(k) s\(s)") { $0[0].maxPool2d(kernel: k, stride: s) }
        }
    }

    func testAvgPoolMatchesNaiveAndGradChecks() {
        for (shape, k, s) in [([2, 2, 4, 4], 2, 2), ([1, 2, 5, 5], 3, 1), ([1, 1, 5, 5], 2, 3)] {
            let x = randomTensor(shape, seed: 2)
            let y = x.avgPool2d(kernel: k, stride: s)
            let oh = (shape[2] - k) / s + 1, ow = (shape[3] - k) / s + 1
            var ref: [Float] = []
            for pl in 0..<(shape[0] * shape[1]) { for oy in 0..<oh { for ox in 0..<ow {
                var m: Float = 0
                for ki in 0..<k { for kj in 0..<k { m += x.data[pl * shape[2] * shape[3] + (oy * s + ki) * shape[3] + ox * s + kj] } }
                ref.append(m / Float(k * k))
            } } }
            XCTAssertEqual(y.shape, [shape[0], shape[1], oh, ow])
            assertClose(y, ref, "avg \(shape) k\(k) s\(s)")
            assertGradients([x], "avg \(shape) k\(k) s\(s)") { $0[0].avgPool2d(kernel: k, stride: s) }
        }
        let x = randomTensor([2, 3, 2, 2], seed: 3)
        let g = x.globalAvgPool()
        XCTAssertEqual(g.shape, [2, 3])
        assertClose(g, (0..<6).map { p in (0..<4).map { x.data[p * 4 + $0] }.reduce(0, +) / 4 })
        assertGradients([x]) { $0[0].globalAvgPool() }
    }

    func testSmallCNNEndToEndGradients() {
        // conv → batch norm → tanh → avg pool → flatten → dense → cross-entropy, checked as one graph.
        let x = randomTensor([2, 1, 6, 6], seed: 40), w = randomTensor([2, 1, 3, 3], seed: 41, std: 0.5)
        let d = randomTensor([8, 3], seed: 42, std: 0.5)
        let rm = Tensor(zeros: [2]), rv = Tensor(repeating: 1, shape: [2])
        let r = GradientCheck.check([w, d], epsilon: 1e-3) { t in
            let z = x.conv2d(weight: t[0], padding: 1)                        // [2, 2, 6, 6]
                .batchNorm(runningMean: rm, runningVar: rv, training: true)
                .tanh().avgPool2d(kernel: 3).flattened()                      // [2, 8]
            return Tensor.dense(z, weight: t[1], bias: nil).softmaxCrossEntropy(labels: [0, 2])
        }
        XCTAssertLessThan(r.maxError, 5e-3, "\(r)")
    }
}
