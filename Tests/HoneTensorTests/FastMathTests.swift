import XCTest
@testable import HoneTensor

final class FastMathTests: XCTestCase {
    /// Sweeps [-88, 88] densely near 0 and geometrically beyond.
    func sweep() -> [Float] {
        var xs: [Float] = []
        var x: Float = 1e-30
        while x < 88 { xs.append(x); xs.append(-x); x *= 1.003 }
        for k in 0..<2000 { xs.append(Float(k) * 0.0005 - 0.5) } // across the Taylor switch
        return xs
    }

    func testExpAccuracy() {
        var worst = 0.0
        for x in sweep() where x > -87.3 {
            let ref = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - ref) / ref)
        }
        XCTAssertLessThan(worst, 1.5e-7, "exp relative error")
        XCTAssertEqual(FastMath.exp(0), 1)
        XCTAssertEqual(FastMath.exp(200), .infinity)
        XCTAssertLessThan(FastMath.exp(-200), 1.2e-38)
        XCTAssertGreaterThanOrEqual(FastMath.exp(-200), 0)
        XCTAssertTrue(FastMath.exp(.nan).isNaN)
    }

    /// Activations run HoneKernels' activation.c: every variant this CPU supports.
    func forEachKernelVariant(_ body: (Int) -> Void) {
        let saved = KernelVariants.level
        defer { KernelVariants.setLevel(saved) }
        for level in 0...KernelVariants.supportedLevel {
            XCTAssertEqual(KernelVariants.setLevel(level), level)
            body(level)
        }
    }

    func testTanhAccuracy() {
        let xs = sweep()
        forEachKernelVariant { level in
            let y = Tensor(xs, shape: [xs.count]).tanh()
            var worst = 0.0
            for (i, x) in xs.enumerated() {
                let ref = Foundation.tanh(Double(x))
                worst = max(worst, abs(Double(y.data[i]) - ref) / abs(ref))
            }
            XCTAssertLessThan(worst, 2.5e-7, "tanh relative error, kernel level \(level)")
            let special = Tensor([0, .infinity, -.infinity, .nan], shape: [4]).tanh()
            XCTAssertEqual(Array(special.scalars.prefix(3)), [0, 1, -1])
            XCTAssertTrue(special.data[3].isNaN)
        }
    }

    func testActivationValuesAndDerivativesAgainstDoubleReference() {
        // Lengths past one vector (and a remainder) so the kernels' vector loops run.
        let xs: [Float] = [-30, -5, -1.5, -0.3, -0.01, 0, 0.02, 0.2, 0.7, 2, 6, 40] + (0..<37).map { Float($0) * 0.23 - 4.1 }
        func check(_ f: Activation, _ ref: (Double) -> Double, _ derivative: (Double) -> Double, level: Int) {
            let x = Tensor(xs, shape: [xs.count])
            x.requiresGrad = true
            let y = x.activated(f)
            let dy = xs.indices.map { Float($0 % 5) - 1.5 }
            y.backward(seed: dy)
            for (i, v) in xs.enumerated() {
                let r = ref(Double(v)), d = derivative(Double(v)) * Double(dy[i])
                XCTAssertEqual(Double(y.data[i]), r, accuracy: 3e-7 * max(1, abs(r)), "\(f)(\(v)), level \(level)")
                XCTAssertEqual(Double(x.gradScalars![i]), d, accuracy: 2e-6 * max(1, abs(d)), "\(f)'(\(v)), level \(level)")
            }
        }
        let c = 0.7978845608028654
        func geluTanh(_ x: Double) -> Double { Foundation.tanh(c * (x + 0.044715 * x * x * x)) }
        forEachKernelVariant { level in
            check(.tanh, { Foundation.tanh($0) }, { 1 - Foundation.tanh($0) * Foundation.tanh($0) }, level: level)
            check(.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, { let s = 1 / (1 + Foundation.exp(-$0)); return s * (1 - s) }, level: level)
            check(.elu(1), { $0 > 0 ? $0 : Foundation.expm1($0) }, { $0 > 0 ? 1 : Foundation.exp($0) }, level: level)
            check(.gelu, { 0.5 * $0 * (1 + geluTanh($0)) },
                  { x in let t = geluTanh(x); return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x) },
                  level: level)
            check(.relu, { max($0, 0) }, { $0 > 0 ? 1 : 0 }, level: level)
            check(.leakyRelu(0.1), { $0 > 0 ? $0 : 0.1 * $0 }, { $0 > 0 ? 1 : 0.1 }, level: level)
            XCTAssertTrue(Tensor([.nan], shape: [1]).tanh().data[0].isNaN, "NaN must survive tanh")
            XCTAssertTrue(Tensor([.nan], shape: [1]).sigmoid().data[0].isNaN, "NaN must survive sigmoid")
            // In place and out of place (the kernel's two loops) agree.
            for f in [Activation.tanh, .gelu, .sigmoid, .elu(1)] {
                var buffer = xs
                let out = Tensor(xs, shape: [xs.count]).activated(f)
                buffer.withUnsafeMutableBufferPointer { b in f.forward(b.baseAddress!, b.baseAddress!, b.count) }
                XCTAssertEqual(buffer, out.scalars, "\(f) in place, level \(level)")
            }
        }
    }
}
