// The `study { … }` table of a study script, checked and typed.
import Foundation
import HoneSearch

/// A sampler or pruner as a script names it: `"tpe"` or `{ "hyperband", min_resource = 1 }`.
public struct AlgorithmChoice: Equatable {
    public var name: String
    public var options: LuaTable

    public init(name: String, options: LuaTable = LuaTable()) {
        self.name = name
        self.options = options
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
    public var trials: Int?
    /// Seconds for the whole study (checked before each new trial).
    public var timeout: Double?
    public var jobs: Int
    public var storage: String?
    public var seed: UInt64?
    /// Per-call limits for this script's Lua: `limits = { memory_mb = 256, instructions = 2e9,
    /// seconds = 600 }` (0 for instructions or seconds: no limit).
    public var limits: ScriptLimits
    /// A declarative search space: `space = { lr = { "float", 1e-4, 1e-1, log = true }, … }`;
    /// its parameters are suggested before `objective(trial, params)` is called.
    public var space: [(name: String, spec: LuaTable)]

    public static func == (a: StudyConfiguration, b: StudyConfiguration) -> Bool {
        a.name == b.name && a.directions == b.directions && a.sampler == b.sampler && a.pruner == b.pruner
            && a.trials == b.trials && a.timeout == b.timeout && a.jobs == b.jobs && a.storage == b.storage
            && a.seed == b.seed && a.limits == b.limits && a.space.map(\.name) == b.space.map(\.name)
    }

    static let knownFields: Set<String> = ["name", "direction", "directions", "sampler", "pruner", "trials",
                                           "timeout", "jobs", "storage", "seed", "limits", "space"]

    init(_ table: LuaTable, defaultLimits: ScriptLimits) throws {
        try table.checkFields(Self.knownFields, in: "study { … }")
        name = try table.optional("name") { try $0.string($1) }
        if let many = try table.optional("directions", { try $0.table($1) }) {
            directions = try many.array.map { try Self.direction($0.string("each of 'directions' is")) }
        } else {
            directions = [try Self.direction(try table.optional("direction") { try $0.string($1) } ?? "minimize")]
        }
        if directions.isEmpty { throw ScriptError.badValue("study { directions = { … } } must name at least one direction") }
        sampler = try table["sampler"].isNil ? AlgorithmChoice(name: "random") : AlgorithmChoice(table["sampler"], what: "study { sampler = … }")
        pruner = try table["pruner"].isNil ? AlgorithmChoice(name: "none") : AlgorithmChoice(table["pruner"], what: "study { pruner = … }")
        trials = try table.optional("trials") { Int(try $0.integer($1)) }
        timeout = try table.optional("timeout") { try $0.number($1) }
        jobs = try table.optional("jobs") { Int(try $0.integer($1)) } ?? 1
        storage = try table.optional("storage") { try $0.string($1) }
        seed = try table.optional("seed") { UInt64(bitPattern: try $0.integer($1)) }
        limits = defaultLimits
        if let given = try table.optional("limits", { try $0.table($1) }) {
            try given.checkFields(["memory_mb", "instructions", "seconds"], in: "study { limits = … }")
            if let mb = try given.optional("memory_mb", { try $0.number($1) }) { limits.memoryBytes = Int(mb * 1_048_576) }
            // 0 means "no limit" for either.
            if let n = try given.optional("instructions", { try $0.integer($1) }) { limits.instructionsPerCall = n > 0 ? Int(n) : nil }
            if let s = try given.optional("seconds", { try $0.number($1) }) { limits.secondsPerCall = s > 0 ? s : nil }
        }
        space = try (table.optional("space") { try $0.table($1) }?.fields ?? [:]).sorted { $0.key < $1.key }.map {
            (name: $0.key, spec: try $0.value.table("space entry '\($0.key)' is"))
        }
        if let trials, trials < 0 { throw ScriptError.badValue("study { trials = \(trials) } must not be negative") }
        if jobs < 1 { throw ScriptError.badValue("study { jobs = \(jobs) } must be at least 1") }
    }

    private static func direction(_ text: String) throws -> StudyDirection {
        guard let direction = StudyDirection(rawValue: text.uppercased()) else {
            throw ScriptError.badValue("direction '\(text)' is not 'minimize' or 'maximize'")
        }
        return direction
    }
}
