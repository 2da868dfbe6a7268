// One worker thread's view of a study script: its own Lua state with the script loaded,
// the `hone` library, and the rules the script registered.
import Foundation
import HoneSearch

/// What loading a study script registers: the `study { … }` table and named rules.
final class ScriptRegistrations {
    var study: LuaTable?
    var samplers: [String: LuaFunction] = [:]
    var stoppingRules: [String: LuaFunction] = [:]
    var pruners: [String: LuaFunction] = [:]
}

/// A study script loaded into one Lua state, used by one thread only.
final class ScriptWorker {
    let host: LuaHost
    let script: LuaScript
    let registrations = ScriptRegistrations()
    private let training: TrainingContext
    private var currentTrial: Trial?

    init(path: String, limits: ScriptLimits, readableDirectories: [String], budget: TrainingBudget) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        host = try LuaHost(limits: limits, readableDirectories: [directory] + readableDirectories)
        training = TrainingContext(budget: budget, scriptDirectory: directory)
        TrialBindings.register(in: host)
        TrainingBindings.registerTypes(in: host)
        let registrations = self.registrations
        var hone = TrainingBindings.functions(host: host, context: training)
        hone["sampler"] = Self.registrar("hone.sampler") { registrations.samplers[$0] = $1 }
        hone["early_stopping"] = Self.registrar("hone.early_stopping") { registrations.stoppingRules[$0] = $1 }
        hone["pruner"] = Self.registrar("hone.pruner") { registrations.pruners[$0] = $1 }
        try host.registerLibrary("hone", functions: hone)
        try host.registerGlobal("study", .function(host.makeFunction(name: "study") { args in
            guard registrations.study == nil else { throw ScriptError.badValue("study { … } is given twice") }
            registrations.study = try (args.first ?? .nil).table("study expects a table: study { name = …, … }; got")
            return []
        }))
        script = try host.loadScript(atPath: path)
        training.seedSource = { [unowned self] in
            guard var random = self.currentTrial?.random(for: "hone.fit") else { return 0 }
            return random.next()
        }
    }

    private static func registrar(_ function: String, _ store: @escaping (String, LuaFunction) -> Void) -> LuaSwiftFunction {
        { args in
            let name = try (args.first ?? .nil).string("argument 1 (the name) is")
            store(name, try (args.count > 1 ? args[1] : .nil).function("argument 2 is"))
            return []
        }
    }

    // MARK: The objective

    /// Runs `objective(trial[, params])` and returns its value(s). A Lua error, a limit hit
    /// or a bad return value throws (the trial fails with that message); `trial:prune()`
    /// throws TrialPruned.
    func evaluate(_ trial: Trial, space: [(name: String, spec: LuaTable)]) throws -> [Double] {
        guard let objective = try script.function(named: "objective") else {
            throw ScriptError(kind: .runtime, message: "\(script.name) defines no function objective(trial)")
        }
        currentTrial = trial
        defer { currentTrial = nil }
        var seed = trial.random(for: "math.random")
        try host.seedRandom(Int64(bitPattern: seed.next()))
        let handle = TrialHandle(trial)
        var arguments: [LuaValue] = [.object(handle)]
        if !space.isEmpty { arguments.append(try suggestDeclaredSpace(space, trial: trial)) }
        let results: [LuaValue]
        do {
            results = try objective.call(arguments)
        } catch {
            if handle.pruneRequested { throw TrialPruned("pruned by the script") }
            throw error
        }
        if handle.pruneRequested { throw TrialPruned("pruned by the script") }
        do {
            switch results.first ?? .nil {
            case let .table(values) where values.fields.isEmpty && !values.array.isEmpty:
                return try values.array.enumerated().map { try $1.number("objective returned, as value \($0 + 1),") }
            case let value:
                return [try value.number("objective returned")]
            }
        } catch var error as ScriptError {
            error.location = objective.definition
            throw error
        }
    }

    /// Suggests every parameter of `space = { … }` and returns them as a table.
    private func suggestDeclaredSpace(_ space: [(name: String, spec: LuaTable)], trial: Trial) throws -> LuaValue {
        var params: [String: LuaValue] = [:]
        for (name, spec) in space {
            params[name] = LuaValue(try trial.suggest(name, try StudyConfiguration.distribution(name: name, spec: spec)))
        }
        return .table(LuaTable(fields: params))
    }

    // MARK: Custom rules

    /// Calls the script's sampler `name` with a space and the finished trials; returns the
    /// values it chose, checked against their distributions.
    func sample(_ name: String, space: SearchSpace, study: StudyView) throws -> [String: ParamValue] {
        guard let sampler = registrations.samplers[name] else { throw missing("sampler", name) }
        let answer = try sampler.callForValue([SearchTables.space(space), SearchTables.trials(try study.trials(states: [.complete]))])
        do {
            let chosen = try answer.table("sampler '\(name)' returned")
            var values: [String: ParamValue] = [:]
            for (parameter, distribution) in space {
                let value = chosen[parameter]
                if value.isNil { continue }
                values[parameter] = try SearchTables.sampled(value, name: parameter, distribution: distribution, sampler: name)
            }
            return values
        } catch var error as ScriptError {
            error.location = sampler.definition
            throw error
        }
    }

    /// Calls the early-stopping rule `name(trial, step, value, history)`: "prune" or "continue".
    func applyStoppingRule(_ name: String, trial: FrozenTrial, study: StudyView) throws -> Bool {
        guard let rule = registrations.stoppingRules[name] else { throw missing("early-stopping rule", name) }
        guard let last = trial.intermediateValues.keys.max(), let value = trial.intermediateValues[last]?.first else { return false }
        let history = try study.trials(states: [.complete, .pruned]).filter { $0.number != trial.number }
        let answer = try rule.callForValue([SearchTables.trial(trial), .integer(Int64(last.step)), .number(value), SearchTables.trials(history)])
        switch answer {
        case .string("prune"), .boolean(true): return true
        case .string("continue"), .boolean(false), .nil: return false
        default:
            throw ScriptError.badValue("early-stopping rule '\(name)' returned \(answer.shortDescription) (expected \"prune\" or \"continue\")",
                                       location: rule.definition)
        }
    }

    /// Calls the pruner `name(trial, trials)`: true to prune.
    func applyPruner(_ name: String, trial: FrozenTrial, study: StudyView) throws -> Bool {
        guard let pruner = registrations.pruners[name] else { throw missing("pruner", name) }
        let history = try study.trials(states: [.complete, .pruned]).filter { $0.number != trial.number }
        let answer = try pruner.callForValue([SearchTables.trial(trial), SearchTables.trials(history)])
        switch answer {
        case let .boolean(prune): return prune
        case .nil: return false
        default:
            throw ScriptError.badValue("pruner '\(name)' returned \(answer.shortDescription) (expected a boolean)", location: pruner.definition)
        }
    }

    /// Calls the script's optional `on_trial_complete(trial)` hook.
    func trialFinished(_ trial: FrozenTrial) throws {
        guard let hook = try script.function(named: "on_trial_complete") else { return }
        _ = try hook.call([SearchTables.trial(trial)])
    }

    private func missing(_ kind: String, _ name: String) -> ScriptError {
        ScriptError(kind: .runtime, message: "\(script.name) no longer registers the \(kind) '\(name)'")
    }
}
