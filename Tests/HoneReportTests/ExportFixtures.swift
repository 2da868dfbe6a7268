// Trials that exercise what exports must get right: separators, quotes and newlines in
// names and strings, conditional parameters, non-finite and extreme floats, folds.

import Foundation
import HoneSearch

enum ExportFixtures {
    static let start = Date(timeIntervalSince1970: 1_795_936_410.616877)

    static let study = StudyRecord(id: 1, name: "mlp, \"v2\"", directions: [.minimize], createdAt: start)

    static func trials() -> [FrozenTrial] {
        let uniform = Distribution.float(FloatDistribution(low: 0, high: 1))
        return [
            FrozenTrial(id: 11, studyId: 1, number: 1, state: .fail, values: nil,
                        params: ["lr": .float(.leastNonzeroMagnitude), "only, here": .bool(true)],
                        distributions: ["lr": uniform],
                        intermediateValues: [IntermediateKey(step: 3): [.nan], IntermediateKey(step: 0): [-.infinity]],
                        startedAt: start.addingTimeInterval(10), finishedAt: start.addingTimeInterval(12.25),
                        workerId: "host:1:0", failReason: "boom, \"bad\"\r\nsecond line"),
            FrozenTrial(id: 10, studyId: 1, number: 0, state: .complete, values: [0.1],
                        params: ["lr": .float(1e-3), "width": .int(64), "activation": .string("relu, \"fast\"\nv2")],
                        intermediateValues: [IntermediateKey(step: 2): [0.25], IntermediateKey(step: 1): [0.5]],
                        userAttrs: ["note": "a,b", "n": 3, "list": [1, "x"], "ratio": 0.5],
                        systemAttrs: ["seed": 42],
                        startedAt: start, finishedAt: start.addingTimeInterval(1.5), workerId: "host:1:0"),
            FrozenTrial(id: 12, studyId: 1, number: 2, state: .pruned, values: [-0.0],
                        params: ["lr": .float(1.0), "width": .int(-7), "activation": .string("tanh")],
                        intermediateValues: [IntermediateKey(step: 4): [-0.0]],
                        userAttrs: ["note": "é \u{1F600}\ttab\nnext line"],
                        startedAt: Date(timeIntervalSince1970: -1.25), finishedAt: Date(timeIntervalSince1970: 1e9)),
            FrozenTrial(id: 13, studyId: 1, number: 3, state: .waiting, params: ["width": .int(8)]),
        ]
    }

    /// A reader of RFC 4180 text, written independently of the writer: fields in quotes may
    /// hold commas, CR, LF and doubled quotes; records end with CRLF (or LF).
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r" || c == "\n" {
                if c == "\r" && chars.first == "\n" { chars.removeFirst() }
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    /// Reads a number as the exports spell it.
    static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    /// True when both are NaN or have the same bits (so -0.0 ≠ 0.0).
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
    }
}
