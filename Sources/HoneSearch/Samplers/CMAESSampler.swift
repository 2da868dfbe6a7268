// CMA-ES (Hansen, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772) with IPOP
// restarts (Auger & Hansen 2005), on the unit cube.

import Foundation
import HoneTensor

/// The covariance matrix adaptation evolution strategy, (μ/μ_w, λ) with cumulative
/// step-size adaptation and rank-one plus rank-μ covariance updates.
///
/// - Space: the numeric (float and int) dimensions of the intersection search space, in
///   the unit cube of `UnitCubeEncoding` (log dims in log space; ints widened by half a
///   step and rounded when decoded). Categorical parameters are sampled independently at
///   random — CMA-ES has no model for them.
/// - Generations: each trial is tagged (in its system attributes) with the restart and
///   generation whose distribution it was drawn from. The state is rebuilt from those tags:
///   once a generation has λ COMPLETE trials, the first λ by number update the
///   distribution. So the state survives process restarts and is the same in every worker
///   reading the same history; extra trials of a generation (parallel workers, failures)
///   are simply not used.
/// - Bounds: a sample outside the cube is redrawn (up to 100 times), then clipped.
/// - Restarts (IPOP): when the search stagnates (step size or spread of values below
///   tolerance, covariance too ill-conditioned, step size exploding), it restarts from a
///   random mean with the population doubled.
/// - Single-objective only: multi-objective studies are sampled at random.
public final class CMAESSampler: Sampler, @unchecked Sendable {
    public struct Options: Sendable {
        /// λ of the first run; nil: 4 + ⌊3 ln n⌋ (Hansen's default).
        public var populationSize: Int?
        /// Initial step size in the unit cube (Optuna uses 1/6 of the range).
        public var initialSigma: Double = 1.0 / 6.0
        /// IPOP restarts with λ multiplied by `populationGrowth` each time; false: one run.
        public var restarts: Bool = true
        public var populationGrowth: Int = 2
        /// Stagnation when every value of the recent generations lies within this range.
        public var functionTolerance: Double = 1e-12
        /// Deterministic parallel mode: set to the number of workers n. Trial k then draws
        /// from the distribution that trials 0 … k − n define (waiting until they are all
        /// finished), so a seeded study with `nJobs = n` repeats exactly. See `OrderedTrialReader`.
        public var deterministicParallelism: Int? = nil
        public init() {}
    }

    public let name = "cmaes"
    public let options: Options
    private let fallback = RandomSampler()
    private let lock = NSLock()
    /// One run per (study, search space).
    private var runs: [String: CMAESRun] = [:]
    private let window = DeterministicWindow()

    static let spaceKey = "cmaes:space"
    static let restartKey = "cmaes:restart"
    static let generationKey = "cmaes:generation"

    public init(options: Options = Options()) { self.options = options }

    public convenience init(populationSize: Int?, initialSigma: Double = 1.0 / 6.0, restarts: Bool = true) {
        var o = Options()
        o.populationSize = populationSize; o.initialSigma = initialSigma; o.restarts = restarts
        self.init(options: o)
    }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        guard !study.isMultiObjective else { return SearchSpace() }
        let seen = try window.intersectionSearchSpace(for: trial, workers: options.deterministicParallelism, study: study)
        var space = SearchSpace()
        for (name, d) in seen where !d.isSingleValue {
            switch d {
            case .float, .int: space.set(name, d)
            default: continue
            }
        }
        return space
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        let encoding = UnitCubeEncoding(space: searchSpace, oneHot: false)
        guard encoding.dimension > 0 else { return [:] }
        let run: CMAESRun = {
            lock.lock(); defer { lock.unlock() }
            let key = "\(study.studyId)|\(Self.tag(searchSpace))"
            let run = runs[key] ?? CMAESRun(encoding: encoding, spaceTag: Self.tag(searchSpace),
                                            options: options, seed: study.seed)
            runs[key] = run
            return run
        }()
        let cutoff = options.deterministicParallelism.map { DeterministicWindow.cutoff(trial: trial.number, workers: $0) }
        // Wait outside the lock: the trials waited for may still need it to sample.
        if let cutoff { try run.reader.waitUntilFinished(through: cutoff, study: study) }
        let distribution: CMAESDistribution = try {
            lock.lock(); defer { lock.unlock() }
            if let cutoff { return try run.distribution(through: cutoff, study: study) }
            try run.catchUp(study: study)
            return run.current
        }()
        var rng = trial.random(for: "cmaes")
        let x = distribution.sampleInCube(&rng)
        trial.setSystemAttribute(Self.spaceKey, .string(Self.tag(searchSpace)))
        trial.setSystemAttribute(Self.restartKey, .number(Double(distribution.restart)))
        trial.setSystemAttribute(Self.generationKey, .number(Double(distribution.generation)))
        return encoding.decode(x)
    }

    /// A short stable tag of the space, so trials of another space are never mixed in.
    static func tag(_ space: SearchSpace) -> String {
        String(stableHash(space.map { "\($0.name)=\($0.distribution.description)" }.joined(separator: ";")), radix: 36)
    }
}

