// NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist multiobjective
// genetic algorithm: NSGA-II", IEEE TEC 6(2)), with constrained domination (§VI).

import Foundation
import HoneTensor

/// The elitist non-dominated sorting genetic algorithm, for multi-objective studies (it
/// also runs single-objective ones).
///
/// - Generations: a trial is tagged (system attribute `nsga2:generation`) with the
///   generation current when it starts; a generation ends once `populationSize` of its
///   trials are COMPLETE. Generation 0 is sampled at random. The parents of generation
///   g + 1 are the `populationSize` best of (parents of g ∪ first `populationSize`
///   complete trials of g), ranked by (constrained) non-dominated sorting and, within the
///   last front admitted, by crowding distance (Deb et al. §III). Everything is rebuilt
///   from the tags of stored trials, so it survives process restarts and is shared by
///   workers.
/// - Offspring: two binary tournaments (lower rank, then larger crowding distance) pick
///   two parents; numeric dimensions in the unit cube get simulated binary crossover
///   (SBX, Deb & Agrawal 1995) with probability `crossoverProbability`, categoricals
///   uniform crossover; then polynomial mutation (Deb & Goyal 1996) with probability
///   1/d per numeric dimension and uniform resampling per categorical.
/// - Constraints: a trial's constraint values (≤ 0 is satisfied) come from
///   `Options.constraints`, else from its user attribute `constraints` (a number or an
///   array of numbers). Feasible beats infeasible, lower total violation beats higher,
///   and feasible trials compare by Pareto domination.
public final class NSGAIISampler: Sampler, @unchecked Sendable {
    public enum Crossover: Sendable {
        /// Simulated binary crossover with distribution index η (larger: children closer to parents).
        case sbx(eta: Double)
        /// Each coordinate from either parent with probability ½.
        case uniform
    }

    public struct Options: Sendable {
        public var populationSize: Int = 50
        public var crossover: Crossover = .sbx(eta: 15)
        public var crossoverProbability: Double = 0.9
        /// Per-dimension mutation probability; nil: 1/d.
        public var mutationProbability: Double?
        /// Distribution index of polynomial mutation.
        public var mutationEta: Double = 20
        /// Constraint values of a finished trial (each ≤ 0 when satisfied).
        public var constraints: (@Sendable (FrozenTrial) -> [Double])?
        /// Deterministic parallel mode: set to the number of workers n. Trial k's generation
        /// and parents then follow from exactly trials 0 … k − n (waiting until they are all
        /// finished), so a seeded study with `nJobs = n` repeats exactly. See `OrderedTrialReader`.
        public var deterministicParallelism: Int? = nil
        public init() {}
    }

    public let name = "nsga2"
    public let options: Options
    private let fallback = RandomSampler()
    private let lock = NSLock()
    /// One state per study.
    private var states: [Int64: NSGAIIState] = [:]
    private let window = DeterministicWindow()

    public static let generationKey = "nsga2:generation"

    /// Throws `StudyError.invalidArgument` naming the first option out of range.
    public init(options: Options = Options()) throws {
        let o = options
        try SettingCheck.require(o.populationSize >= 2 && o.populationSize <= AlgorithmOptions.maxInt, "NSGA-II", "populationSize",
                                 "in [2, \(AlgorithmOptions.maxInt)]", got: o.populationSize)
        try SettingCheck.require((0...1).contains(o.crossoverProbability), "NSGA-II", "crossoverProbability", "in [0, 1]",
                                 got: o.crossoverProbability)
        if let p = o.mutationProbability { try SettingCheck.require((0...1).contains(p), "NSGA-II", "mutationProbability", "in [0, 1]", got: p) }
        try SettingCheck.require(o.mutationEta >= 0 && o.mutationEta.isFinite, "NSGA-II", "mutationEta", "a finite number ≥ 0", got: o.mutationEta)
        if case .sbx(let eta) = o.crossover {
            try SettingCheck.require(eta >= 0 && eta.isFinite, "NSGA-II", "crossover eta", "a finite number ≥ 0", got: eta)
        }
        if let n = o.deterministicParallelism { try SettingCheck.require(n >= 1, "NSGA-II", "deterministicParallelism", "≥ 1", got: n) }
        self.options = options
    }

    public convenience init(populationSize: Int, constraints: (@Sendable (FrozenTrial) -> [Double])? = nil) throws {
        var o = Options(); o.populationSize = populationSize; o.constraints = constraints
        try self.init(options: o)
    }

