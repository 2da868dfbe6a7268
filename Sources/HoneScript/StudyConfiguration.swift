// The `study { … }` table of a study script, checked and typed.
import Foundation
import HoneSearch
import HoneTuning

/// A sampler or pruner as a script names it: `"tpe"` or `{ "hyperband", min_resource = 1 }`.
public struct AlgorithmChoice: Equatable {
    public var name: String
    public var options: LuaTable

    public init(name: String, options: LuaTable = LuaTable()) {
        self.name = name
        self.options = options
    }

    /// The options as JSON (the registry's and the spec layer's options).
    func jsonOptions() throws -> [String: JSONValue] {
        try options.fields.mapValues { try $0.jsonValue("option of '\(name)' is") }
    }

    /// {"name": …, <options>}: the JSON spec the registry and the spec layer read.
    func spec() throws -> JSONValue {
        var fields = try jsonOptions()
        fields["name"] = .string(name)
        return .object(fields)
    }

    init(_ value: LuaValue, what: String) throws {
        switch value {
        case let .string(name): self.init(name: name)
        case let .table(table):
            guard table.array.count == 1, case let .string(name) = table.array[0] else {
                throw ScriptError.badValue("\(what) must be a name or { \"name\", option = value, … }")
            }
            self.init(name: name, options: LuaTable(fields: table.fields))
        default:
            throw ScriptError.badValue("\(what) is \(value.shortDescription) (expected a name or { \"name\", options… })")
        }
    }
}

/// Everything `study { … }` can say. Command-line overrides replace fields after parsing.
public struct StudyConfiguration: Equatable {
    public var name: String?
    public var directions: [StudyDirection]
    public var sampler: AlgorithmChoice
    public var pruner: AlgorithmChoice
    /// A budget scheduler or PBT: `scheduler = { "hyperband", max_resource = 27 }` (the
    /// objective then reads `trial.work`); nil: plain trials.
    public var scheduler: AlgorithmChoice?
    public var trials: Int?
    /// Seconds for the whole study (checked before each new trial).
    public var timeout: Double?
    public var jobs: Int
    public var storage: String?
    public var seed: UInt64?
    /// `heartbeat_s = 30`: running trials heartbeat; stale ones of dead workers are failed.
    public var heartbeat: HeartbeatPolicy?
    /// `noisy_objective = true`: the study's best trial accounts for noise (`Study.noisyObjective`).
    public var noisyObjective = false
    /// Per-call limits for this script's Lua: `limits = { memory_mb = 256, instructions = 2e9,
    /// seconds = 600 }` (0 for instructions or seconds: no limit).
    public var limits: ScriptLimits
    /// A declarative search space: `space = { lr = { "float", 1e-4, 1e-1, log = true }, … }`;
    /// its parameters are suggested before `objective(trial, params)` is called.
    public var space: [(name: String, spec: LuaTable)]
    /// Seed the study with the finished trials of another: `warm_start = { study = "name",
    /// storage = "url" }` (storage defaults to this study's), or `warm_start = "name@url"`.
    public var warmStart: WarmStartSource?

    public static func == (a: StudyConfiguration, b: StudyConfiguration) -> Bool {
        a.name == b.name && a.directions == b.directions && a.sampler == b.sampler && a.pruner == b.pruner
            && a.scheduler == b.scheduler
            && a.trials == b.trials && a.timeout == b.timeout && a.jobs == b.jobs && a.storage == b.storage
            && a.seed == b.seed && a.heartbeat == b.heartbeat && a.noisyObjective == b.noisyObjective && a.limits == b.limits && a.space.map(\.name) == b.space.map(\.name)
            && a.warmStart == b.warmStart
    }

    static let knownFields: Set<String> = Set(StudySpec.keys).union(["name", "trials", "timeout", "jobs", "storage", "limits", "space", "warm_start"])

