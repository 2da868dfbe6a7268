// A Lua plugin: a script of registrations (hone.sampler, hone.pruner,
// hone.early_stopping, as in study scripts) whose rules become process-wide samplers and
// pruners. Like a study script, it is loaded into one Lua state per thread that uses it.
import Foundation
import HoneSearch
import HoneTensor

public final class LuaPlugin: ScriptWorkerSource, @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var workers: [pthread_t: ScriptWorker] = [:]
    private let registrations: ScriptRegistrations

    public init(path: String, limits: ScriptLimits = ScriptLimits()) throws {
        self.path = path
        let first = try ScriptWorker(path: path, limits: limits, readableDirectories: [], budget: TrainingBudget())
        guard first.registrations.study == nil else {
            throw ScriptError(kind: .runtime, message: "\(path) is a study script (it has study { … }), not a plugin of registrations")
        }
        registrations = first.registrations
        guard !(registrations.samplers.isEmpty && registrations.pruners.isEmpty && registrations.stoppingRules.isEmpty) else {
            throw ScriptError(kind: .runtime, message: "\(path) registers nothing (use hone.sampler, hone.pruner or hone.early_stopping)")
        }
        workers[pthread_self()] = first
    }

    public var samplerNames: [String] { registrations.samplers.keys.sorted() }
    public var prunerNames: [String] { (registrations.pruners.keys.sorted() + registrations.stoppingRules.keys.sorted()) }

    public func sampler(_ name: String) -> Sampler { LuaPluginSampler(name: name, plugin: self) }

    public func pruner(_ name: String) throws -> Pruner {
        if registrations.stoppingRules[name] != nil { return LuaPluginPruner(name: name, kind: .stoppingRule, plugin: self) }
        guard registrations.pruners[name] != nil else { throw ScriptError.badValue("\(path) registers no pruner '\(name)'") }
        return LuaPluginPruner(name: name, kind: .pruner, plugin: self)
    }

    func worker() throws -> ScriptWorker {
        lock.lock()
        if let existing = workers[pthread_self()] { lock.unlock(); return existing }
        lock.unlock()
        let worker = try ScriptWorker(path: path, limits: ScriptLimits(), readableDirectories: [], budget: TrainingBudget())
        lock.lock(); workers[pthread_self()] = worker; lock.unlock()
        return worker
    }
}

/// A plugin's Lua sampler. Unlike a study script's, it does not run in the objective's
/// state, which seeds math.random per trial; so each call seeds it from the trial's own
/// stream, and a seeded study repeats whatever thread runs the trial.
final class LuaPluginSampler: Sampler, @unchecked Sendable {
    let name: String
    private let plugin: LuaPlugin

    init(name: String, plugin: LuaPlugin) {
        self.name = name
        self.plugin = plugin
    }

    func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        try study.intersectionSearchSpace()
    }

    func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        guard !searchSpace.isEmpty else { return [:] }
        return try seeded(trial, "relative").sample(name, space: searchSpace, study: study)
    }

    func sampleIndependent(study: StudyView, trial: Trial, name parameter: String, distribution: Distribution) throws -> ParamValue {
        let values = try seeded(trial, parameter).sample(name, space: SearchSpace([parameter: distribution]), study: study)
        guard let value = values[parameter] else {
            throw ScriptError.badValue("sampler '\(name)' returned no value for '\(parameter)'")
        }
        return value
    }

    private func seeded(_ trial: Trial, _ key: String) throws -> ScriptWorker {
        let worker = try plugin.worker()
        var random = trial.random(for: "lua-plugin:\(name):\(key)")
        try worker.host.seedRandom(Int64(bitPattern: random.next()))
        return worker
    }
}

/// A plugin's Lua pruner or early-stopping rule, with math.random seeded per call from
/// the study seed, the trial and its number of reports.
final class LuaPluginPruner: Pruner, @unchecked Sendable {
    let name: String
    private let kind: ScriptedPruner.Kind
    private let plugin: LuaPlugin

    init(name: String, kind: ScriptedPruner.Kind, plugin: LuaPlugin) {
        self.name = name
        self.kind = kind
        self.plugin = plugin
    }

    func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        let worker = try plugin.worker()
        var random = RandomGenerator.derived(seed: study.seed, UInt64(trial.number), stableHash("lua-plugin-pruner:\(name)"),
                                             UInt64(trial.intermediateValues.count))
        try worker.host.seedRandom(Int64(bitPattern: random.next()))
        switch kind {
        case .stoppingRule: return try worker.applyStoppingRule(name, trial: trial, study: study)
        case .pruner: return try worker.applyPruner(name, trial: trial, study: study)
        }
    }
}
