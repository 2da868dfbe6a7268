// Tree-structured Parzen Estimator (Bergstra et al. 2011; Watanabe 2023, arXiv:2304.11127).

import Foundation
import HoneTensor

/// TPE: splits the trials seen so far into the better γ-fraction and the rest, fits a
/// Parzen estimator l(x) to the first and g(x) to the second, draws candidates from l and
/// keeps the one with the largest l(x)/g(x) — which maximises expected improvement
/// (Bergstra et al. 2011, §4.1, eq. 3).
///
/// ## Modes
///
/// - **Univariate** (`multivariate: false`): one estimator per parameter, trained on the
///   trials that used that parameter with the same distribution.
/// - **Multivariate** (default): parameters are sampled jointly, one estimator per
///   *group* of parameters that always appeared together (the space actually observed:
///   in a conditional space each branch's parameters form their own group, Watanabe
///   2023 §3.4 / Optuna's `group=True`). Parameters outside every group (new names, a
///   changed distribution) fall back to univariate sampling.
///
/// ## Split, weights, bandwidths (defaults from Watanabe 2023, Table 3 / Optuna)
///
/// - γ(n) = min(⌈0.1 n⌉, 25) trials go to l (`Options.gamma`).
/// - Observation weights: 1 for the newest 25 trials of each side, a linear ramp from 1/n
///   up to 1 for older ones (`Options.weights`); plus a prior kernel of weight 1.
/// - Bandwidths: neighbour gaps per dimension (as Optuna ≥ 4, also for multivariate
///   estimators), clipped below by the magic clip (see `ParzenEstimator`). Categoricals use
///   Aitchison–Aitken-style kernels. Unlike Optuna (`Options.bandwidths`, `.perSide`), the
///   gaps are taken among the observations of *both* sides and the clip counts them all
///   (`.shared`): l and g are then one set of kernels split in two, and l(x)/g(x) compares
///   like with like (PRUNED trials of g stay out of that estimator: see `Bandwidths`).
///   Per side, l's few points (1 to 3 of the first 25 trials) sit far apart, so its
///   kernels span most of the range (σ ≥ 1/3 by the clip alone with one good trial) while
///   g's are narrow: the ratio then mostly says "away from the bad trials",
///   and TPE explores where it should already refine. Measured (issue 14, paired seeds):
///   median regret over 100 seeds on the 12 categorical/conditional/failing surfaces of
///   bench/search/suite, geometric mean shared / per-side 0.79, 0.57, 0.40 at 25, 50, 100
///   evaluations (worse on 1, 1, 2 of 12); COCO bbob f1–f24 in 2-D and 5-D, 5 seeds,
///   0.63, 0.53, 0.46 (30 better, 16 worse of 48 at 100). Most of it is the clip: shared
///   gaps with each side's own clip gave 0.95, 0.97, 0.94 on the surfaces. It exploits sooner, which costs
///   on some rugged landscapes: Levy-6 off centre 3.8× worse at 100 evaluations (60 seeds),
///   bbob f22-2D (Gallagher 21 peaks) 21× (5 seeds).
/// - 24 candidates (`nEICandidates`) are drawn from l.
///
/// Ranking: COMPLETE trials by value (the study's direction), then PRUNED trials by how
/// far they got (later step first) and their last report, then — with the constant liar
/// — the other RUNNING trials, which thus count as the worst trials so parallel workers
/// do not all pile onto the same point — and last the FAIL trials (`Options.failedTrials`,
/// default `.worst`). Optuna ignores FAIL trials; then a choice that always fails is
/// never seen by either density, the prior gives it more mass under l (few kernels)
/// than under g (many), so TPE keeps proposing it: on Branin plus a choice k ∈ {a, b}
/// whose `b` always raises, 60 trials, it spent about half of them on `b`. Counted as the
/// worst trials, failures sit in g only, and their region is avoided. They do not
/// count towards γ(n), the startup trials or the parameter groups (a trial that failed
/// half-way through its suggestions says nothing about which parameters belong
/// together). In multi-objective
/// studies COMPLETE trials are ranked by non-dominated front and crowding distance
/// (MOTPE, Ozaki et al. 2020; see `paretoRanks`).
///
/// ## Startup and reproducibility
///
/// Until `nStartupTrials` trials have finished (COMPLETE or PRUNED), parameters come
/// from random search (as Optuna's), or a scrambled Sobol sequence (`startup: .sobol`).
/// Random is the default because it did better at 25–100 evaluations on both families
/// of bench/search/suite (issue 14): geometric mean of Hone-TPE / Optuna-TPE median
/// regret at 100 evaluations on COCO bbob 2-D and 5-D 1.23 with Sobol, 0.96 random; on
/// the HPO surfaces 0.64 vs 0.58 (20 seeds). A likely reason, not measured apart:
/// Sobol's evenly spaced first points make the first neighbour bandwidths uniformly wide,
/// where random clusters give some narrow kernels that exploit sooner. Every draw comes from the
/// trial's stream (study seed, trial number, parameter or group), and the history is
/// read in a stable order, so a seeded study with one worker repeats exactly.
///
/// ## Cost
///
/// The history is read incrementally (`StudyView.finishedTrials(from:)`); an ask costs a
/// sort of the n trials plus O(candidates · n · D) kernel evaluations.
public final class TPESampler: Sampler, @unchecked Sendable {
    public let name = "tpe"

