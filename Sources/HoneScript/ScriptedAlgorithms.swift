// Samplers and pruners by name: the built-in ones, and those a script registers
// (hone.sampler, hone.early_stopping, hone.pruner) behind HoneSearch's protocols.
//
// A scripted rule lives in every worker's Lua state (each loaded the same script), so the
// adapters are shared by all threads like any sampler, and call the rule in the state of
// the thread that calls them. They keep the StudyScript (and so its states) alive for as
// long as the study they belong to.
import Foundation
import HoneSearch

/// Gives the calling thread's worker (creating it on first use).
protocol ScriptWorkerSource: AnyObject, Sendable {
    func worker() throws -> ScriptWorker
}

/// A sampler written in Lua: `function(space, trials) -> params`. Parameters seen in
/// earlier trials are sampled jointly (one call with the whole space); parameters new to
/// the study, one at a time.
final class ScriptedSampler: Sampler, @unchecked Sendable {
    let name: String
    private let source: ScriptWorkerSource

    init(name: String, source: ScriptWorkerSource) {
        self.name = name
        self.source = source
    }

    func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        try study.intersectionSearchSpace()
    }

    func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        searchSpace.isEmpty ? [:] : try source.worker().sample(name, space: searchSpace, study: study)
    }

    func sampleIndependent(study: StudyView, trial: Trial, name parameter: String, distribution: Distribution) throws -> ParamValue {
        let values = try source.worker().sample(name, space: SearchSpace([parameter: distribution]), study: study)
        guard let value = values[parameter] else {
            throw ScriptError.badValue("sampler '\(name)' returned no value for '\(parameter)'")
        }
        return value
    }
}

/// An early-stopping rule (`function(trial, step, value, history) -> "prune" | "continue"`)
/// or a pruner (`function(trial, trials) -> boolean`) written in Lua.
final class ScriptedPruner: Pruner, @unchecked Sendable {
    enum Kind { case stoppingRule, pruner }
    let name: String
    private let kind: Kind
    private let source: ScriptWorkerSource

    init(name: String, kind: Kind, source: ScriptWorkerSource) {
        self.name = name
        self.kind = kind
        self.source = source
    }

    func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        let worker = try source.worker()
        switch kind {
        case .stoppingRule: return try worker.applyStoppingRule(name, trial: trial, study: study)
        case .pruner: return try worker.applyPruner(name, trial: trial, study: study)
        }
    }
}

/// Resolves `study { sampler = …, pruner = … }` names: the script's own first, then the
/// process-wide registry (built-ins and plugins).
enum AlgorithmCatalog {
    static func sampler(_ choice: AlgorithmChoice, registrations: ScriptRegistrations, source: ScriptWorkerSource) throws -> Sampler {
        if registrations.samplers[choice.name] != nil {
            return ScriptedSampler(name: choice.name, source: source)
        }
        let registry = AlgorithmRegistry.shared
        guard registry.hasSampler(choice.name) else {
            let scripted = registrations.samplers.keys.sorted()
            throw ScriptError.badValue("unknown sampler '\(choice.name)' (known: \(registry.samplerNames.joined(separator: ", "))"
                + (scripted.isEmpty ? "" : "; registered by the script: \(scripted.joined(separator: ", "))") + ")")
        }
        return try fromRegistry { try registry.sampler(choice.name, options: try choice.jsonOptions()) }
    }

    static func pruner(_ choice: AlgorithmChoice, registrations: ScriptRegistrations, source: ScriptWorkerSource) throws -> Pruner {
        if registrations.stoppingRules[choice.name] != nil {
            return ScriptedPruner(name: choice.name, kind: .stoppingRule, source: source)
        }
        if registrations.pruners[choice.name] != nil {
            return ScriptedPruner(name: choice.name, kind: .pruner, source: source)
        }
        let registry = AlgorithmRegistry.shared
        guard registry.hasPruner(choice.name) else {
            let scripted = (registrations.stoppingRules.keys.sorted() + registrations.pruners.keys.sorted())
            throw ScriptError.badValue("unknown pruner '\(choice.name)' (known: \(registry.prunerNames.joined(separator: ", "))"
                + (scripted.isEmpty ? "" : "; registered by the script: \(scripted.joined(separator: ", "))") + ")")
        }
        return try fromRegistry { try registry.pruner(choice.name, options: try choice.jsonOptions()) }
    }

    static func scheduler(_ choice: AlgorithmChoice) throws -> TrialScheduler {
        try fromRegistry { try AlgorithmRegistry.shared.scheduler(spec: try choice.spec()) }
    }


    /// The registry's errors, as the script errors the rest of the host reports.
    private static func fromRegistry<T>(_ make: () throws -> T) throws -> T {
        do { return try make() } catch let StudyError.invalidArgument(message) { throw ScriptError.badValue(message) }
    }
}
