// Samplers and pruners by name, with options as a JSON object: the one lookup the C API,
// the CLI, Lua scripts and plugins share, so a name means the same thing everywhere and
// a plugin's sampler is usable from all of them once registered.

import Foundation

public final class AlgorithmRegistry: @unchecked Sendable {
    public typealias SamplerFactory = @Sendable (_ options: AlgorithmOptions) throws -> Sampler
    public typealias PrunerFactory = @Sendable (_ options: AlgorithmOptions) throws -> Pruner

    /// The process-wide registry (plugins register here).
    public static let shared = AlgorithmRegistry()

    private let lock = NSLock()
    private var samplers: [String: SamplerFactory] = [:]
    private var pruners: [String: PrunerFactory] = [:]
    private let builtinSamplerNames: Set<String>
    private let builtinPrunerNames: Set<String>

    public init() {
        samplers = Self.builtinSamplers
        pruners = Self.builtinPruners
        builtinSamplerNames = Set(samplers.keys)
        builtinPrunerNames = Set(pruners.keys)
    }

    public var samplerNames: [String] { lock.lock(); defer { lock.unlock() }; return samplers.keys.sorted() }
    public var prunerNames: [String] { lock.lock(); defer { lock.unlock() }; return pruners.keys.sorted() }
    public var schedulerNames: [String] { Self.builtinSchedulers.keys.sorted() }

    /// Adds a sampler. Built-in names cannot be replaced; a name registered earlier can be
    /// only with `replace` (reloading a plugin).
    public func registerSampler(_ name: String, replace: Bool = false, _ factory: @escaping SamplerFactory) throws {
        try Self.checkName(name, kind: "sampler", builtins: builtinSamplerNames)
        lock.lock(); defer { lock.unlock() }
        guard replace || samplers[name] == nil else { throw StudyError.invalidArgument("sampler '\(name)' is already registered") }
        samplers[name] = factory
    }

    public func registerPruner(_ name: String, replace: Bool = false, _ factory: @escaping PrunerFactory) throws {
        try Self.checkName(name, kind: "pruner", builtins: builtinPrunerNames)
        lock.lock(); defer { lock.unlock() }
        guard replace || pruners[name] == nil else { throw StudyError.invalidArgument("pruner '\(name)' is already registered") }
        pruners[name] = factory
    }

    public func hasSampler(_ name: String) -> Bool { lock.lock(); defer { lock.unlock() }; return samplers[name] != nil }
    public func hasPruner(_ name: String) -> Bool { lock.lock(); defer { lock.unlock() }; return pruners[name] != nil }

    /// Builds the sampler `name`; unknown names and unknown or ill-typed options are errors
    /// that name them.
    public func sampler(_ name: String, options: [String: JSONValue] = [:]) throws -> Sampler {
        lock.lock(); let factory = samplers[name]; lock.unlock()
        guard let factory else {
            throw StudyError.invalidArgument("unknown sampler '\(name)' (known: \(samplerNames.joined(separator: ", ")))")
        }
        let o = AlgorithmOptions(options, context: "sampler '\(name)'")
        let sampler = try factory(o)
        try o.checkAllUsed()
        return sampler
    }

    public func pruner(_ name: String, options: [String: JSONValue] = [:]) throws -> Pruner {
        lock.lock(); let factory = pruners[name]; lock.unlock()
        guard let factory else {
            throw StudyError.invalidArgument("unknown pruner '\(name)' (known: \(prunerNames.joined(separator: ", ")))")
        }
        let o = AlgorithmOptions(options, context: "pruner '\(name)'")
        let pruner = try factory(o)
        try o.checkAllUsed()
        return pruner
    }

    /// Reads `"tpe"` or `{"name": "tpe", …options}` (the shape options JSON and Lua use).
    public func sampler(spec: JSONValue) throws -> Sampler {
        let (name, options) = try Self.split(spec, kind: "sampler")
        return try sampler(name, options: options)
    }

    public func pruner(spec: JSONValue) throws -> Pruner {
        let (name, options) = try Self.split(spec, kind: "pruner")
        return try pruner(name, options: options)
    }

    /// Builds the scheduler `spec` names (`"hyperband"` or `{"name": "hyperband", …}`):
    /// a fresh one each time, as schedulers keep the state of one optimize run.
    public func scheduler(spec: JSONValue) throws -> TrialScheduler {
        let (name, options) = try Self.split(spec, kind: "scheduler")
        guard let factory = Self.builtinSchedulers[name] else {
            throw StudyError.invalidArgument("unknown scheduler '\(name)' (known: \(schedulerNames.joined(separator: ", ")))")
        }
        let o = AlgorithmOptions(options, context: "scheduler '\(name)'")
        let scheduler = try factory(o)
        try o.checkAllUsed()
        return scheduler
    }