    public enum StartupSampler: String, Sendable { case sobol, random }

    /// How FAIL trials enter the densities.
    public enum FailedTrials: String, Sendable {
        /// Ranked after every other trial, so they are part of g(x) (never of l(x)).
        case worst
        /// Left out, as Optuna does.
        case ignore
    }

    /// Bandwidths of the numeric kernels of l(x) and g(x).
    public enum Bandwidths: String, Sendable {
        /// Each observation's bandwidth is its larger neighbour gap among the observations
        /// of both sides, clipped below by range / min(100, observations + 2): the kernels
        /// of one estimator over all trials, split between l and g. PRUNED trials on the
        /// bad side are left out of that estimator (they take the gap they would have in
        /// it, and do not count in the clip): under Hyperband they are most of the trials,
        /// and with them every kernel narrowed to the spacing of many low-fidelity points —
        /// l then refined around its few complete trials long before the search had found
        /// where to refine. On bench/search/suite/curves.py (8 problems × 30 seeds under
        /// Hyperband) leaving them out gave a mean log regret ratio of −0.23 ± 0.07 at the
        /// end of the budget (−0.16 ± 0.08 with fast-converging curves); per-side
        /// bandwidths did the same there, but are worse without pruning (see above).
        case shared
        /// Optuna's: the gaps among each side's own observations, clipped by that side's
        /// count.
        case perSide = "per_side"
    }

    public struct Options: Sendable {
        /// Trials (COMPLETE or PRUNED) sampled by the startup sampler before TPE starts.
        public var nStartupTrials = 10
        public var startup: StartupSampler = .random
        /// Candidates drawn from l(x) per parameter (or group) and trial.
        public var nEICandidates = 24
        public var multivariate = true
        /// With `multivariate`, model each group of co-occurring parameters separately
        /// (conditional spaces); without it, only the parameters every trial shares.
        public var group = true
        /// Count other workers' RUNNING trials as the worst trials.
        public var constantLiar = true
        /// Deterministic parallel mode: set to the number of workers n. Trial k then uses
        /// only trials 0 … k−n, waiting until they have all finished — every run with n
        /// workers would have finished them by then, since at most n − 1 other trials
        /// run beside trial k — so a seeded study with `nJobs = n` repeats exactly. The
        /// constant liar is off in this mode (which trials run at a moment is timing).
        /// Costs some throughput when trial durations vary; meant for `optimize`, where
        /// every trial is eventually told (an ask without a tell would block later asks).
        public var deterministicParallelism: Int? = nil
        public var priorWeight = 1.0
        public var considerMagicClip = true
        public var considerEndpoints = false
        public var failedTrials: FailedTrials = .worst
        /// How numeric kernels get their bandwidths (see `Bandwidths`).
        public var bandwidths: Bandwidths = .shared
        /// How many of n trials form the good side.
        public var gamma: @Sendable (Int) -> Int = { n in min(Int((0.1 * Double(n)).rounded(.up)), 25) }
        /// Weights of n observations ordered from oldest to newest.
        public var weights: @Sendable (Int) -> [Double] = { TPESampler.defaultWeights($0) }

