// A Lua plugin: a script of registrations (hone.sampler, hone.pruner,
// hone.early_stopping, as in study scripts) whose rules become process-wide samplers and
// pruners. Like a study script, it is loaded into one Lua state per thread that uses it.
import Foundation
import HoneSearch

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

    public func sampler(_ name: String) -> Sampler { ScriptedSampler(name: name, source: self) }

    public func pruner(_ name: String) throws -> Pruner {
        if registrations.stoppingRules[name] != nil { return ScriptedPruner(name: name, kind: .stoppingRule, source: self) }
        guard registrations.pruners[name] != nil else { throw ScriptError.badValue("\(path) registers no pruner '\(name)'") }
        return ScriptedPruner(name: name, kind: .pruner, source: self)
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
