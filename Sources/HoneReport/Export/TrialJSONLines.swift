// The trials of a study as JSON Lines: one JSON object per trial per line, everything
// stored about it, intermediate reports in full.

import HoneSearch
import HoneTensor

/// One line per trial (in trial-number order), each a JSON object with these keys in this
/// order: `number`, `state`, `values` (array, or null), `datetime_start`,
/// `datetime_complete` (UTC ISO 8601 strings, or null), `duration_s`, `params` (ints as
/// JSON integers, floats always with a point or exponent), `user_attrs`, `system_attrs`,
/// `intermediate_values` (`[{"step": s, "fold": f, "values": [...]}, …]` ordered by step
/// then fold), `fail_reason`, `worker_id`. Object keys are sorted; floats are shortest
/// round-trip; non-finite numbers, which JSON cannot hold, are the strings "NaN",
/// "Infinity", "-Infinity".
public enum TrialJSONLines {
    public static func render(trials: [FrozenTrial]) -> String {
        var out = ""
        out.reserveCapacity(trials.count * 400)
        for trial in trials.sorted(by: { $0.number < $1.number }) {
            append(trial, to: &out)
            out += "\n"
        }
        return out
    }

    static func append(_ trial: FrozenTrial, to out: inout String) {
        out += "{\"number\":" + String(trial.number)
        out += ",\"state\":\"" + trial.state.rawValue + "\""
        out += ",\"values\":"
        appendNumbers(trial.values, to: &out)
        out += ",\"datetime_start\":"
        appendOptional(trial.startedAt.map(ExportText.time), to: &out)
        out += ",\"datetime_complete\":"
        appendOptional(trial.finishedAt.map(ExportText.time), to: &out)
        out += ",\"duration_s\":"
        if let d = trial.duration { ExportText.appendJSONNumber(d, to: &out) } else { out += "null" }
        out += ",\"params\":"
        ExportText.appendJSONObject(trial.params, to: &out) { ExportText.appendJSON($0, to: &$1) }
        out += ",\"user_attrs\":"
        ExportText.appendJSONObject(trial.userAttrs, to: &out) { ExportText.appendJSON($0, to: &$1) }
        out += ",\"system_attrs\":"
        ExportText.appendJSONObject(trial.systemAttrs, to: &out) { ExportText.appendJSON($0, to: &$1) }
        out += ",\"intermediate_values\":["
        for (i, key) in trial.intermediateValues.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += "{\"step\":" + String(key.step) + ",\"fold\":" + String(key.fold) + ",\"values\":"
            appendNumbers(trial.intermediateValues[key], to: &out)
            out += "}"
        }
        out += "],\"fail_reason\":"
        appendOptional(trial.failReason, to: &out)
        out += ",\"worker_id\":"
        appendOptional(trial.workerId, to: &out)
        out += "}"
    }

    private static func appendNumbers(_ values: [Double]?, to out: inout String) {
        guard let values else { out += "null"; return }
        out += "["
        for (i, x) in values.enumerated() {
            if i > 0 { out += "," }
            ExportText.appendJSONNumber(x, to: &out)
        }
        out += "]"
    }

    private static func appendOptional(_ text: String?, to out: inout String) {
        if let text { JSONText.appendString(text, to: &out) } else { out += "null" }
    }
}
