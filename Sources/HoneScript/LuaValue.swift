// Lua values on the Swift side: plain data copied out of (or into) a lua_State, plus
// references to the few things that must stay in the state (functions, host objects).
import Foundation

/// A Lua value copied into Swift. Tables are copied deeply; functions stay in the state
/// and are referred to.
public enum LuaValue: Equatable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
    /// A Lua function (or a Swift function exposed to Lua), callable through `LuaFunction.call`.
    case function(LuaFunction)
    /// A host object pushed by Swift (a dataset, a trial, …).
    case object(AnyObject)
    /// A value with no Swift counterpart (a coroutine, foreign userdata); the name is its Lua type.
    case opaque(String)

    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.table(x), .table(y)): return x == y
        case let (.function(x), .function(y)): return x === y
        case let (.object(x), .object(y)): return x === y
        case let (.opaque(x), .opaque(y)): return x == y
        default: return false
        }
    }

    /// The name Lua's `type()` gives this value.
    public var luaTypeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .object: return "userdata"
        case let .opaque(name): return name
        }
    }

    /// A short rendering for error messages: `a string ("abc")`, `nil`, `NaN`, `a table`.
    public var shortDescription: String {
        switch self {
        case .nil: return "nil"
        case let .boolean(b): return "a boolean (\(b))"
        case let .integer(i): return "an integer (\(i))"
        case let .number(d): return d.isNaN ? "NaN" : "a number (\(d))"
        case let .string(s):
            let shown = s.count > 40 ? String(s.prefix(40)) + "…" : s
            return "a string (\"\(shown)\")"
        case .table: return "a table"
        case .function: return "a function"
        case .object: return "a userdata"
        case let .opaque(name): return "a \(name)"
        }
    }
}

/// A Swift class whose instances scripts see, with the name its errors should use.
public protocol LuaNamedType: AnyObject {
    static var luaTypeName: String { get }
}

/// A Lua table: its sequence part 1…n as `array`, its string keys as `fields`. Tables
/// with other keys (booleans, tables, integers outside 1…n) have no such shape and are
/// refused when copied out of Lua.
public struct LuaTable: Equatable {
    public var array: [LuaValue]
    public var fields: [String: LuaValue]

    public init(array: [LuaValue] = [], fields: [String: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }

    public subscript(field: String) -> LuaValue {
        get { fields[field] ?? .nil }
        set { fields[field] = newValue == .nil ? nil : newValue }
    }

    public subscript(index: Int) -> LuaValue {
        index >= 1 && index <= array.count ? array[index - 1] : .nil
    }

    public var isEmpty: Bool { array.isEmpty && fields.isEmpty }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(LuaTable(fields: Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
}

// MARK: - Checked conversions

/// Conversions that say exactly what was wrong. `what` names the value in the message:
/// "objective returned", "argument 'lr' of suggest_float", "field 'epochs'".
extension LuaValue {
    /// A finite or infinite number (integers convert); nil, strings, booleans and NaN are refused.
    public func number(_ what: String) throws -> Double {
        switch self {
        case let .integer(i): return Double(i)
        case let .number(d):
            if d.isNaN { throw ScriptError.badValue("\(what) NaN (expected a number)") }
            return d
        case .string: throw ScriptError.badValue("\(what) \(shortDescription) where a number belongs")
        default: throw ScriptError.badValue("\(what) \(shortDescription) (expected a number)")
        }
    }

    /// An integer; floats with an integral value convert (Lua 5.4 distinguishes 3 and 3.0).
    public func integer(_ what: String) throws -> Int64 {
        switch self {
        case let .integer(i): return i
        case let .number(d):
            if d.rounded() == d, let i = Int64(exactly: d) { return i }
            throw ScriptError.badValue("\(what) \(shortDescription) (expected an integer)")
        case .string: throw ScriptError.badValue("\(what) \(shortDescription) where an integer belongs")
        default: throw ScriptError.badValue("\(what) \(shortDescription) (expected an integer)")
        }
    }

    public func string(_ what: String) throws -> String {
        if case let .string(s) = self { return s }
        throw ScriptError.badValue("\(what) \(shortDescription) (expected a string)")
    }

    public func boolean(_ what: String) throws -> Bool {
        if case let .boolean(b) = self { return b }
        throw ScriptError.badValue("\(what) \(shortDescription) (expected a boolean)")
    }

    public func table(_ what: String) throws -> LuaTable {
        if case let .table(t) = self { return t }
        throw ScriptError.badValue("\(what) \(shortDescription) (expected a table)")
    }

    public func function(_ what: String) throws -> LuaFunction {
        if case let .function(f) = self { return f }
        throw ScriptError.badValue("\(what) \(shortDescription) (expected a function)")
    }

    /// The host object of type T this value holds.
    public func object<T: AnyObject>(_ what: String, as type: T.Type) throws -> T {
        if case let .object(o) = self, let typed = o as? T { return typed }
        let name = (T.self as? LuaNamedType.Type)?.luaTypeName ?? "\(T.self)"
        throw ScriptError.badValue("\(what) \(shortDescription) (expected a \(name))")
    }

    public var isNil: Bool { self == .nil }

    /// Like the conversions above, but nil (absent) gives nil instead of an error.
    public func optional<T>(_ convert: (LuaValue) throws -> T) rethrows -> T? {
        isNil ? nil : try convert(self)
    }
}

extension ScriptError {
    /// A bad-value error, for Swift functions checking what a script passed them.
    public static func badValue(_ message: String, location: SourceLocation? = nil) -> ScriptError {
        ScriptError(kind: .badValue, message: message, location: location)
    }
}