    public func beforeTrial(study: StudyView, trial: Trial) throws {
        let s: NSGAIIState = {
            lock.lock(); defer { lock.unlock() }
            let s = states[study.studyId] ?? NSGAIIState(directions: study.directions, options: options)
            states[study.studyId] = s
            return s
        }()
        let cutoff = options.deterministicParallelism.map { DeterministicWindow.cutoff(trial: trial.number, workers: $0) }
        // Wait outside the lock: the trials waited for may still need it to sample.
        if let cutoff { try s.reader.waitUntilFinished(through: cutoff, study: study) }
        let generation: Int = try {
            lock.lock(); defer { lock.unlock() }
            if let cutoff { return try s.generation(through: cutoff, study: study) }
            try s.catchUp(study: study)
            return s.generation
        }()
        trial.setSystemAttribute(Self.generationKey, .number(Double(generation)))
    }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        // `searchable` drops single-valued distributions, fixed ones included.
        return try window.intersectionSearchSpace(for: trial, workers: options.deterministicParallelism, study: study).searchable
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        guard let g = trial.systemAttributes[Self.generationKey]?.intValue, g > 0 else { return [:] }
        let parents: NSGAIIState.RankedPopulation? = {
            lock.lock(); defer { lock.unlock() }
            return states[study.studyId]?.parents(ofGeneration: g)
        }()
        guard let parents else { return [:] }
        let pool = parents.members.indices.filter { i in searchSpace.names.allSatisfy { parents.members[i].params[$0] != nil } }
        guard !pool.isEmpty else { return [:] }
        var rng = trial.random(for: "nsga2")
        func tournament() -> FrozenTrial {
            let a = pool[rng.int(below: pool.count)], b = pool[rng.int(below: pool.count)]
            if parents.rank[a] != parents.rank[b] { return parents.members[parents.rank[a] < parents.rank[b] ? a : b] }
            if parents.crowding[a] != parents.crowding[b] { return parents.members[parents.crowding[a] > parents.crowding[b] ? a : b] }
            return parents.members[min(a, b)]
        }
        let p1 = tournament(), p2 = tournament()

        let encoding = UnitCubeEncoding(space: searchSpace, oneHot: false)
        var child = encoding.encode(p1.params) ?? []
        let other = encoding.encode(p2.params) ?? []
        let crossover = rng.uniform() < options.crossoverProbability
        if crossover, !child.isEmpty, other.count == child.count {
            switch options.crossover {
            case .sbx(let eta): child = Self.simulatedBinaryCrossover(child, other, eta: eta, rng: &rng)
            case .uniform: for i in child.indices where rng.uniform() < 0.5 { child[i] = other[i] }
            }
        }
        let dimensionCount = max(1, searchSpace.count)
        let pm = options.mutationProbability ?? 1 / Double(dimensionCount)
        for i in child.indices where rng.uniform() < pm {
            child[i] = Self.polynomialMutation(child[i], eta: options.mutationEta, rng: &rng)
        }
        var out = child.isEmpty ? [:] : encoding.decode(child)
        for (name, d) in searchSpace {
            guard case .categorical(let c) = d else { continue }
            var v = p1.params[name]!
            if crossover, rng.uniform() < 0.5 { v = p2.params[name]! }
            if rng.uniform() < pm { v = c.choices[rng.int(below: c.choices.count)] }
            out[name] = v
        }
        return out
    }

    /// SBX on [0, 1] (Deb & Agrawal 1995, bounded form of Deb's NSGA-II reference code):
    /// each coordinate crosses with probability ½; the spread factor β is drawn so children
    /// stay within bounds; one of the two children is returned (coordinates swapped at random).
    static func simulatedBinaryCrossover(_ a: [Double], _ b: [Double], eta: Double, rng: inout RandomGenerator) -> [Double] {
        var child = a
        for i in a.indices {
            guard rng.uniform() < 0.5, abs(a[i] - b[i]) > 1e-14 else { continue }
            let y1 = min(a[i], b[i]), y2 = max(a[i], b[i])
            let u = rng.uniform()
            func betaQ(_ beta: Double) -> Double {
                let alpha = 2 - pow(beta, -(eta + 1))
                return u <= 1 / alpha ? pow(u * alpha, 1 / (eta + 1)) : pow(1 / (2 - u * alpha), 1 / (eta + 1))
            }
            let c1 = 0.5 * ((y1 + y2) - betaQ(1 + 2 * y1 / (y2 - y1)) * (y2 - y1))
            let c2 = 0.5 * ((y1 + y2) + betaQ(1 + 2 * (1 - y2) / (y2 - y1)) * (y2 - y1))
            child[i] = min(max(rng.uniform() < 0.5 ? c1 : c2, 0), 1)
        }
        return child
    }

    /// Polynomial mutation on [0, 1] (Deb & Goyal 1996, bounded form of Deb's reference code).
    static func polynomialMutation(_ y: Double, eta: Double, rng: inout RandomGenerator) -> Double {
        let u = rng.uniform(), power = 1 / (eta + 1)
        let deltaQ: Double
        if u < 0.5 {
            let v = 2 * u + (1 - 2 * u) * pow(1 - y, eta + 1)
            deltaQ = pow(v, power) - 1
        } else {
            let v = 2 * (1 - u) + 2 * (u - 0.5) * pow(y, eta + 1)
            deltaQ = 1 - pow(v, power)
        }
        return min(max(y + deltaQ, 0), 1)
    }
}

