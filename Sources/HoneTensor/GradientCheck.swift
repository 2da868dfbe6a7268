// Finite-difference checking of backward kernels. Public so that people writing their
// own ops (and every op's test) can hold the backward pass to the forward one.

import Foundation

public struct GradientCheckResult: CustomStringConvertible {
    /// Largest |analytic − numeric| / max(1, |analytic|, |numeric|) over every checked entry.
    public var maxError: Float
    /// Where it happened: input index and flat element index.
    public var worst: (input: Int, element: Int, analytic: Float, numeric: Float)

    public var description: String {
        "max error \(maxError) at input \(worst.input)[\(worst.element)]: analytic \(worst.analytic), numeric \(worst.numeric)"
    }
}

public enum GradientCheck {
    /// Compares the gradients of `sum(f(inputs) ⊙ w)` (w a fixed random projection, so every
    /// output element matters) with central differences of step `epsilon`, entry by entry.
    /// Sums are formed in Double so float32 round-off does not swamp the differences.
    public static func check(_ inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 7,
                             _ f: ([Tensor]) -> Tensor) -> GradientCheckResult {
        for t in inputs { t.requiresGrad = true; t.dropGrad() }
        var rng = RandomGenerator(seed: seed)
        let probe = f(inputs)
        let weights = (0..<probe.count).map { _ in Float(rng.uniform(-1, 1)) }

        func objective() -> Double {
            let y = GradMode.withoutGrad { f(inputs) }
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(weights[i]) }
            return s
        }

        probe.backward(seed: weights)
        var result = GradientCheckResult(maxError: 0, worst: (0, 0, 0, 0))
        for (k, t) in inputs.enumerated() {
            let analytic = t.grad.map { Array($0.buffer) } ?? [Float](repeating: 0, count: t.count)
            for i in 0..<t.count {
                let saved = t.data[i]
                t.data[i] = saved + epsilon
                let plus = objective()
                t.data[i] = saved - epsilon
                let minus = objective()
                t.data[i] = saved
                let numeric = Float((plus - minus) / (2 * Double(epsilon)))
                let err = abs(analytic[i] - numeric) / max(1, abs(analytic[i]), abs(numeric))
                if err > result.maxError || err.isNaN {
                    result.maxError = err.isNaN ? .infinity : err
                    result.worst = (k, i, analytic[i], numeric)
                }
            }
        }
        return result
    }
}