    /// The sampler a study uses given what its options say of sampler and scheduler
    /// (the one default rule of every front end): the scheduler `bohb` is Hyperband with
    /// the `bohb` sampler, which is then the default and the only sampler it takes;
    /// otherwise `auto`.
    public static func samplerSpec(sampler: JSONValue?, scheduler: JSONValue?) throws -> JSONValue {
        let schedulerName = try scheduler.map { try split($0, kind: "scheduler").0 }
        guard schedulerName == "bohb" else { return sampler ?? .string("auto") }
        guard let sampler else { return .string("bohb") }
        guard try split(sampler, kind: "sampler").0 == "bohb" else {
            throw StudyError.invalidArgument("scheduler 'bohb' is Hyperband with the 'bohb' sampler: leave \"sampler\" out or make it \"bohb\", "
                + "or use scheduler 'hyperband' with sampler \(sampler.jsonText)")
        }
        return sampler
    }

    private static func split(_ spec: JSONValue, kind: String) throws -> (String, [String: JSONValue]) {
        switch spec {
        case .string(let name): return (name, [:])
        case .object(var o):
            guard let name = o.removeValue(forKey: "name")?.stringValue else {
                throw StudyError.invalidArgument("\(kind): an object needs a string field \"name\", got \(spec.jsonText)")
            }
            return (name, o)
        default:
            throw StudyError.invalidArgument("\(kind): expected a name or an object with \"name\", got \(spec.jsonText)")
        }
    }