/// One search distribution N(m, σ² C) and the evolution paths (Hansen's notation).
struct CMAESDistribution: Sendable {
    let dimension: Int
    let restart: Int
    var generation = 0
    let lambda: Int
    let mu: Int
    /// Positive recombination weights w_1…w_μ (sum 1).
    let weights: [Double]
    let muEff: Double
    let cSigma: Double, dSigma: Double, cC: Double, c1: Double, cMu: Double
    /// E‖N(0, I)‖.
    let chiN: Double
    var mean: [Double]
    var sigma: Double
    let initialSigma: Double
    /// C, row-major; C = B diag(D²) Bᵀ with B's columns the eigenvectors.
    var covariance: [Double]
    var eigenvectors: [Double]
    var axisLengths: [Double]
    var pathSigma: [Double]
    var pathC: [Double]

    init(dimension n: Int, restart: Int, lambda: Int, mean: [Double], sigma: Double) {
        dimension = n; self.restart = restart; self.lambda = lambda
        // Tutorial eq. 49 (positive weights only): w'_i = ln((λ+1)/2) − ln i, i ≤ μ = ⌊λ/2⌋.
        mu = lambda / 2
        let raw = (1...mu).map { log(Double(lambda + 1) / 2) - log(Double($0)) }
        let total = raw.reduce(0, +)
        weights = raw.map { $0 / total }
        muEff = 1 / weights.reduce(0) { $0 + $1 * $1 }
        let nd = Double(n)
        // Default strategy parameters (tutorial, Table 1 / eqs. 55–58).
        cSigma = (muEff + 2) / (nd + muEff + 5)
        dSigma = 1 + 2 * max(0, ((muEff - 1) / (nd + 1)).squareRoot() - 1) + cSigma
        cC = (4 + muEff / nd) / (nd + 4 + 2 * muEff / nd)
        c1 = 2 / ((nd + 1.3) * (nd + 1.3) + muEff)
        cMu = min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((nd + 2) * (nd + 2) + muEff))
        chiN = nd.squareRoot() * (1 - 1 / (4 * nd) + 1 / (21 * nd * nd))
        self.mean = mean; self.sigma = sigma; initialSigma = sigma
        covariance = [Double](repeating: 0, count: n * n)
        eigenvectors = covariance
        for i in 0..<n { covariance[i * n + i] = 1; eigenvectors[i * n + i] = 1 }
        axisLengths = [Double](repeating: 1, count: n)
        pathSigma = [Double](repeating: 0, count: n)
        pathC = pathSigma
    }

    /// x = m + σ B D z, z ~ N(0, I) (tutorial eq. 38–40), redrawn while outside [0, 1]^n.
    func sampleInCube(_ rng: inout RandomGenerator) -> [Double] {
        let n = dimension
        var x = mean
        for _ in 0..<100 {
            let z = (0..<n).map { _ in rng.normal() }
            for i in 0..<n {
                var y = 0.0
                for k in 0..<n { y += eigenvectors[i * n + k] * axisLengths[k] * z[k] }
                x[i] = mean[i] + sigma * y
            }
            if x.allSatisfy({ $0 >= 0 && $0 <= 1 }) { return x }
        }
        return x.map { min(max($0, 0), 1) }
    }

    /// One generation's update from λ points and their values (smaller is better):
    /// tutorial eqs. 41–47 (mean, step-size path, σ, covariance path, C).
    mutating func update(points: [[Double]], values: [Double]) {
        let n = dimension
        let order = values.indices.sorted { values[$0] < values[$1] }
        let oldMean = mean
        var yw = [Double](repeating: 0, count: n)
        var ys: [[Double]] = []
        for (rank, idx) in order.prefix(mu).enumerated() {
            let y = (0..<n).map { (points[idx][$0] - oldMean[$0]) / sigma }
            ys.append(y)
            for i in 0..<n { yw[i] += weights[rank] * y[i] }
        }
        for i in 0..<n { mean[i] = oldMean[i] + sigma * yw[i] }   // c_m = 1

        // C^{-1/2} y_w = B D⁻¹ Bᵀ y_w.
        var bty = [Double](repeating: 0, count: n)
        for k in 0..<n { var s = 0.0; for i in 0..<n { s += eigenvectors[i * n + k] * yw[i] }; bty[k] = s / axisLengths[k] }
        let cs = (cSigma * (2 - cSigma) * muEff).squareRoot()
        var normPs = 0.0
        for i in 0..<n {
            var s = 0.0
            for k in 0..<n { s += eigenvectors[i * n + k] * bty[k] }
            pathSigma[i] = (1 - cSigma) * pathSigma[i] + cs * s
            normPs += pathSigma[i] * pathSigma[i]
        }
        normPs = normPs.squareRoot()
        // h_σ stalls the rank-one path while ‖p_σ‖ is large (tutorial, after eq. 45).
        let threshold = (1.4 + 2 / Double(n + 1)) * chiN
        let hSigma = normPs / (1 - pow(1 - cSigma, Double(2 * (generation + 1)))).squareRoot() < threshold ? 1.0 : 0.0
        let cc = (cC * (2 - cC) * muEff).squareRoot()
        for i in 0..<n { pathC[i] = (1 - cC) * pathC[i] + hSigma * cc * yw[i] }

        let deltaH = (1 - hSigma) * cC * (2 - cC)
        let decay = 1 + c1 * deltaH - c1 - cMu   // Σ w_j = 1 for positive weights
        for i in 0..<n {
            for j in 0...i {
                var rankMu = 0.0
                for (r, y) in ys.enumerated() { rankMu += weights[r] * y[i] * y[j] }
                let v = decay * covariance[i * n + j] + c1 * pathC[i] * pathC[j] + cMu * rankMu
                covariance[i * n + j] = v; covariance[j * n + i] = v
            }
        }
        sigma *= exp(min(1, (cSigma / dSigma) * (normPs / chiN - 1)))
        generation += 1
        decompose()
    }

    mutating func decompose() {
        let e = DenseLinearAlgebra.symmetricEigen(covariance, n: dimension)
        eigenvectors = e.vectors
        axisLengths = e.values.map { max($0, 1e-20).squareRoot() }
    }

    /// Hansen's stopping criteria that matter here (tutorial, appendix B.3).
    func shouldStop(recentValues: [Double], functionTolerance: Double) -> Bool {
        let n = dimension
        var maxStd = 0.0
        for i in 0..<n { maxStd = max(maxStd, sigma * covariance[i * n + i].squareRoot()) }
        if maxStd < 1e-12 * initialSigma { return true }                            // TolX
        if sigma * (axisLengths.max() ?? 1) > 1e4 * initialSigma { return true }    // TolXUp
        let (lo, hi) = (axisLengths.min() ?? 1, axisLengths.max() ?? 1)
        if (hi / lo) * (hi / lo) > 1e14 { return true }                             // ConditionCov
        if let minV = recentValues.min(), let maxV = recentValues.max(),
           maxV - minV < functionTolerance { return true }   // TolFun
        // Mean no longer moves the distribution (NoEffectCoord).
        for i in 0..<n where mean[i] == mean[i] + 0.2 * sigma * covariance[i * n + i].squareRoot() { return true }
        return false
    }
}

