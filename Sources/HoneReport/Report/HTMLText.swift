// Text placed in HTML and SVG: escaping and number formatting.

import Foundation

enum HTMLText {
    /// Escapes text for element content and quoted attribute values alike.
    static func escape(_ text: String) -> String {
        // Scanning bytes, not Characters: most strings need nothing and this runs per label.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
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
        let a = abs(x)
        guard a >= 1e-4 && a < 1e6 else { return String(format: "%.6g", x) }
        // %.6g by hand for the common range: String(format:) is the slowest thing in a
        // report of thousands of tooltips.
        let decimals = max(0, 5 - Int(floor(log10(a))))
        var digits = String(Int((a * pow(10, Double(decimals))).rounded()))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            let cut = digits.index(digits.endIndex, offsetBy: -decimals)
            var fraction = digits[cut...]
            while fraction.last == "0" { fraction = fraction.dropLast() }
            digits = String(digits[..<cut]) + (fraction.isEmpty ? "" : "." + fraction)
        }
        return (x < 0 ? "-" : "") + digits
    }

    /// A shorter value for axis labels.
    static func shortNumber(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
        return String(format: "%.3g", x)
    }
}