        public init() {}
    }

    public let options: Options
    private let startupSampler: Sampler

    private let lock = NSLock()
    private var histories: [Int64: TPEHistory] = [:]
    private var splits: [Int64: TPESplit] = [:]
    private var visible: [Int64: (trial: Int, snapshot: TPEHistory.Snapshot)] = [:]
    private let window = DeterministicWindow()

    public init(options: Options = Options()) {
        self.options = options
        switch options.startup {
        case .sobol: startupSampler = SobolSampler()
        case .random: startupSampler = RandomSampler()
        }
    }

    public convenience init(nStartupTrials: Int = 10, multivariate: Bool = true, group: Bool = true,
                            constantLiar: Bool = true, startup: StartupSampler = .random)
    {
        var o = Options()
        o.nStartupTrials = nStartupTrials; o.multivariate = multivariate; o.group = group
        o.constantLiar = constantLiar; o.startup = startup
        self.init(options: o)
    }

    /// 1 for the newest 25, a linear ramp from 1/n to 1 for the older n − 25 (Optuna's
    /// default, after Bergstra et al. 2013's down-weighting of old trials).
    public static func defaultWeights(_ n: Int) -> [Double] {
        guard n > 25 else { return [Double](repeating: 1, count: n) }
        let rampCount = n - 25
        var w = [Double](repeating: 1, count: n)
        if rampCount == 1 { w[0] = 1 / Double(n) } else {
            for i in 0..<rampCount {
                w[i] = 1 / Double(n) + (1 - 1 / Double(n)) * Double(i) / Double(rampCount - 1)
            }
        }
        return w
    }

    // MARK: History

    /// The sampler's incremental picture of a study's finished trials.
    private func snapshot(_ study: StudyView) throws -> TPEHistory.Snapshot {
        lock.lock(); defer { lock.unlock() }
        let h: TPEHistory
        if let existing = histories[study.studyId] { h = existing } else {
            h = TPEHistory(directions: study.directions, failedTrials: options.failedTrials)
            histories[study.studyId] = h
        }
        let fresh = try study.finishedTrials(from: h.read)
        h.read += fresh.count
        for t in fresh { h.ingest(t) }
        return h.snapshot
    }

    /// The history trial `trial` may use: everything finished so far, or in deterministic
    /// parallel mode exactly the trials numbered ≤ k − n (after waiting for them).
    private func visibleSnapshot(_ study: StudyView, trial: Trial) throws -> TPEHistory.Snapshot {
        guard let lag = options.deterministicParallelism, lag >= 1 else { return try snapshot(study) }
        let cutoff = DeterministicWindow.cutoff(trial: trial.number, workers: lag)
        lock.lock()
        if let cached = visible[study.studyId], cached.trial == trial.number { lock.unlock(); return cached.snapshot }
        lock.unlock()
        // Waits in storage, then marks the process-local history stale: a trial another
        // worker has just told may be in storage before this process's history knows.
        try window.wait(through: cutoff, study: study)
        let all = try snapshot(study)
        let snap = TPEHistory.Snapshot(building: all.observations.filter { $0.number <= cutoff })
        lock.lock(); visible[study.studyId] = (trial.number, snap); lock.unlock()
        return snap
    }

