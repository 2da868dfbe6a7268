import XCTest
@testable import HoneTensor

/// HoneKernels' variants (baseline, AVX2, AVX-512, as many as this CPU has) against a
/// Double reference, within float tolerance: FMA contraction and vector width change the
/// last bits, so no variant is compared with another bit for bit.
final class CKernelsTests: XCTestCase {
    func testAdamStepOnEveryVariant() {
        let saved = KernelVariants.level
        defer { KernelVariants.setLevel(saved) }
        let n = 37 // not a multiple of any vector width: the tail runs too
        var rng = RandomGenerator(seed: 3)
        let w0 = (0..<n).map { _ in Float(rng.normal()) }, g0 = (0..<n).map { _ in Float(rng.normal()) }
        let m0 = (0..<n).map { _ in Float(rng.normal() * 0.1) }, v0 = (0..<n).map { _ in Float(rng.uniform(0, 0.5)) }
        let (b1, b2, decay, shrink, step, inv, eps): (Float, Float, Float, Float, Float, Float, Float) = (0.9, 0.999, 0.01, 0.999, 1e-2, 3, 1e-8)
        for level in 0...KernelVariants.supportedLevel {
            XCTAssertEqual(KernelVariants.setLevel(level), level)
            var w = w0, g = g0, m = m0, v = v0
            CKernels.adamStep(weights: &w, gradients: &g, firstMoments: &m, secondMoments: &v, count: n, beta1: b1, beta2: b2,
                              coupledDecay: decay, shrink: shrink, stepSize: step, inverseRootCorrection2: inv, epsilon: eps)
            for i in 0..<n {
                let d = Double(g0[i]) + Double(decay) * Double(w0[i])
                let mv = Double(b1) * Double(m0[i]) + (1 - Double(b1)) * d
                let vv = Double(b2) * Double(v0[i]) + (1 - Double(b2)) * d * d
                let wv = Double(w0[i]) * Double(shrink) - Double(step) * mv / (vv.squareRoot() * Double(inv) + Double(eps))
                XCTAssertEqual(Double(m[i]), mv, accuracy: 1e-6, "m[\(i)] \(KernelVariants.names[level])")
                XCTAssertEqual(Double(v[i]), vv, accuracy: 1e-6, "v[\(i)] \(KernelVariants.names[level])")
                XCTAssertEqual(Double(w[i]), wv, accuracy: 1e-5, "w[\(i)] \(KernelVariants.names[level])")
                XCTAssertEqual(g[i], 0)
            }
        }
    }

    func testLevelsClampToTheCPU() {
        let saved = KernelVariants.level
        defer { KernelVariants.setLevel(saved) }
        XCTAssertEqual(KernelVariants.setLevel(-3), 0)
        XCTAssertEqual(KernelVariants.setLevel(99), KernelVariants.supportedLevel)
    }
}
