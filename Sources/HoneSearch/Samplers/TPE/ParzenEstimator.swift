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
    /// log w_k (w normalised) − Σ over continuous dims of log(σ_kd · mass of kernel k inside
    /// [0, 1]) − ½ log 2π per continuous dim: where a point's log-density sum starts, so the
    /// loop over continuous dims only adds −½ z².
    private let logKernelConstants: [Double]
    /// Cumulative weights for picking a kernel.
    private let cumulativeWeights: [Double]
    /// Numeric kernels, dimension-major `[d * K + k]`, so the density loop walks contiguous
    /// memory one dimension at a time (unused slots for categorical dims).
    private let mus: [Double]
    private let sigmas: [Double]
    /// log of the kernel's mass inside [0, 1] (the truncation constant), for discrete dims
    /// (continuous dims fold theirs into `logKernelConstants`).
    private let logMassInside: [Double]
    /// 1/σ, so the hot loop multiplies instead of dividing.
    private let inverseSigmas: [Double]
    /// Categorical kernels: for dim d, `[k * choices + c]` = log K_{k,d}(c).
    private let categoricalLogProbs: [[Double]]

    /// - Parameters:
    ///   - columns: one column per dim, one entry per observation (unit value for numeric
    ///     dims, choice index for categoricals).
    ///   - weights: one per observation (not necessarily normalised).
    ///   - bandwidths: per numeric dim, one bandwidth per observation (before the magic
    ///     clip) given by the caller — TPE's shared bandwidths, from the gaps among the
    ///     observations of both estimators; nil: the neighbour gaps among `columns` alone.
    ///     Categorical dims' entries are not read.
    ///   - clipKernelCount: the kernel count the magic clip divides by (with shared
    ///     bandwidths, that of one estimator over both sides' observations); nil: this
    ///     estimator's own.
    init(columns: [[Double]], weights: [Double], dims: [ParzenDimension], settings: ParzenSettings,
         bandwidths: [[Double]]? = nil, clipKernelCount: Int? = nil)
    {
        // Internal: TPE builds one column per dimension. Checked in every build (once per
        // fit), since the loops below index `columns` by dimension without bounds checks.
        invariant(columns.count == dims.count && columns.allSatisfy({ $0.count == weights.count }),
                  "ParzenEstimator: \(columns.count) columns for \(dims.count) dimensions, \(weights.count) weights")
        invariant(bandwidths.map { b in b.count == dims.count && dims.indices.allSatisfy { d in
            if case .categorical = dims[d] { return true } else { return b[d].count == weights.count } } } ?? true,
                  "ParzenEstimator: given bandwidths do not match the columns")
        let n = columns.first?.count ?? 0
        let D = dims.count
        self.dims = dims
        kernelCount = n + 1
        let K = kernelCount

        // Mixture weights: observation weights then the prior's, normalised.
        var w = weights + [settings.priorWeight]
        let total = w.reduce(0, +)
        if total > 0 { for i in w.indices { w[i] /= total } } else { w = [Double](repeating: 1 / Double(K), count: K) }
        var cum = [Double](repeating: 0, count: K)
        var acc = 0.0
        for i in 0..<K { acc += w[i]; cum[i] = acc }
        cumulativeWeights = cum

        var mus = [Double](repeating: 0.5, count: K * D)
        var sigmas = [Double](repeating: 1, count: K * D)
        // Only discrete dims need it (allocated only when there are some).
        var logMass = [Double](repeating: 0, count: dims.contains { $0.isDiscreteNumeric } ? K * D : 0)
        // Continuous dims: the product over dims of each kernel's σ · (mass inside [0, 1]),
        // the normaliser of its product density, so one log per kernel instead of two per
        // kernel and dim (each factor is ≥ 0.0034: σ ≥ 0.01 by the magic clip, mass ≥ 0.34
        // since μ ∈ [0, 1] and σ ≤ 1; the product is folded into a log sum before it could
        // underflow).
        var normaliserProduct = [Double](repeating: 1, count: K)
        var logNormaliserSum = [Double](repeating: 0, count: K)
        var continuousDims = 0
        var catLogProbs = [[Double]](repeating: [], count: D)
        // Magic clip: range / min(100, 1 + kernels) with range 1 on the unit interval.
        let minSigma = settings.magicClip ? 1 / Double(min(100, 1 + (clipKernelCount ?? K))) : 1e-12
        for d in 0..<D {
            switch dims[d] {
            case .numeric:
                let column = columns[d]
                let obsSigmas = bandwidths?[d] ?? Self.neighbourBandwidths(column, considerEndpoints: settings.considerEndpoints)
                for k in 0..<n {
                    mus[d * K + k] = column[k]
                    sigmas[d * K + k] = min(max(obsSigmas[k], minSigma), 1)
                }
                // The prior kernel: centre of the space, bandwidth = the whole range.
                mus[d * K + n] = 0.5
                sigmas[d * K + n] = 1
                let discrete = dims[d].isDiscreteNumeric, table = erfcTaylorTable
                if !discrete { continuousDims += 1 }
                for k in 0..<K {
                    let mu = mus[d * K + k], s = sigmas[d * K + k]
                    let mass = normalMass((0 - mu) / s, (1 - mu) / s, table: table)
                    if discrete {
                        logMass[d * K + k] = mass == 1 ? 0 : Foundation.log(mass)
                    } else {
                        normaliserProduct[k] *= mass * s
                        if normaliserProduct[k] < 1e-250 {
                            logNormaliserSum[k] += Foundation.log(normaliserProduct[k]); normaliserProduct[k] = 1
                        }
                    }
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
        let gaussianConstant = Double(continuousDims) * halfLogTwoPi
        logKernelConstants = (0..<K).map { k in
            (w[k] > 0 ? Foundation.log(w[k] / normaliserProduct[k]) : -Double.infinity) - logNormaliserSum[k] - gaussianConstant
        }
        self.inverseSigmas = sigmas.map { 1 / $0 }
        self.categoricalLogProbs = catLogProbs
    }

    /// Bandwidths (Bergstra et al. 2011 §4.2; Watanabe 2023 §4.1; Optuna ≥ 4): each
    /// observation's bandwidth is the larger gap to its neighbours among the sorted
    /// observations, with the domain ends as outer neighbours (or, without
    /// `considerEndpoints`, the outermost kernels use their inner gap only). The same rule
    /// per dimension for multivariate estimators: Scott's rule 0.2·n^(−1/(D+4)), which
    /// earlier versions used there, gives far wider kernels (0.11 for 475 points in 6-D)
    /// and made TPE 2–4× worse at 100 evaluations on every problem of bench/search.
    static func neighbourBandwidths(_ xs: [Double], considerEndpoints: Bool) -> [Double] {
        let n = xs.count
        guard n > 0 else { return [] }
        // Sorted by (value, index). Up to 2048 observations as one integer key each — the
        // value in 52-bit fixed point above an 11-bit index — which sorts several times
        // faster than indices compared through the values (the sort dominated a TPE ask).
        var order: [Int]
        if n <= 2048 {
            var keys = [UInt64](repeating: 0, count: n)
            for i in 0..<n { keys[i] = UInt64(min(max(xs[i], 0), 1) * 4_503_599_627_370_496) << 11 | UInt64(i) }
            keys.sort()
            order = keys.map { Int($0 & 2047) }
        } else {
            order = Array(0..<n)
            xs.withUnsafeBufferPointer { v in order.sort { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) } }
        }
        var withEnds = [Double](repeating: 0, count: n + 2)
        withEnds[n + 1] = 1
        for i in 0..<n { withEnds[i + 1] = xs[order[i]] }
        var sorted = [Double](repeating: 0, count: n)
        for i in 0..<n { sorted[i] = max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]) }
        if !considerEndpoints && n >= 2 {
            sorted[0] = withEnds[2] - withEnds[1]
            sorted[n - 1] = withEnds[n] - withEnds[n - 1]
        }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { out[order[i]] = sorted[i] }
        return out
    }

    /// `neighbourBandwidths` of the observations marked `pooled`; every other observation
    /// gets the bandwidth it would have among them: the larger gap to the pooled values on
    /// either side (with the domain ends as neighbours, or, without `considerEndpoints`,
    /// only the inner gap beyond the outermost pooled value; with none pooled, the gap to the
    /// farther domain end, as for a lone observation). TPE's shared bandwidths pool
    /// the trials with a final value, so that pruned trials — many, and at low fidelity —
    /// do not narrow every kernel.
    static func pooledBandwidths(_ xs: [Double], pooled: [Bool], considerEndpoints: Bool) -> [Double] {
        var inside: [Double] = []
        for (x, p) in zip(xs, pooled) where p { inside.append(x) }
        let gaps = neighbourBandwidths(inside, considerEndpoints: considerEndpoints)
        if inside.count == xs.count { return gaps }
        let sorted = inside.sorted()
        var out = [Double](repeating: 1, count: xs.count)
        var k = 0
        for (i, x) in xs.enumerated() {
            if pooled[i] { out[i] = gaps[k]; k += 1; continue }
            let p = sorted.partitionPoint { $0 >= x }
            let left = p > 0 ? sorted[p - 1] : nil, right = p < sorted.count ? sorted[p] : nil
            switch (left, right) {
            case let (l?, r?): out[i] = max(x - l, r - x)
            case let (l?, nil): out[i] = considerEndpoints ? max(x - l, 1 - x) : x - l
            case let (nil, r?): out[i] = considerEndpoints ? max(x, r - x) : r - x
            case (nil, nil): out[i] = max(x, 1 - x)   // alone, as `neighbourBandwidths([x])`
            }
        }
        return out
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
        var terms = [Double](repeating: 0, count: kernelCount)
        return terms.withUnsafeMutableBufferPointer { t in
            points.map { x in logTerms(x, into: t); return logSumExp(UnsafeBufferPointer(t)) }
        }
    }

    /// The index of the point with the largest log l(x) − log g(x), l = `self` (the first
    /// such index on ties) — TPE's choice among its candidates, without the exponentials of
    /// g's log-sum-exp for candidates that cannot win: log g(x) ≥ its largest term m(x), so
    /// log l(x) − m(x) bounds a candidate's score from above; candidates are scored
    /// exactly in decreasing order of that bound until the bound falls below the best score.
    func argmaxLogRatio(over g: ParzenEstimator, points: [[Double]]) -> Int {
        let ll = logDensities(points)
        var terms = [Double](repeating: 0, count: g.kernelCount)
        return terms.withUnsafeMutableBufferPointer { t -> Int in
            let upper = points.indices.map { p -> Double in
                g.logTerms(points[p], into: t)
                return ll[p] - (UnsafeBufferPointer(t).max() ?? -.infinity)
            }
            // Survivors' terms are computed again rather than kept from the first pass: a
            // points × kernels buffer costs more (allocation, page faults) than the few
            // recomputations.
            var best = 0, bestScore = -Double.infinity
            for p in points.indices.sorted(by: { upper[$0] > upper[$1] || (upper[$0] == upper[$1] && $0 < $1) }) {
                if upper[p] < bestScore { break }
                g.logTerms(points[p], into: t)
                let score = ll[p] - logSumExp(UnsafeBufferPointer(t))
                if score > bestScore || (score == bestScore && p < best) { best = p; bestScore = score }
            }
            return best
        }
    }

    /// t[k] = log w_k + log K_k(x) for every kernel k (O(kernels · D)).
    private func logTerms(_ x: [Double], into t: UnsafeMutableBufferPointer<Double>) {
        let D = dims.count, K = kernelCount
        mus.withUnsafeBufferPointer { mu in
        inverseSigmas.withUnsafeBufferPointer { inv in
            for k in 0..<K { t[k] = logKernelConstants[k] }
            for d in 0..<D {
                switch dims[d] {
                case .numeric where dims[d].isDiscreteNumeric:
                    // Mass of each kernel on the value's cell.
                    let cell = dims[d].cell(ofUnit: x[d]), table = erfcTaylorTable
                    for k in 0..<K {
                        let i = d * K + k
                        let mass = normalMass((cell.lo - mu[i]) * inv[i], (cell.hi - mu[i]) * inv[i], table: table)
                        t[k] += Foundation.log(mass) - logMassInside[i]
                    }
                case .numeric:
                    let xd = x[d], base = d * K
                    for k in 0..<K {
                        let z = (xd - mu[base + k]) * inv[base + k]
                        t[k] -= 0.5 * z * z
                    }
                case .categorical(let C):
                    let c = Int(x[d])
                    categoricalLogProbs[d].withUnsafeBufferPointer { table in
                        for k in 0..<K { t[k] += table[k * C + c] }
                    }
                }
            }
        }}
    }
}

private let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)
