// The kernel density estimators of TPE: l(x) over good trials, g(x) over the rest.

import Foundation
import HoneTensor

/// One coordinate of a Parzen estimator's domain.
///
/// Numeric parameters are modelled on the distribution's unit interval (`toUnit`: log
/// dimensions in log space, ints and steps widened by half a step), so one bandwidth rule
/// serves every range. Categoricals are modelled by choice index.
enum ParzenDimension: Sendable {
    /// A float or int distribution; discrete ones (ints, stepped floats) put each kernel's
    /// mass on the cells of their admissible values.
    case numeric(Distribution)
    case categorical(choices: Int)

    var isDiscreteNumeric: Bool {
        switch self {
        case .numeric(.int): return true
        case .numeric(.float(let d)): return d.step != nil
        default: return false
        }
    }

    /// The unit-interval cell [lo, hi] that a discrete value (given by its unit centre)
    /// owns: its value ± half a step, mapped to the unit interval.
    func cell(ofUnit u: Double) -> (lo: Double, hi: Double) {
        guard case .numeric(let d) = self else { return (u, u) }
        let x = d.fromUnit(u)
        switch d {
        case .int(let i):
            let h = Double(i.step) / 2
            return (d.toUnit(x - h), d.toUnit(x + h))
        case .float(let f):
            let h = (f.step ?? 0) / 2
            return (d.toUnit(x - h), d.toUnit(x + h))
        default:
            return (u, u)
        }
    }

    /// Snaps a unit coordinate to the centre of the admissible value it maps to.
    func snap(_ u: Double) -> Double {
        switch self {
        case .numeric(let d): return isDiscreteNumeric ? d.toUnit(d.fromUnit(u)) : min(max(u, 0), 1)
        case .categorical(let c): return min(max(u.rounded(), 0), Double(c - 1))
        }
    }
}

/// Settings shared by the estimators of one sampler (Watanabe 2023, arXiv:2304.11127,
/// §3–4, gives the roles and the defaults used by `TPESampler.Options`).
struct ParzenSettings: Sendable {
    /// Weight of the prior kernel (uniform-ish: centre of the space, bandwidth = range).
    var priorWeight: Double = 1.0
    /// Lower-bound bandwidths by range / min(100, 1 + kernels) (Bergstra et al. 2011's
    /// "magic clip"), so early estimators do not collapse onto single points.
    var magicClip: Bool = true
    /// Let the outermost kernels' bandwidths reach to the domain ends.
    var considerEndpoints: Bool = false
}

/// A mixture of product kernels, one per observation plus a prior kernel:
/// p(x) = Σ_k w_k Π_d K_{k,d}(x_d).
///
/// - Numeric coordinates: a normal kernel truncated to [0, 1]; for discrete parameters
///   the kernel's mass on the value's cell.
/// - Categorical coordinates: the Aitchison–Aitken-style kernel of Watanabe 2023 (§4.2,
///   as in Optuna): K_k(c) ∝ 1[c = c_k] + ε with ε = priorWeight / (number of kernels),
///   normalised over the choices; the prior kernel is uniform.
///
/// Univariate TPE builds one estimator per parameter (D = 1); multivariate TPE builds one
/// over a group of parameters, so a kernel keeps the joint structure of its observation.
struct ParzenEstimator {
    let dims: [ParzenDimension]
    let kernelCount: Int
    /// log w_k (normalised).
    private let logWeights: [Double]
    /// Cumulative weights for picking a kernel.
    private let cumulativeWeights: [Double]
    /// Numeric kernels, dimension-major `[d * K + k]`, so the density loop walks contiguous
    /// memory one dimension at a time (unused slots for categorical dims).
    private let mus: [Double]
    private let sigmas: [Double]
    /// log of the kernel's mass inside [0, 1] (the truncation constant).
    private let logMassInside: [Double]
    /// 1/σ, so the hot loop multiplies instead of dividing.
    private let inverseSigmas: [Double]
    /// −log σ − ½ log 2π − log(mass inside): the constant of a continuous kernel's log pdf.
    private let logPdfConstants: [Double]
    /// Categorical kernels: for dim d, `[k * choices + c]` = log K_{k,d}(c).
    private let categoricalLogProbs: [[Double]]

