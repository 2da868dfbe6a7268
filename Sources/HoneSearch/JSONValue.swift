// Free-form attribute values (user and system attributes of studies and trials).

import Foundation

/// A JSON value. Attributes are JSON so every backend can store them as text and every
/// binding (C, Python, Lua) can read them without knowing Swift types.
public enum JSONValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let x): try c.encode(x)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var numberValue: Double? { if case .number(let x) = self { return x }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var intValue: Int? {
        if case .number(let x) = self, JSONValue.isExactInteger(x) { return Int(x) }
        return nil
    }

    /// Compact JSON text with sorted keys (stable across runs, so stored text diffs cleanly).
    /// Non-finite numbers, which JSON cannot hold, are the strings "NaN", "Infinity" and
    /// "-Infinity" — Hone's one rule for them (storage, exports and the C API's JSON use
    /// the same spellings), so one diverged value never turns a whole document into null.
    public var jsonText: String {
        // Encoding a JSONValue cannot fail with this strategy: it has only JSON's types.
        let data = try! Self.encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses JSON text; the strings "NaN", "Infinity" and "-Infinity" read back as numbers.
    public init(jsonText: String) throws {
        self = try Self.decoder.decode(JSONValue.self, from: Data(jsonText.utf8))
    }

    /// The spellings of non-finite numbers in every JSON document Hone writes.
    public static let nonFiniteSpellings = (positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    /// An encoder with Hone's JSON rules: sorted keys, unescaped slashes, non-finite
    /// numbers as strings.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let n = nonFiniteSpellings
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: n.positiveInfinity, negativeInfinity: n.negativeInfinity, nan: n.nan)
        return encoder
    }

    /// A decoder that reads what `encoder` writes.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        let n = nonFiniteSpellings
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: n.positiveInfinity, negativeInfinity: n.negativeInfinity, nan: n.nan)
        return decoder
    }

    public var description: String { jsonText }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// A parameter value as an attribute (used e.g. to record the params of a retried trial).
    public init(_ value: ParamValue) {
        switch value {
        case .float(let x): self = .number(x)
        case .int(let i): self = .number(Double(i))
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        }
    }
}
