// Conversions between Lua values and the search layer's values (parameters, attributes,
// distributions, trials), for the study-script bindings.
import Foundation
import HoneSearch

extension LuaValue {
    init(_ parameter: ParamValue) {
        switch parameter {
        case let .float(x): self = .number(x)
        case let .int(i): self = .integer(Int64(i))
        case let .string(s): self = .string(s)
        case let .bool(b): self = .boolean(b)
        case .null: self = .nil     // a null choice (from C or Python); Lua arrays cannot hold one
        }
    }

    /// A categorical choice or sampled value: a number, integer, string or boolean.
    func parameterValue(_ what: String) throws -> ParamValue {
        switch self {
        case let .integer(i): return .int(Int(i))
        case let .number(d):
            if d.isNaN { throw ScriptError.badValue("\(what) NaN (expected a number, string or boolean)") }
            return .float(d)
        case let .string(s): return .string(s)
        case let .boolean(b): return .bool(b)
        default: throw ScriptError.badValue("\(what) \(shortDescription) (expected a number, string or boolean)")
        }
    }

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .nil
        case let .bool(b): self = .boolean(b)
        case let .number(x): self = JSONValue.isExactInteger(x) ? .integer(Int64(x)) : .number(x)
        case let .string(s): self = .string(s)
        case let .array(items): self = .table(LuaTable(array: items.map(LuaValue.init)))
        case let .object(fields): self = .table(LuaTable(fields: fields.mapValues(LuaValue.init)))
        }
    }

    /// An attribute value: anything made of nil, booleans, numbers, strings and tables.
    func jsonValue(_ what: String) throws -> JSONValue {
        switch self {
        case .nil: return .null
        case let .boolean(b): return .bool(b)
        case let .integer(i): return .number(Double(i))
        case let .number(d):
            guard d.isFinite else { throw ScriptError.badValue("\(what) \(shortDescription) (attributes must be finite)") }
            return .number(d)
        case let .string(s): return .string(s)
        case let .table(t):
            if t.fields.isEmpty { return .array(try t.array.map { try $0.jsonValue(what) }) }
            guard t.array.isEmpty else { throw ScriptError.badValue("\(what) a table with both array items and fields") }
            return .object(try t.fields.mapValues { try $0.jsonValue(what) })
        default:
            throw ScriptError.badValue("\(what) \(shortDescription) (attributes are nil, booleans, numbers, strings or tables)")
        }
    }
}

extension LuaTable {
    /// A field that must be absent or convert; the error names the field.
    func optional<T>(_ field: String, _ convert: (LuaValue, String) throws -> T) throws -> T? {
        let value = self[field]
        return value.isNil ? nil : try convert(value, "field '\(field)' is")
    }

    /// Refuses fields outside `known`, so a misspelt option is an error, not silently ignored.
    func checkFields(_ known: Set<String>, in what: String) throws {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw ScriptError.badValue("\(what) has no option '\(unknown)' (options: \(known.sorted().joined(separator: ", ")))")
        }
    }
}

/// Lua's picture of distributions and trials, given to custom samplers and rules.
enum SearchTables {
    static func distribution(_ distribution: Distribution) -> LuaValue {
        switch distribution {
        case let .float(d):
            var t: LuaTable = LuaTable(fields: ["type": "float", "low": .number(d.low), "high": .number(d.high), "log": .boolean(d.log)])
            if let step = d.step { t["step"] = .number(step) }
            return .table(t)
        case let .int(d):
            return .table(LuaTable(fields: ["type": "int", "low": .integer(Int64(d.low)), "high": .integer(Int64(d.high)),
                                            "log": .boolean(d.log), "step": .integer(Int64(d.step))]))
        case let .categorical(d):
            return .table(LuaTable(fields: ["type": "categorical", "choices": .table(LuaTable(array: d.choices.map(LuaValue.init)))]))
        case let .fixed(value):
            return .table(LuaTable(fields: ["type": "fixed", "value": LuaValue(value)]))
        }
    }

    static func space(_ space: SearchSpace) -> LuaValue {
        var fields: [String: LuaValue] = [:]
        for (name, distribution) in space { fields[name] = self.distribution(distribution) }
        return .table(LuaTable(fields: fields))
    }

    /// {number, state, value, values, params, intermediate = {{step, value}, …}}
    static func trial(_ trial: FrozenTrial) -> LuaValue {
        var t = LuaTable(fields: [
            "number": .integer(Int64(trial.number)),
            "state": .string(trial.state.rawValue.lowercased()),
            "params": .table(LuaTable(fields: trial.params.mapValues(LuaValue.init))),
        ])
        if let values = trial.values {
            t["values"] = .table(LuaTable(array: values.map { .number($0) }))
            if let first = values.first { t["value"] = .number(first) }
        }
        let reports = trial.intermediateValues.keys.sorted().compactMap { key -> LuaValue? in
            guard let value = trial.intermediateValues[key]?.first else { return nil }
            return .table(LuaTable(fields: ["step": .integer(Int64(key.step)), "value": .number(value)]))
        }
        t["intermediate"] = .table(LuaTable(array: reports))
        return .table(t)
    }

    static func trials(_ trials: [FrozenTrial]) -> LuaValue {
        .table(LuaTable(array: trials.map(trial)))
    }

    /// A value a custom sampler returned for `name`, checked against its distribution.
    static func sampled(_ value: LuaValue, name: String, distribution: Distribution, sampler: String) throws -> ParamValue {
        let what = "sampler '\(sampler)' returned for '\(name)'"
        var parameter = try value.parameterValue(what)
        switch (distribution, parameter) {
        case let (.float, .int(i)): parameter = .float(Double(i))
        // Only within Int's range: Int(1e300) or Int(math.huge) would trap.
        case let (.int, .float(x)) where JSONValue.isExactInteger(x): parameter = .int(Int(x))
        default: break
        }
        guard distribution.contains(parameter) else {
            throw ScriptError.badValue("\(what) \(parameter), which is not in \(distribution)")
        }
        return parameter
    }
}
