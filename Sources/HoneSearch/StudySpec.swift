// What every front end says about a study, read in one place with one set of defaults and
// limits: hone_study_open's options JSON (C, and Python through it), a Lua script's
// `study { … }` (and so `hone tune`). Each front end hands its options to
// `StudySpec(reading:)`, reads the keys that are its own (C: "mode"; Lua: trials, jobs,
// storage, …) from the same `AlgorithmOptions`, then calls `checkAllUsed()`, so an unknown
// or misspelt key is an error naming it everywhere.

import Foundation

public struct StudySpec: Equatable, Sendable {
    /// nil: an existing study keeps its own; a new one minimizes one objective.
    public var directions: [StudyDirection]?
    public var sampler: JSONValue
    public var pruner: JSONValue
    /// A budget scheduler or PBT (AlgorithmRegistry.scheduler(spec:)); nil: plain trials.
    public var scheduler: JSONValue?
    /// nil: from the clock (not repeatable).
    public var seed: UInt64?
    public var heartbeat: HeartbeatPolicy?
    /// "noisy_objective": best trial / value / params account for noise (`Study.noisyObjective`).
    public var noisyObjective = false

    /// The study keys every front end shares.
    public static let keys = ["direction", "directions", "sampler", "pruner", "scheduler", "seed", "heartbeat_s",
                              "noisy_objective"]

    /// The defaults: auto sampler, no pruner, no scheduler.
    public init() {
        sampler = .string("auto")
        pruner = .string("none")
    }

    /// Reads `keys` from `o` (marking them used). Algorithms are checked by name and
    /// options here, so a bad one fails before any study is opened.
    public init(reading o: AlgorithmOptions, registry: AlgorithmRegistry = .shared) throws {
        self.init()
        func direction(_ v: JSONValue, _ key: String) throws -> StudyDirection {
            switch v.stringValue {
            case "minimize": return .minimize
            case "maximize": return .maximize
            default: throw StudyError.invalidArgument("\(o.context): \"\(key)\" must be \"minimize\" or \"maximize\", got \(v.jsonText.prefix(80))")
            }
        }
        let one = o.raw("direction"), many = o.raw("directions")
        if one != nil, many != nil {
            throw StudyError.invalidArgument("\(o.context): give \"direction\" or \"directions\", not both")
        }
        if let one { directions = [try direction(one, "direction")] }
        if let many {
            guard case .array(let a) = many, !a.isEmpty, a.count <= 64 else {
                throw StudyError.invalidArgument("\(o.context): \"directions\" must be an array of 1 to 64 \"minimize\" / \"maximize\", got \(many.jsonText.prefix(80))")
            }
            directions = try a.map { try direction($0, "directions") }
        }
        scheduler = o.raw("scheduler")
        if let scheduler { _ = try registry.scheduler(spec: scheduler) }
        sampler = try AlgorithmRegistry.samplerSpec(sampler: o.raw("sampler"), scheduler: scheduler)
        if let p = o.raw("pruner") { pruner = p }
        if let v = o.raw("seed") {
            guard let i = v.intValue, i >= 0 else {
                throw StudyError.invalidArgument("\(o.context): \"seed\" must be an integer ≥ 0 (below 2^53), got \(v.jsonText.prefix(80))")
            }
            seed = UInt64(i)
        }
        if let v = o.raw("heartbeat_s") {
            guard let x = v.numberValue, x.isFinite, x > 0, x <= 86_400 else {
                throw StudyError.invalidArgument("\(o.context): \"heartbeat_s\" must be a number of seconds in (0, 86400], got \(v.jsonText.prefix(80))")
            }
            heartbeat = HeartbeatPolicy(interval: x)
        }
        if let v = o.raw("noisy_objective") {
            guard case .bool(let b) = v else {
                throw StudyError.invalidArgument("\(o.context): \"noisy_objective\" must be true or false, got \(v.jsonText.prefix(80))")
            }
            noisyObjective = b
        }
    }
}
