// The parts of GPSampler that deal with mixed (float, int, categorical) and conditional
// search spaces: their encoding, the branches of a conditional space, and the maximisation
// of the acquisition jointly over continuous and discrete coordinates.

import Foundation
import HoneTensor

/// A fixed layout of a search space for the GP.
///
/// Numeric parameters (float and int) come first, one coordinate each: `Distribution.toUnit`
/// of the internal value (log dimensions in log space; int and stepped dimensions widened
/// by half a step, so every admissible value owns an equal cell — the GP works on the
/// continuous relaxation and proposals are snapped to the centre of a cell). Categorical
/// parameters follow, one coordinate each holding the index of the value: the kernel
/// compares them by overlap (`GaussianProcess.categoricalStart`), with one lengthscale
/// per parameter — fewer hyperparameters than one-hot coordinates, and no meaning given to
/// an order of the choices.
///
/// Conditional spaces (a parameter is suggested only in some trials): a trial that lacks a
/// parameter holds it *inactive* — numeric coordinates at the centre of the range
/// (`inactiveNumeric`), categorical ones at −1, which the overlap distance sets apart from
/// every choice. Two trials of the same branch then agree on every inactive coordinate, so
/// those coordinates add nothing to their distance; trials of different branches differ in
/// the categorical that chooses the branch (and in the inactive categoricals), which is what
/// separates them. (Imputation was chosen over a separate indicator per parameter: it adds
/// no hyperparameters, which matters with ~100 points and 11 parameters.)
struct MixedSpaceEncoding: Sendable {
    struct Numeric: Sendable { let name: String; let distribution: Distribution }
    struct Categorical: Sendable { let name: String; let distribution: CategoricalDistribution }

    static let inactiveNumeric = 0.5
    static let inactiveCategory = -1.0

    let numeric: [Numeric]
    let categorical: [Categorical]
    /// Coordinates from here on are categorical indices.
    var categoricalStart: Int { numeric.count }
    var dimension: Int { numeric.count + categorical.count }

    init(space: SearchSpace) {
        var num: [Numeric] = [], cat: [Categorical] = []
        for (name, dist) in space where !dist.isSingleValue {
            switch dist {
            case .float, .int: num.append(Numeric(name: name, distribution: dist))
            case .categorical(let c): cat.append(Categorical(name: name, distribution: c))
            case .fixed: continue
            }
        }
        numeric = num; categorical = cat
    }

    /// The names encoded, in coordinate order.
    var names: [String] { numeric.map(\.name) + categorical.map(\.name) }

    /// The point of a trial and which coordinates it holds; nil when it holds a value outside
    /// a distribution, or lacks a parameter and `allowInactive` is false.
    func encode(_ params: [String: ParamValue], allowInactive: Bool) -> (x: [Double], active: [Bool])? {
        var x = [Double](repeating: 0, count: dimension), active = [Bool](repeating: true, count: dimension)
        for (j, c) in numeric.enumerated() {
            guard let v = params[c.name] else {
                guard allowInactive else { return nil }
                x[j] = Self.inactiveNumeric; active[j] = false; continue
            }
            guard let inside = c.distribution.toInternal(v) else { return nil }
            x[j] = c.distribution.toUnit(inside)
        }
        for (k, c) in categorical.enumerated() {
            let j = categoricalStart + k
            guard let v = params[c.name] else {
                guard allowInactive else { return nil }
                x[j] = Self.inactiveCategory; active[j] = false; continue
            }
            guard let index = c.distribution.index(of: v) else { return nil }
            x[j] = Double(index)
        }
        return (x, active)
    }

    /// The active parameters at a point (numeric ones clamped and rounded to admissible values).
    func decode(_ x: [Double], active: [Bool]) -> [String: ParamValue] {
        var out: [String: ParamValue] = [:]
        for (j, c) in numeric.enumerated() where active[j] {
            out[c.name] = c.distribution.toExternal(c.distribution.fromUnit(x[j]))
        }
        for (k, c) in categorical.enumerated() where active[categoricalStart + k] {
            let i = min(max(Int(x[categoricalStart + k].rounded()), 0), c.distribution.choices.count - 1)
            out[c.name] = c.distribution.choices[i]
        }
        return out
    }

    /// Moves numeric coordinate j to the centre of the cell of the value it decodes to.
    func snap(_ x: inout [Double], _ j: Int) {
        let d = numeric[j].distribution
        x[j] = d.toUnit(d.fromUnit(x[j]))
    }

    /// Whether numeric coordinate j takes discrete values (int, stepped float).
    func isDiscrete(_ j: Int) -> Bool {
        switch numeric[j].distribution {
        case .int: return true
        case .float(let f): return f.step != nil
        default: return false
        }
    }