    private static func checkName(_ name: String, kind: String, builtins: Set<String>) throws {
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            throw StudyError.invalidArgument("\(kind) name '\(name)': use 1–128 letters, digits, '_', '-' or '.'")
        }
        guard !builtins.contains(name) else {
            throw StudyError.invalidArgument("\(kind) '\(name)' is built in and cannot be replaced")
        }
    }

    // MARK: Built-ins

    private static let builtinSamplers: [String: SamplerFactory] = [
        "random": { _ in RandomSampler() },
        "grid": { o in try gridSampler(o) },
        "sobol": { o in SobolSampler(scramble: try o.bool("scramble") ?? true) },
        "auto": { o in AutoSampler(budget: try o.int("budget", min: 1), deterministicParallelism: try o.int("deterministic_parallelism", min: 1)) },
        "tpe": { o in
            var t = TPESampler.Options()
            if let n = try o.int("n_startup_trials", min: 0) { t.nStartupTrials = n }
            if let n = try o.int("n_ei_candidates", min: 1) { t.nEICandidates = n }
            if let b = try o.bool("multivariate") { t.multivariate = b }
            if let b = try o.bool("group") { t.group = b }
            if let b = try o.bool("constant_liar") { t.constantLiar = b }
            if let w = try o.number("prior_weight", atLeast: 0) { t.priorWeight = w }
            if let b = try o.bool("consider_magic_clip") { t.considerMagicClip = b }
            if let b = try o.bool("consider_endpoints") { t.considerEndpoints = b }
            if let s = try o.string("startup") {
                guard let v = TPESampler.StartupSampler(rawValue: s) else {
                    throw StudyError.invalidArgument("sampler 'tpe': option \"startup\" must be \"sobol\" or \"random\", got \"\(s)\"")
                }
                t.startup = v
            }
            if let s = try o.string("bandwidths") {
                guard let v = TPESampler.Bandwidths(rawValue: s) else {
                    throw StudyError.invalidArgument("sampler 'tpe': option \"bandwidths\" must be \"shared\" or \"per_side\", got \"\(s)\"")
                }
                t.bandwidths = v
            }
            if let s = try o.string("failed_trials") {
                guard let v = TPESampler.FailedTrials(rawValue: s) else {
                    throw StudyError.invalidArgument("sampler 'tpe': option \"failed_trials\" must be \"worst\" or \"ignore\", got \"\(s)\"")
                }
                t.failedTrials = v
            }
            t.deterministicParallelism = try o.int("deterministic_parallelism", min: 1)
            return TPESampler(options: t)
        },
        "gp": { o in
            var g = GPSampler.Options()
            if let n = try o.int("n_startup_trials", min: 1) { g.startupTrials = n }
            if let b = try o.bool("conditional") { g.conditional = b }
            if let b = try o.bool("failed_trials_as_worst") { g.failedTrialsAsWorst = b }
            g.deterministicParallelism = try o.int("deterministic_parallelism", min: 1)
            return GPSampler(options: g)
        },
        "trust-region": { o in
            var t = TrustRegionSampler.Options()
            if let n = try o.int("n_startup_trials", min: 1) { t.startupTrials = n }
            t.deterministicParallelism = try o.int("deterministic_parallelism", min: 1)
            return TrustRegionSampler(options: t)
        },
        "cmaes": { o in
            var c = CMAESSampler.Options()
            c.populationSize = try o.int("population_size", min: 2)
            if let s = try o.number("sigma0", above: 0) { c.initialSigma = s }
            if let b = try o.bool("restarts") { c.restarts = b }
            c.deterministicParallelism = try o.int("deterministic_parallelism", min: 1)
            return CMAESSampler(options: c)
        },
        "bohb": { o in
            try BOHBSampler(randomFraction: try o.number("random_fraction", atLeast: 0) ?? 1.0 / 3,
                            topFraction: try o.number("top_fraction", above: 0) ?? 0.15,
                            candidates: try o.int("n_candidates", min: 1) ?? 64,
                            bandwidthFactor: try o.number("bandwidth_factor", above: 0) ?? 3,
                            minBandwidth: try o.number("min_bandwidth", above: 0) ?? 1e-3,
                            minPoints: try o.int("min_points", min: 1))
        },
        "nsga2": { o in
            var n = NSGAIISampler.Options()
            if let p = try o.int("population_size", min: 2) { n.populationSize = p }
            n.deterministicParallelism = try o.int("deterministic_parallelism", min: 1)
            return try NSGAIISampler(options: n)
        },
    ]

    /// `{"search_space": {"name": [values…], …}}` (Optuna's GridSampler). A JSON number
    /// without a fraction is an int value (the grid hands it to a float parameter as a float).
    private static func gridSampler(_ o: AlgorithmOptions) throws -> Sampler {
        guard let raw = o.raw("search_space") else {
            throw StudyError.invalidArgument("sampler 'grid' needs \"search_space\": an object of parameter name → list of values")
        }
        guard case .object(let space) = raw else {
            throw StudyError.invalidArgument("sampler 'grid': option \"search_space\" must be an object of name → list of values, got \(raw.jsonText)")
        }
        var grid: [String: [ParamValue]] = [:]
        for (name, list) in space {
            guard case .array(let items) = list else {
                throw StudyError.invalidArgument("sampler 'grid': search_space[\"\(name)\"] must be a list of values, got \(list.jsonText)")
            }
            grid[name] = try items.map { item in
                guard let value = ParamValue(json: item) else {
                    throw StudyError.invalidArgument("sampler 'grid': search_space[\"\(name)\"] holds \(item.jsonText); values are finite numbers, strings, booleans or null")
                }
                return value
            }
        }
        return try GridSampler(grid)
    }

    private static let builtinPruners: [String: PrunerFactory] = [
        "none": { _ in NopPruner() },
        "median": { o in
            try MedianPruner(nStartupTrials: try o.int("n_startup_trials", min: 0) ?? 5,
                         nWarmupSteps: try o.int("n_warmup_steps", min: 0) ?? 0,
                         intervalSteps: try o.int("interval_steps", min: 1) ?? 1,
                         nMinTrials: try o.int("n_min_trials", min: 1) ?? 1)
        },
        "percentile": { o in
            guard let p = try o.number("percentile", above: 0), p <= 100 else {
                throw StudyError.invalidArgument("pruner 'percentile' needs \"percentile\" in (0, 100]")
            }
            return try PercentilePruner(percentile: p, nStartupTrials: try o.int("n_startup_trials", min: 0) ?? 5,
                                    nWarmupSteps: try o.int("n_warmup_steps", min: 0) ?? 0,
                                    intervalSteps: try o.int("interval_steps", min: 1) ?? 1,
                                    nMinTrials: try o.int("n_min_trials", min: 1) ?? 1)
        },
        "threshold": { o in
            let lower = try o.number("lower"), upper = try o.number("upper")
            guard lower != nil || upper != nil else {
                throw StudyError.invalidArgument("pruner 'threshold' needs \"lower\" or \"upper\"")
            }
            return try ThresholdPruner(lower: lower, upper: upper, nWarmupSteps: try o.int("n_warmup_steps", min: 0) ?? 0)
        },
        "patience": { o in
            guard let p = try o.int("patience", min: 1) else {
                throw StudyError.invalidArgument("pruner 'patience' needs \"patience\" (steps without improvement, ≥ 1)")
            }
            return try PatiencePruner(patience: p, minDelta: try o.number("min_delta", atLeast: 0) ?? 0)
        },
        "hyperband": { o in
            // Optuna's default: max_resource "auto" (learnt from the first completed trial).
            if o.raw("max_resource") == nil || o.raw("max_resource") == .string("auto") {
                return try AutoResourceHyperbandPruner(minResource: try o.int("min_resource", min: 1) ?? 1,
                                                       reductionFactor: try o.int("reduction_factor", min: 2) ?? 3)
            }
            let (r, R, eta) = try budgets(o, "hyperband")
            return try HyperbandPruner(minResource: r, maxResource: R, reductionFactor: eta)
        },
        "paired_fold": { o in
            try PairedFoldPruner(alpha: try o.number("alpha", above: 0) ?? 0.05, minFolds: try o.int("min_folds", min: 2) ?? 3)
        },
        "asha": { o in
            let (r, R, eta) = try budgets(o, "asha")
            return try ASHAPruner(minResource: r, reductionFactor: eta, maxResource: R)
        },
    ]

    public typealias SchedulerFactory = @Sendable (_ options: AlgorithmOptions) throws -> TrialScheduler

    /// Resources are in the objective's unit (epochs, steps, shares of the data); the
    /// objective reads them from `trial.work`.
    private static let builtinSchedulers: [String: SchedulerFactory] = [
        "successive_halving": { o in
            let (r, R, eta) = try budgets(o, "successive_halving", kind: "scheduler")
            guard let n = try o.int("n_configurations", min: 1) else {
                throw StudyError.invalidArgument("scheduler 'successive_halving' needs \"n_configurations\" (configurations in its first rung)")
            }
            return .budget(try SuccessiveHalvingScheduler(configurations: n, minResource: Double(r), maxResource: Double(R), reductionFactor: eta))
        },
        "hyperband": { o in
            let (r, R, eta) = try budgets(o, "hyperband", kind: "scheduler")
            return .budget(try HyperbandScheduler(minResource: Double(r), maxResource: Double(R), reductionFactor: eta,
                                                  iterations: try o.int("iterations", min: 1)))
        },
        "bohb": { o in
            let (r, R, eta) = try budgets(o, "bohb", kind: "scheduler")
            return .budget(try HyperbandScheduler(minResource: Double(r), maxResource: Double(R), reductionFactor: eta,
                                                  iterations: try o.int("iterations", min: 1), name: "bohb"))
        },
        "asha": { o in
            let (r, R, eta) = try budgets(o, "asha", kind: "scheduler")
            return .budget(try ASHAScheduler(minResource: Double(r), maxResource: Double(R), reductionFactor: eta))
        },
        "pbt": { o in
            let rules = try pbtRules(o)
            return .pbt(try PopulationBasedTraining(
                populationSize: try required(o, "population_size", "members training side by side, ≥ 2"),
                generations: try required(o, "generations", "segments each member trains"),
                stepsPerGeneration: try required(o, "steps_per_generation", "steps between exploit/explore"),
                truncation: rules.truncation, perturbFactors: rules.perturbFactors,
                resampleProbability: rules.resampleProbability, explored: rules.explored))
        },
        "async_pbt": { o in
            let rules = try pbtRules(o)
            return .asyncPBT(try AsynchronousPBT(
                populationSize: try required(o, "population_size", "members training side by side, ≥ 2"),
                totalSteps: try required(o, "total_steps", "steps each member trains in all"),
                stepsPerReady: try required(o, "steps_per_ready", "steps between exploit/explore"),
                truncation: rules.truncation, perturbFactors: rules.perturbFactors,
                resampleProbability: rules.resampleProbability, explored: rules.explored,
                maxConsecutiveFailures: try o.int("max_consecutive_failures", min: 1) ?? 3,
                maxSegmentsPerMember: try o.int("max_segments_per_member", min: 1),
                minimumReported: try o.int("minimum_reported", min: 2)))
        },
    ]

    /// The exploit/explore options both PBT schedulers take (the paper's defaults).
    private static func pbtRules(_ o: AlgorithmOptions) throws
        -> (truncation: Double, perturbFactors: [Double], resampleProbability: Double, explored: Set<String>?) {
        (try o.number("truncation", above: 0) ?? 0.2, try o.numbers("perturb_factors") ?? [0.8, 1.2],
         try o.number("resample_probability", atLeast: 0) ?? 0.25, try o.strings("explored").map(Set.init))
    }

    /// An integer option ≥ 1 the algorithm cannot do without.
    private static func required(_ o: AlgorithmOptions, _ key: String, _ what: String) throws -> Int {
        guard let v = try o.int(key, min: 1) else { throw StudyError.invalidArgument("\(o.context) needs \"\(key)\" (\(what))") }
        return v
    }

    private static func budgets(_ o: AlgorithmOptions, _ name: String, kind: String = "pruner") throws -> (Int, Int, Int) {
        let r = try o.int("min_resource", min: 1) ?? 1
        let eta = try o.int("reduction_factor", min: 2) ?? 3
        guard let R = try o.int("max_resource", min: 1) else {
            throw StudyError.invalidArgument("\(kind) '\(name)' needs \"max_resource\" (the most epochs a trial trains)")
        }
        guard R >= r else {
            throw StudyError.invalidArgument("\(kind) '\(name)': max_resource \(R) is below min_resource \(r)")
        }
        return (r, R, eta)
    }
}

