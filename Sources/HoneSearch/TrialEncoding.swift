// The one JSON encoding of trials, parameters, distributions and attributes that Hone
// hands out: the C API (hone_study_trials_json, best trial, per-finished-trial
// callbacks), the JSON Lines export, and plugin samplers' distribution JSON all write
// through `JSONWriter`, so a trial reads the same wherever it comes from:
//
//   {"number", "state", "values", "params", "distributions", "intermediate_values":
//    [{"step", "fold", "values"}], "user_attrs", "system_attrs", "datetime_start",
//    "datetime_complete", "duration_s", "fail_reason", "worker_id"}
//
// - float parameters and values keep a decimal point or exponent ("1.0"), integer
//   parameters never have one, so C and Python readers see the type;
// - attribute numbers that are whole and below 2^53 are integers ("3", not "3.0");
// - non-finite numbers are the strings "NaN", "Infinity" and "-Infinity";
// - datetimes are UTC ISO 8601 to the microsecond ("2026-01-31T12:00:00.123456Z");
// - object keys are sorted, so the same trial always gives the same bytes.
// Written by hand rather than with JSONEncoder: the float/int distinction, and speed
// (10k-trial exports and listings).
//
// (Storage keeps its own column encodings, StoredJSON in HoneStorage: a schema, not an
// interchange format.)

import Foundation
import HoneTensor

extension JSONValue {
    /// 2^53: below it every integer is exactly a Double, so a JSON number there may be
    /// read as an integer. The one limit for "is this number an integer" in Hone.
    public static let exactIntegerLimit: Double = 9_007_199_254_740_992

    /// Whether `x` is a whole number a Double holds exactly (|x| < 2^53).
    public static func isExactInteger(_ x: Double) -> Bool { x == x.rounded() && abs(x) < exactIntegerLimit }
}

public struct JSONWriter {
    public private(set) var text = ""

    public init() {}

    /// The text `build` writes.
    public static func text(_ build: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        build(&w)
        return w.text
    }

    public mutating func raw(_ s: String) { text += s }

    public mutating func string(_ s: String) { JSONText.appendString(s, to: &text) }

    /// A JSON number: whole values below 2^53 without a fraction, others in Swift's
    /// shortest round-trip form, non-finite as a string.
    public mutating func number(_ x: Double) {
        guard x.isFinite else { nonFinite(x); return }
        if JSONValue.isExactInteger(x) { text += String(Int64(x)) } else { text += x.description }
    }

    /// A float that stays a float for the reader ("1.0", "0.001", "1e-05").
    public mutating func float(_ x: Double) {
        guard x.isFinite else { nonFinite(x); return }
        text += x.description
    }

    private mutating func nonFinite(_ x: Double) {
        let n = JSONValue.nonFiniteSpellings
        string(x.isNaN ? n.nan : x > 0 ? n.positiveInfinity : n.negativeInfinity)
    }