    /// The centres of the cells of the admissible values next to coordinate j's (ints and
    /// stepped floats); empty for continuous coordinates, whose neighbourhood L-BFGS explores.
    func neighbourCells(_ x: [Double], _ j: Int) -> [Double] {
        let d = numeric[j].distribution
        let v = d.fromUnit(x[j])
        let (step, low, high): (Double, Double, Double)
        switch d {
        case .int(let i): (step, low, high) = (Double(i.step), Double(i.low), Double(i.high))
        case .float(let f):
            guard let s = f.step else { return [] }
            (step, low, high) = (s, f.low, f.high)
        default: return []
        }
        return [v - step, v + step].filter { $0 >= low - 1e-9 * step && $0 <= high + 1e-9 * step }
            .map { d.toUnit(d.fromUnit(d.toUnit($0))) }
    }
}

/// A branch of a conditional space: the coordinates its trials hold, and the values its
/// categoricals may take. A non-conditional space has one branch with everything free.
///
/// Branches are read off the trials: trials holding the same set of parameters form one.
/// A categorical *chooses* the branch when no two of its observed values occurred in the
/// same branch (a model family: each family has its own branches, several when a nested
/// choice splits it further); in a branch it is then restricted to the value seen there,
/// so that a proposal is a configuration the objective can produce. Other categoricals are free within their branch. Structures this
/// does not capture (a branch chosen by a numeric parameter, values shared by branches)
/// degrade gracefully: the proposal's parameters that the objective does not ask for are
/// ignored, and those it asks for but the branch lacks are sampled independently.
struct SpaceBranch: Sendable {
    var active: [Bool]
    /// Admissible choices of each categorical (by categorical index), when active.
    var allowed: [[Int]]

    static func branches(of points: [(x: [Double], active: [Bool])], encoding e: MixedSpaceEncoding) -> [SpaceBranch] {
        var signatures: [[Bool]] = []
        var signatureIndex: [[Bool]: Int] = [:]
        for p in points where signatureIndex[p.active] == nil {
            signatureIndex[p.active] = signatures.count; signatures.append(p.active)
        }
        let allChoices = e.categorical.map { Array(0..<$0.distribution.choices.count) }
        guard signatures.count > 1 else {
            return [SpaceBranch(active: signatures.first ?? [Bool](repeating: true, count: e.dimension), allowed: allChoices)]
        }
        // For each categorical: value → branches it occurred in.
        var seen = [[Int: Set<Int>]](repeating: [:], count: e.categorical.count)
        for p in points {
            let b = signatureIndex[p.active]!
            for k in e.categorical.indices where p.active[e.categoricalStart + k] {
                seen[k][Int(p.x[e.categoricalStart + k]), default: []].insert(b)
            }
        }
        // Chooses: no two values share a branch, and the values lead to different branches.
        let chooses = seen.map { m -> Bool in
            let total = m.values.reduce(0) { $0 + $1.count }
            let distinct = m.values.reduce(into: Set<Int>()) { $0.formUnion($1) }.count
            return total == distinct && m.count > 1
        }
        return signatures.enumerated().map { b, active in
            var allowed = allChoices
            for k in e.categorical.indices where chooses[k] {
                allowed[k] = seen[k].filter { $0.value.contains(b) }.keys.sorted()
            }
            return SpaceBranch(active: active, allowed: allowed)
        }
    }
}

extension GPSampler {
    /// log EI at x and, when `gradient` is given, its gradient (zero on categorical coordinates).
    func acquisition(_ gp: GaussianProcess, _ x: [Double], best: Double, workspace: GaussianProcess.Workspace,
                     gradient: UnsafeMutableBufferPointer<Double>?, varianceGradient: UnsafeMutableBufferPointer<Double>?) -> Double
    {
        let p = x.withUnsafeBufferPointer { gp.predict($0, workspace: workspace, meanGradient: gradient, varianceGradient: varianceGradient) }
        let a = LogEI.value(mean: p.mean, variance: p.variance, best: best)
        if let g = gradient, let gv = varianceGradient {
            for j in 0..<g.count { g[j] = a.dMean * g[j] + a.dVariance * gv[j] }
        }
        return a.logEI
    }

