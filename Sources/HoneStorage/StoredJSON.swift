// How structured fields are written into the TEXT columns of the SQL backends.
//
// Everything is plain JSON so the database stays readable with sqlite3/psql and any tool:
//   objective values, reports   [0.30000000000000004, "-Infinity"]   (non-finite as strings)
//   parameter values            {"float": 0.5} {"int": 3} {"string": "relu"} {"bool": true}
//                               (ParamValue's own tagged form, so 1 and 1.0 stay distinct)
//   distributions               Distribution's own JSON (cached: a study reuses a handful)
//   attributes                  a JSON object; non-finite numbers as strings
//   directions                  ["MINIMIZE", "MAXIMIZE"]
// The hot shapes (value vectors, numeric params) are written and read by hand: they are
// on every ask/tell and every trial of a full listing, and Foundation's coders cost
// several microseconds per call. Doubles are written in Swift's shortest round-trip form,
// so values come back bit-exact.
import Foundation
import HoneSearch

enum StoredJSON {
    // MARK: Value vectors

    static func encode(values: [Double]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += number(value)
        }
        return text + "]"
    }

    static func decodeValues(_ text: String, field: String) throws -> [Double] {
        let body = text.utf8.count >= 2 ? text.dropFirst().dropLast() : ""
        guard text.hasPrefix("["), text.hasSuffix("]") else { throw corrupt(field, text) }
        if body.allSatisfy(\.isWhitespace) { return [] }
        return try body.split(separator: ",").map { item in
            let token = item.trimmingCharacters(in: .whitespaces)
            guard let value = parseNumber(token) else { throw corrupt(field, text) }
            return value
        }
    }

    /// A double as a JSON token: a number when finite, else a string PostgreSQL and
    /// JavaScript would also understand.
    static func number(_ value: Double) -> String {
        if value.isFinite { return "\(value)" }
        if value.isNaN { return "\"NaN\"" }
        return value > 0 ? "\"Infinity\"" : "\"-Infinity\""
    }

    private static func parseNumber(_ token: String) -> Double? {
        switch token {
        case "\"Infinity\"": return .infinity
        case "\"-Infinity\"": return -.infinity
        case "\"NaN\"": return .nan
        default: return Double(token)
        }
    }

    // MARK: Parameter values

    static func encode(param value: ParamValue) -> String {
        switch value {
        case .float(let x): return "{\"float\":\(number(x))}"
        case .int(let i): return "{\"int\":\(i)}"
        case .bool(let b): return b ? "{\"bool\":true}" : "{\"bool\":false}"
        case .string(let s): return "{\"string\":\(quoted(s))}"
        case .null: return "{\"null\":true}"
        }
    }

    static func decodeParam(_ text: String) throws -> ParamValue {
        if let inner = unwrap(text, prefix: "{\"float\":") {
            if let x = parseNumber(inner) { return .float(x) }
        } else if let inner = unwrap(text, prefix: "{\"int\":") {
            if let i = Int(inner) { return .int(i) }
        } else if text == "{\"bool\":true}" {
            return .bool(true)
        } else if text == "{\"bool\":false}" {
            return .bool(false)
        }
        // Strings, and anything written with other spacing: the general decoder.
        do {
            return try JSONDecoder().decode(ParamValue.self, from: Data(text.utf8))
        } catch {
            throw corrupt("parameter value", text)
        }
    }

    private static func unwrap(_ text: String, prefix: String) -> String? {
        guard text.hasPrefix(prefix), text.hasSuffix("}") else { return nil }
        return String(text.dropFirst(prefix.count).dropLast())
    }

    private static func quoted(_ string: String) -> String {
        let data = try! JSONEncoder().encode(string)  // a String always encodes
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Attributes

    private static let attributeEncoder = JSONValue.encoder
    private static let attributeDecoder = JSONValue.decoder

    static func encode(attributes: [String: JSONValue]) throws -> String {
        if attributes.isEmpty { return "{}" }
        return String(decoding: try attributeEncoder.encode(attributes), as: UTF8.self)
    }

    static func decodeAttributes(_ text: String, field: String) throws -> [String: JSONValue] {
        if text == "{}" { return [:] }
        do {
            return try attributeDecoder.decode([String: JSONValue].self, from: Data(text.utf8))
        } catch {
            throw corrupt(field, text)
        }
    }

    // MARK: Directions

    static func encode(directions: [StudyDirection]) -> String {
        "[" + directions.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
    }

    static func decodeDirections(_ text: String) throws -> [StudyDirection] {
        do {
            return try JSONDecoder().decode([StudyDirection].self, from: Data(text.utf8))
        } catch {
            throw corrupt("study directions", text)
        }
    }

    static func corrupt(_ field: String, _ text: String) -> StorageError {
        StorageError.backend("stored \(field) is not valid: \(text.prefix(200))")
    }
}

/// Distribution ⇄ JSON text, memoized both ways. A study's trials share a few
/// distributions, so after the first trial every param costs a dictionary lookup instead
/// of a JSON coder call. Not thread-safe: used under the storage's lock.
final class DistributionCodec {
    private var texts: [Distribution: String] = [:]
    private var distributions: [String: Distribution] = [:]
    private let limit = 4096

    func encode(_ distribution: Distribution) -> String {
        if let text = texts[distribution] { return text }
        let text = distribution.jsonText
        if texts.count < limit { texts[distribution] = text }
        return text
    }

    func decode(_ text: String) throws -> Distribution {
        if let distribution = distributions[text] { return distribution }
        let distribution: Distribution
        do {
            distribution = try Distribution(jsonText: text)
        } catch {
            throw StoredJSON.corrupt("distribution", text)
        }
        if distributions.count < limit { distributions[text] = distribution }
        return distribution
    }
}
