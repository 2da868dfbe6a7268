// Text placed in HTML and SVG: escaping and number formatting.

import Foundation

enum HTMLText {
    /// Escapes text for element content and quoted attribute values alike.
    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A pixel coordinate with one decimal: SVG files of thousands of points stay small and
    /// this avoids `String(format:)`, which dominates the time of large reports.
    static func coordinate(_ x: Double) -> String {
        let tenths = (x * 10).rounded()
        guard tenths.isFinite, abs(tenths) < 1e15 else { return "0" }
        let i = Int(tenths)
        let whole = i / 10, fraction = abs(i % 10)
        if fraction == 0 { return String(whole) }
        return (i < 0 && whole == 0 ? "-0." : String(whole) + ".") + String(fraction)
    }

    /// A value for people: up to 6 significant digits, exponent form for very large or small.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
        return String(format: "%.6g", x)
    }

    /// A shorter value for axis labels.
    static func shortNumber(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
        return String(format: "%.3g", x)
    }
}
