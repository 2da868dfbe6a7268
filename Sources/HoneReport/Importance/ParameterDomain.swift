// The axis each parameter of a study lives on, merged over its trials, and the encoding of
// trials as feature rows that the forest and the plots share.

import Foundation
import HoneSearch

/// Where one parameter's values live, merged over every trial that has it.
///
/// Numeric parameters (float and int) are placed on the unit interval by
/// `Distribution.toUnit`, so log parameters are uniform in log space and every integer owns
/// an equal share; categoricals are indices into the union of their choices. Trials that
/// lack the parameter (conditional search spaces) are "absent": a point of its own, given
/// the share of trials that lack it, so the forest can split on presence and the variance
/// decomposition weighs that region by how often the search went there.
struct ParameterDomain {
    enum Kind {
        /// `distribution` spans the union of the trials' ranges.
        case numeric(distribution: Distribution, low: Double, high: Double, log: Bool, isInteger: Bool)
        case categorical(choices: [ParamValue])
    }

    let name: String
    let kind: Kind
    /// The fraction of the trials the domain was built from that lack this parameter.
    let absentShare: Double

    /// The encoded value of an absent numeric parameter: below the unit interval.
    static let absentCode: Double = -1

    var isCategorical: Bool { if case .categorical = kind { return true }; return false }

    /// Categories of the encoded feature: the choices, then "absent" when some trial lacks it.
    var categoryCount: Int {
        guard case .categorical(let choices) = kind else { return 0 }
        return choices.count + (absentShare > 0 ? 1 : 0)
    }

    /// Whether the parameter can take more than one value (else nothing to learn from it).
    var varies: Bool {
        switch kind {
        case .numeric(_, let low, let high, _, _): return high > low || absentShare > 0
        case .categorical(let choices): return choices.count > 1 || absentShare > 0
        }
    }

    /// The encoded feature of a value (nil: absent).
    func encode(_ value: ParamValue?) -> Double {
        guard let value else {
            if case .categorical(let choices) = kind { return Double(choices.count) }
            return ParameterDomain.absentCode
        }
        switch kind {
        case .numeric(let distribution, _, _, _, _):
            // A non-numeric value under a numeric name cannot be placed: treat it as absent.
            guard let x = value.doubleValue, x.isFinite else { return ParameterDomain.absentCode }
            return distribution.toUnit(x)
        case .categorical(let choices):
            return Double(choices.firstIndex(of: value) ?? 0)
        }
    }

    /// The share of the parameter's measure at or below `t` on the encoded numeric axis:
    /// the absent point carries `absentShare`, the unit interval the rest, uniformly.
    func cumulativeShare(_ t: Double) -> Double {
        if t < ParameterDomain.absentCode { return 0 }
        if t < 0 { return absentShare }
        return absentShare + (1 - absentShare) * min(t, 1)
    }

    /// The share of each category of the encoded categorical feature.
    var categoryShares: [Double] {
        guard case .categorical(let choices) = kind else { return [] }
        var shares = [Double](repeating: (1 - absentShare) / Double(choices.count), count: choices.count)
        if absentShare > 0 { shares.append(absentShare) }
        return shares
    }

    /// The ends of the range the unit axis spans, in the parameter's units: its bounds,
    /// widened by half a step for discrete parameters (as `Distribution.toUnit` does).
    var unitRange: (low: Double, high: Double, log: Bool)? {
        guard case .numeric(let distribution, _, _, _, _) = kind else { return nil }
        switch distribution {
        case .float(let f):
            let half = (f.step ?? 0) / 2
            return (f.low - half, f.high + half, f.log)
        case .int(let i):
            let half = i.log ? 0.5 : Double(i.step) / 2
            return (Double(i.low) - half, Double(i.high) + half, i.log)
        default:
            return nil
        }
    }

    /// A point of the unit axis back in the parameter's own units (log axes in log space).
    func value(atUnit u: Double) -> Double {
        guard let (a, b, log) = unitRange else { return u }
        if log { return Foundation.exp(Foundation.log(a) + u * (Foundation.log(b) - Foundation.log(a))) }
        return a + u * (b - a)
    }

    /// Domains of every parameter that appears in `trials`, in name order. Distributions of
    /// one name are merged: numeric ranges by union (the latest trial decides log and step),
    /// categorical choices by union in order of first appearance.
    /// With `skippingConflicts`, a name drawn from both categorical and numeric
    /// distributions is left out instead of failing the whole call.
    static func domains(of trials: [FrozenTrial], skippingConflicts: Bool = false) throws -> [ParameterDomain] {
        var byName: [String: [Distribution]] = [:]
        var counts: [String: Int] = [:]
        for trial in trials.sorted(by: { $0.number < $1.number }) {
            for (name, distribution) in trial.distributions where trial.params[name] != nil {
                byName[name, default: []].append(distribution)
                counts[name, default: 0] += 1
            }
        }
        let total = Double(max(trials.count, 1))
        return try byName.keys.sorted().compactMap { name in
            let absent = 1 - Double(counts[name]!) / total
            do {
                return try merge(name: name, byName[name]!, absentShare: absent)
            } catch ImportanceError.conflictingDistributions where skippingConflicts {
                return nil
            }
        }
    }

    private static func merge(name: String, _ distributions: [Distribution], absentShare: Double) throws -> ParameterDomain? {
        var numeric: [Distribution] = [], choices: [ParamValue] = [], seen = Set<ParamValue>()
        var kinds = Set<String>()
        for d in distributions {
            switch d {
            case .float, .int:
                numeric.append(d); kinds.insert("numeric")
            case .categorical(let c):
                kinds.insert("categorical")
                for v in c.choices where seen.insert(v).inserted { choices.append(v) }
            case .fixed:
                continue
            }
        }
        if kinds.count > 1 {
            throw ImportanceError.conflictingDistributions(name: name, kinds: distributions.map(\.description))
        }
        if !choices.isEmpty { return ParameterDomain(name: name, kind: .categorical(choices: choices), absentShare: absentShare) }
        guard let latest = numeric.last else { return nil }
        var low = Double.infinity, high = -Double.infinity, allInt = true
        for d in numeric {
            switch d {
            case .float(let f): low = min(low, f.low); high = max(high, f.high); allInt = false
            case .int(let i): low = min(low, Double(i.low)); high = max(high, Double(i.high))
            default: break
            }
        }
        let merged: Distribution
        let log: Bool
        switch latest {
        case .int(let i) where allInt:
            log = i.log
            merged = .int(Int(low), Int(high), log: i.log, step: (Int(high) - Int(low)) % i.step == 0 ? i.step : 1)
        case .int(let i):
            log = i.log
            merged = .float(low, high, log: i.log)
        case .float(let f):
            log = f.log
            let stepFits = f.step.map { s in
                let k = (high - low) / s
                return abs(k - k.rounded()) <= 1e-8 * max(1, k)
            } ?? false
            merged = .float(low, high, log: f.log, step: stepFits ? f.step : nil)
        default:
            return nil
        }
        return ParameterDomain(name: name, kind: .numeric(distribution: merged, low: low, high: high, log: log, isInteger: allInt),
                               absentShare: absentShare)
    }
}