    /// - Parameters:
    ///   - columns: one column per dim, one entry per observation (unit value for numeric
    ///     dims, choice index for categoricals).
    ///   - weights: one per observation (not necessarily normalised).
    ///   - multivariate: bandwidths by the joint (Scott-type) rule instead of the
    ///     univariate neighbour rule.
    init(columns: [[Double]], weights: [Double], dims: [ParzenDimension], multivariate: Bool,
         settings: ParzenSettings)
    {
        precondition(columns.count == dims.count, "one column per dimension")
        let n = columns.first?.count ?? 0
        let D = dims.count
        self.dims = dims
        kernelCount = n + 1
        let K = kernelCount

        // Mixture weights: observation weights then the prior's, normalised.
        var w = weights + [settings.priorWeight]
        let total = w.reduce(0, +)
        if total > 0 { for i in w.indices { w[i] /= total } } else { w = [Double](repeating: 1 / Double(K), count: K) }
        logWeights = w.map { $0 > 0 ? Foundation.log($0) : -Double.infinity }
        var cum = [Double](repeating: 0, count: K)
        var acc = 0.0
        for i in 0..<K { acc += w[i]; cum[i] = acc }
        cumulativeWeights = cum

        var mus = [Double](repeating: 0.5, count: K * D)
        var sigmas = [Double](repeating: 1, count: K * D)
        var logMass = [Double](repeating: 0, count: K * D)
        var catLogProbs = [[Double]](repeating: [], count: D)
        // Magic clip: range / min(100, 1 + kernels) with range 1 on the unit interval.
        let minSigma = settings.magicClip ? 1 / Double(min(100, 1 + K)) : 1e-12
        for d in 0..<D {
            switch dims[d] {
            case .numeric:
                let column = columns[d]
                let obsSigmas = multivariate
                    ? Self.jointBandwidths(count: n, dimensions: D)
                    : Self.neighbourBandwidths(column, considerEndpoints: settings.considerEndpoints)
                for k in 0..<n {
                    mus[d * K + k] = column[k]
                    sigmas[d * K + k] = min(max(obsSigmas[k], minSigma), 1)
                }
                // The prior kernel: centre of the space, bandwidth = the whole range.
                mus[d * K + n] = 0.5
                sigmas[d * K + n] = 1
                for k in 0..<K {
                    let mu = mus[d * K + k], s = sigmas[d * K + k]
                    let mass = normalMass((0 - mu) / s, (1 - mu) / s)
                    logMass[d * K + k] = mass == 1 ? 0 : Foundation.log(mass)
                }
            case .categorical(let C):
                let eps = settings.priorWeight / Double(K)
                var table = [Double](repeating: 0, count: K * C)
                for k in 0..<K {
                    let own = k < n ? Int(columns[d][k]) : -1
                    let norm = (own >= 0 ? 1 : 0) + Double(C) * eps
                    for c in 0..<C {
                        let p = ((c == own ? 1 : 0) + eps) / norm
                        table[k * C + c] = Foundation.log(p)
                    }
                }
                catLogProbs[d] = table
            }
        }
        self.mus = mus
        self.sigmas = sigmas
        self.logMassInside = logMass
        var constant = [Double](repeating: 0, count: K * D)
        // Kernels often share σ (all of them under the joint bandwidth rule): one log each.
        var lastSigma = Double.nan, lastLog = 0.0
        for i in 0..<(K * D) {
            if sigmas[i] != lastSigma { lastSigma = sigmas[i]; lastLog = Foundation.log(lastSigma) }
            constant[i] = -lastLog - halfLogTwoPi - logMass[i]
        }
        self.logPdfConstants = constant
        self.inverseSigmas = sigmas.map { 1 / $0 }
        self.categoricalLogProbs = catLogProbs
    }

