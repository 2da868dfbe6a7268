// Normal-distribution functions of the Parzen estimators, written for their hot loops: a
// TPE ask at 500 trials evaluates thousands of kernel masses and log-sum-exp terms.

import Foundation

/// Φ(b) − Φ(a) for a ≤ b, computed on the side of the tail where it does not cancel,
/// floored so its log is finite.
@inline(__always)
func normalMass(_ a: Double, _ b: Double, table: UnsafePointer<Double> = erfcTaylorTable) -> Double {
    // A tail beyond 6.5 standard deviations holds less than 5e-11 of the mass: dropping it
    // changes a kernel's log-mass by less than that, far below anything the acquisition
    // resolves, and saves an erfc (most kernels are near at most one end of the domain).
    let r = 1 / 2.0.squareRoot()
    if a < -6.5 { return b > 6.5 ? 1 : max(1 - 0.5 * complementaryErrorFunction(b * r, table: table), 1e-300) }   // Φ(b)
    if b > 6.5 { return max(0.5 * complementaryErrorFunction(a * r, table: table), 1e-300) }        // 1 − Φ(a)
    let m = a > 0 ? 0.5 * (complementaryErrorFunction(a * r, table: table) - complementaryErrorFunction(b * r, table: table))
                  : 0.5 * (complementaryErrorFunction(-b * r, table: table) - complementaryErrorFunction(-a * r, table: table))
    return max(m, 1e-300)
}

/// erfc(x), by table for |x| < 4.625 (which covers the 6.5σ tails `normalMass` keeps),
/// libm's erfc beyond. [0, 4.625) is cut into intervals of width 1/16; on each, erfc is
/// its Taylor polynomial of degree 11 about the interval's centre c (truncation error
/// < 1e-14 relative: the n-th derivative is (−1)ⁿ (2/√π) Hₙ₋₁(c) e^(−c²), and
/// |x − c| ≤ 1/32). About a fifth of the cost of libm's erfc, which computes an exp on
/// every call: an estimator over 500 trials in 6 dims needs thousands.
@inline(__always)
func complementaryErrorFunction(_ x: Double, table: UnsafePointer<Double> = erfcTaylorTable) -> Double {
    let z = abs(x)
    guard z < 4.625 else { return Foundation.erfc(x) }
    let i = Int(z * 16)
    let d = z - (Double(i) + 0.5) / 16
    let c = table + i * 12
    // Estrin's scheme: short dependency chains (no fused multiply-add on baseline x86-64).
    let d2 = d * d, d4 = d2 * d2
    let q0 = (c[0] + c[1] * d) + d2 * (c[2] + c[3] * d)
    let q1 = (c[4] + c[5] * d) + d2 * (c[6] + c[7] * d)
    let q2 = (c[8] + c[9] * d) + d2 * (c[10] + c[11] * d)
    let e = q0 + d4 * (q1 + d4 * q2)
    return x >= 0 ? e : 2 - e
}

/// Row i (12 entries): Taylor coefficients of erfc about (i + ½)/16, degree 0 … 11.
/// Allocated once and never freed; hot loops read the global once and pass the pointer.
let erfcTaylorTable: UnsafePointer<Double> = {
    let rows = 74, table = UnsafeMutablePointer<Double>.allocate(capacity: rows * 12)
    let twoOverRootPi = 2 / Double.pi.squareRoot()
    for i in 0..<rows {
        let c = (Double(i) + 0.5) / 16
        let g = twoOverRootPi * Foundation.exp(-c * c)
        table[i * 12] = Foundation.erfc(c)
        // erfc⁽ⁿ⁾(c) = (−1)ⁿ (2/√π) Hₙ₋₁(c) e^(−c²), with the physicists' Hermite
        // polynomials by H₀ = 1, H₁ = 2c, Hₘ₊₁ = 2c·Hₘ − 2m·Hₘ₋₁.
        var hermite = (previous: 0.0, current: 1.0)   // (Hₙ₋₂, Hₙ₋₁), starting at n = 1
        var factorial = 1.0
        for n in 1..<12 {
            factorial *= Double(n)
            table[i * 12 + n] = (n % 2 == 0 ? 1 : -1) * g * hermite.current / factorial
            let m = Double(n - 1)
            hermite = (hermite.current, 2 * c * hermite.current - 2 * m * hermite.previous)
        }
    }
    return UnsafePointer(table)
}()

func logSumExp(_ xs: UnsafeBufferPointer<Double>) -> Double {
    guard let m = xs.max(), m > -Double.infinity else { return -Double.infinity }
    var s = 0.0
    let table = exp2Table   // read the global once, not once per term
    // Terms below e^-40 relative to the largest cannot change a Double sum.
    for x in xs { let d = x - m; s += d > -40 ? expNonPositive(d, table: table) : 0 }
    return m + Foundation.log(s)
}

/// eˣ for x in [−40, 0], the range of log-sum-exp terms, inlined instead of a libm call per
/// term (the call and its special-case handling cost more than the arithmetic). Tang's
/// method: x = (32m + j)·ln 2/32 + r with |r| ≤ ln 2/64 (Cody–Waite split of ln 2/32, the
/// integer rounded by the 1.5·2⁵² trick, since baseline x86-64 has no rounding
/// instruction); eˣ = 2ᵐ · 2^(j/32) · eʳ with 2^(j/32) from a table and eʳ by its Taylor
/// polynomial of degree 6 (truncation error < 4e-18 relative), evaluated by Estrin's
/// scheme for short dependency chains. Within a few ulps of `exp`.
@inline(__always)
func expNonPositive(_ x: Double, table: UnsafePointer<Double> = exp2Table) -> Double {
    let shifter = 6_755_399_441_055_744.0   // 1.5 · 2⁵²
    let kd = (x * 46.166_241_308_446_83 + shifter) - shifter   // round(x · 32/ln 2)
    // ln 2/32 = hi + lo, hi with its low 22 bits zero so that kd · hi is exact.
    let r = (x - kd * 0.021_660_849_379_259_16) - kd * 1.323_912_926_815_401_2e-11
    let k = Int64(kd)
    let r2 = r * r
    let p = (1 + r) + r2 * (0.5 + r * (1.0 / 6)) + (r2 * r2) * ((1.0 / 24 + r * (1.0 / 120)) + r2 * (1.0 / 720))
    let scale = Double(bitPattern: UInt64((k >> 5) + 1023) << 52)
    return p * table[Int(k & 31)] * scale
}

/// 2^(j/32) for j = 0 … 31 (libm's exp2 is within an ulp), behind a plain pointer.
let exp2Table: UnsafePointer<Double> = {
    let table = UnsafeMutablePointer<Double>.allocate(capacity: 32)
    for j in 0..<32 { table[j] = Foundation.exp2(Double(j) / 32) }
    return UnsafePointer(table)
}()
