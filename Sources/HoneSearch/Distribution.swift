// What values a hyperparameter may take, and the maps samplers use to work on them.

import Foundation

/// A continuous range, optionally on a log scale or snapped to a grid of `step`.
public struct FloatDistribution: Hashable, Sendable, Codable {
    public var low: Double
    public var high: Double
    public var log: Bool
    public var step: Double?

    public init(low: Double, high: Double, log: Bool = false, step: Double? = nil) {
        self.low = low; self.high = high; self.log = log; self.step = step
    }
}

/// An integer range (inclusive of both ends), optionally on a log scale or with a stride.
public struct IntDistribution: Hashable, Sendable, Codable {
    public var low: Int
    public var high: Int
    public var log: Bool
    public var step: Int

    public init(low: Int, high: Int, log: Bool = false, step: Int = 1) {
        self.low = low; self.high = high; self.log = log; self.step = step
    }
}

/// One of a list of choices; the internal representation is the index into `choices`.
public struct CategoricalDistribution: Hashable, Sendable, Codable {
    public var choices: [ParamValue]
    public init(choices: [ParamValue]) { self.choices = choices }

    public func index(of value: ParamValue) -> Int? { choices.firstIndex(of: value) }
}

/// The set of values a parameter can take.
///
/// Every distribution has an *internal representation* as a Double, which is what samplers
/// model: the value itself for floats and ints, the index for categoricals, 0 for fixed.
/// `toUnit`/`fromUnit` map the internal representation to and from [0, 1] so that a
/// sampler drawing uniformly in the unit interval draws uniformly in the distribution:
/// log dimensions are mapped in log space, and int and stepped dimensions are widened by
/// half a step on each side so every grid point owns an equal share of the interval.
public enum Distribution: Hashable, Sendable {
    case float(FloatDistribution)
    case int(IntDistribution)
    case categorical(CategoricalDistribution)
    /// A parameter that the study holds constant: one value, nothing to search.
    case fixed(ParamValue)

    public static func float(_ low: Double, _ high: Double, log: Bool = false, step: Double? = nil) -> Distribution {
        .float(FloatDistribution(low: low, high: high, log: log, step: step))
    }

    public static func int(_ low: Int, _ high: Int, log: Bool = false, step: Int = 1) -> Distribution {
        .int(IntDistribution(low: low, high: high, log: log, step: step))
    }

    public static func categorical(_ choices: [ParamValue]) -> Distribution {
        .categorical(CategoricalDistribution(choices: choices))
    }

    /// A short name of the kind, used in messages and stored schemas.
    public var kind: String {
        switch self {
        case .float: return "float"
        case .int: return "int"
        case .categorical: return "categorical"
        case .fixed: return "fixed"
        }
    }

    // MARK: Validation

    /// Throws `SearchSpaceError.invalidDistribution` naming `name` when the distribution
    /// cannot be sampled: NaN or infinite bounds, low > high, log with low ≤ 0, log together
    /// with a step, a step ≤ 0 or one that does not divide high − low, no choices, or
    /// duplicate / non-finite choices.
    public func validate(name: String) throws {
        func fail(_ why: String) -> SearchSpaceError { .invalidDistribution(name: name, reason: why) }
        switch self {
        case .float(let d):
            guard d.low.isFinite, d.high.isFinite else {
                throw fail("bounds must be finite numbers, got low=\(d.low), high=\(d.high)")
            }
            guard d.low <= d.high else { throw fail("low (\(d.low)) must not exceed high (\(d.high))") }
            if d.log {
                guard d.step == nil else { throw fail("log=true cannot be combined with step=\(d.step!)") }
                guard d.low > 0 else { throw fail("log=true needs low > 0, got low=\(d.low)") }
            }
            if let step = d.step {
                guard step.isFinite, step > 0 else { throw fail("step must be a positive finite number, got \(step)") }
                let n = (d.high - d.low) / step
                guard abs(n - n.rounded()) <= 1e-8 * max(1, n) else {
                    throw fail("step \(step) does not divide the range [\(d.low), \(d.high)] (width \(d.high - d.low))")
                }
            }
        case .int(let d):
            guard d.low <= d.high else { throw fail("low (\(d.low)) must not exceed high (\(d.high))") }
            guard d.step > 0 else { throw fail("step must be positive, got \(d.step)") }
            if d.log {
                guard d.step == 1 else { throw fail("log=true cannot be combined with step=\(d.step)") }
                guard d.low > 0 else { throw fail("log=true needs low ≥ 1, got low=\(d.low)") }
            }
            let (width, overflow) = d.high.subtractingReportingOverflow(d.low)
            guard !overflow else { throw fail("range [\(d.low), \(d.high)] is too wide") }
            guard width % d.step == 0 else {
                throw fail("step \(d.step) does not divide the range [\(d.low), \(d.high)] (width \(width))")
            }
        case .categorical(let d):
            guard !d.choices.isEmpty else { throw fail("needs at least one choice") }
            for c in d.choices {
                if case .float(let x) = c, !x.isFinite { throw fail("choice \(x) is not a finite number") }
            }
            guard Set(d.choices).count == d.choices.count else { throw fail("choices contain duplicates: \(d.choices)") }
        case .fixed(let v):
            if case .float(let x) = v, !x.isFinite { throw fail("fixed value \(x) is not a finite number") }
        }
    }