/// An algorithm's options: typed reads that name the option and the algorithm on error,
/// and a final check that no option was misspelt (an unknown key is an error, not ignored).
public final class AlgorithmOptions {
    public let values: [String: JSONValue]
    public let context: String
    private var used: Set<String> = []

    public init(_ values: [String: JSONValue], context: String) {
        self.values = values
        self.context = context
    }

    public func raw(_ key: String) -> JSONValue? {
        used.insert(key)
        if case .null? = values[key] { return nil }
        return values[key]
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = raw(key) else { return nil }
        guard let b = v.boolValue else { throw bad(key, "true or false", v) }
        return b
    }

    /// No count, size or budget of an algorithm comes near this; a larger value (from C,
    /// JSON or Lua) would only exhaust memory or time, so it is refused.
    public static let maxInt = 1_000_000

    public func int(_ key: String, min: Int? = nil, max: Int = AlgorithmOptions.maxInt) throws -> Int? {
        guard let v = raw(key) else { return nil }
        guard let i = v.intValue else { throw bad(key, "an integer", v) }
        if let min, i < min || i > max { throw bad(key, "an integer in [\(min), \(max)]", v) }
        if i > max { throw bad(key, "an integer ≤ \(max)", v) }
        return i
    }

    public func number(_ key: String, above: Double? = nil, atLeast: Double? = nil) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard let x = v.numberValue, x.isFinite else { throw bad(key, "a finite number", v) }
        if let above, !(x > above) { throw bad(key, "a number > \(above)", v) }
        if let atLeast, !(x >= atLeast) { throw bad(key, "a number ≥ \(atLeast)", v) }
        return x
    }

    public func string(_ key: String) throws -> String? {
        guard let v = raw(key) else { return nil }
        guard let s = v.stringValue else { throw bad(key, "a string", v) }
        return s
    }

    /// A finite number in `range`.
    public func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let v = raw(key) else { return nil }
        guard let x = v.numberValue, x.isFinite, range.contains(x) else {
            throw bad(key, "a number in [\(range.lowerBound), \(range.upperBound)]", v)
        }
        return x
    }

    /// A list of at most 1024 integers in [min, max].
    public func ints(_ key: String, min: Int, max: Int = 1 << 20) throws -> [Int]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v, items.count <= 1024 else { throw bad(key, "an array of integers", v) }
        return try items.map {
            guard let i = $0.intValue, i >= min, i <= max else { throw bad(key, "an array of integers in [\(min), \(max)]", v) }
            return i
        }
    }

    /// A list of finite numbers.
    public func numbers(_ key: String) throws -> [Double]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v, !items.isEmpty,
              let xs = Optional(items.compactMap(\.numberValue)), xs.count == items.count, xs.allSatisfy(\.isFinite) else {
            throw bad(key, "a non-empty list of finite numbers", v)
        }
        return xs
    }

    /// A list of strings.
    public func strings(_ key: String) throws -> [String]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v, let ss = Optional(items.compactMap(\.stringValue)), ss.count == items.count else {
            throw bad(key, "a list of strings", v)
        }
        return ss
    }

    public func checkAllUsed() throws {
        let unknown = Set(values.keys).subtracting(used).sorted()
        guard unknown.isEmpty else {
            let known = used.sorted()
            throw StudyError.invalidArgument("\(context): unknown option\(unknown.count > 1 ? "s" : "") \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))"
                + (known.isEmpty ? " (it takes none)" : " (it takes \(known.joined(separator: ", ")))"))
        }
    }

    private func bad(_ key: String, _ expected: String, _ got: JSONValue) -> StudyError {
        .invalidArgument("\(context): \"\(key)\" must be \(expected), got \(got.jsonText.prefix(80))")
    }
}