    /// Maximises log EI against `best` over the branches; returns the point and its branch.
    /// Points for which `excluded` holds are never proposed.
    ///
    /// 1. Candidates: `randomCandidates` uniform points spread over the branches, and
    ///    perturbations of the best observed points (Gaussian on the numeric coordinates,
    ///    one categorical changed to another admissible value).
    /// 2. From each of the `localSearchStarts` best: alternate projected L-BFGS over the
    ///    active numeric coordinates (snapped to admissible values afterwards) with a sweep
    ///    over the discrete coordinates — every admissible value of each categorical, the
    ///    neighbouring values of each integer — until a round improves nothing (at most
    ///    `mixedSearchRounds` rounds; Optuna's optim_mixed alternates the same way).
    func maximizeMixedAcquisition(gp: GaussianProcess, encoding e: MixedSpaceEncoding, branches: [SpaceBranch],
                                  best: Double, observed: [(x: [Double], branch: Int)],
                                  excluded: (([Double]) -> Bool)?, rng: inout RandomGenerator) -> (x: [Double], branch: Int)
    {
        let d = e.dimension, cs = e.categoricalStart
        let workspace = GaussianProcess.Workspace(count: gp.count)
        func score(_ x: [Double]) -> Double {
            if let excluded, excluded(x) { return -.infinity }
            return acquisition(gp, x, best: best, workspace: workspace, gradient: nil, varianceGradient: nil)
        }
        var candidates: [(x: [Double], branch: Int)] = []
        let perBranch = max(32, options.randomCandidates / max(1, branches.count))
        for (b, branch) in branches.enumerated() {
            for _ in 0..<(branches.count == 1 ? options.randomCandidates : perBranch) {
                var x = [Double](repeating: 0, count: d)
                for j in 0..<cs { x[j] = branch.active[j] ? rng.uniform() : MixedSpaceEncoding.inactiveNumeric }
                for k in 0..<(d - cs) {
                    let a = branch.allowed[k]
                    x[cs + k] = branch.active[cs + k] && !a.isEmpty
                        ? Double(a[rng.int(below: a.count)]) : MixedSpaceEncoding.inactiveCategory
                }
                candidates.append((x, b))
            }
        }
        for base in observed.prefix(3) {
            let branch = branches[base.branch]
            let free = (0..<(d - cs)).filter { branch.active[cs + $0] && branch.allowed[$0].count > 1 }
            for scale in [0.01, 0.05, 0.2] {
                for _ in 0..<4 {
                    var x = base.x
                    for j in 0..<cs where branch.active[j] { x[j] = min(max(x[j] + scale * rng.normal(), 0), 1) }
                    if !free.isEmpty, rng.uniform() < 0.5 {
                        let k = free[rng.int(below: free.count)], a = branch.allowed[k]
                        x[cs + k] = Double(a[rng.int(below: a.count)])
                    }
                    candidates.append((x, base.branch))
                }
            }
        }
        let scored = candidates.map { (x: $0.x, branch: $0.branch, value: score($0.x)) }
        let starts = scored.indices.sorted { scored[$0].value > scored[$1].value }.prefix(options.localSearchStarts)

        var bestX = scored[starts.first!].x, bestBranch = scored[starts.first!].branch
        var bestValue = -Double.infinity
        var meanGradient = [Double](repeating: 0, count: d), varianceGradient = meanGradient
        for s in starts {
            let branch = branches[scored[s].branch]
            let numeric = (0..<cs).filter { branch.active[$0] }
            var x = scored[s].x
            for j in numeric { e.snap(&x, j) }
            var value = score(x)
            // Without discrete coordinates one L-BFGS run is all there is to do.
            let discrete = numeric.contains { e.isDiscrete($0) }
                || (0..<(d - cs)).contains { branch.active[cs + $0] && branch.allowed[$0].count > 1 }
            for _ in 0..<(discrete ? max(1, options.mixedSearchRounds) : 1) {
                let before = value
                if !numeric.isEmpty {
                    let template = x
                    let r = BoundedLBFGS.minimize(numeric.map { template[$0] }, lower: Array(repeating: 0, count: numeric.count),
                                                  upper: Array(repeating: 1, count: numeric.count),
                                                  maxIterations: options.acquisitionIterations, gradientTolerance: 1e-9) { z, g in
                        var full = template
                        for (k, j) in numeric.enumerated() { full[j] = z[k] }
                        let v = meanGradient.withUnsafeMutableBufferPointer { mg in
                            varianceGradient.withUnsafeMutableBufferPointer { vg in
                                acquisition(gp, full, best: best, workspace: workspace, gradient: mg, varianceGradient: vg)
                            }
                        }
                        for (k, j) in numeric.enumerated() { g[k] = -meanGradient[j] }
                        return v.isFinite ? -v : .infinity
                    }
                    var moved = template
                    for (k, j) in numeric.enumerated() { moved[j] = r.x[k]; e.snap(&moved, j) }
                    let v = score(moved)
                    if v > value { x = moved; value = v }
                }
                // The discrete sweep, one coordinate at a time, keeping each improvement.
                for j in numeric {
                    for u in e.neighbourCells(x, j) {
                        var y = x; y[j] = u
                        let v = score(y)
                        if v > value { x = y; value = v }
                    }
                }
                for k in 0..<(d - cs) where branch.active[cs + k] {
                    for c in branch.allowed[k] where Double(c) != x[cs + k] {
                        var y = x; y[cs + k] = Double(c)
                        let v = score(y)
                        if v > value { x = y; value = v }
                    }
                }
                if !(value > before) { break }
            }
            if value > bestValue { bestValue = value; bestX = x; bestBranch = scored[s].branch }
        }
        return (bestX, bestBranch)
    }
}