    /// Univariate bandwidths (Bergstra et al. 2011 §4.2; Watanabe 2023 §4.1): each
    /// observation's bandwidth is the larger gap to its neighbours among the sorted
    /// observations and the prior's centre, with the domain ends as outer neighbours (or,
    /// without `considerEndpoints`, the outermost kernels use their inner gap only).
    static func neighbourBandwidths(_ xs: [Double], considerEndpoints: Bool) -> [Double] {
        let n = xs.count
        guard n > 0 else { return [] }
        // Sort the observations together with the prior's centre (index n).
        let values = xs + [0.5]
        var order = Array(0...n)
        values.withUnsafeBufferPointer { v in
            order.sort { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        }
        let m = n + 1
        var withEnds = [Double](repeating: 0, count: m + 2)
        withEnds[m + 1] = 1
        for i in 0..<m { withEnds[i + 1] = values[order[i]] }
        var sorted = [Double](repeating: 0, count: m)
        for i in 0..<m { sorted[i] = max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]) }
        if !considerEndpoints && m >= 2 {
            sorted[0] = withEnds[2] - withEnds[1]
            sorted[m - 1] = withEnds[m] - withEnds[m - 1]
        }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<m where order[i] < n { out[order[i]] = sorted[i] }
        return out
    }

    /// Multivariate bandwidth (Falkner et al. 2018 / Watanabe 2023 §4.1): Scott's rule on
    /// the unit range, 0.2 · n^(−1/(D+4)), the same for every kernel.
    static func jointBandwidths(count n: Int, dimensions D: Int) -> [Double] {
        let s = 0.2 * Foundation.pow(Double(max(n, 1)), -1 / Double(D + 4))
        return [Double](repeating: s, count: n)
    }

    // MARK: Sampling

    /// Draws `count` points: a kernel by weight, then each coordinate from that kernel.
    func sample(_ count: Int, rng: inout RandomGenerator) -> [[Double]] {
        let D = dims.count, K = kernelCount
        var out: [[Double]] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let r = rng.uniform()
            var k = cumulativeWeights.partitionPoint { $0 > r }
            if k >= kernelCount { k = kernelCount - 1 }
            var x = [Double](repeating: 0, count: D)
            for d in 0..<D {
                switch dims[d] {
                case .numeric:
                    let mu = mus[d * K + k], s = sigmas[d * K + k]
                    x[d] = dims[d].snap(Self.truncatedNormal(mu: mu, sigma: s, rng: &rng))
                case .categorical(let C):
                    let table = categoricalLogProbs[d]
                    let u = rng.uniform()
                    var acc = 0.0, choice = C - 1
                    for c in 0..<C {
                        acc += Foundation.exp(table[k * C + c])
                        if u < acc { choice = c; break }
                    }
                    x[d] = Double(choice)
                }
            }
            out.append(x)
        }
        return out
    }

    /// A normal draw restricted to [0, 1] by rejection (the kernel keeps at least about
    /// a third of its mass inside, since 0 ≤ μ ≤ 1 and σ ≤ 1), clamped after 100 misses.
    static func truncatedNormal(mu: Double, sigma: Double, rng: inout RandomGenerator) -> Double {
        for _ in 0..<100 {
            let x = mu + sigma * rng.normal()
            if x >= 0 && x <= 1 { return x }
        }
        return min(max(mu, 0), 1)
    }

    // MARK: Density

    /// log p(x) for each point, O(points · kernels · D).
    func logDensities(_ points: [[Double]]) -> [Double] {
        let D = dims.count
        let K = kernelCount
        var result = [Double](repeating: 0, count: points.count)
        var terms = [Double](repeating: 0, count: K)
        mus.withUnsafeBufferPointer { mu in
        inverseSigmas.withUnsafeBufferPointer { inv in
        logPdfConstants.withUnsafeBufferPointer { constant in
        terms.withUnsafeMutableBufferPointer { t in
            for (p, x) in points.enumerated() {
                for k in 0..<K { t[k] = logWeights[k] }
                for d in 0..<D {
                    switch dims[d] {
                    case .numeric where dims[d].isDiscreteNumeric:
                        // Mass of each kernel on the value's cell.
                        let cell = dims[d].cell(ofUnit: x[d])
                        for k in 0..<K {
                            let i = d * K + k
                            let mass = normalMass((cell.lo - mu[i]) * inv[i], (cell.hi - mu[i]) * inv[i])
                            t[k] += Foundation.log(mass) - logMassInside[i]
                        }
                    case .numeric:
                        let xd = x[d], base = d * K
                        for k in 0..<K {
                            let z = (xd - mu[base + k]) * inv[base + k]
                            t[k] += constant[base + k] - 0.5 * z * z
                        }
                    case .categorical(let C):
                        let c = Int(x[d])
                        categoricalLogProbs[d].withUnsafeBufferPointer { table in
                            for k in 0..<K { t[k] += table[k * C + c] }
                        }
                    }
                }
                result[p] = logSumExp(UnsafeBufferPointer(t))
            }
        }}}}
        return result
    }
}