    /// Observations to rank for `trial`: finished ones plus, with the constant liar, the
    /// other running trials (as the worst).
    private func observations(_ study: StudyView, trial: Trial, _ snap: TPEHistory.Snapshot) throws -> [TPEObservation] {
        var all = snap.observations
        if options.constantLiar && options.deterministicParallelism == nil {
            for t in try study.runningTrials() where t.number != trial.number && !t.params.isEmpty {
                all.append(TPEObservation(running: t))
            }
        }
        return all
    }

    /// The parameter groups seen in a study so far (for tests and diagnostics).
    func groups(studyId: Int64) -> [Set<String>]? {
        lock.lock(); defer { lock.unlock() }
        return histories[studyId]?.snapshot.groups
    }

    /// Startup lasts until `nStartupTrials` trials are COMPLETE or PRUNED (failures don't count).
    private func inStartup(_ snap: TPEHistory.Snapshot) -> Bool { snap.rankedCount < options.nStartupTrials }

    // MARK: Sampler

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        guard options.multivariate else { return SearchSpace() }
        let snap = try visibleSnapshot(study, trial: trial)
        guard !inStartup(snap) else { return SearchSpace() }
        var space = SearchSpace()
        if options.group {
            for g in snap.groups { for name in g { if let d = snap.consistent[name] ?? nil { space.set(name, d) } } }
        } else {
            for (name, d) in try study.intersectionSearchSpace().searchable { space.set(name, d) }
        }
        return space
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        let snap = try visibleSnapshot(study, trial: trial)
        guard !inStartup(snap), !searchSpace.isEmpty else { return [:] }
        let all = try observations(study, trial: trial, snap)
        let split = rankSplit(all, snap, study: study, trial: trial)
        // Groups in a stable order; each restricted to the relative space.
        let groups: [[String]] = options.group
            ? snap.groups.map { $0.filter { searchSpace[$0] != nil }.sorted() }.filter { !$0.isEmpty }.sorted { $0[0] < $1[0] }
            : [searchSpace.names]
        var result: [String: ParamValue] = [:]
        for g in groups {
            let space = g.map { ($0, searchSpace[$0]!) }
            var rng = trial.random(for: "tpe-group:" + g.joined(separator: "\u{1f}"))
            for (name, v) in sampleJointly(space, split: split, rng: &rng) { result[name] = v }
        }
        return result
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        let snap = try visibleSnapshot(study, trial: trial)
        if inStartup(snap) {
            return try startupSampler.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
        }
        let split = rankSplit(try observations(study, trial: trial, snap), snap, study: study, trial: trial)
        var rng = trial.random(for: "tpe:" + name)
        return sampleJointly([(name, distribution)], split: split, rng: &rng)[name]!
    }

    // MARK: The TPE step

    /// Marks the better γ(n) observations (ranked by `TPERank`) as the good side. The
    /// observations keep their trial-number order. Cached per trial, so a trial's
    /// parameters share one ranking (one sort per ask, not one per parameter).
    private func rankSplit(_ all: [TPEObservation], _ snap: TPEHistory.Snapshot, study: StudyView, trial: Trial) -> TPESplit {
        let key = TPESplit.Key(trial: trial.number, numbers: all.count, lastNumber: all.last?.number ?? -1)
        lock.lock()
        if let cached = splits[study.studyId], cached.key == key { lock.unlock(); return cached }
        lock.unlock()
        var ranks = all.map(\.rank)
        if study.directions.count > 1 { Self.paretoRanks(all, into: &ranks) }
        // The nBelow best (ranks are distinct: they end with the trial number). A sorted
        // buffer of the best so far; most observations lose against its worst at once,
        // so this costs about one comparison each instead of a full sort.
        // γ of the trials that have a value to rank: not the failed ones, nor the running
        // liars (as Optuna since PR 4073: liars would otherwise enlarge the good side).
        var ranked = 0
        for o in all where o.rank.tier <= TPERank.prunedTier { ranked += 1 }
        let nBelow = min(max(options.gamma(ranked), 0), all.count)
        var best: [Int] = []
        best.reserveCapacity(nBelow + 1)
        if nBelow > 0 {
            for i in all.indices {
                if best.count == nBelow, !(ranks[i] < ranks[best[nBelow - 1]]) { continue }
                best.insert(i, at: best.partitionPoint { ranks[i] < ranks[$0] })
                if best.count > nBelow { best.removeLast() }
            }
        }
        var isBelow = [Bool](repeating: false, count: all.count)
        for i in best { isBelow[i] = true }
        let split = TPESplit(key: key, observations: all, isBelow: isBelow, columns: snap.columns)
        lock.lock(); splits[study.studyId] = split; lock.unlock()
        return split
    }

    /// MOTPE's split (Ozaki et al. 2020, §3.2): COMPLETE trials ranked by non-dominated
    /// front (Deb et al. 2002's fast non-dominated sort, O(m n²)), and within a front by
    /// crowding distance, most isolated first — a cheap stand-in for the paper's
    /// hypervolume subset selection on the boundary front.
    static func paretoRanks(_ all: [TPEObservation], into ranks: inout [TPERank]) {
        let idx = all.indices.filter { all[$0].directedValues != nil }
        let n = idx.count
        guard n > 0 else { return }
        let v = idx.map { all[$0].directedValues! }
        func dominates(_ a: [Double], _ b: [Double]) -> Bool {
            var better = false
            for j in a.indices { if a[j] > b[j] { return false }; if a[j] < b[j] { better = true } }
            return better
        }
        var dominatedBy = [Int](repeating: 0, count: n)
        var dominatesList = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                if dominates(v[i], v[j]) { dominatesList[i].append(j); dominatedBy[j] += 1 }
                else if dominates(v[j], v[i]) { dominatesList[j].append(i); dominatedBy[i] += 1 }
            }
        }
        var front = (0..<n).filter { dominatedBy[$0] == 0 }
        var level = 0
        while !front.isEmpty {
            // Crowding distance within the front (Deb et al. 2002, §III-B).
            var crowding = [Double](repeating: 0, count: front.count)
            for m in 0..<v[front[0]].count {
                let sorted = front.indices.sorted { v[front[$0]][m] < v[front[$1]][m] }
                let lo = v[front[sorted.first!]][m], hi = v[front[sorted.last!]][m]
                crowding[sorted.first!] = .infinity; crowding[sorted.last!] = .infinity
                guard hi > lo, sorted.count > 2 else { continue }
                for r in 1..<(sorted.count - 1) {
                    crowding[sorted[r]] += (v[front[sorted[r + 1]]][m] - v[front[sorted[r - 1]]][m]) / (hi - lo)
                }
            }
            var next: [Int] = []
            for (p, i) in front.enumerated() {
                let k = idx[i]
                ranks[k] = TPERank(tier: 0, primary: Double(level), secondary: -crowding[p], number: all[k].number)
                for j in dominatesList[i] { dominatedBy[j] -= 1; if dominatedBy[j] == 0 { next.append(j) } }
            }
            front = next.sorted()
            level += 1
        }
    }

    /// `Bandwidths.shared`: the kernels of one estimator over the observations with a value
    /// at full fidelity and the good side — every observation except PRUNED ones on the bad
    /// side, which take the gap they would have there — split between l (`below`) and g
    /// (`above`), per numeric dim (empty for categorical dims), and the clip's kernel count.
    static func sharedBandwidths(_ values: [[Double]], dims: [ParzenDimension], valid: [Bool], isBelow: [Bool],
                                 pruned: [Bool], considerEndpoints: Bool)
        -> (below: [[Double]], above: [[Double]], clipKernelCount: Int)
    {
        let n = valid.count
        // Per valid observation (the same for every dim): is it in the estimator?
        var inPool: [Bool] = []
        inPool.reserveCapacity(n)
        for i in 0..<n where valid[i] { inPool.append(isBelow[i] || !pruned[i]) }
        var below: [[Double]] = [], above: [[Double]] = []
        for (j, v) in values.enumerated() {
            var b: [Double] = [], a: [Double] = []
            if case .numeric = dims[j] {
                var xs: [Double] = []
                xs.reserveCapacity(inPool.count)
                for i in 0..<n where valid[i] { xs.append(v[i]) }
                let gaps = ParzenEstimator.pooledBandwidths(xs, pooled: inPool, considerEndpoints: considerEndpoints)
                var k = 0
                for i in 0..<n where valid[i] { if isBelow[i] { b.append(gaps[k]) } else { a.append(gaps[k]) }; k += 1 }
            }
            below.append(b); above.append(a)
        }
        return (below, above, inPool.reduce(0) { $0 + ($1 ? 1 : 0) } + 1)
    }

    /// One TPE draw for the parameters `space` (one, or a group sampled jointly): l and g
    /// from the trials of each side that used all of them with these distributions.
    private func sampleJointly(_ space: [(String, Distribution)], split: TPESplit,
                               rng: inout RandomGenerator) -> [String: ParamValue]
    {
        let dims: [ParzenDimension] = space.map { _, d in
            if case .categorical(let c) = d { return .categorical(choices: c.choices.count) }
            return .numeric(d)
        }
        // Columns of each side, oldest first (observations are in trial-number order), from
        // the trials that used every parameter of `space` with these distributions.
        // Column by column (no per-observation rows: arrays of arrays cost reference
        // counting per element); an observation is used only if it has every column.
        let n = split.observations.count
        var values: [[Double]] = []
        var valid = [Bool](repeating: true, count: n)
        for (name, d) in space {
            var v = [Double](repeating: .nan, count: n)
            var start = 0
            if let column = split.columns[name], column.distribution == d {
                start = min(column.values.count, n)
                v.withUnsafeMutableBufferPointer { dst in
                    column.values.withUnsafeBufferPointer { src in for i in 0..<start { dst[i] = src[i] } }
                }
            }
            // Liars (appended after the finished trials) or a column of another
            // distribution: look the parameter up.
            for i in start..<n {
                if let c = split.observations[i].coordinates[name], c.distribution == d { v[i] = c.value }
            }
            for i in 0..<n where v[i].isNaN { valid[i] = false }
            values.append(v)
        }
        var below: [[Double]] = [], above: [[Double]] = []
        for v in values {
            var b: [Double] = [], a: [Double] = []
            b.reserveCapacity(n); a.reserveCapacity(n)
            for i in 0..<n where valid[i] { if split.isBelow[i] { b.append(v[i]) } else { a.append(v[i]) } }
            below.append(b); above.append(a)
        }
        let settings = ParzenSettings(priorWeight: options.priorWeight, magicClip: options.considerMagicClip,
                                      considerEndpoints: options.considerEndpoints)
        var bandwidthsBelow: [[Double]]? = nil, bandwidthsAbove: [[Double]]? = nil, clipKernelCount: Int? = nil
        if options.bandwidths == .shared {
            let shared = Self.sharedBandwidths(values, dims: dims, valid: valid, isBelow: split.isBelow,
                                               pruned: split.observations.map { $0.rank.tier == TPERank.prunedTier },
                                               considerEndpoints: options.considerEndpoints)
            bandwidthsBelow = shared.below; bandwidthsAbove = shared.above; clipKernelCount = shared.clipKernelCount
        }
        let l = ParzenEstimator(columns: below, weights: options.weights(below[0].count), dims: dims, settings: settings,
                                bandwidths: bandwidthsBelow, clipKernelCount: clipKernelCount)
        let g = ParzenEstimator(columns: above, weights: options.weights(above[0].count), dims: dims, settings: settings,
                                bandwidths: bandwidthsAbove, clipKernelCount: clipKernelCount)
        let candidates = l.sample(max(options.nEICandidates, 1), rng: &rng)
        let best = l.argmaxLogRatio(over: g, points: candidates)
        var out: [String: ParamValue] = [:]
        for (j, (name, d)) in space.enumerated() {
            let x = candidates[best][j]
            switch d {
            case .categorical(let c): out[name] = c.choices[min(max(Int(x), 0), c.choices.count - 1)]
            default: out[name] = d.toExternal(d.fromUnit(x))
            }
        }
        return out
    }
}