/// The state of one CMA-ES search (all its restarts) on one search space, rebuilt
/// incrementally from the tagged trials of the history.
final class CMAESRun {
    let encoding: UnitCubeEncoding
    let spaceTag: String
    let options: CMAESSampler.Options
    let seed: UInt64
    private(set) var current: CMAESDistribution
    /// How far the finished-trial order has been read.
    private var finishedRead = 0
    /// COMPLETE trials by (restart, generation): (number, point, value to minimise).
    private var buckets: [Int: [Int: [(number: Int, x: [Double], value: Double)]]] = [:]
    /// Best values of recent generations (for the TolFun criterion).
    private var recentBest: [Double] = []

    init(encoding: UnitCubeEncoding, spaceTag: String, options: CMAESSampler.Options, seed: UInt64) {
        self.encoding = encoding; self.spaceTag = spaceTag; self.options = options; self.seed = seed
        let n = encoding.dimension
        let lambda = max(2, options.populationSize ?? 4 + Int(3 * log(Double(n))))
        current = CMAESDistribution(dimension: n, restart: 0, lambda: lambda,
                                    mean: [Double](repeating: 0.5, count: n), sigma: options.initialSigma)
    }

    /// Reads trials in number order for the deterministic parallel mode.
    let reader = OrderedTrialReader()
    /// Deterministic mode: each distribution and the number of the trial whose arrival
    /// produced it (−1 for the initial one).
    private var timeline: [(trigger: Int, distribution: CMAESDistribution)] = []