private let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)

/// Φ(b) − Φ(a) for a ≤ b, computed on the side of the tail where it does not cancel,
/// floored so its log is finite.
func normalMass(_ a: Double, _ b: Double) -> Double {
    // A tail beyond 6.5 standard deviations holds less than 5e-11 of the mass: dropping it
    // changes a kernel's log-mass by less than that, far below anything the acquisition
    // resolves, and saves an erfc (most kernels are near at most one end of the domain).
    let r = 1 / 2.0.squareRoot()
    if a < -6.5 { return b > 6.5 ? 1 : max(1 - 0.5 * erfc(b * r), 1e-300) }   // Φ(b)
    if b > 6.5 { return max(0.5 * erfc(a * r), 1e-300) }                      // 1 − Φ(a)
    let m = a > 0 ? 0.5 * (erfc(a * r) - erfc(b * r)) : 0.5 * (erfc(-b * r) - erfc(-a * r))
    return max(m, 1e-300)
}

func logSumExp(_ xs: UnsafeBufferPointer<Double>) -> Double {
    guard let m = xs.max(), m > -Double.infinity else { return -Double.infinity }
    var s = 0.0
    // Terms below e^-40 relative to the largest cannot change a Double sum.
    for x in xs { let d = x - m; s += d > -40 ? expNonPositive(d) : 0 }
    return m + Foundation.log(s)
}

/// eˣ for x in [−40, 0], the range of log-sum-exp terms, inlined instead of a libm call per
/// term (the call and its special-case handling cost more than the arithmetic): x = k·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite split of ln 2, k
/// rounded by the 1.5·2⁵² trick, since baseline x86-64 has no rounding instruction), eʳ by
/// its Taylor polynomial to degree 13 (truncation error < 1e-17 relative), 2ᵏ from the
/// exponent bits. Within a few ulps of `exp`.
@inline(__always)
func expNonPositive(_ x: Double) -> Double {
    let shifter = 6_755_399_441_055_744.0   // 1.5 · 2⁵²
    let k = (x * 1.4426950408889634 + shifter) - shifter
    let r = (x - k * 0.693_147_180_369_123_816_49) - k * 1.908_214_929_270_587_700_02e-10
    var p = 1.0 / 6_227_020_800                                   // 1/13!
    p = p * r + 1.0 / 479_001_600; p = p * r + 1.0 / 39_916_800; p = p * r + 1.0 / 3_628_800
    p = p * r + 1.0 / 362_880; p = p * r + 1.0 / 40_320; p = p * r + 1.0 / 5_040; p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120; p = p * r + 1.0 / 24; p = p * r + 1.0 / 6; p = p * r + 0.5; p = p * r + 1; p = p * r + 1
    return p * Double(bitPattern: UInt64(Int64(k) + 1023) << 52)
}