// MARK: - History kept by the sampler

/// A finished (or, for the constant liar, running) trial as TPE models it.
struct TPEObservation: Sendable {
    let number: Int
    /// Lexicographic rank key, smaller is better: (tier, primary, secondary).
    let rank: TPERank
    /// COMPLETE trials: the objective values, negated where maximised (smaller is better).
    var directedValues: [Double]? = nil
    /// Parameter coordinates: unit value for numeric parameters, index for categoricals,
    /// with the distribution they were drawn from (one hash lookup per parameter).
    let coordinates: [String: (value: Double, distribution: Distribution)]

    init(number: Int, rank: TPERank, trial t: FrozenTrial) {
        self.number = number; self.rank = rank
        var c: [String: (value: Double, distribution: Distribution)] = [:]
        for (name, d) in t.distributions where !d.isSingleValue {
            guard let v = t.params[name], let x = d.toInternal(v) else { continue }
            if case .categorical = d { c[name] = (x, d) } else { c[name] = (d.toUnit(x), d) }
        }
        coordinates = c
    }

    init(running t: FrozenTrial) {
        self.init(number: t.number, rank: TPERank(tier: 2, primary: 0, secondary: 0, number: t.number), trial: t)
    }
}

struct TPEColumn {
    let distribution: Distribution
    var values: [Double]
}