    public mutating func numbers(_ xs: [Double]?) {
        guard let xs else { text += "null"; return }
        text += "["
        for (i, x) in xs.enumerated() { if i > 0 { text += "," }; float(x) }
        text += "]"
    }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: text += "null"
        case .bool(let b): text += b ? "true" : "false"
        case .number(let x): number(x)
        case .string(let s): string(s)
        case .array(let a):
            text += "["
            for (i, e) in a.enumerated() { if i > 0 { text += "," }; value(e) }
            text += "]"
        case .object(let o):
            object(o.keys.sorted()) { w, k in w.value(o[k]!) }
        }
    }

    public mutating func param(_ p: ParamValue) {
        switch p {
        case .float(let x): float(x)
        case .int(let i): text += String(i)
        case .string(let s): string(s)
        case .bool(let b): text += b ? "true" : "false"
        case .null: text += "null"
        }
    }

    /// `{"k": …}` for the given keys in order; `body` writes each value.
    public mutating func object<K: Sequence>(_ keys: K, _ body: (inout JSONWriter, String) -> Void) where K.Element == String {
        text += "{"
        var first = true
        for k in keys {
            if !first { text += "," }
            first = false
            string(k)
            text += ":"
            body(&self, k)
        }
        text += "}"
    }

    public mutating func params(_ p: [String: ParamValue]) {
        object(p.keys.sorted()) { w, k in w.param(p[k]!) }
    }

    /// {"type": "float"|"int"|"categorical", "low", "high", "step" (null: continuous),
    /// "log"} — for a categorical also "choices", with low 0, high = choices − 1 and
    /// step 1 over the choice indices (what plugin samplers sample) — or
    /// {"type": "fixed", "value"}.
    public mutating func distribution(_ d: Distribution) {
        switch d {
        case .float(let f):
            raw("{\"type\":\"float\",\"low\":"); float(f.low)
            raw(",\"high\":"); float(f.high)
            raw(",\"step\":"); if let s = f.step { float(s) } else { raw("null") }
            raw(",\"log\":\(f.log)}")
        case .int(let i):
            raw("{\"type\":\"int\",\"low\":\(i.low),\"high\":\(i.high),\"step\":\(i.step),\"log\":\(i.log)}")
        case .categorical(let c):
            raw("{\"type\":\"categorical\",\"low\":0,\"high\":\(c.choices.count - 1),\"step\":1,\"log\":false,\"choices\":[")
            for (k, choice) in c.choices.enumerated() { if k > 0 { raw(",") }; param(choice) }
            raw("]}")
        case .fixed(let v):
            raw("{\"type\":\"fixed\",\"value\":"); param(v); raw("}")
        }
    }

    public mutating func date(_ d: Date?) {
        guard let d else { text += "null"; return }
        string(TrialEncoding.isoTime(d))
    }

    /// A trial in the shape of this file's comment.
    public mutating func trial(_ t: FrozenTrial) {
        raw("{\"number\":\(t.number),\"state\":"); string(t.state.rawValue)
        raw(",\"values\":"); numbers(t.values)
        raw(",\"params\":"); params(t.params)
        raw(",\"distributions\":")
        object(t.distributions.keys.sorted()) { w, k in w.distribution(t.distributions[k]!) }
        raw(",\"intermediate_values\":[")
        for (i, key) in t.intermediateValues.keys.sorted().enumerated() {
            if i > 0 { raw(",") }
            raw("{\"step\":\(key.step),\"fold\":\(key.fold),\"values\":"); numbers(t.intermediateValues[key])
            raw("}")
        }
        raw("],\"user_attrs\":"); value(.object(t.userAttrs))
        raw(",\"system_attrs\":"); value(.object(t.systemAttrs))
        raw(",\"datetime_start\":"); date(t.startedAt)
        raw(",\"datetime_complete\":"); date(t.finishedAt)
        raw(",\"duration_s\":"); if let d = t.duration { number(d) } else { raw("null") }
        raw(",\"fail_reason\":"); if let r = t.failReason { string(r) } else { raw("null") }
        raw(",\"worker_id\":"); if let w = t.workerId { string(w) } else { raw("null") }
        raw("}")
    }

    public mutating func trials(_ ts: [FrozenTrial]) {
        raw("[")
        for (i, t) in ts.enumerated() { if i > 0 { raw(",") }; trial(t) }
        raw("]")
    }
}

public enum TrialEncoding {
    /// UTC ISO 8601 to the microsecond, `2026-11-29T07:02:44.123456Z` (what Python's
    /// datetime.fromisoformat reads from 3.11). Formatted by hand: Foundation's
    /// ISO8601DateFormatter stops at milliseconds and costs tens of microseconds a call.
    public static func isoTime(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 2.5e17 else { return "1970-01-01T00:00:00.000000Z" }
        var total = Int64(micros)
        var fraction = total % 1_000_000
        total /= 1_000_000
        if fraction < 0 { fraction += 1_000_000; total -= 1 }
        var days = total / 86_400
        var seconds = total % 86_400
        if seconds < 0 { seconds += 86_400; days -= 1 }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var out = ""
        out.reserveCapacity(27)
        out += pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        out += "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        out += "." + pad(fraction, 6) + "Z"
        return out
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, exact for every Int64 day count that fits a Date).
    public static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(abs(value))
        let sign = value < 0 ? "-" : ""
        return digits.count >= width ? sign + digits : sign + String(repeating: "0", count: width - digits.count) + digits
    }
}
