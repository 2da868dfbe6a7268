// The default sampler: picks an algorithm from the space, the objectives and the budget.

import Foundation

/// Chooses a search algorithm for the study as it learns what the study looks like, and
/// says what it chose (and why) in the study's system attributes.
///
/// ## Rules (`AutoSampler.decide`)
///
/// | study                                                  | algorithm                        |
/// |--------------------------------------------------------|----------------------------------|
/// | trial 0                                                | the centre of the box            |
/// | nothing finished yet                                   | Sobol (quasi-random startup)     |
/// | several objectives                                     | NSGA-II                          |
/// | categorical or conditional, ≤ 20 parameters, budget ≤ 300 (or unknown) | GP-BO, mixed kernel, per-branch proposals |
/// | numeric, ≤ 20 dims, budget ≤ 300 trials (or unknown)   | GP-BO, and trust region (below)  |
/// | numeric, ≥ 2 dims, larger budget or > 20 dims          | CMA-ES                           |
/// | anything else (categorical/conditional, large)         | TPE                              |
///
/// In a numeric GP study, once there are enough complete trials (`trustRegionStart`: 10 in
/// 2–3-D, 15 in 4-D, 19 in 9-D, else 21), three of every four trials (numbers not
/// divisible by 4) go to the trust region around the incumbent, whose model grows from
/// linear to quadratic as the points arrive: the GP finds the basins (and, through its
/// basin exclusion, leaves resolved ones), the trust region converges in the
/// incumbent's — and follows curved valleys such as Rosenbrock's, where a GP alone
/// advances slowly (median regret at 100 evaluations on Rosenbrock-4: 20 with the GP
/// alone, ≈ 2 with the trust region; see BENCHMARKS.md). When a GP trial moves the
/// incumbent, the trust region restarts there with Δ at least half the jump (its Δ had
/// shrunk around the old incumbent; `TrustRegionSampler`, step 2). In 10 or more dimensions
/// its share falls to one trial in two once d more trials have finished
/// (`trustRegionHalfShareStart`). Two things take trials back from the trust region:
///
/// - **Noise.** The trust region compares single evaluations and assumes they are exact.
///   Whether they are is measured, not guessed: trials `replicateTrials` (20, 50, 80, …)
///   re-evaluate the incumbent's parameters (trial attribute `auto.replicate_of`). A
///   deterministic objective repeats its value exactly; when a replicate differs from the
///   original by more than `noiseThreshold` × (upper quartile − best of the values), the
///   study is noisy, there are no further replicates, and every trial goes to the GP,
///   whose likelihood fits the noise. The decision is recorded (reason "noisy").
///   (The GP's own fitted noise, `GPSampler.noiseAttribute`, is no test: on deterministic
///   but rugged or badly conditioned functions — bbob f2, f19, f22 — it reaches 0.05–0.3
///   of the values' variance, as much as on truly noisy ones.) Noise relative to the
///   spread is what matters: a multiplicative 1 % noise shrinks with the values near the
///   optimum, and the trust region keeps converging there.
/// - **Stalling (multimodality).** When the trust region has taken `stallWindow` steps
///   since the incumbent last improved, it has converged — in the global basin or in a
///   local one (Ackley's ripples). It then gets only one trial in four; the GP, whose
///   basin exclusion proposes points outside the incumbent's basin, gets the rest, until
///   a trial improves the incumbent (in a new basin, or in the same), when the trust
///   region takes three of four again.
///
/// Mixed and conditional spaces go to the GP with the overlap kernel on categoricals and,
/// for conditional spaces, a model of the union of the parameters with proposals made
/// branch by branch (`GPSampler.Options.conditional`, `MixedSpaceEncoding`). On the HPO
/// surfaces of bench/search/suite it beats TPE (see BENCHMARKS.md, issue 14).
///
/// GP-BO wins on small budgets but its cost grows as n³; CMA-ES is cheap per ask and
/// strong on long continuous runs; TPE is cheap on large categorical/conditional studies.
/// When an algorithm is not available (`factory` returns nil), the fallback is TPE
/// (MOTPE's split for several objectives), and the reason says so.
///
/// ## When the choice changes
///
/// The space of a define-by-run objective is only known once trials have run. The
/// decision is re-taken whenever the observed space changes (a new parameter, a branch
/// discovered, a distribution kind) — e.g. GP until a categorical shows up, then TPE.
/// The delegate keeps learning from the whole history, since every algorithm reads the
/// study's trials. A trial keeps the algorithm it started with.
///
/// ## What is recorded
///
/// - Study system attribute `auto.sampler`: `{"algorithm": …, "reason": …, "trial": n}`
///   for the latest choice (n = first trial that used it).
/// - Trial system attribute `auto.algorithm` on every trial.
public final class AutoSampler: Sampler, @unchecked Sendable {
    public let name = "auto"