/// The ranking of one ask: observations in trial-number order and which are good.
struct TPESplit {
    struct Key: Equatable { var trial: Int; var numbers: Int; var lastNumber: Int }
    let key: Key
    let observations: [TPEObservation]
    let isBelow: [Bool]
    /// The snapshot's columns (covering the finished observations, not the liars after them).
    let columns: [String: TPEColumn]
}

struct TPERank: Comparable, Sendable {
    /// 0 COMPLETE, 1 PRUNED, 2 RUNNING (constant liar), 3 FAIL.
    static let prunedTier = 1, failedTier = 3
    var tier: Int
    var primary: Double
    var secondary: Double
    var number: Int
    static func < (a: TPERank, b: TPERank) -> Bool {
        (a.tier, a.primary, a.secondary, a.number) < (b.tier, b.primary, b.secondary, b.number)
    }
}

final class TPEHistory {
    struct Snapshot {
        var observations: [TPEObservation]
        /// Parameter groups: names that appeared in exactly the same trials.
        var groups: [Set<String>]
        /// Per name: its distribution when every trial used the same one, else nil.
        var consistent: [String: Distribution?]

        /// Per name, the coordinates of every observation (aligned with `observations`;
        /// NaN where the trial lacks the name or used another distribution than the
        /// column's), so building l and g reads arrays instead of hashing names.
        var columns: [String: TPEColumn] = [:]
        /// Observations of COMPLETE or PRUNED trials (not FAIL ones, ranked last).
        var rankedCount = 0