    // MARK: Values

    /// Whether `value` is one this distribution can produce.
    public func contains(_ value: ParamValue) -> Bool {
        switch self {
        case .float(let d):
            guard let x = value.doubleValue, x.isFinite, x >= d.low, x <= d.high else { return false }
            if let step = d.step {
                let k = (x - d.low) / step
                return abs(k - k.rounded()) <= 1e-8 * max(1, abs(k))
            }
            return true
        case .int(let d):
            guard let i = value.intValue else { return false }
            return i >= d.low && i <= d.high && (i - d.low) % d.step == 0
        case .categorical(let d):
            return d.index(of: value) != nil
        case .fixed(let v):
            return v == value
        }
    }

    /// True when only one value is possible (samplers need not model such dimensions).
    public var isSingleValue: Bool {
        switch self {
        case .float(let d): return d.low == d.high
        case .int(let d): return d.low == d.high
        case .categorical(let d): return d.choices.count == 1
        case .fixed: return true
        }
    }

    /// The internal (Double) representation of a value; nil when the value is not in the distribution.
    public func toInternal(_ value: ParamValue) -> Double? {
        guard contains(value) else { return nil }
        switch self {
        case .float, .int: return value.doubleValue
        case .categorical(let d): return Double(d.index(of: value)!)
        case .fixed: return 0
        }
    }

    /// The value for an internal representation, snapped to the nearest admissible value
    /// (ints rounded, steps snapped, categorical indices rounded, everything clamped).
    public func toExternal(_ internalValue: Double) -> ParamValue {
        let x = internalValue.isNaN ? 0 : internalValue
        switch self {
        case .float(let d):
            var v = min(max(x, d.low), d.high)
            if let step = d.step {
                v = d.low + ((v - d.low) / step).rounded() * step
                v = min(max(v, d.low), d.high)
            }
            return .float(v)
        case .int(let d):
            let k = ((min(max(x, Double(d.low)), Double(d.high)) - Double(d.low)) / Double(d.step)).rounded()
            return .int(min(d.low + Int(k) * d.step, d.high))
        case .categorical(let d):
            let i = Int(min(max(x.rounded(), 0), Double(d.choices.count - 1)))
            return d.choices[i]
        case .fixed(let v):
            return v
        }
    }

    // MARK: Unit interval

    /// The interval of the (possibly log-transformed) internal axis that `[0, 1]` maps onto,
    /// widened by half a step for discrete dimensions.
    private var unitBounds: (lo: Double, hi: Double, log: Bool) {
        switch self {
        case .float(let d):
            if d.log { return (Foundation.log(d.low), Foundation.log(d.high), true) }
            let half = (d.step ?? 0) / 2
            return (d.low - half, d.high + half, false)
        case .int(let d):
            if d.log { return (Foundation.log(Double(d.low) - 0.5), Foundation.log(Double(d.high) + 0.5), true) }
            let half = Double(d.step) / 2
            return (Double(d.low) - half, Double(d.high) + half, false)
        case .categorical(let d):
            return (-0.5, Double(d.choices.count) - 0.5, false)
        case .fixed:
            return (-0.5, 0.5, false)
        }
    }

