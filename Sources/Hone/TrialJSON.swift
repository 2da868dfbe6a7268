// The JSON the C API hands out: trials, parameters, attributes. Written by hand rather
// than with JSONEncoder so float parameters keep a decimal point ("1.0", not "1": Python
// and C readers then see a float); non-finite numbers are the strings "NaN", "Infinity" and
// "-Infinity", as everywhere in Hone (JSONValue.nonFiniteSpellings).

import Foundation
import HonePlugins
import HoneSearch
import HoneTensor

struct JSONWriter {
    private(set) var text = ""

    mutating func raw(_ s: String) { text += s }

    mutating func string(_ s: String) { JSONText.appendString(s, to: &text) }

    /// A JSON number: integral values without a fraction, others in Swift's shortest
    /// round-trip form (valid JSON), non-finite as a string.
    mutating func number(_ x: Double) {
        guard x.isFinite else { nonFinite(x); return }
        if x == x.rounded(), abs(x) < 1e15 { text += String(Int64(x)) } else { text += x.description }
    }

    /// A float that stays a float for the reader.
    mutating func float(_ x: Double) {
        guard x.isFinite else { nonFinite(x); return }
        text += x.description   // "1.0", "0.001", "1e-05"
    }

    private mutating func nonFinite(_ x: Double) {
        let n = JSONValue.nonFiniteSpellings
        string(x.isNaN ? n.nan : x > 0 ? n.positiveInfinity : n.negativeInfinity)
    }

    mutating func numbers(_ xs: [Double]?) {
        guard let xs else { text += "null"; return }
        text += "["
        for (i, x) in xs.enumerated() { if i > 0 { text += "," }; float(x) }
        text += "]"
    }

    mutating func value(_ v: JSONValue) {
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

    mutating func param(_ p: ParamValue) {
        switch p {
        case .float(let x): float(x)
        case .int(let i): text += String(i)
        case .string(let s): string(s)
        case .bool(let b): text += b ? "true" : "false"
        }
    }

    /// `{"k": …}` for the given keys in order; `body` writes each value.
    mutating func object<K: Sequence>(_ keys: K, _ body: (inout JSONWriter, String) -> Void) where K.Element == String {
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

    mutating func params(_ p: [String: ParamValue]) {
        object(p.keys.sorted()) { w, k in w.param(p[k]!) }
    }

    /// The shape plugin samplers also receive: {"type", "low", "high", "step", "log", "choices"}.
    mutating func distribution(_ d: Distribution) {
        switch d {
        case .float(let f):
            raw("{\"type\":\"float\",\"low\":"); float(f.low)
            raw(",\"high\":"); float(f.high)
            raw(",\"step\":"); if let s = f.step { float(s) } else { raw("null") }
            raw(",\"log\":\(f.log)}")
        case .int(let i):
            raw("{\"type\":\"int\",\"low\":\(i.low),\"high\":\(i.high),\"step\":\(i.step),\"log\":\(i.log)}")
        case .categorical(let c):
            raw("{\"type\":\"categorical\",\"choices\":[")
            for (k, choice) in c.choices.enumerated() { if k > 0 { raw(",") }; param(choice) }
            raw("]}")
        case .fixed(let v):
            raw("{\"type\":\"fixed\",\"value\":"); param(v); raw("}")
        }
    }

    mutating func date(_ d: Date?) {
        guard let d else { text += "null"; return }
        string(isoTime(d))
    }

    /// A trial with the fields hone.h lists for hone_study_trials_json.
    mutating func trial(_ t: FrozenTrial) {
        raw("{\"number\":\(t.number),\"state\":"); string(t.state.rawValue)
        raw(",\"values\":"); numbers(t.values)
        raw(",\"params\":"); params(t.params)
        raw(",\"distributions\":")
        object(t.distributions.keys.sorted()) { w, k in w.distribution(t.distributions[k]!) }
        raw(",\"intermediate\":[")
        for (i, key) in t.intermediateValues.keys.sorted().enumerated() {
            if i > 0 { raw(",") }
            raw("{\"step\":\(key.step),\"fold\":\(key.fold),\"values\":"); numbers(t.intermediateValues[key])
            raw("}")
        }
        raw("],\"user_attrs\":"); value(.object(t.userAttrs))
        raw(",\"system_attrs\":"); value(.object(t.systemAttrs))
        raw(",\"datetime_start\":"); date(t.startedAt)
        raw(",\"datetime_complete\":"); date(t.finishedAt)
        raw(",\"fail_reason\":"); if let r = t.failReason { string(r) } else { raw("null") }
        raw("}")
    }

    mutating func trials(_ ts: [FrozenTrial]) {
        raw("[")
        for (i, t) in ts.enumerated() { if i > 0 { raw(",") }; trial(t) }
        raw("]")
    }
}

/// "2026-11-29T07:20:00.123Z" (UTC, milliseconds): ISO 8601, what Python's
/// datetime.fromisoformat reads (3.11+).
func isoTime(_ d: Date) -> String {
    let t = d.timeIntervalSince1970
    guard t.isFinite, abs(t) < 1e12 else { return "1970-01-01T00:00:00.000Z" }
    var seconds = time_t(t.rounded(.down))
    var ms = Int(((t - Double(seconds)) * 1000).rounded())
    if ms >= 1000 { seconds += 1; ms -= 1000 }
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
        + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(ms, 3))Z"
}

func jsonText(_ build: (inout JSONWriter) -> Void) -> String {
    var w = JSONWriter()
    build(&w)
    return w.text
}
