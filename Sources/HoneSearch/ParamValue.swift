// The value of one hyperparameter as the objective sees it.

/// A hyperparameter value: what `suggest…` returns and what a categorical choice can be.
///
/// Ints and floats are kept apart (a categorical over `[1, 2.5]` keeps `1` an int) so a
/// value read back from storage is exactly the value that was suggested. `null` is a
/// categorical choice only (Optuna's `None`, JSON's `null`).
public enum ParamValue: Hashable, Sendable, CustomStringConvertible {
    case float(Double)
    case int(Int)
    case string(String)
    case bool(Bool)
    case null

    /// The value as a Double when it is numeric (bools are not numbers here).
    public var doubleValue: Double? {
        switch self {
        case .float(let x): return x
        case .int(let i): return Double(i)
        case .string, .bool, .null: return nil
        }
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var description: String {
        switch self {
        case .float(let x): return "\(x)"
        case .int(let i): return "\(i)"
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

extension ParamValue {
    /// A JSON value as a parameter value — the one rule of every reader of JSON choices
    /// and params (C, grid options, Optuna's files): a number that is an exact integer
    /// (|x| ≤ 2^53) is an int, any other finite number a float; strings, booleans and
    /// null are themselves. nil for non-finite numbers, arrays and objects.
    public init?(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let x):
            if let i = json.intValue { self = .int(i) } else if x.isFinite { self = .float(x) } else { return nil }
        case .array, .object: return nil
        }
    }
}

extension ParamValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Tagged JSON (`{"int": 3}`, `{"float": 0.5}`, `{"string": "relu"}`, `{"bool": true}`,
/// `{"null": true}`) so `1` and `1.0` stay distinct through any storage backend.
extension ParamValue: Codable {
    private enum Key: String, CodingKey { case float, int, string, bool, null }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let x = try c.decodeIfPresent(Double.self, forKey: .float) { self = .float(x) }
        else if let i = try c.decodeIfPresent(Int.self, forKey: .int) { self = .int(i) }
        else if let s = try c.decodeIfPresent(String.self, forKey: .string) { self = .string(s) }
        else if let b = try c.decodeIfPresent(Bool.self, forKey: .bool) { self = .bool(b) }
        else if try c.decodeIfPresent(Bool.self, forKey: .null) == true { self = .null }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a parameter value needs one of the keys float, int, string, bool, null"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .float(let x): try c.encode(x, forKey: .float)
        case .int(let i): try c.encode(i, forKey: .int)
        case .string(let s): try c.encode(s, forKey: .string)
        case .bool(let b): try c.encode(b, forKey: .bool)
        case .null: try c.encode(true, forKey: .null)
        }
    }
}
