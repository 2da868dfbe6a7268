// BOHB: Falkner, Klein, Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization
// at Scale", ICML 2018. Hyperband decides budgets; a model decides configurations: a
// multivariate kernel density estimate per budget, fitted on the largest budget with
// enough observations, and a TPE-style choice (Bergstra et al. 2011) maximizing l(x)/g(x)
// (Algorithm 2 of the paper).

import Foundation
import HoneTensor

/// BOHB's sampler. Pair it with `HyperbandScheduler` (synchronous brackets, as in the
/// paper) or `HyperbandPruner`; `BOHB.make` builds the pair.
///
/// Observations are the trials' reports: every trial (COMPLETE, PRUNED, or RUNNING — a
/// configuration paused between rungs) contributes its fold-averaged value at each step it
/// reported, the step being the budget. For a new configuration:
///
/// 1. With probability ρ (`randomFraction`), or when no budget has N_min + 2 observations
///    (N_min = d + 1, d the number of dimensions), sample uniformly at random.
/// 2. Otherwise take the largest budget b with |D_b| ≥ N_min + 2; split D_b into the best
///    n_l = max(N_min, ⌊q·|D_b|⌋) and the remaining n_g = max(N_min, |D_b| − n_l) (worst
///    first when they overlap); fit product kernel densities l and g.
/// 3. Draw N_s candidates from l with bandwidths widened by b_w, return the one
///    maximizing l(x)/g(x).
///
/// Continuous and integer dimensions are modelled on `Distribution.toUnit` (log scales in
/// log space) with Gaussian kernels of Scott's normal-reference bandwidth 1.06·σ·n^(−1/5)
/// (at least `minBandwidth`); categorical dimensions with Aitchison–Aitken kernels (keep
/// the category with probability 1 − bw, else any other uniformly). Multi-objective
/// studies are modelled on objective 0.
public final class BOHBSampler: Sampler, @unchecked Sendable {
    public let name = "bohb"
    public let randomFraction: Double
    public let topFraction: Double
    public let candidates: Int
    public let bandwidthFactor: Double
    public let minBandwidth: Double
    /// Overrides N_min (nil: d + 1).
    public let minPoints: Int?
    private let random = RandomSampler()

    public init(randomFraction: Double = 1.0 / 3, topFraction: Double = 0.15, candidates: Int = 64,
                bandwidthFactor: Double = 3, minBandwidth: Double = 1e-3, minPoints: Int? = nil) throws {
        try SettingCheck.require((0...1).contains(randomFraction), "BOHB", "randomFraction", "in [0, 1]", got: randomFraction)
        try SettingCheck.require(topFraction > 0 && topFraction < 1, "BOHB", "topFraction", "in (0, 1)", got: topFraction)
        try SettingCheck.require(candidates >= 1 && candidates <= AlgorithmOptions.maxInt, "BOHB", "candidates",
                                 "in [1, \(AlgorithmOptions.maxInt)]", got: candidates)
        try SettingCheck.require(bandwidthFactor > 0 && bandwidthFactor.isFinite, "BOHB", "bandwidthFactor", "a finite number > 0", got: bandwidthFactor)
        try SettingCheck.require(minBandwidth > 0 && minBandwidth.isFinite, "BOHB", "minBandwidth", "a finite number > 0", got: minBandwidth)
        if let m = minPoints { try SettingCheck.require(m >= 1, "BOHB", "minPoints", "≥ 1", got: m) }
        self.randomFraction = randomFraction; self.topFraction = topFraction; self.candidates = candidates
        self.bandwidthFactor = bandwidthFactor; self.minBandwidth = minBandwidth; self.minPoints = minPoints
    }

    /// One observation: a configuration (by parameter name) and its loss at a budget.
    public struct Observation: Sendable {
        public var params: [String: ParamValue]
        public var budget: Int
        public var loss: Double