    /// Takes in every newly finished trial (in the order they finished).
    func catchUp(study: StudyView) throws {
        let fresh = try study.finishedTrials(from: finishedRead)
        finishedRead += fresh.count
        let sign = study.directions[0] == .maximize ? -1.0 : 1.0
        for t in fresh { ingest(t, sign: sign) }
    }

    /// Deterministic mode: the distribution defined by exactly trials 0 … cutoff (all of
    /// which must be finished), taken in number order.
    func distribution(through cutoff: Int, study: StudyView) throws -> CMAESDistribution {
        if timeline.isEmpty { timeline.append((-1, current)) }
        let sign = study.directions[0] == .maximize ? -1.0 : 1.0
        for t in try reader.read(through: cutoff, study: study) {
            let generation = (current.restart, current.generation)
            ingest(t, sign: sign)
            if (current.restart, current.generation) != generation { timeline.append((t.number, current)) }
        }
        return timeline.last { $0.trigger <= cutoff }!.distribution
    }

    /// Files a finished trial under its generation; once the current generation has λ
    /// COMPLETE trials, updates the distribution (and restarts when it has stagnated).
    private func ingest(_ t: FrozenTrial, sign: Double) {
        guard t.state == .complete,
              t.systemAttrs[CMAESSampler.spaceKey]?.stringValue == spaceTag,
              let r = t.systemAttrs[CMAESSampler.restartKey]?.intValue,
              let g = t.systemAttrs[CMAESSampler.generationKey]?.intValue,
              let v = t.value, let x = encoding.encode(t.params) else { return }
        buckets[r, default: [:]][g, default: []].append((t.number, x, sign * v))
        guard let done = buckets[current.restart]?[current.generation], done.count >= current.lambda else { return }
        let used = done.sorted { $0.number < $1.number }.prefix(current.lambda)
        buckets[current.restart]?[current.generation] = nil
        current.update(points: used.map(\.x), values: used.map(\.value))
        // Hansen's TolFun: the best values of the last 10 + ⌈30 n / λ⌉ generations and
        // all values of the latest one.
        recentBest.append(used.map(\.value).min()!)
        let history = 10 + Int((30 * Double(current.dimension) / Double(current.lambda)).rounded(.up))
        if recentBest.count > history { recentBest.removeFirst() }
        let window = recentBest.count >= history ? recentBest + used.map(\.value) : []
        if options.restarts, current.shouldStop(recentValues: window, functionTolerance: options.functionTolerance) {
            restart()
        }
    }

    /// IPOP: a new run from a uniformly random mean with the population doubled. The mean
    /// comes from a stream of (study seed, restart number), the same in every process.
    private func restart() {
        let r = current.restart + 1
        var rng = RandomGenerator.derived(seed: seed, stableHash("cmaes-restart"), UInt64(r))
        let n = current.dimension
        let lambda = current.lambda * options.populationGrowth
        current = CMAESDistribution(dimension: n, restart: r, lambda: lambda,
                                    mean: (0..<n).map { _ in rng.uniform() }, sigma: options.initialSigma)
        recentBest.removeAll()
    }
}
