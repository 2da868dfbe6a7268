// The trials of a study as one CSV table (RFC 4180), a row per trial, in the column
// names pandas users know from Optuna's trials_dataframe.

import HoneSearch

/// A study's trials flattened to a table: one row per trial (in trial-number order) and a
/// column per objective, per parameter, user attribute and system attribute seen in any
/// trial (empty where a trial lacks it), plus the last intermediate report.
///
/// Columns, in this order:
/// `number, state, value` (or `values_0, values_1, …` for several objectives),
/// `datetime_start, datetime_complete` (UTC ISO 8601, microseconds), `duration_s`,
/// `params_<name>…`, `user_attrs_<key>…`, `system_attrs_<key>…` (each group sorted by name),
/// `intermediate_last_step`, `intermediate_last_fold` (only when some report has a fold),
/// `intermediate_last_value` (or `intermediate_last_values_<k>`), `fail_reason`, `worker_id`.
///
/// Floats are written in the shortest form that parses back to the same Double; NaN and
/// infinities as `NaN`, `Infinity`, `-Infinity`; ints as ints; bools as `true`/`false`;
/// array and object attributes as compact JSON.
public struct TrialCSV: Sendable {
    public let header: [String]
    public let rows: [[String]]

    public init(study: StudyRecord, trials: [FrozenTrial]) {
        let trials = trials.sorted { $0.number < $1.number }
        let objectives = objectiveCount(study: study, trials: trials)
        let valueColumns = objectives == 1 ? ["value"] : (0..<objectives).map { "values_\($0)" }
        let paramNames = Set(trials.lazy.flatMap(\.params.keys)).sorted()
        let userKeys = Set(trials.lazy.flatMap(\.userAttrs.keys)).sorted()
        let systemKeys = Set(trials.lazy.flatMap(\.systemAttrs.keys)).sorted()
        let hasFolds = trials.contains { $0.intermediateValues.keys.contains { $0.fold != 0 } }
        let lastColumns = objectives == 1
            ? ["intermediate_last_value"] : (0..<objectives).map { "intermediate_last_values_\($0)" }

        header = ["number", "state"] + valueColumns + ["datetime_start", "datetime_complete", "duration_s"]
            + paramNames.map { "params_" + $0 } + userKeys.map { "user_attrs_" + $0 }
            + systemKeys.map { "system_attrs_" + $0 }
            + ["intermediate_last_step"] + (hasFolds ? ["intermediate_last_fold"] : []) + lastColumns
            + ["fail_reason", "worker_id"]

        func cells(_ values: [Double]?) -> [String] {
            (0..<objectives).map { k in values.flatMap { k < $0.count ? ExportText.number($0[k]) : nil } ?? "" }
        }
        rows = trials.map { trial in
            var row: [String] = []
            row.reserveCapacity(16 + paramNames.count + userKeys.count + systemKeys.count)
            row.append(String(trial.number))
            row.append(trial.state.rawValue)
            row += cells(trial.values)
            row.append(trial.startedAt.map(ExportText.time) ?? "")
            row.append(trial.finishedAt.map(ExportText.time) ?? "")
            row.append(trial.duration.map(ExportText.number) ?? "")
            for name in paramNames { row.append(trial.params[name].map(ExportText.param) ?? "") }
            for key in userKeys { row.append(trial.userAttrs[key].map(ExportText.attributeCell) ?? "") }
            for key in systemKeys { row.append(trial.systemAttrs[key].map(ExportText.attributeCell) ?? "") }
            let last = trial.lastIntermediate
            row.append(last.map { String($0.key.step) } ?? "")
            if hasFolds { row.append(last.map { String($0.key.fold) } ?? "") }
            row += cells(last?.values)
            row.append(trial.failReason ?? "")
            row.append(trial.workerId ?? "")
            return row
        }
    }

    /// The table as RFC 4180 text: CRLF after every record, fields quoted when they hold a
    /// comma, a quote, CR or LF, quotes inside doubled.
    public var text: String {
        var out = ""
        out.reserveCapacity((rows.count + 1) * header.count * 12)
        for record in [header] + rows {
            for (i, field) in record.enumerated() {
                if i > 0 { out += "," }
                out += TrialCSV.field(field)
            }
            out += "\r\n"
        }
        return out
    }

    public static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// How many objective columns an export needs: the study's, or more if some stored trial
/// carries more values (an export shows what is stored rather than dropping it).
func objectiveCount(study: StudyRecord, trials: [FrozenTrial]) -> Int {
    var count = max(1, study.directions.count)
    for trial in trials {
        count = max(count, trial.values?.count ?? 0)
        for values in trial.intermediateValues.values { count = max(count, values.count) }
    }
    return count
}