        public init(params: [String: ParamValue], budget: Int, loss: Double) {
            self.params = params; self.budget = budget; self.loss = loss
        }
    }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        let seen = try study.seenSearchSpace()
        var space = SearchSpace()
        for (name, d) in seen where !d.isSingleValue { space.set(name, d) }
        return space
    }

    /// Losses (minimization) of every reported step of every trial but `excluding`.
    func observations(study: StudyView, excluding: Int) throws -> [Observation] {
        let sign = study.directions[0] == .minimize ? 1.0 : -1.0
        var out: [Observation] = []
        for t in try study.trials(states: [.complete, .pruned, .running]) where t.number != excluding {
            for (step, values) in t.foldAveragedCurve() where values[0].isFinite {
                out.append(Observation(params: t.params, budget: step, loss: sign * values[0]))
            }
        }
        return out
    }

    /// The budget the model is fitted on: the largest with at least `needed` observations.
    public static func modelBudget(_ observations: [Observation], needed: Int) -> Int? {
        var counts: [Int: Int] = [:]
        for o in observations { counts[o.budget, default: 0] += 1 }
        return counts.filter { $0.value >= needed }.keys.max()
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        var rng = trial.random(for: "bohb")
        if rng.uniform() < randomFraction { return [:] }
        let dims = Array(searchSpace).map { ($0.name, $0.distribution) }
        let nMin = minPoints ?? dims.count + 1
        let all = try observations(study: study, excluding: trial.number)
        guard let budget = Self.modelBudget(all, needed: nMin + 2) else { return [:] }
        // Configurations that lack a dimension (conditional spaces) are left out of the fit.
        let points: [(x: [Double], loss: Double)] = all.compactMap { o in
            guard o.budget == budget else { return nil }
            var x: [Double] = []
            for (name, d) in dims {
                guard let v = o.params[name], let i = d.toInternal(v) else { return nil }
                if case .categorical = d { x.append(i) } else { x.append(d.toUnit(i)) }
            }
            return (x, o.loss)
        }.sorted { $0.loss < $1.loss }
        guard points.count >= nMin + 2 else { return [:] }
        let nGood = max(nMin, Int(topFraction * Double(points.count)))
        let nBad = max(nMin, points.count - nGood)
        let good = KernelDensity(points.prefix(nGood).map(\.x), dims: dims.map(\.1), minBandwidth: minBandwidth)
        let bad = KernelDensity(points.suffix(nBad).map(\.x), dims: dims.map(\.1), minBandwidth: minBandwidth)

        var best: [Double] = [], bestScore = -Double.infinity
        for _ in 0..<candidates {
            let x = good.sample(&rng, bandwidthFactor: bandwidthFactor)
            let score = good.logDensity(x) - bad.logDensity(x)
            if score > bestScore || best.isEmpty { best = x; bestScore = score }
        }
        var out: [String: ParamValue] = [:]
        for (k, (name, d)) in dims.enumerated() {
            if case .categorical = d { out[name] = d.toExternal(best[k]) } else { out[name] = d.toExternal(d.fromUnit(best[k])) }
        }
        return out
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try random.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }
}

/// A product-kernel density over mixed dimensions: Gaussian on [0, 1] for numeric
/// dimensions, Aitchison–Aitken for categorical ones (x holds the category index).
struct KernelDensity {
    let points: [[Double]]
    let bandwidths: [Double]
    let categories: [Int?]   // number of choices for categorical dimensions

    init(_ points: [[Double]], dims: [Distribution], minBandwidth: Double) {
        self.points = points
        categories = dims.map { if case .categorical(let c) = $0 { return c.choices.count } else { return nil } }
        let n = Double(points.count)
        bandwidths = dims.indices.map { k in
            let column = points.map { $0[k] }
            let mean = column.reduce(0, +) / n
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n - 1, 1)).squareRoot()
            return max(1.06 * sd * pow(n, -0.2), minBandwidth)   // normal reference (Scott)
        }
    }

    private func categoricalBandwidth(_ k: Int, _ factor: Double) -> Double { min(bandwidths[k] * factor, 1) }

    func logDensity(_ x: [Double]) -> Double {
        var total = 0.0
        for p in points {
            var density = 1.0
            for k in x.indices {
                if let c = categories[k] {
                    let bw = categoricalBandwidth(k, 1)
                    density *= p[k] == x[k] ? 1 - bw : bw / Double(max(c - 1, 1))
                } else {
                    let z = (x[k] - p[k]) / bandwidths[k]
                    density *= exp(-0.5 * z * z) / (bandwidths[k] * 2.5066282746310002)
                }
            }
            total += density
        }
        return log(max(total / Double(points.count), 1e-300))
    }

    /// A draw from the density with bandwidths multiplied by `bandwidthFactor`, numeric
    /// dimensions truncated to [0, 1] (by rejection, then clamping).
    func sample(_ rng: inout RandomGenerator, bandwidthFactor: Double) -> [Double] {
        let center = points[rng.int(below: points.count)]
        return center.indices.map { k in
            if let c = categories[k] {
                guard c > 1, rng.uniform() < categoricalBandwidth(k, bandwidthFactor) else { return center[k] }
                var other = rng.int(below: c - 1)
                if Double(other) >= center[k] { other += 1 }
                return Double(other)
            }
            let bw = bandwidths[k] * bandwidthFactor
            for _ in 0..<20 {
                let v = center[k] + bw * rng.normal()
                if (0...1).contains(v) { return v }
            }
            return min(max(center[k], 0), 1)
        }
    }
}

/// BOHB = `BOHBSampler` + `HyperbandScheduler`:
///
///     let bohb = BOHB(minResource: 1, maxResource: 27)
///     let study = try Study.create(sampler: bohb.sampler, …)
///     try study.optimize(scheduler: bohb.scheduler) { trial, budget in … }
public struct BOHB: Sendable {
    public let sampler: BOHBSampler
    public let scheduler: HyperbandScheduler

    public init(minResource: Double = 1, maxResource: Double, reductionFactor: Int = 3, iterations: Int? = nil,
                sampler: BOHBSampler? = nil) throws {
        self.sampler = try sampler ?? BOHBSampler()
        scheduler = try HyperbandScheduler(minResource: minResource, maxResource: maxResource,
                                       reductionFactor: reductionFactor, iterations: iterations, name: "bohb")
    }
}
