// The trial object scripts receive: `trial:suggest_float(…)`, `trial:report(…)`, …
import Foundation
import HoneSearch

/// A trial as Lua sees it. `pruneRequested` remembers `trial:prune()` even if the script
/// catches the error it raises, so the trial ends PRUNED either way.
final class TrialHandle: LuaNamedType {
    static let luaTypeName = "Trial"
    let trial: Trial
    var pruneRequested = false

    init(_ trial: Trial) { self.trial = trial }
}

enum TrialBindings {
    static func register(in host: LuaHost) {
        host.registerType(TrialHandle.self, name: "Trial", methods: [
            "suggest_float": { args in
                let (trial, name) = try target(args, "suggest_float")
                let low = try argument(args, 2, "low").number("argument 'low' is")
                let high = try argument(args, 3, "high").number("argument 'high' is")
                let options = try options(args, 4, known: ["log", "step"])
                let value = try trial.trial.suggestFloat(name, low, high,
                                                         log: try options.optional("log") { try $0.boolean($1) } ?? false,
                                                         step: try options.optional("step") { try $0.number($1) })
                return [.number(value)]
            },
            "suggest_int": { args in
                let (trial, name) = try target(args, "suggest_int")
                let low = Int(try argument(args, 2, "low").integer("argument 'low' is"))
                let high = Int(try argument(args, 3, "high").integer("argument 'high' is"))
                let options = try options(args, 4, known: ["log", "step"])
                let value = try trial.trial.suggestInt(name, low, high,
                                                       log: try options.optional("log") { try $0.boolean($1) } ?? false,
                                                       step: Int(try options.optional("step") { try $0.integer($1) } ?? 1))
                return [.integer(Int64(value))]
            },
            "suggest_categorical": { args in
                let (trial, name) = try target(args, "suggest_categorical")
                let choices = try argument(args, 2, "choices").table("argument 'choices' is").array
                let values = try choices.enumerated().map { try $1.parameterValue("choice \($0 + 1) is") }
                return [LuaValue(try trial.trial.suggestCategorical(name, values))]
            },
            "report": { args in
                let trial = try args[0].object("self", as: TrialHandle.self)
                let value = try argument(args, 1, "value").number("argument 'value' is")
                let step = Int(try argument(args, 2, "step").integer("argument 'step' is"))
                // Optional fold (cross-validation fold or repeat), as pruners such as paired_fold read it.
                let fold = args.count > 3 && args[3] != .nil ? Int(try args[3].integer("argument 'fold' is")) : 0
                guard fold >= 0 else { throw ScriptError.badValue("argument 'fold' must be ≥ 0, got \(fold)") }
                try trial.trial.report(value, step: step, fold: fold)
                return []
            },
            "should_prune": { args in
                [.boolean(try args[0].object("self", as: TrialHandle.self).trial.shouldPrune())]
            },
            "prune": { args in
                let trial = try args[0].object("self", as: TrialHandle.self)
                trial.pruneRequested = true
                throw ScriptError(kind: .runtime, message: "trial \(trial.trial.number) pruned")
            },
            "set_user_attr": { args in
                let trial = try args[0].object("self", as: TrialHandle.self)
                let key = try argument(args, 1, "key").string("argument 'key' is")
                try trial.trial.setUserAttribute(key, try (args.count > 2 ? args[2] : .nil).jsonValue("attribute '\(key)' is"))
                return []
            },
        ], properties: [
            "number": { .integer(Int64($0.trial.number)) },
            // What the study's scheduler asks of this call: { start, budget, max_budget,
            // resume_from } (resume_from nil: fresh weights); nil without a scheduler.
            "work": { handle in
                guard let w = handle.trial.work else { return .nil }
                var fields: [String: LuaValue] = ["start": .number(w.start), "budget": .number(w.budget), "max_budget": .number(w.maxBudget)]
                if let r = w.resumeFrom { fields["resume_from"] = .integer(Int64(r)) }
                return .table(LuaTable(fields: fields))
            },
            "params": { .table(LuaTable(fields: $0.trial.parameters.mapValues(LuaValue.init))) },
            "user_attrs": { .table(LuaTable(fields: $0.trial.userAttributes.mapValues(LuaValue.init))) },
        ])
    }

    private static func target(_ args: [LuaValue], _ method: String) throws -> (TrialHandle, String) {
        let trial = try (args.first ?? .nil).object("self (call it as trial:\(method)(…)) is", as: TrialHandle.self)
        return (trial, try argument(args, 1, "name").string("argument 'name' is"))
    }

    /// Argument `index` after self (1-based), nil when absent.
    private static func argument(_ args: [LuaValue], _ index: Int, _ name: String) -> LuaValue {
        index < args.count ? args[index] : .nil
    }

    private static func options(_ args: [LuaValue], _ index: Int, known: Set<String>) throws -> LuaTable {
        let value = argument(args, index, "options")
        if value.isNil { return LuaTable() }
        let table = try value.table("argument 'options' is")
        try table.checkFields(known, in: "the options table")
        return table
    }
}
