// Maps the parameters of a search space to a point of the unit cube and back, as the
// model-based samplers (GP, CMA-ES, NSGA-II) work on [0, 1]^d.

import Foundation

/// A fixed layout of a search space in the unit cube.
///
/// Numeric dimensions (float and int) take one coordinate, `Distribution.toUnit` of the
/// internal value: log dimensions in log space, int and stepped dimensions widened by
/// half a step, so rounding `fromUnit(u)` gives every admissible value an equal share.
/// Categorical dimensions take one coordinate per choice (one-hot) when `oneHot`, and are
/// left out otherwise (samplers that cannot model them sample them independently).
struct UnitCubeEncoding: Sendable {
    enum Column: Sendable {
        case numeric(name: String, distribution: Distribution, index: Int)
        case categorical(name: String, distribution: CategoricalDistribution, first: Int, count: Int)
    }

    let columns: [Column]
    /// Coordinates of the encoded point.
    let dimension: Int
    /// For each coordinate, whether it is one coordinate of a one-hot categorical.
    let isOneHot: [Bool]

    init(space: SearchSpace, oneHot: Bool) {
        var cols: [Column] = []
        var d = 0
        var hot: [Bool] = []
        for (name, dist) in space where !dist.isSingleValue {
            switch dist {
            case .float, .int:
                cols.append(.numeric(name: name, distribution: dist, index: d)); d += 1; hot.append(false)
            case .categorical(let c):
                guard oneHot else { continue }
                cols.append(.categorical(name: name, distribution: c, first: d, count: c.choices.count))
                d += c.choices.count
                hot.append(contentsOf: repeatElement(true, count: c.choices.count))
            case .fixed:
                continue
            }
        }
        columns = cols; dimension = d; isOneHot = hot
    }

    /// The names encoded (in coordinate order).
    var names: [String] {
        columns.map {
            switch $0 {
            case .numeric(let n, _, _), .categorical(let n, _, _, _): return n
            }
        }
    }

    /// The point of a trial; nil when the trial lacks one of the parameters or holds a
    /// value outside the distribution.
    func encode(_ params: [String: ParamValue]) -> [Double]? {
        var x = [Double](repeating: 0, count: dimension)
        for c in columns {
            switch c {
            case .numeric(let name, let dist, let i):
                guard let v = params[name], let inside = dist.toInternal(v) else { return nil }
                x[i] = dist.toUnit(inside)
            case .categorical(let name, let dist, let first, _):
                guard let v = params[name], let k = dist.index(of: v) else { return nil }
                x[first + k] = 1
            }
        }
        return x
    }

    /// The parameters at a point (clamped to the cube, ints and steps rounded, one-hot
    /// blocks decoded by their largest coordinate).
    func decode(_ x: [Double]) -> [String: ParamValue] {
        var out: [String: ParamValue] = [:]
        for c in columns {
            switch c {
            case .numeric(let name, let dist, let i):
                out[name] = dist.toExternal(dist.fromUnit(x[i]))
            case .categorical(let name, let dist, let first, let count):
                var best = 0
                for k in 1..<max(1, count) where x[first + k] > x[first + best] { best = k }
                out[name] = dist.choices[best]
            }
        }
        return out
    }

    /// The point that `decode(x)` actually stands for: numeric coordinates moved to the
    /// centre of their admissible value's cell, one-hot blocks set to exactly one 1.
    func snap(_ x: inout [Double]) {
        for c in columns {
            switch c {
            case .numeric(_, let dist, let i):
                x[i] = dist.toUnit(dist.fromUnit(x[i]))
            case .categorical(_, _, let first, let count):
                var best = 0
                for k in 1..<max(1, count) where x[first + k] > x[first + best] { best = k }
                for k in 0..<count { x[first + k] = k == best ? 1 : 0 }
            }
        }
    }
}
