import XCTest
@testable import HoneTensor

/// The fused conv block against the ops it replaces (conv2d → batchNorm → activation → maxPool2d):
/// values, gradients and running statistics within float tolerance, for every kernel
/// variant this CPU supports.
final class ConvBlockTests: XCTestCase {
    struct Case {
        var input: [Int], weight: [Int], stride = 1, padding = 1
        var bias = true, norm = false, training = true, activation = Activation.relu, pool = true
    }

    let cases: [Case] = [
        Case(input: [3, 2, 6, 6], weight: [4, 2, 3, 3]),
        Case(input: [3, 2, 6, 6], weight: [4, 2, 3, 3], bias: false, norm: true),
        Case(input: [2, 2, 5, 7], weight: [3, 2, 3, 3], bias: false, norm: true), // odd output: a row and a column outside every window
        Case(input: [2, 2, 5, 7], weight: [3, 2, 3, 3]),
        Case(input: [2, 3, 7, 7], weight: [2, 3, 3, 3], stride: 2, padding: 0, bias: false, norm: true, training: false),
        Case(input: [4, 1, 6, 6], weight: [3, 1, 3, 3], activation: .identity),
        Case(input: [2, 2, 4, 4], weight: [3, 2, 3, 3], pool: false),
        Case(input: [2, 2, 4, 4], weight: [3, 2, 3, 3], bias: false, norm: true, activation: .identity, pool: false),
        Case(input: [2, 3, 4, 4], weight: [5, 3, 1, 1], padding: 0, bias: false, norm: true),
        // Four or more input channels, 3×3, stride 1: the Winograd path (ConvBlockWinograd.swift).
        Case(input: [3, 4, 6, 6], weight: [5, 4, 3, 3]),
        Case(input: [3, 4, 6, 6], weight: [5, 4, 3, 3], bias: false, norm: true),
        Case(input: [2, 5, 5, 7], weight: [3, 5, 3, 3], bias: false, norm: true),
        Case(input: [2, 4, 7, 6], weight: [3, 4, 3, 3], padding: 0, activation: .identity),
        Case(input: [2, 4, 4, 4], weight: [3, 4, 3, 3], bias: false, norm: true, training: false, pool: false),
        // Non-decreasing activations other than ReLU run on the pooled plane.
        Case(input: [3, 2, 6, 6], weight: [4, 2, 3, 3], activation: .tanh),
        Case(input: [3, 4, 6, 6], weight: [5, 4, 3, 3], bias: false, norm: true, activation: .tanh),
        Case(input: [2, 5, 5, 7], weight: [3, 5, 3, 3], bias: false, norm: true, training: false, activation: .sigmoid),
        Case(input: [2, 4, 7, 6], weight: [3, 4, 3, 3], padding: 0, activation: .elu(1)),
        Case(input: [2, 2, 4, 4], weight: [3, 2, 3, 3], bias: false, norm: true, activation: .leakyRelu(0.1), pool: false),
        Case(input: [2, 4, 4, 4], weight: [3, 4, 3, 3], activation: .tanh, pool: false),
        // GELU is not monotone: applied to every value before the window's max.
        Case(input: [3, 2, 6, 6], weight: [4, 2, 3, 3], activation: .gelu),
        Case(input: [3, 4, 6, 6], weight: [5, 4, 3, 3], bias: false, norm: true, activation: .gelu),
        Case(input: [2, 5, 5, 7], weight: [3, 5, 3, 3], bias: false, norm: true, training: false, activation: .gelu),
        Case(input: [2, 4, 4, 4], weight: [3, 4, 3, 3], activation: .gelu, pool: false),
    ]

    struct Parameters {
        let x: Tensor, w: Tensor, b: Tensor?, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor
        var all: [Tensor] { [x, w] + (b.map { [$0] } ?? []) + [gamma, beta] }
    }

    func parameters(_ c: Case, seed: UInt64) -> Parameters {
        let x = randomTensor(c.input, seed: seed), w = randomTensor(c.weight, seed: seed + 1, std: 0.5)
        let channels = c.weight[0]
        return Parameters(x: x, w: w, b: c.bias ? randomTensor([channels], seed: seed + 2) : nil,
                          gamma: uniformTensor([channels], seed: seed + 3, -1.5, 1.5),
                          beta: randomTensor([channels], seed: seed + 4),
                          runningMean: randomTensor([channels], seed: seed + 5, std: 0.1),
                          runningVar: uniformTensor([channels], seed: seed + 6, 0.5, 2))
    }

    func fused(_ c: Case, _ p: Parameters, x: Tensor? = nil, w: Tensor? = nil) -> Tensor {
        let norm = c.norm ? ConvBlockNormalization(gamma: p.gamma, beta: p.beta, runningMean: p.runningMean,
                                                   runningVar: p.runningVar, training: c.training) : nil
        return (x ?? p.x).convBlock(weight: w ?? p.w, bias: p.b, stride: c.stride, padding: c.padding, normalization: norm,
                                    activation: c.activation, maxPool2x2: c.pool)
    }

    func separate(_ c: Case, _ p: Parameters) -> Tensor {
        var h = p.x.conv2d(weight: p.w, bias: p.b, stride: c.stride, padding: c.padding)
        if c.norm {
            h = h.batchNorm(gamma: p.gamma, beta: p.beta, runningMean: p.runningMean, runningVar: p.runningVar, training: c.training)
        }
        h = h.activated(c.activation)
        if c.pool { h = h.maxPool2d(kernel: 2) }
        return h
    }