        init(observations: [TPEObservation], groups: [Set<String>], consistent: [String: Distribution?]) {
            self.observations = observations; self.groups = groups; self.consistent = consistent
        }

        /// The snapshot of exactly these observations (in trial-number order).
        init(building observations: [TPEObservation]) {
            self.init(observations: [], groups: [], consistent: [:])
            for o in observations { insert(o, at: self.observations.count) }
        }

        mutating func insert(_ o: TPEObservation, at i: Int) {
            observations.insert(o, at: i)
            for name in columns.keys {
                let c = o.coordinates[name]
                columns[name]!.values.insert(c != nil && c!.distribution == columns[name]!.distribution ? c!.value : .nan, at: i)
            }
            for (name, c) in o.coordinates where columns[name] == nil {
                var values = [Double](repeating: .nan, count: observations.count)
                values[i] = c.value
                columns[name] = TPEColumn(distribution: c.distribution, values: values)
            }
            if o.rank.tier == TPERank.failedTier { return }
            rankedCount += 1
            add(groupsAndDistributionsOf: o)
        }

        mutating func add(groupsAndDistributionsOf o: TPEObservation) {
            TPEHistory.refine(&groups, with: Set(o.coordinates.keys))
            for (name, c) in o.coordinates {
                if let known = consistent[name] {
                    if known != c.distribution { consistent[name] = .some(nil) }
                } else {
                    consistent[name] = .some(c.distribution)
                }
            }
        }
    }

