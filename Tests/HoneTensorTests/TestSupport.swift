import XCTest
@testable import HoneTensor

/// Normal(0, std) tensor from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(randomNormal: shape, std: std, rng: &rng)
}

/// Uniform [low, high) tensor from a fixed seed (positive divisors, say).
func uniformTensor(_ shape: [Int], seed: UInt64, _ low: Float, _ high: Float) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(randomUniform: shape, low: low, high: high, rng: &rng)
}

/// Finite-difference check of every input's gradient.
func assertGradients(_ inputs: [Tensor], tolerance: Float = 5e-3, epsilon: Float = 1e-3,
                     _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line,
                     _ f: ([Tensor]) -> Tensor) {
    let r = GradientCheck.check(inputs, epsilon: epsilon, f)
    XCTAssertLessThan(r.maxError, tolerance, "\(message()) \(r)", file: file, line: line)
}

/// Elementwise comparison of values.
func assertClose(_ t: Tensor, _ expected: [Float], accuracy: Float = 1e-5, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(t.count, expected.count, "count \(message())", file: file, line: line)
    for i in 0..<min(t.count, expected.count) where !(abs(t.data[i] - expected[i]) <= accuracy) {
        XCTFail("\(message()) element \(i): got \(t.data[i]), expected \(expected[i])", file: file, line: line)
        return
    }
}

/// Row-major multi-index of a flat offset.
func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
    var idx = [Int](repeating: 0, count: shape.count), r = flat
    for d in stride(from: shape.count - 1, through: 0, by: -1) { idx[d] = r % shape[d]; r /= shape[d] }
    return idx
}

/// Flat offset of a multi-index.
func flatIndex(_ idx: [Int], _ shape: [Int]) -> Int {
    var f = 0
    for d in 0..<shape.count { f = f * shape[d] + idx[d] }
    return f
}
