// The logarithm of expected improvement, computed without underflow (Ament et al. 2023,
// "Unexpected Improvements to Expected Improvement for Bayesian Optimization", §4.1).
//
// For a Gaussian posterior N(μ, σ²) and incumbent f* (maximisation),
//     EI = σ · h(z),   z = (μ − f*)/σ,   h(z) = φ(z) + z Φ(z).
// h(z) underflows to 0 in Double already for z ≲ −40, where plain EI has a zero gradient
// and an optimiser is blind. log h is computed piecewise (their eq. 9):
//     z > −1:            log(φ(z) + z Φ(z))                        (no cancellation here)
//     −1/√ε < z ≤ −1:    −z²/2 − c₁ + log1mexp(log(erfcx(−z/√2) |z|) + c₂)
//     z ≤ −1/√ε:         −z²/2 − c₁ − 2 log|z|                     (asymptotic)
// with c₁ = log(2π)/2, c₂ = log(π/2)/2 and erfcx(x) = e^{x²} erfc(x).

import Foundation

enum LogEI {
    private static let c1 = 0.5 * log(2 * Double.pi)
    private static let c2 = 0.5 * log(Double.pi / 2)
    private static let inverseSqrtEpsilon = 1 / Double.ulpOfOne.squareRoot()

    /// Scaled complementary error function e^{x²} erfc(x) for x ≥ 0 (the only range needed):
    /// directly while e^{x²} is finite and erfc(x) is normal, by its asymptotic series beyond
    /// (Abramowitz & Stegun 7.1.23; the truncation error at x = 25 is below 1e-13).
    static func erfcx(_ x: Double) -> Double {
        if x < 25 { return exp(x * x) * erfc(x) }
        let inv2 = 1 / (x * x)
        return (1 - 0.5 * inv2 * (1 - 1.5 * inv2 * (1 - 2.5 * inv2))) / (x * Double.pi.squareRoot())
    }

    /// log(1 − eˣ) for x < 0 (Mächler 2012: two formulas, each accurate on its side of −log 2).
    static func log1mexp(_ x: Double) -> Double {
        x > -log(2.0) ? log(-expm1(x)) : log1p(-exp(x))
    }

    /// log Φ(z), accurate for very negative z.
    static func logNormalCDF(_ z: Double) -> Double {
        if z > -1 { return log(0.5 * erfc(-z / 2.0.squareRoot())) }
        return log(0.5 * erfcx(-z / 2.0.squareRoot())) - 0.5 * z * z
    }

    /// log h(z), h(z) = φ(z) + z Φ(z).
    static func logH(_ z: Double) -> Double {
        if z > -1 {
            let phi = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            let cdf = 0.5 * erfc(-z / 2.0.squareRoot())
            return log(phi + z * cdf)
        }
        if z > -inverseSqrtEpsilon {
            return -0.5 * z * z - c1 + log1mexp(log(erfcx(-z / 2.0.squareRoot()) * abs(z)) + c2)
        }
        return -0.5 * z * z - c1 - 2 * log(abs(z))
    }

    /// d log h / dz = Φ(z)/h(z) (since h′ = Φ), as exp(log Φ − log h).
    static func logHDerivative(_ z: Double, logH lh: Double) -> Double {
        exp(logNormalCDF(z) - lh)
    }

    /// Plain EI, for comparison in tests: underflows to 0 where `value` does not.
    static func plainExpectedImprovement(mean: Double, variance: Double, best: Double) -> Double {
        let sigma = variance.squareRoot()
        let z = (mean - best) / sigma
        let phi = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        return sigma * (phi + z * 0.5 * erfc(-z / 2.0.squareRoot()))
    }

    /// log EI at a posterior N(mean, variance) against incumbent `best` (maximisation), and
    /// its partial derivatives in the mean and the variance.
    static func value(mean: Double, variance: Double, best: Double) -> (logEI: Double, dMean: Double, dVariance: Double) {
        let sigma = variance.squareRoot()
        let z = (mean - best) / sigma
        let lh = logH(z)
        let dz = logHDerivative(z, logH: lh)
        // log EI = log h(z) + log σ;  ∂z/∂μ = 1/σ;  ∂z/∂σ = −z/σ;  ∂σ/∂(σ²) = 1/(2σ).
        let dSigma = (1 - dz * z) / sigma
        return (lh + log(sigma), dz / sigma, dSigma / (2 * sigma))
    }
}
