// A study as an Optuna JournalStorage file (`hone export --format optuna-journal`): JSON
// lines of Optuna's journal operations, which `optuna.storages.JournalStorage(
// JournalFileBackend(path))` replays — so Optuna, its visualizations and optuna-dashboard
// open a Hone study. The operations (optuna/storages/journal/_storage.py):
//
//   {"op_code": 0, "worker_id", "study_name", "directions": [1 = minimize | 2 = maximize]}
//   {"op_code": 2 | 3, "worker_id", "study_id": 0, "user_attr" | "system_attr": {key: value}}
//   {"op_code": 4, "worker_id", "study_id": 0, "state", "value", "values", "datetime_start",
//    "datetime_complete", "distributions": {name: distribution_to_json text},
//    "params": {name: internal value}, "user_attrs", "system_attrs",
//    "intermediate_values": {"step": value}}                 (CREATE_TRIAL with a template)
//
// Hone's trials map one to one: states by name (RUNNING 0, COMPLETE 1, PRUNED 2, FAIL 3,
// WAITING 4), parameters in Optuna's internal form (the choice index for categoricals),
// intermediate reports fold-averaged per step (Optuna has no folds), first objective.
// Non-finite numbers are the bare NaN / Infinity tokens Python's json module reads (Optuna
// expects floats there, not Hone's strings).

import Foundation
import HoneSearch

public enum OptunaJournal {
    static let workerId = "hone-export"

    public static func render(study: StudyRecord, trials: [FrozenTrial]) -> String {
        var out = ""
        func line(_ opCode: Int, _ fields: [(String, String)]) {
            out += "{\"op_code\": \(opCode), \"worker_id\": \"\(workerId)\""
            for (key, value) in fields { out += ", \"\(key)\": " + value }
            out += "}\n"
        }
        let directions = study.directions.map { $0 == .minimize ? "1" : "2" }.joined(separator: ", ")
        line(0, [("study_name", jsonString(study.name)), ("directions", "[\(directions)]")])
        for key in study.userAttrs.keys.sorted() {
            line(2, [("study_id", "0"), ("user_attr", "{\(jsonString(key)): \(json(study.userAttrs[key]!))}")])
        }
        for key in study.systemAttrs.keys.sorted() {
            line(3, [("study_id", "0"), ("system_attr", "{\(jsonString(key)): \(json(study.systemAttrs[key]!))}")])
        }
        for t in trials.sorted(by: { $0.number < $1.number }) {
            var fields: [(String, String)] = [("study_id", "0"), ("state", String(stateCode(t.state)))]
            let values = t.values
            if let values, values.count > 1 {
                fields += [("value", "null"), ("values", "[" + values.map(number).joined(separator: ", ") + "]")]
            } else {
                fields += [("value", values?.first.map(number) ?? "null"), ("values", "null")]
            }
            fields.append(("datetime_start", t.startedAt.map { jsonString(isoTime($0)) } ?? "null"))
            if let end = t.finishedAt { fields.append(("datetime_complete", jsonString(isoTime(end)))) }
            let names = t.params.keys.sorted().filter { t.distributions[$0] != nil }
            fields.append(("distributions", "{" + names.map { "\(jsonString($0)): \(jsonString(distribution(t.distributions[$0]!)))" }
                .joined(separator: ", ") + "}"))
            fields.append(("params", "{" + names.map { "\(jsonString($0)): \(number(internalValue(t.params[$0]!, t.distributions[$0]!)))" }
                .joined(separator: ", ") + "}"))
            fields.append(("user_attrs", json(.object(t.userAttrs))))
            fields.append(("system_attrs", json(.object(t.systemAttrs))))
            fields.append(("intermediate_values", "{" + t.foldAveragedCurve().map { "\"\($0.step)\": \(number($0.values[0]))" }
                .joined(separator: ", ") + "}"))
            line(4, fields)
        }
        return out
    }

    static func stateCode(_ state: TrialState) -> Int {
        switch state {
        case .running: return 0
        case .complete: return 1
        case .pruned: return 2
        case .fail: return 3
        case .waiting: return 4
        }
    }

    /// Optuna's `distribution_to_json`: {"name": "FloatDistribution", "attributes": {…}}.
    /// A Hone fixed value is a one-choice categorical there.
    static func distribution(_ d: Distribution) -> String {
        switch d {
        case .float(let f):
            return "{\"name\": \"FloatDistribution\", \"attributes\": {\"log\": \(f.log), \"step\": \(f.step.map(number) ?? "null"), "
                + "\"low\": \(number(f.low)), \"high\": \(number(f.high))}}"
        case .int(let i):
            return "{\"name\": \"IntDistribution\", \"attributes\": {\"log\": \(i.log), \"step\": \(i.step), \"low\": \(i.low), \"high\": \(i.high)}}"
        case .categorical(let c):
            return "{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [" + c.choices.map(choice).joined(separator: ", ") + "]}}"
        case .fixed(let v):
            return "{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [\(choice(v))]}}"
        }
    }

    /// Optuna's internal representation: the number itself, or the choice's index.
    static func internalValue(_ value: ParamValue, _ d: Distribution) -> Double {
        switch (value, d) {
        case (_, .categorical(let c)): return Double(c.choices.firstIndex(of: value) ?? 0)
        case (_, .fixed): return 0
        case (.float(let x), _): return x
        case (.int(let i), _): return Double(i)
        default: return 0
        }
    }

    private static func choice(_ v: ParamValue) -> String {
        switch v {
        case .float(let x): return number(x)
        case .int(let i): return String(i)
        case .string(let s): return jsonString(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// Python's json spelling, bare NaN / Infinity / -Infinity tokens included: the
    /// exports' spelling of a number.
    static func number(_ x: Double) -> String { ExportText.number(x) }

    private static func jsonString(_ s: String) -> String { JSONWriter.text { $0.string(s) } }

    private static func json(_ v: JSONValue) -> String { JSONWriter.text { $0.value(v) } }

    /// isoformat(timespec="microseconds") with the UTC offset, as Optuna writes it.
    private static func isoTime(_ d: Date) -> String {
        let z = TrialEncoding.isoTime(d)
        return z.hasSuffix("Z") ? String(z.dropLast()) + "+00:00" : z
    }
}