    init(_ table: LuaTable, defaultLimits: ScriptLimits) throws {
        try table.checkFields(Self.knownFields, in: "study { … }")
        name = try table.optional("name") { try $0.string($1) }
        // The keys every front end shares go through StudySpec (one reader, one set of
        // defaults and limits), with the algorithms written as the registry's JSON specs.
        scheduler = try table["scheduler"].isNil ? nil : AlgorithmChoice(table["scheduler"], what: "study { scheduler = … }")
        let givenSampler = try table["sampler"].isNil ? nil : AlgorithmChoice(table["sampler"], what: "study { sampler = … }")
        pruner = try table["pruner"].isNil ? AlgorithmChoice(name: "none") : AlgorithmChoice(table["pruner"], what: "study { pruner = … }")
        var shared: [String: JSONValue] = [:]
        for key in ["direction", "directions", "seed", "heartbeat_s", "noisy_objective"] where !table[key].isNil {
            shared[key] = try table[key].jsonValue("study { \(key) = … } is")
        }
        // Scripted samplers are not in the registry: only their names matter to the rule.
        if let givenSampler { shared["sampler"] = .string(givenSampler.name) }
        if let scheduler { shared["scheduler"] = try scheduler.spec() }
        let spec: StudySpec
        do {
            spec = try StudySpec(reading: AlgorithmOptions(shared, context: "study { … }"))
        } catch let StudyError.invalidArgument(message) {
            throw ScriptError.badValue(message)
        }
        directions = spec.directions ?? [.minimize]
        sampler = givenSampler ?? AlgorithmChoice(name: spec.sampler.stringValue ?? "auto")
        seed = spec.seed
        heartbeat = spec.heartbeat
        noisyObjective = spec.noisyObjective
        trials = try table.optional("trials") { Int(try $0.integer($1)) }
        timeout = try table.optional("timeout") { try $0.number($1) }
        jobs = try table.optional("jobs") { Int(try $0.integer($1)) } ?? 1
        storage = try table.optional("storage") { try $0.string($1) }
        limits = defaultLimits
        if let given = try table.optional("limits", { try $0.table($1) }) {
            try given.checkFields(["memory_mb", "instructions", "seconds"], in: "study { limits = … }")
            if let mb = try given.optional("memory_mb", { try $0.number($1) }) {
                // Checked before converting: Int(1e300 * 2^20) traps (bench/fuzz corpus: study-script/memory-mb-huge.lua).
                guard mb.isFinite, mb >= 0, mb <= 1_048_576 else {
                    throw ScriptError.badValue("study { limits = { memory_mb = \(mb) } } must be a number of megabytes in [0, 1048576]")
                }
                limits.memoryBytes = Int(mb * 1_048_576)
            }
            // 0 means "no limit" for either.
            if let n = try given.optional("instructions", { try $0.integer($1) }) { limits.instructionsPerCall = n > 0 ? Int(n) : nil }
            if let s = try given.optional("seconds", { try $0.number($1) }) { limits.secondsPerCall = s > 0 ? s : nil }
        }
        space = try (table.optional("space") { try $0.table($1) }?.fields ?? [:]).sorted { $0.key < $1.key }.map {
            (name: $0.key, spec: try $0.value.table("space entry '\($0.key)' is"))
        }
        switch table["warm_start"] {
        case .nil: warmStart = nil
        case let .string(text):
            do { warmStart = try WarmStartSource(parsing: text) } catch { throw ScriptError.badValue("study { warm_start = … }: \(error)") }
        case let .table(given):
            try given.checkFields(["study", "storage"], in: "study { warm_start = … }")
            guard let name = try given.optional("study", { try $0.string($1) }), !name.isEmpty else {
                throw ScriptError.badValue("study { warm_start = { … } } needs study = \"name\" (the study to start from)")
            }
            warmStart = WarmStartSource(study: name, storage: try given.optional("storage") { try $0.string($1) })
        case let other:
            throw ScriptError.badValue("study { warm_start = … } is \(other.shortDescription) (expected { study = \"name\", storage = \"url\" })")
        }
        if let trials, trials < 0 { throw ScriptError.badValue("study { trials = \(trials) } must not be negative") }
        if jobs < 1 { throw ScriptError.badValue("study { jobs = \(jobs) } must be at least 1") }
    }

    /// The search space `space = { … }` declares, every entry checked.
    public func declaredSpace() throws -> SearchSpace {
        var result = SearchSpace()
        for (name, spec) in space { result.set(name, try Self.distribution(name: name, spec: spec)) }
        return result
    }

    /// One entry of `space = { … }`: `{ "float", low, high, log = true, step = s }`,
    /// `{ "int", low, high, log = …, step = … }` or `{ "categorical", { choices… } }`.
    static func distribution(name: String, spec: LuaTable) throws -> Distribution {
        let what = "space entry '\(name)'"
        guard case let .string(kind)? = spec.array.first else {
            throw ScriptError.badValue("\(what) must start with \"float\", \"int\" or \"categorical\"")
        }
        let log = try spec.optional("log") { try $0.boolean($1) } ?? false
        let distribution: Distribution
        switch kind {
        case "float":
            distribution = .float(try spec[2].number("\(what): low is"), try spec[3].number("\(what): high is"),
                                  log: log, step: try spec.optional("step") { try $0.number($1) })
        case "int":
            distribution = .int(Int(try spec[2].integer("\(what): low is")), Int(try spec[3].integer("\(what): high is")), log: log,
                                step: Int(try spec.optional("step") { try $0.integer($1) } ?? 1))
        case "categorical":
            distribution = .categorical(try spec[2].table("\(what): choices are").array.map { try $0.parameterValue("\(what): a choice is") })
        default:
            throw ScriptError.badValue("\(what) has type '\(kind)' (expected float, int or categorical)")
        }
        try distribution.validate(name: name)
        return distribution
    }

}
