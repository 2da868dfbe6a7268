// How exports spell numbers, times and JSON strings. Shared by the CSV and JSON Lines
// writers so a value reads the same in both.

import Foundation
import HoneSearch
import HoneTensor

enum ExportText {
    /// The shortest decimal that parses back to exactly `x` (Swift's `description` is
    /// shortest-round-trip), and one spelling of the non-finite values that Python's
    /// `float()`, pandas and JavaScript all read: `NaN`, `Infinity`, `-Infinity`.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return x.description
    }

    /// A JSON attribute number: attributes carry no int/float distinction, so whole
    /// numbers are written as integers (as `JSONValue.jsonText` does) — `3`, not `3.0`.
    static func attributeNumber(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 9.0e15 { return String(Int64(x)) }
        return number(x)
    }

    /// A parameter as text: ints without a decimal point, floats in shortest round-trip
    /// form (always with a point or exponent, so `1` and `1.0` stay distinguishable).
    static func param(_ value: ParamValue) -> String {
        switch value {
        case .float(let x): return number(x)
        case .int(let i): return String(i)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// An attribute as one CSV cell: strings as they are, numbers and bools as in JSON,
    /// arrays and objects as compact JSON, null as an empty cell.
    static func attributeCell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return attributeNumber(x)
        case .string(let s): return s
        case .array, .object:
            var out = ""
            appendJSON(value, to: &out)
            return out
        }
    }

    /// UTC ISO 8601 to the microsecond, `2026-11-29T07:02:44.123456Z`. Formatted by hand:
    /// Foundation's ISO8601DateFormatter stops at milliseconds and costs tens of
    /// microseconds a call, which alone would blow the budget for 10k-trial exports.
    static func time(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 2.5e17 else { return number(date.timeIntervalSince1970) }
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
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
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

    /// A JSON number that stays valid JSON: non-finite values become the strings
    /// "NaN", "Infinity", "-Infinity" (the same spellings the CSV uses).
    static func appendJSONNumber(_ x: Double, to out: inout String) {
        if x.isFinite { out += x.description } else { out += "\"" + number(x) + "\"" }
    }

    static func appendJSON(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x):
            if x.isFinite { out += attributeNumber(x) } else { out += "\"" + number(x) + "\"" }
        case .string(let s): JSONText.appendString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                appendJSON(item, to: &out)
            }
            out += "]"
        case .object(let members): appendJSONObject(members, to: &out) { appendJSON($0, to: &$1) }
        }
    }

    static func appendJSON(_ value: ParamValue, to out: inout String) {
        switch value {
        case .float(let x): appendJSONNumber(x, to: &out)
        case .int(let i): out += String(i)
        case .string(let s): JSONText.appendString(s, to: &out)
        case .bool(let b): out += b ? "true" : "false"
        }
    }

    /// An object with its keys in sorted order, so the same trial always gives the same bytes.
    static func appendJSONObject<V>(_ members: [String: V], to out: inout String,
                                    _ appendValue: (V, inout String) -> Void) {
        out += "{"
        for (i, key) in members.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(key, to: &out)
            out += ":"
            appendValue(members[key]!, &out)
        }
        out += "}"
    }
}