    /// Forward values, every gradient and the running statistics of the two paths.
    func compare(_ c: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let p1 = parameters(c, seed: seed), p2 = parameters(c, seed: seed)
        for t in p1.all + p2.all { t.requiresGrad = true }
        let y1 = fused(c, p1), y2 = separate(c, p2)
        XCTAssertEqual(y1.shape, y2.shape, "\(c)", file: file, line: line)
        assertClose(y1, y2.scalars, accuracy: 1e-4, "forward \(c)", file: file, line: line)
        let seedGradient = randomTensor(y1.shape, seed: seed + 9).scalars
        y1.backward(seed: seedGradient)
        y2.backward(seed: seedGradient)
        for (i, (a, b)) in zip(p1.all, p2.all).enumerated() {
            guard let expected = b.gradScalars else { continue }
            guard a.grad != nil else { XCTFail("no gradient for input \(i) \(c)", file: file, line: line); continue }
            let scaleOf = max(1, expected.map(abs).max() ?? 1)
            assertClose(Tensor(a.gradScalars!, shape: a.shape), expected, accuracy: 2e-4 * scaleOf, "gradient of input \(i) \(c)",
                        file: file, line: line)
        }
        assertClose(p1.runningMean, p2.runningMean.scalars, accuracy: 1e-5, "running mean \(c)", file: file, line: line)
        assertClose(p1.runningVar, p2.runningVar.scalars, accuracy: 1e-4, "running variance \(c)", file: file, line: line)
    }

    func testMatchesSeparateOpsOnEveryKernelVariant() {
        let saved = KernelVariants.level
        defer { KernelVariants.setLevel(saved) }
        for level in 0...KernelVariants.supportedLevel {
            XCTAssertEqual(KernelVariants.setLevel(level), level)
            for (i, c) in cases.enumerated() { compare(c, seed: UInt64(100 * i)) }
        }
    }

    /// Batches wider than one GEMM group: the groups' statistics merge and the last group is short.
    func testSeveralImagesPerGEMMAndShortLastGroup() {
        let c = Case(input: [100, 2, 8, 8], weight: [3, 2, 3, 3], bias: false, norm: true)
        let group = ConvBlockGrouping.imagesPerGEMM(colRows: 18, channels: 3, plane: 64, batch: 100)
        XCTAssertGreaterThan(group, 1)
        XCTAssertNotEqual(100 % group, 0)
        compare(c, seed: 7)
        compare(Case(input: [100, 2, 8, 8], weight: [3, 2, 3, 3]), seed: 8)
    }

    func testFiniteDifferenceGradients() {
        // Smooth cases (no ReLU kink or pooling tie near the probe points).
        let smooth = Case(input: [2, 2, 4, 4], weight: [3, 2, 3, 3], bias: false, norm: true, activation: .identity, pool: false)
        let p = parameters(smooth, seed: 3)
        assertGradients([p.x, p.w, p.gamma, p.beta], tolerance: 1e-2) { t in
            let q = Parameters(x: t[0], w: t[1], b: nil, gamma: t[2], beta: t[3], runningMean: p.runningMean, runningVar: p.runningVar)
            return self.fused(smooth, q)
        }
        // Pooling and ReLU: a 1×1 convolution with positive weights keeps the order of
        // inputs spaced 0.1 apart, so no window is near a tie and no value near the kink.
        var rng = RandomGenerator(seed: 2)
        let spaced = Tensor(rng.permutation(2 * 36).map { Float($0) * 0.1 - 3.55 }, shape: [2, 1, 6, 6])
        let w = Tensor([0.5, 1.5], shape: [2, 1, 1, 1]), b = Tensor([0.03, -0.02], shape: [2])
        for activation in [Activation.identity, .relu, .tanh, .sigmoid, .gelu] {
            assertGradients([spaced, w, b], tolerance: 1e-2, "\(activation)") { t in
                t[0].convBlock(weight: t[1], bias: t[2], activation: activation, maxPool2x2: true)
            }
        }
    }

    /// With several BLAS threads the groups run on several workers: the same values and
    /// gradients as one worker (within rounding: dW sums in another order), and the same
    /// bits on a rerun with the same thread count.
    func testWorkersMatchOneThreadAndRepeatExactly() {
        let saved = BLAS.threads
        defer { BLAS.setThreads(saved) }
        let c = Case(input: [9, 8, 16, 16], weight: [16, 8, 3, 3], bias: false, norm: true)
        func run(threads: Int) -> [[Float]] {
            BLAS.setThreads(threads)
            let prms = parameters(c, seed: 11)
            for t in prms.all { t.requiresGrad = true }
            // (8·9 + 16)·256 floats per image: two images per group, five groups to share.
            let y = fused(c, prms)
            y.backward(seed: randomTensor(y.shape, seed: 12).scalars)
            return [y.scalars, prms.runningMean.scalars, prms.runningVar.scalars] + prms.all.map { $0.gradScalars ?? [] }
        }
        let one = run(threads: 1), two = run(threads: 2), again = run(threads: 2)
        XCTAssertEqual(two, again)
        for (a, b) in zip(one, two) {
            XCTAssertEqual(a.count, b.count)
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-4 * max(1, abs(a[i]))) }
        }
    }

    func testWithoutGradientsRecordsNothing() {
        let c = cases[1]
        let p = parameters(c, seed: 1)
        let y = GradMode.withoutGrad { fused(c, p) }
        XCTAssertFalse(y.requiresGrad)
        let reference = GradMode.withoutGrad { separate(c, parameters(c, seed: 1)) }
        assertClose(y, reference.scalars, accuracy: 1e-4)
    }
}
