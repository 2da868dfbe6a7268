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

    func testTanhAccuracy() {
        var worst = 0.0
        for x in sweep() {
            let ref = Foundation.tanh(Double(x))
            worst = max(worst, abs(Double(FastMath.tanh(x)) - ref) / abs(ref))
        }
        XCTAssertLessThan(worst, 2.5e-7, "tanh relative error")
        XCTAssertEqual(FastMath.tanh(0), 0)
        XCTAssertEqual(FastMath.tanh(.infinity), 1)
        XCTAssertEqual(FastMath.tanh(-.infinity), -1)
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    }

    func testActivationValuesAgainstDoubleReference() {
        let xs: [Float] = [-30, -5, -1.5, -0.3, -0.01, 0, 0.02, 0.2, 0.7, 2, 6, 40]
        let x = Tensor(xs, shape: [xs.count])
        func check(_ f: Activation, _ ref: (Double) -> Double) {
            let y = x.activated(f)
            for (i, v) in xs.enumerated() {
                let r = ref(Double(v))
                XCTAssertEqual(Double(y.data[i]), r, accuracy: 3e-7 * max(1, abs(r)), "\(f)(\(v))")
            }
        }
        check(.tanh) { Foundation.tanh($0) }
        check(.sigmoid) { 1 / (1 + Foundation.exp(-$0)) }
        check(.elu(1)) { $0 > 0 ? $0 : Foundation.expm1($0) }
        check(.gelu) { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }
        XCTAssertTrue(Tensor([.nan], shape: [1]).tanh().data[0].isNaN, "NaN must survive tanh")
        XCTAssertTrue(Tensor([.nan], shape: [1]).sigmoid().data[0].isNaN, "NaN must survive sigmoid")
    }
}