/// The generations of an NSGA-II study, rebuilt incrementally from tagged trials.
final class NSGAIIState {
    struct RankedPopulation {
        var members: [FrozenTrial]
        /// Non-domination rank (0: first front).
        var rank: [Int]
        var crowding: [Double]
    }

    let directions: [StudyDirection]
    let options: NSGAIISampler.Options
    private(set) var generation = 0
    private var finishedRead = 0
    private var completeByGeneration: [Int: [FrozenTrial]] = [:]
    /// elites[g] = parents of generation g + 1.
    private var elites: [RankedPopulation] = []

    init(directions: [StudyDirection], options: NSGAIISampler.Options) {
        self.directions = directions; self.options = options
    }

    func parents(ofGeneration g: Int) -> RankedPopulation? { g >= 1 && g - 1 < elites.count ? elites[g - 1] : nil }

    /// Reads trials in number order for the deterministic parallel mode.
    let reader = OrderedTrialReader()
    /// generationEnds[g]: the number of the trial whose arrival ended generation g.
    private var generationEnds: [Int] = []

    /// Takes in every newly finished trial (in the order they finished).
    func catchUp(study: StudyView) throws {
        let fresh = try study.finishedTrials(from: finishedRead)
        finishedRead += fresh.count
        for t in fresh { ingest(t) }
    }

    /// Deterministic mode: the current generation as defined by exactly trials 0 … cutoff
    /// (all finished), taken in number order.
    func generation(through cutoff: Int, study: StudyView) throws -> Int {
        for t in try reader.read(through: cutoff, study: study) { ingest(t) }
        return generationEnds.filter { $0 <= cutoff }.count
    }

    /// Files a COMPLETE trial under its generation; a generation with `populationSize`
    /// complete trials ends, and its elite (the next parents) is selected.
    private func ingest(_ t: FrozenTrial) {
        guard t.state == .complete, t.values?.count == directions.count else { return }
        // Untagged trials (enqueued before the sampler ran, copied in) join generation 0.
        let g = t.systemAttrs[NSGAIISampler.generationKey]?.intValue ?? 0
        completeByGeneration[g, default: []].append(t)
        let p = options.populationSize
        while let members = completeByGeneration[generation], members.count >= p {
            let offspring = Array(members.sorted { $0.number < $1.number }.prefix(p))
            let pool = (elites.last?.members ?? []) + offspring
            elites.append(select(pool, count: p))
            completeByGeneration[generation] = nil
            generationEnds.append(t.number)
            generation += 1
        }
    }

    /// Objective vector to minimise.
    func objectives(_ t: FrozenTrial) -> [Double] {
        zip(t.values!, directions).map { $1 == .maximize ? -$0 : $0 }
    }

    /// Total constraint violation Σ max(0, c_i); 0 when the trial has no constraints.
    func violation(_ t: FrozenTrial) -> Double {
        let values: [Double]
        if let f = options.constraints {
            values = f(t)
        } else if let attr = t.userAttrs["constraints"] {
            switch attr {
            case .number(let x): values = [x]
            case .array(let a): values = a.map { $0.numberValue ?? .infinity }
            default: values = []
            }
        } else {
            values = []
        }
        return values.reduce(0) { $0 + ($1.isNaN ? .infinity : max(0, $1)) }
    }

    /// The best `count` of `pool`: whole fronts while they fit, then the last front by
    /// descending crowding distance (ties: lower trial number), Deb et al. §III-C.
    func select(_ pool: [FrozenTrial], count: Int) -> RankedPopulation {
        let objs = pool.map(objectives), viol = pool.map(violation)
        let fronts = NSGAII.nonDominatedSort(objs, violations: viol)
        var chosen: [Int] = [], rank: [Int] = [], crowding: [Double] = []
        for (r, front) in fronts.enumerated() {
            guard chosen.count < count else { break }
            let cd = NSGAII.crowdingDistance(front.map { objs[$0] })
            var order = Array(front.indices)
            if chosen.count + front.count > count {
                order.sort { cd[$0] != cd[$1] ? cd[$0] > cd[$1] : pool[front[$0]].number < pool[front[$1]].number }
                order = Array(order.prefix(count - chosen.count))
            }
            for k in order { chosen.append(front[k]); rank.append(r); crowding.append(cd[k]) }
        }
        return RankedPopulation(members: chosen.map { pool[$0] }, rank: rank, crowding: crowding)
    }
}