    public enum Algorithm: String, Sendable, CaseIterable {
        case sobol, random, tpe, gp, cmaes, nsga2
        case trustRegion = "trust-region"
        /// Re-evaluates the incumbent's parameters (the noise check).
        case replicate
        /// The centre of the box (trial 0).
        case centre
    }

    public struct Decision: Hashable, Sendable {
        public var algorithm: Algorithm
        public var reason: String
    }

    /// Builds the sampler for an algorithm; nil when it is not available.
    public typealias Factory = @Sendable (Algorithm) -> Sampler?

    public static let studyAttribute = "auto.sampler"
    public static let trialAttribute = "auto.algorithm"

    /// Expected number of trials (nil: unknown), e.g. `optimize`'s nTrials.
    public let budget: Int?
    private let factory: Factory

    private let lock = NSLock()
    private var delegates: [Algorithm: Sampler] = [:]
    /// The delegate each running trial started with, by study and trial number.
    private var perTrial: [Int64: [Int: Algorithm]] = [:]
    private var observed: [Int64: ObservedSpace] = [:]
    private var current: [Int64: Decision] = [:]

    /// - Parameters:
    ///   - budget: expected number of trials (nil: unknown).
    ///   - deterministicParallelism: passed to every algorithm it builds (TPE, GP, trust
    ///     region, CMA-ES, NSGA-II; see `TPESampler.Options.deterministicParallelism`): the number of workers, for
    ///     seeded parallel runs that repeat exactly. (The choice of algorithm itself then
    ///     depends on which trials finished first; pin it with `factory` if needed.)
    ///   - factory: builds the sampler of an algorithm; defaults to `builtIn`.
    public init(budget: Int? = nil, deterministicParallelism: Int? = nil, factory: Factory? = nil) {
        self.budget = budget
        self.factory = factory ?? { AutoSampler.builtIn($0, deterministicParallelism: deterministicParallelism) }
    }

    /// The samplers of this module.
    public static func builtIn(_ a: Algorithm, deterministicParallelism: Int? = nil) -> Sampler? {
        switch a {
        case .sobol: return SobolSampler()
        case .random: return RandomSampler()
        case .tpe:
            var o = TPESampler.Options()
            o.deterministicParallelism = deterministicParallelism
            return TPESampler(options: o)
        case .gp:
            var o = GPSampler.Options()
            // The trust region refines the incumbent, so the GP's job here is to find the
            // right basin, which the power transform helps with (see `GPSampler.Options`).
            o.powerTransform = true
            o.conditional = true
            o.deterministicParallelism = deterministicParallelism
            return GPSampler(options: o)
        case .cmaes:
            var o = CMAESSampler.Options()
            o.deterministicParallelism = deterministicParallelism
            return CMAESSampler(options: o)
        case .nsga2:
            var o = NSGAIISampler.Options()
            o.deterministicParallelism = deterministicParallelism
            return try? NSGAIISampler(options: o)   // nil (unavailable) only for deterministicParallelism < 1
        case .trustRegion:
            var o = TrustRegionSampler.Options()
            // `trustRegionStart` decides when it starts, with whatever model the points
            // then determine.
            o.startupTrials = 0
            o.linearModelFirst = true
            o.deterministicParallelism = deterministicParallelism
            return TrustRegionSampler(options: o)
        case .replicate:
            return ReplicateSampler()
        case .centre:
            return CentreSampler()
        }
    }

    // MARK: The rules

