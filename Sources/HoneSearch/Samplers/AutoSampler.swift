// The default sampler: picks an algorithm from the space, the objectives and the budget.

import Foundation

/// Chooses a search algorithm for the study as it learns what the study looks like, and
/// says what it chose (and why) in the study's system attributes.
///
/// ## Rules (`AutoSampler.decide`)
///
/// | study                                                  | algorithm                        |
/// |--------------------------------------------------------|----------------------------------|
/// | nothing finished yet                                   | Sobol (quasi-random startup)     |
/// | several objectives                                     | NSGA-II                          |
/// | conditional space (branches) or any categorical        | TPE (grouped multivariate)       |
/// | numeric, ≤ 20 dims, budget ≤ 300 trials (or unknown)   | GP-BO, and trust region (below)  |
/// | numeric, ≥ 2 dims, larger budget or > 20 dims          | CMA-ES                           |
/// | anything else                                          | TPE                              |
///
/// In a GP study, once there are enough complete trials to fit a quadratic model
/// (`TrustRegionSampler.pointsNeeded`), three of every four trials (numbers not divisible
/// by 4) go to the quadratic trust region around the incumbent: the GP finds the basins
/// (and, through its basin exclusion, leaves resolved ones), the trust region converges in
/// the incumbent's — and follows curved valleys such as Rosenbrock's, where a GP alone
/// advances slowly (median regret at 100 evaluations on Rosenbrock-4: 20 with the GP
/// alone, ≈ 2 with the trust region; see BENCHMARKS.md).
///
/// GP-BO wins on small continuous budgets but its cost grows as n³; CMA-ES is cheap per
/// ask and strong on long continuous runs; TPE handles conditional and categorical
/// spaces natively. When an algorithm is not available (`factory` returns nil), the
/// fallback is TPE (MOTPE's split for several objectives), and the reason says so.
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
            o.deterministicParallelism = deterministicParallelism
            return TrustRegionSampler(options: o)
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

        public init() {}

        mutating func ingest(_ t: FrozenTrial) {
            guard t.state == .complete || t.state == .pruned else { return }
            let names = Set(t.distributions.filter { !$0.value.isSingleValue }.keys)
            if finishedTrials > 0 && names != Set(space.names) { conditional = true }
            for n in names.sorted() where space[n] == nil { space.set(n, t.distributions[n]!) }
            finishedTrials += 1
        }
    }

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
        if o.conditional {
            return Decision(algorithm: .tpe, reason: "conditional space (parameters differ between trials): TPE models each group of co-occurring parameters")
        }
        if !categorical.isEmpty {
            return Decision(algorithm: .tpe, reason: "categorical parameters (\(categorical.joined(separator: ", "))): TPE has categorical kernels")
        }
        let b = budget.map { "budget \($0)" } ?? "unknown budget"
        if d <= 20 && (budget ?? 0) <= 300 {
            return Decision(algorithm: .gp, reason: "\(d) numeric dimensions, \(b): GP-BO is the most sample-efficient; three of every four trials refine the incumbent in a quadratic trust region once there are enough points")
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
        let before = (o.space, o.conditional, o.finishedTrials > 0)
        // Finished trials in a stable order; only those not seen yet (index = count read).
        let readSoFar = readCount[study.studyId, default: 0]
        let fresh = try study.finishedTrials(from: readSoFar)
        readCount[study.studyId] = readSoFar + fresh.count
        for t in fresh { o.ingest(t) }
        observed[study.studyId] = o
        var decision = current[study.studyId]
        var changed: Decision?
        if decision == nil || before != (o.space, o.conditional, o.finishedTrials > 0) {
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
        if a == .gp, trialNumber % 4 != 0, let tr = delegate(.trustRegion) as? TrustRegionSampler,
           o.finishedTrials >= tr.pointsNeeded(dimension: o.space.count)
        {
            a = .trustRegion
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
