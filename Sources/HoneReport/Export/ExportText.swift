// How the CSV and TensorBoard exports spell numbers, times and attribute cells, the
// same way as the JSON of TrialEncoding (HoneSearch), which JSON Lines uses.

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
        if x.isFinite, JSONValue.isExactInteger(x) { return String(Int64(x)) }
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
        case .null: return ""       // as a null attribute: an empty cell
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
            return JSONWriter.text { $0.value(value) }
        }
    }

    /// UTC ISO 8601 to the microsecond (the one spelling: TrialEncoding.isoTime).
    static func time(_ date: Date) -> String { TrialEncoding.isoTime(date) }
}