    /// What the study looks like so far.
    public struct ObservedSpace: Sendable {
        /// Union of the searchable distributions of finished trials (first seen wins).
        public var space = SearchSpace()
        /// Some finished trial lacked a parameter another one had.
        public var conditional = false
        public var finishedTrials = 0
        /// The largest |replicate − original| / (upper quartile − best) seen; nil before
        /// any replicate finished.
        public var replicateNoise: Double?
        /// Values of the complete trials by number (for the replicates' originals).
        var values: [Int: Double] = [:]
        /// Trust-region trials finished since the incumbent last improved.
        public var trustRegionStepsSinceImprovement = 0
        var bestValue: Double?

        public init() {}

        mutating func ingest(_ t: FrozenTrial, direction: StudyDirection?) {
            guard t.state == .complete || t.state == .pruned else { return }
            if t.state == .complete, let v = t.value, v.isFinite {
                if case .number(let of)? = t.systemAttrs[AutoSampler.replicateAttribute], let original = values[Int(of)] {
                    let sorted = values.values.sorted()
                    let q1 = sorted[(sorted.count - 1) / 4], q3 = sorted[(3 * (sorted.count - 1)) / 4]
                    // Distance from the best to the quartile on the worse side.
                    let spread = direction == .maximize ? sorted.last! - q1 : q3 - sorted.first!
                    let relative = abs(v - original) / max(spread, 1e-300)
                    replicateNoise = max(replicateNoise ?? 0, relative)
                }
                values[t.number] = v
            }
            if let direction, t.state == .complete, let v = t.value, v.isFinite {
                if bestValue == nil || direction.isBetter(v, than: bestValue!) {
                    bestValue = v; trustRegionStepsSinceImprovement = 0
                } else if t.systemAttrs[AutoSampler.trialAttribute] == .string(Algorithm.trustRegion.rawValue) {
                    trustRegionStepsSinceImprovement += 1
                }
            }
            let names = Set(t.distributions.filter { !$0.value.isSingleValue }.keys)
            if finishedTrials > 0 && names != Set(space.names) { conditional = true }
            for n in names.sorted() where space[n] == nil { space.set(n, t.distributions[n]!) }
            finishedTrials += 1
        }
    }

    /// Fitted noise variance (fraction of the standardised values' variance) above which
    /// a study counts as noisy.
    public static let noiseThreshold = 1e-3
    /// Trial attribute of a replicate: the number of the trial whose parameters it repeats.
    public static let replicateAttribute = "auto.replicate_of"
    /// The trial numbers that replicate the incumbent while the study is not known to be noisy.
    public static func isReplicateTrial(_ n: Int) -> Bool { n >= 20 && (n - 20) % 30 == 0 }
    /// Trust-region steps without improving the incumbent before it counts as stalled.
    public static let stallWindow = 8
    /// From this many numeric dimensions on, the trust region's share falls from three
    /// trials in four to one in two once d more trials have finished since it started
    /// (`trustRegionHalfShareStart`).
    public static let halfShareDimensions = 10

    /// Finished trials from which a study of d ≥ `halfShareDimensions` numeric dimensions
    /// gives the trust region one trial in two: its start plus d. Its first steps (a linear
    /// model from the GP's points) are where a 10–20-D study progresses, and giving them
    /// away lost bbob 20-D at 25 evaluations; later its diagonal model, blind to rotations,
    /// gains less per trial than the GP's proposals (bbob 20-D −0.12 ± 0.04 in paired log
    /// regret at 100 evaluations, 10-D unchanged, `ackley10-off` −0.64; BENCHMARKS.md). Nil
    /// in fewer dimensions, where the trust region's precision is what wins.
    public static func trustRegionHalfShareStart(dimension d: Int, trustRegion tr: TrustRegionSampler) -> Int? {
        d >= halfShareDimensions ? trustRegionStart(dimension: d, trustRegion: tr) + d : nil
    }

    /// Finished trials before the trust region takes three trials in four: at least the
    /// GP's startup (10) and the d + 1 points of a linear model; no more than the richest
    /// model needs ((d + 1)(d + 2)/2 up to 8-D, 2d + 1 above) or 2 × startup + 1 = 21 — the
    /// GP's startup and as many trials of its own to find a basin. The trust region starts
    /// with whatever model the points then determine: in 11–20-D a linear one (COBYLA's), where
    /// waiting for the diagonal quadratic's 2d + 1 points (41 in 20-D) left the trust
    /// region a third of a 100-trial budget less (bbob 20-D, BENCHMARKS.md).
    public static func trustRegionStart(dimension d: Int, trustRegion tr: TrustRegionSampler) -> Int {
        let startup = GPSampler.Options().startupTrials
        return max(d + 1, startup, min(tr.quadraticPoints(dimension: d), 2 * startup + 1))
    }