    let directions: [StudyDirection]
    let failedTrials: TPESampler.FailedTrials
    var read = 0
    private(set) var snapshot = Snapshot(observations: [], groups: [], consistent: [:])

    init(directions: [StudyDirection], failedTrials: TPESampler.FailedTrials) {
        self.directions = directions; self.failedTrials = failedTrials
    }

    func ingest(_ t: FrozenTrial) {
        let rank: TPERank
        switch t.state {
        case .complete:
            guard let v = t.values, v.count == directions.count else { return }
            rank = TPERank(tier: 0, primary: signed(v), secondary: 0, number: t.number)
        case .pruned:
            // Later steps first, then the last report.
            let last = t.lastIntermediate
            let step = Double(last?.key.step ?? -1)
            // A NaN report ranks last among pruned trials of its step (Optuna: +inf).
            let value = last.map { signed($0.values) }.map { $0.isNaN ? .infinity : $0 } ?? .infinity
            rank = TPERank(tier: 1, primary: -step, secondary: value, number: t.number)
        case .fail where failedTrials == .worst:
            rank = TPERank(tier: TPERank.failedTier, primary: 0, secondary: 0, number: t.number)
        default:
            return
        }
        var obs = TPEObservation(number: t.number, rank: rank, trial: t)
        if t.state == .complete, let v = t.values {
            obs.directedValues = zip(v, directions).map { $1 == .minimize ? $0 : -$0 }
        }
        // Kept in trial-number order (oldest first) so the weights' ramp needs no sort.
        let at = snapshot.observations.partitionPoint { $0.number > t.number }
        snapshot.insert(obs, at: at)
    }

    /// Single objective: the value, negated when maximising. Several objectives: the sum
    /// of the directed values (only a placeholder; `TPESampler.rankSplit` ranks COMPLETE
    /// trials of multi-objective studies by non-dominated sorting).
    private func signed(_ v: [Double]) -> Double {
        var s = 0.0
        for (x, d) in zip(v, directions) { s += d == .minimize ? x : -x }
        return s
    }

    /// Refines the partition so that two names share a group only if every trial seen
    /// used both or neither (Optuna's group decomposed search space).
    static func refine(_ groups: inout [Set<String>], with names: Set<String>) {
        guard !names.isEmpty else { return }
        var next: [Set<String>] = []
        var covered = Set<String>()
        for g in groups {
            let inside = g.intersection(names), outside = g.subtracting(names)
            if !inside.isEmpty { next.append(inside) }
            if !outside.isEmpty { next.append(outside) }
            covered.formUnion(g)
        }
        let fresh = names.subtracting(covered)
        if !fresh.isEmpty { next.append(fresh) }
        groups = next
    }
}