/// NSGA-II's building blocks, public for tools and tests.
public enum NSGAII {
    /// Constrained domination (Deb et al. 2002, §VI): feasible beats infeasible; of two
    /// infeasible, the smaller total violation wins; of two feasible, Pareto domination
    /// (all objectives minimised).
    public static func constrainedDominates(_ a: [Double], _ b: [Double], violationA: Double, violationB: Double) -> Bool {
        if violationA > 0 || violationB > 0 {
            if violationA == 0 { return true }
            if violationB == 0 { return false }
            return violationA < violationB
        }
        var better = false
        for i in a.indices {
            if a[i] > b[i] { return false }
            if a[i] < b[i] { better = true }
        }
        return better
    }

    /// Fast non-dominated sorting (Deb et al. 2002, §III-A): fronts of indices, best first,
    /// O(M N²).
    public static func nonDominatedSort(_ objectives: [[Double]], violations: [Double]? = nil) -> [[Int]] {
        let n = objectives.count
        let v = violations ?? [Double](repeating: 0, count: n)
        var dominated = [[Int]](repeating: [], count: n)   // S_p
        var dominationCount = [Int](repeating: 0, count: n)  // n_p
        var fronts: [[Int]] = [[]]
        for p in 0..<n {
            for q in (p + 1)..<max(p + 1, n) {
                if constrainedDominates(objectives[p], objectives[q], violationA: v[p], violationB: v[q]) {
                    dominated[p].append(q); dominationCount[q] += 1
                } else if constrainedDominates(objectives[q], objectives[p], violationA: v[q], violationB: v[p]) {
                    dominated[q].append(p); dominationCount[p] += 1
                }
            }
        }
        for p in 0..<n where dominationCount[p] == 0 { fronts[0].append(p) }
        var i = 0
        while !fronts[i].isEmpty {
            var next: [Int] = []
            for p in fronts[i] {
                for q in dominated[p] {
                    dominationCount[q] -= 1
                    if dominationCount[q] == 0 { next.append(q) }
                }
            }
            i += 1
            fronts.append(next.sorted())
        }
        fronts.removeLast()
        return fronts
    }

    /// Crowding distance within one front (Deb et al. 2002, §III-B): per objective, the
    /// normalised gap between each point's neighbours; boundary points get +∞.
    public static func crowdingDistance(_ front: [[Double]]) -> [Double] {
        let n = front.count
        var distance = [Double](repeating: 0, count: n)
        guard n > 2 else { return [Double](repeating: .infinity, count: n) }
        for m in front[0].indices {
            let order = (0..<n).sorted { front[$0][m] != front[$1][m] ? front[$0][m] < front[$1][m] : $0 < $1 }
            let lo = front[order[0]][m], hi = front[order[n - 1]][m]
            distance[order[0]] = .infinity; distance[order[n - 1]] = .infinity
            guard hi > lo else { continue }
            for k in 1..<(n - 1) {
                distance[order[k]] += (front[order[k + 1]][m] - front[order[k - 1]][m]) / (hi - lo)
            }
        }
        return distance
    }
}

/// The hypervolume indicator: the measure of the region dominated by a set of points and
/// bounded by a reference point (all objectives minimised).
public enum Hypervolume {
    /// Exact hypervolume. 2-D by one sweep (O(N log N)); higher dimensions by slicing
    /// along the last objective (HSO, While et al. 2006), fine for a few objectives.
    public static func compute(_ points: [[Double]], reference: [Double]) -> Double {
        let m = reference.count
        let inside = points.filter { p in p.count == m && zip(p, reference).allSatisfy { $0 < $1 } }
        guard !inside.isEmpty else { return 0 }
        switch m {
        case 1:
            return reference[0] - inside.map { $0[0] }.min()!
        case 2:
            let sorted = inside.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }
            var volume = 0.0, previousY = reference[1]
            for p in sorted where p[1] < previousY {
                volume += (reference[0] - p[0]) * (previousY - p[1])
                previousY = p[1]
            }
            return volume
        default:
            let sorted = inside.sorted { $0[m - 1] < $1[m - 1] }
            let lowerReference = Array(reference.prefix(m - 1))
            var volume = 0.0
            for i in sorted.indices {
                let top = i + 1 < sorted.count ? sorted[i + 1][m - 1] : reference[m - 1]
                let depth = top - sorted[i][m - 1]
                guard depth > 0 else { continue }
                volume += depth * compute(sorted[0...i].map { Array($0.prefix(m - 1)) }, reference: lowerReference)
            }
            return volume
        }
    }
}