    /// The GP's latest noise fit says the objective is noisy.
    public static func isNoisy(_ o: ObservedSpace) -> Bool { (o.replicateNoise ?? 0) > noiseThreshold }

    /// The rule table above, as a pure function.
    public static func decide(_ o: ObservedSpace, objectives: Int, budget: Int?) -> Decision {
        if objectives > 1 {
            return Decision(algorithm: .nsga2, reason: "\(objectives) objectives: NSGA-II keeps a spread Pareto front")
        }
        if o.finishedTrials == 0 || o.space.isEmpty {
            return Decision(algorithm: .sobol, reason: "no finished trial yet: quasi-random startup")
        }
        let d = o.space.count
        let categorical = o.space.names.filter { if case .categorical = o.space[$0]! { return true }; return false }
        let b = budget.map { "budget \($0)" } ?? "unknown budget"
        let small = d <= 20 && (budget ?? 0) <= 300
        if o.conditional || !categorical.isEmpty {
            let what = o.conditional ? "conditional space (parameters differ between trials)"
                : "categorical parameters (\(categorical.joined(separator: ", ")))"
            if small {
                return Decision(algorithm: .gp, reason: "\(what), \(d) parameters, \(b): GP-BO with an overlap kernel on categoricals"
                    + (o.conditional ? ", one model of all branches, proposals branch by branch" : ""))
            }
            return Decision(algorithm: .tpe, reason: "\(what), \(d) parameters, \(b): TPE models each group of co-occurring parameters at a low cost per trial")
        }
        if small {
            if isNoisy(o) {
                return Decision(algorithm: .gp, reason: "\(d) numeric dimensions, \(b), noisy (a replicate of the incumbent differed by \(String(format: "%.3g", o.replicateNoise ?? 0)) of the values' spread): GP-BO, which fits the noise; no trust region")
            }
            return Decision(algorithm: .gp, reason: "\(d) numeric dimensions, \(b): GP-BO is the most sample-efficient; three of every four trials refine the incumbent in a quadratic trust region once there are enough points\(d >= halfShareDimensions ? ", one in two later" : "")")
        }
        if d >= 2 {
            return Decision(algorithm: .cmaes, reason: "\(d) numeric dimensions, \(b): CMA-ES scales to long continuous runs")
        }
        return Decision(algorithm: .tpe, reason: "1 numeric dimension, \(b): TPE")
    }

    // MARK: Delegation

    private func delegate(_ a: Algorithm) -> Sampler? {
        if let s = delegates[a] { return s }
        guard let s = factory(a) else { return nil }
        delegates[a] = s
        return s
    }