    /// Maps an internal representation to [0, 1] (log dimensions in log space).
    public func toUnit(_ internalValue: Double) -> Double {
        let b = unitBounds
        guard b.hi > b.lo else { return 0.5 }
        let x = b.log ? Foundation.log(internalValue) : internalValue
        return min(max((x - b.lo) / (b.hi - b.lo), 0), 1)
    }

    /// Maps u ∈ [0, 1] to an internal representation, snapped to an admissible value, so
    /// `toExternal(fromUnit(u))` is a valid parameter for any u (values outside are clamped).
    public func fromUnit(_ u: Double) -> Double {
        let b = unitBounds
        let uc = u.isNaN ? 0.5 : min(max(u, 0), 1)
        var x = b.lo + uc * (b.hi - b.lo)
        if b.log { x = Foundation.exp(x) }
        // exp(log(low)) can miss low by an ulp: hit the ends exactly.
        if case .float(let d) = self, d.log { x = uc == 0 ? d.low : (uc == 1 ? d.high : x) }
        switch self {
        case .float(let d) where d.step == nil:
            return min(max(x, d.low), d.high)   // exp(log(low)) may land one ulp outside
        default:
            return toExternal(x).doubleValue ?? snappedIndex(x)
        }
    }

    private func snappedIndex(_ x: Double) -> Double {
        switch self {
        case .categorical(let d): return min(max(x.rounded(), 0), Double(d.choices.count - 1))
        default: return 0
        }
    }
}

/// Tagged JSON: `{"type": "float", "low": 0.001, "high": 1, "log": true}` and so on, so a
/// SQL backend can store a distribution as one text column and any tool can read it.
extension Distribution: Codable {
    private enum Key: String, CodingKey { case type, low, high, log, step, choices, value }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .type) {
        case "float":
            self = .float(FloatDistribution(low: try c.decode(Double.self, forKey: .low),
                                            high: try c.decode(Double.self, forKey: .high),
                                            log: try c.decodeIfPresent(Bool.self, forKey: .log) ?? false,
                                            step: try c.decodeIfPresent(Double.self, forKey: .step)))
        case "int":
            self = .int(IntDistribution(low: try c.decode(Int.self, forKey: .low),
                                        high: try c.decode(Int.self, forKey: .high),
                                        log: try c.decodeIfPresent(Bool.self, forKey: .log) ?? false,
                                        step: try c.decodeIfPresent(Int.self, forKey: .step) ?? 1))
        case "categorical":
            self = .categorical(CategoricalDistribution(choices: try c.decode([ParamValue].self, forKey: .choices)))
        case "fixed":
            self = .fixed(try c.decode(ParamValue.self, forKey: .value))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                debugDescription: "unknown distribution type \"\(other)\" (expected float, int, categorical, fixed)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: .type)
        switch self {
        case .float(let d):
            try c.encode(d.low, forKey: .low); try c.encode(d.high, forKey: .high)
            try c.encode(d.log, forKey: .log); try c.encodeIfPresent(d.step, forKey: .step)
        case .int(let d):
            try c.encode(d.low, forKey: .low); try c.encode(d.high, forKey: .high)
            try c.encode(d.log, forKey: .log); try c.encode(d.step, forKey: .step)
        case .categorical(let d):
            try c.encode(d.choices, forKey: .choices)
        case .fixed(let v):
            try c.encode(v, forKey: .value)
        }
    }

    /// Compact JSON text (sorted keys) for storing in one column.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("null".utf8), as: UTF8.self)
    }

    public init(jsonText: String) throws {
        self = try JSONDecoder().decode(Distribution.self, from: Data(jsonText.utf8))
    }
}

extension Distribution: CustomStringConvertible {
    public var description: String {
        switch self {
        case .float(let d):
            return "float[\(d.low), \(d.high)]" + (d.log ? " log" : "") + (d.step.map { " step \($0)" } ?? "")
        case .int(let d):
            return "int[\(d.low), \(d.high)]" + (d.log ? " log" : "") + (d.step != 1 ? " step \(d.step)" : "")
        case .categorical(let d):
            return "categorical\(d.choices)"
        case .fixed(let v):
            return "fixed(\(v))"
        }
    }
}
