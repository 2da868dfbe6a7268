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

/// Resolves `study { sampler = …, pruner = … }` names: the script's own first, then built-ins.
enum AlgorithmCatalog {
    static let builtinSamplers = ["auto", "random", "sobol", "tpe", "gp", "cmaes", "nsga2"]
    static let builtinPruners = ["median", "percentile", "hyperband", "asha", "none"]

    static func sampler(_ choice: AlgorithmChoice, registrations: ScriptRegistrations, source: ScriptWorkerSource) throws -> Sampler {
        if registrations.samplers[choice.name] != nil {
            return ScriptedSampler(name: choice.name, source: source)
        }
        switch choice.name {
        case "random":
            try choice.options.checkFields([], in: "sampler 'random'")
            return RandomSampler()
        case "auto", "sobol", "tpe", "gp", "cmaes", "nsga2":
            try choice.options.checkFields([], in: "sampler '\(choice.name)'")
            switch choice.name {
            case "auto": return AutoSampler()
            case "sobol": return SobolSampler()
            case "tpe": return TPESampler()
            case "gp": return GPSampler()
            case "cmaes": return CMAESSampler()
            default: return NSGAIISampler()
            }
        default:
            let scripted = registrations.samplers.keys.sorted()
            throw ScriptError.badValue("unknown sampler '\(choice.name)' (built in: \(builtinSamplers.joined(separator: ", "))"
                + (scripted.isEmpty ? "" : "; registered by the script: \(scripted.joined(separator: ", "))") + ")")
        }
    }

    static func pruner(_ choice: AlgorithmChoice, registrations: ScriptRegistrations, source: ScriptWorkerSource) throws -> Pruner {
        if registrations.stoppingRules[choice.name] != nil {
            return ScriptedPruner(name: choice.name, kind: .stoppingRule, source: source)
        }
        if registrations.pruners[choice.name] != nil {
            return ScriptedPruner(name: choice.name, kind: .pruner, source: source)
        }
        let o = choice.options
        switch choice.name {
        case "none":
            return NopPruner()
        case "median":
            try o.checkFields(["n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"], in: "pruner 'median'")
            return MedianPruner(nStartupTrials: Int(try o.optional("n_startup_trials") { try $0.integer($1) } ?? 5),
                                nWarmupSteps: Int(try o.optional("n_warmup_steps") { try $0.integer($1) } ?? 0),
                                intervalSteps: Int(try o.optional("interval_steps") { try $0.integer($1) } ?? 1),
                                nMinTrials: Int(try o.optional("n_min_trials") { try $0.integer($1) } ?? 1))
        case "percentile":
            try o.checkFields(["percentile", "n_startup_trials", "n_warmup_steps"], in: "pruner 'percentile'")
            return PercentilePruner(percentile: try o.optional("percentile") { try $0.number($1) } ?? 25,
                                    nStartupTrials: Int(try o.optional("n_startup_trials") { try $0.integer($1) } ?? 5),
                                    nWarmupSteps: Int(try o.optional("n_warmup_steps") { try $0.integer($1) } ?? 0))
        case "hyperband", "asha":
            try o.checkFields(["min_resource", "max_resource", "reduction_factor"], in: "pruner '\(choice.name)'")
            let minResource = Int(try o.optional("min_resource") { try $0.integer($1) } ?? 1)
            let eta = Int(try o.optional("reduction_factor") { try $0.integer($1) } ?? 3)
            guard let maxResource = try o.optional("max_resource", { try $0.integer($1) }) else {
                throw ScriptError.badValue("pruner '\(choice.name)' needs max_resource (the most epochs a trial trains)")
            }
            guard minResource >= 1, eta >= 2, maxResource >= minResource else {
                throw ScriptError.badValue("pruner '\(choice.name)': need 1 ≤ min_resource ≤ max_resource and reduction_factor ≥ 2, got min_resource \(minResource), max_resource \(maxResource), reduction_factor \(eta)")
            }
            if choice.name == "hyperband" {
                return HyperbandPruner(minResource: minResource, maxResource: Int(maxResource), reductionFactor: eta)
            }
            return ASHAPruner(minResource: minResource, reductionFactor: eta, maxResource: Int(maxResource))
        default:
            let scripted = (registrations.stoppingRules.keys.sorted() + registrations.pruners.keys.sorted())
            throw ScriptError.badValue("unknown pruner '\(choice.name)' (built in: \(builtinPruners.joined(separator: ", "))"
                + (scripted.isEmpty ? "" : "; registered by the script: \(scripted.joined(separator: ", "))") + ")")
        }
    }
}