    /// Brings the observed space up to date and re-decides when it changed.
    private func choose(study: StudyView, trialNumber: Int) throws -> (Algorithm, Sampler, changed: Decision?) {
        lock.lock(); defer { lock.unlock() }
        var o = observed[study.studyId] ?? ObservedSpace()
        let before = (o.space, o.conditional, o.finishedTrials > 0, Self.isNoisy(o))
        // Finished trials in a stable order; only those not seen yet (index = count read).
        let readSoFar = readCount[study.studyId, default: 0]
        let fresh = try study.finishedTrials(from: readSoFar)
        readCount[study.studyId] = readSoFar + fresh.count
        let direction = study.directions.count == 1 ? study.directions[0] : nil
        for t in fresh { o.ingest(t, direction: direction) }
        observed[study.studyId] = o
        var decision = current[study.studyId]
        var changed: Decision?
        if decision == nil || before != (o.space, o.conditional, o.finishedTrials > 0, Self.isNoisy(o)) {
            var d = Self.decide(o, objectives: study.directions.count, budget: budget)
            if delegate(d.algorithm) == nil {
                let fallback: Algorithm = .tpe   // MOTPE for several objectives
                d = Decision(algorithm: fallback,
                             reason: d.reason + " — \(d.algorithm.rawValue) is not available in this build, using \(fallback.rawValue)")
            }
            if d != decision { changed = d }
            decision = d
            current[study.studyId] = d
        }
        var a = decision!.algorithm
        // The first trial is the centre of the box: the usual default configuration (and
        // NGOpt's, BOBYQA's x0), on which the model-based phase can build.
        if a == .sobol, trialNumber == 0, delegate(.centre) != nil { a = .centre }
        let numeric = !o.conditional && o.space.names.allSatisfy { if case .categorical = o.space[$0]! { return false }; return true }
        // Stalled: one trial in four (those ≡ 1 mod 4) instead of three.
        let stalled = o.trustRegionStepsSinceImprovement >= Self.stallWindow
        if a == .gp, numeric, !Self.isNoisy(o), let tr = delegate(.trustRegion) as? TrustRegionSampler,
           o.finishedTrials >= Self.trustRegionStart(dimension: o.space.count, trustRegion: tr)
        {
            let halfShare = !stalled && o.finishedTrials >= Self.trustRegionHalfShareStart(dimension: o.space.count, trustRegion: tr) ?? .max
            if Self.isReplicateTrial(trialNumber), delegate(.replicate) != nil {
                a = .replicate
            } else if halfShare ? trialNumber % 2 == 1 : trialNumber % 4 != 0 && (!stalled || trialNumber % 4 == 1) {
                a = .trustRegion
            }
        }
        perTrial[study.studyId, default: [:]][trialNumber] = a
        return (a, delegate(a)!, changed)
    }
    private var readCount: [Int64: Int] = [:]

    private func delegateFor(_ study: StudyView, _ trialNumber: Int) throws -> Sampler {
        lock.lock()
        if let a = perTrial[study.studyId]?[trialNumber], let s = delegates[a] { lock.unlock(); return s }
        lock.unlock()
        return try choose(study: study, trialNumber: trialNumber).1
    }

    public func beforeTrial(study: StudyView, trial: Trial) throws {
        let (a, s, changed) = try choose(study: study, trialNumber: trial.number)
        trial.setSystemAttribute(Self.trialAttribute, .string(a.rawValue))
        if let d = changed {
            try study.setSystemAttribute(Self.studyAttribute, [
                "algorithm": .string(d.algorithm.rawValue), "reason": .string(d.reason),
                "trial": .number(Double(trial.number)),
            ])
        }
        try s.beforeTrial(study: study, trial: trial)
    }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        try delegateFor(study, trial.number).inferRelativeSearchSpace(study: study, trial: trial)
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        try delegateFor(study, trial.number).sampleRelative(study: study, trial: trial, searchSpace: searchSpace)
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try delegateFor(study, trial.number).sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }

    public func afterTrial(study: StudyView, trial: FrozenTrial) throws {
        lock.lock()
        let a = perTrial[study.studyId]?.removeValue(forKey: trial.number)
        let s = a.flatMap { delegates[$0] }
        lock.unlock()
        // Every delegate that may keep per-trial state hears about the trial.
        if let s { try s.afterTrial(study: study, trial: trial) }
    }
}

/// Proposes the parameters of the best complete trial again (AutoSampler's noise check).
/// Parameters the incumbent lacks are sampled at random.
final class ReplicateSampler: Sampler, @unchecked Sendable {
    let name = "replicate"
    private let fallback = RandomSampler()

    func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        guard !study.isMultiObjective, let best = try study.bestTrial() else { return SearchSpace() }
        return SearchSpace(best.distributions).searchable
    }

    func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        guard let best = try study.bestTrial() else { return [:] }
        trial.setSystemAttribute(AutoSampler.replicateAttribute, .number(Double(best.number)))
        return best.params.filter { searchSpace[$0.key] != nil }
    }

    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }
}

/// The centre of every numeric distribution (in its unit encoding: log dimensions in log
/// space); categorical parameters at random. AutoSampler's first trial.
final class CentreSampler: Sampler, @unchecked Sendable {
    let name = "centre"
    private let fallback = RandomSampler()

    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        switch distribution {
        case .float, .int: return distribution.toExternal(distribution.fromUnit(0.5))
        default: return try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
        }
    }
}
