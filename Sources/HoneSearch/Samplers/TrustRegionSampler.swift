// Derivative-free trust-region search with quadratic models (Powell's NEWUOA/BOBYQA
// family; here regression models as in Conn, Scheinberg & Vicente, "Introduction to
// Derivative-Free Optimization", 2009, ch. 10–11).

import Foundation
import HoneTensor

/// Local refinement around the best trial: fit a quadratic model to the trials near the
/// incumbent, step to the model's minimiser within a box of half-width Δ (the trust
/// region), and grow or shrink Δ by how well the model predicted the outcome.
///
/// A GP with a stationary kernel converges slowly along a long curved valley (Rosenbrock):
/// the fitted lengthscales must be short across the valley and long along it, and the
/// valley's direction changes. A quadratic model only has to be right within Δ, and
/// Δ adapts to how far it is right — the reason model-based trust-region methods (COBYLA,
/// BOBYQA) win such problems at small budgets. `AutoSampler` hands part of a GP study's
/// trials to this sampler once there are enough points to fit the model.
///
/// Per ask, on the numeric coordinates of the unit cube (`UnitCubeEncoding`):
/// 1. Incumbent x* = the best COMPLETE trial numbered below this one.
/// 2. Δ from the last finished trial this sampler proposed (system attributes
///    `tr.radius`, `tr.base`, `tr.predicted`, `tr.step`): ratio ρ = actual / predicted
///    improvement; ρ < ¼ → Δ = ½Δ; ρ > ¾ with a step at the boundary → Δ = 2Δ, or inside
///    the region when the step continues the incumbent's previous move → Δ = max(2Δ, 4·step)
///    (`continuesTheIncumbentsMove`); else Δ stays. After a geometry step (below) Δ stays
///    if it improved, else halves.
///    When a trial of another sampler has become the incumbent since that step, Δ is at
///    least half the distance between the two (a restart: with `auto`'s GP finding the
///    better points, Δ would otherwise stay at the old incumbent's shrunken scale —
///    bbob f12 10-D, radius 1e-5 after a jump of 0.1).
///    Without such a trial, Δ = half the distance from x* to its (d+1)-th nearest point.
///    Recomputed from the trials on every ask, so it is as reproducible as the rest of
///    the study.
/// 3. Model: weighted least squares over the nearest points (weights fall off beyond 2Δ),
///    the richest that the points determine (`modelShape`; with `linearModelFirst` the
///    first ones have fewer coefficients): linear from d + 1 points,
///    diagonal curvature from 2d + 1, the full quadratic from (d + 1)(d + 2) / 2 for
///    d ≤ `fullQuadraticDimensions`; with a small ridge on the curvature terms so sparse
///    geometry gives a tame model.
/// 4. Step: the model's minimiser over the box ∩ trust region (projected L-BFGS from
///    x*, from the scaled steepest-descent corner and from a few random points). When
///    the model predicts no improvement, a geometry step (a random point at Δ/2) adds
///    information instead of re-evaluating x*. So does a step that a parallel worker has
///    already taken (a trial the model has not seen, within 0.1 Δ of it).
///
/// Spaces with categorical parameters are not modelled (empty relative space; the
/// parameters come from random sampling), and multi-objective studies fall back to random.
public final class TrustRegionSampler: Sampler, @unchecked Sendable {
    public struct Options: Sendable {
        /// Random trials before the first model (at least the model's points are needed
        /// anyway).
        public var startupTrials: Int = 10
        /// Start from d + 1 points with a linear model (COBYLA's), growing it to the
        /// quadratic as points arrive, instead of waiting for the quadratic's points. For
        /// `auto`, whose GP places those points (`AutoSampler.trustRegionStart`); after
        /// random points alone it loses (bbob 5/10-D, rotated quadratics: the diagonal
        /// model's first steps shrink Δ before the full one can be fitted).
        public var linearModelFirst = false
        /// Bounds of Δ in the unit cube (half-width of the trust region).
        public var minRadius: Double = 1e-7
        public var maxRadius: Double = 0.5
        /// Full quadratic models up to this dimension; diagonal curvature above it
        /// ((d+1)(d+2)/2 coefficients need as many points).
        public var fullQuadraticDimensions: Int = 8
        /// Deterministic parallel mode (see `OrderedTrialReader`).
        public var deterministicParallelism: Int? = nil
        public init() {}
    }

    public static let radiusAttribute = "tr.radius"
    public static let baseAttribute = "tr.base"
    public static let predictedAttribute = "tr.predicted"
    public static let stepAttribute = "tr.step"

    public let name = "trust-region"
    public let options: Options
    private let fallback = RandomSampler()
    private let window = DeterministicWindow()
    /// Steps proposed in this process, by study and trial number, until the history that an
    /// ask reads shows the trial finished. Asks of parallel workers overlap, so a step is
    /// visible here before its trial has stored its parameters (and, if it finishes in
    /// between, before the history that the next ask reads shows it).
    private let lock = NSLock()
    private var inFlight: [Int64: [Int: [String: ParamValue]]] = [:]

    public init(options: Options = Options()) { self.options = options }

    public func inferRelativeSearchSpace(study: StudyView, trial: Trial) throws -> SearchSpace {
        guard !study.isMultiObjective else { return SearchSpace() }
        let space = try window.intersectionSearchSpace(for: trial, workers: options.deterministicParallelism, study: study).searchable
        // Numeric spaces only: a quadratic in one-hot coordinates means nothing.
        for n in space.names { if case .categorical = space[n]! { return SearchSpace() } }
        return space
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        try fallback.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }

    public func sampleRelative(study: StudyView, trial: Trial, searchSpace: SearchSpace) throws -> [String: ParamValue] {
        let encoding = UnitCubeEncoding(space: searchSpace, oneHot: true)
        let d = encoding.dimension
        guard d > 0 else { return [:] }
        // Minimised values.
        let sign = study.directions[0] == .maximize ? -1.0 : 1.0
        let visibleBelow = try window.visibleBound(for: trial, workers: options.deterministicParallelism, study: study)
        // Overlapping asks in this process run one at a time, each seeing the steps of the
        // others (`inFlight`) from the history it reads on.
        lock.lock(); defer { lock.unlock() }
        var points: [(x: [Double], f: Double, number: Int)] = []
        var last: FrozenTrial?
        // One read of the history for everything below, so it is one consistent state.
        let history = try study.trials()
        for t in history where t.state == .complete && t.number < visibleBelow {
            guard let v = t.value, v.isFinite, let x = encoding.encode(t.params) else { continue }
            points.append((x, sign * v, t.number))
            if t.systemAttrs[Self.radiusAttribute] != nil, t.number > (last?.number ?? -1) { last = t }
        }
        guard points.count >= pointsNeeded(dimension: d) else { return [:] }
        let incumbent = Self.best(of: points)!
        let centre = incumbent.x

        // Step 2: the trust-region radius.
        var radius: Double
        if let last, case .number(let r)? = last.systemAttrs[Self.radiusAttribute],
           case .number(let base)? = last.systemAttrs[Self.baseAttribute],
           case .number(let predicted)? = last.systemAttrs[Self.predictedAttribute],
           case .number(let step)? = last.systemAttrs[Self.stepAttribute], let v = last.value
        {
            let ratio = (base - sign * v) / predicted
            // A geometry step predicts nothing: keep Δ when it found a better point, else
            // the model (which saw no improvement within Δ) is right and Δ shrinks.
            if predicted <= 0 { radius = base - sign * v > 0 ? r : 0.5 * r }
            // A failed step halves Δ (Powell's NEWUOA), not the step: the model's minimiser
            // can lie just beside the centre, and half of such a step collapsed Δ by 10³ at
            // once (bbob f12 2-D: 1.8e-3 → 1.9e-6, then ≤ 0.003 of the box per step).
            else if ratio < 0.25 { radius = 0.5 * r }
            else if ratio > 0.75 && step >= 0.9 * r { radius = 2 * r }
            // A well-predicted step inside the region that continues the incumbent's previous
            // move: the model keeps placing its minimiser just ahead, on a valley or a flank
            // the quadratic under-estimates (a Gaussian peak's side, bbob f22), so Δ grows as
            // Py-BOBYQA's does (at least 4‖s‖). Steps that turn back, as around a ripple's
            // minimum (Ackley, Levy), leave Δ alone: growing it there lost those surfaces.
            else if ratio > 0.75, continuesTheIncumbentsMove(last, points: points, encoding: encoding) {
                radius = max(2 * r, 4 * step)
            }
            else { radius = r }
            // The incumbent moved since that step: another sampler (the GP, in `auto`)
            // found a better point elsewhere. Δ had shrunk around the old incumbent and
            // would start the new one's refinement at that scale, so it is at least half
            // the jump between them.
            if incumbent.number > last.number, let previous = encoding.encode(last.params) {
                radius = max(radius, 0.5 * infinityDistance(centre, previous))
            }
        } else {
            let distances = points.map { infinityDistance($0.x, centre) }.sorted()
            radius = 0.5 * distances[min(d + 1, distances.count - 1)]
        }
        radius = min(max(radius, options.minRadius), options.maxRadius)

        // Step 3: the model, in coordinates scaled by the radius (s = (x − x*) / Δ).
        let model = QuadraticModel.fit(points.map { (x: $0.x, f: $0.f) }, centre: centre, radius: radius,
                                       shape: modelShape(points: points.count, dimension: d))

        // Step 4: minimise it over the box ∩ trust region.
        let lower = centre.map { max(-1, (0 - $0) / radius) }
        let upper = centre.map { min(1, (1 - $0) / radius) }
        var rng = trial.random(for: "trust-region")
        var starts: [[Double]] = [[Double](repeating: 0, count: d)]
        if let model {
            let g = model.gradient
            let gMax = g.map(abs).max() ?? 0
            if gMax > 0 { starts.append(g.map { -$0 / gMax }) }
            for _ in 0..<3 { starts.append((0..<d).map { lower[$0] + (upper[$0] - lower[$0]) * rng.uniform() }) }
        }
        var best = (s: [Double](repeating: 0, count: d), value: 0.0)
        if let model {
            for s0 in starts {
                let r = BoundedLBFGS.minimize(s0, lower: lower, upper: upper, maxIterations: 50, gradientTolerance: 1e-10) { s, g in
                    model.value(s, gradient: &g)
                }
                if r.value < best.value - 1e-15 { best = (r.x, r.value) }
            }
        }
        var predicted = -best.value
        var step = best.s.map { abs($0) }.max()! * radius
        var x = zip(centre, best.s).map { min(max($0 + radius * $1, 0), 1) }
        // Geometry step: a random point at Δ/2, when the model cannot say where to go.
        func geometryStep() {
            let direction = (0..<d).map { _ in rng.normal() }
            let norm = direction.map(abs).max()!
            x = zip(centre, direction).map { min(max($0 + 0.5 * radius * $1 / norm, 0), 1) }
            predicted = 0; step = 0.5 * radius
        }
        if predicted <= 1e-12 * max(1, abs(incumbent.f)) || step < 1e-3 * radius { geometryStep() }
        // Another worker may already have taken this step (same visible history: same
        // incumbent, same Δ) — running, or even finished when this ask started late: then
        // add geometry instead of a duplicate.
        if options.deterministicParallelism == nil {
            let finished = Set(history.filter { $0.state.isFinished }.map(\.number))
            inFlight[study.studyId] = inFlight[study.studyId]?.filter { !finished.contains($0.key) }
            // The trials the model has not seen.
            let others = history.filter { t in
                t.number != trial.number && (t.state == .running || t.number > trial.number)
            }.map(\.params)
            let taken = (others + (inFlight[study.studyId] ?? [:]).values).compactMap { encoding.encode($0) }
            if predicted > 0, taken.contains(where: { infinityDistance($0, x) < 0.1 * radius }) { geometryStep() }
        }
        encoding.snap(&x)
        trial.setSystemAttribute(Self.radiusAttribute, .number(radius))
        trial.setSystemAttribute(Self.baseAttribute, .number(incumbent.f))
        trial.setSystemAttribute(Self.predictedAttribute, .number(predicted))
        trial.setSystemAttribute(Self.stepAttribute, .number(step))
        let params = encoding.decode(x)
        if options.deterministicParallelism == nil { inFlight[study.studyId, default: [:]][trial.number] = params }
        return params
    }

    /// Complete trials needed before the first model: the startup trials, and as many as
    /// the first model has coefficients (d + 1 with `linearModelFirst`).
    public func pointsNeeded(dimension d: Int) -> Int {
        max(options.startupTrials, options.linearModelFirst ? QuadraticModel.coefficients(dimension: d, shape: .linear)
                                                             : quadraticPoints(dimension: d))
    }

    /// The richest model that n points determine: linear from d + 1 points, diagonal
    /// curvature from 2d + 1, every second-order term (up to `fullQuadraticDimensions`)
    /// from (d + 1)(d + 2) / 2. Starting with the linear model, as COBYLA does, lets the
    /// descent begin d + 1 points in instead of waiting for the quadratic's (21 in 5-D,
    /// 41 in 20-D) while the points arrive.
    func modelShape(points n: Int, dimension d: Int) -> QuadraticModel.Shape {
        if d <= options.fullQuadraticDimensions, n >= QuadraticModel.coefficients(dimension: d, shape: .full) { return .full }
        if n >= QuadraticModel.coefficients(dimension: d, shape: .diagonal) { return .diagonal }
        return .linear
    }

    /// Points of the richest model allowed in d dimensions (full or diagonal quadratic).
    func quadraticPoints(dimension d: Int) -> Int {
        QuadraticModel.coefficients(dimension: d, shape: d <= options.fullQuadraticDimensions ? .full : .diagonal)
    }

    /// The incumbent among the points numbered below `n`: the lowest value, ties to the
    /// earlier trial.
    static func best(of points: [(x: [Double], f: Double, number: Int)], below n: Int = .max)
        -> (x: [Double], f: Double, number: Int)?
    {
        points.filter { $0.number < n }.min { $0.f != $1.f ? $0.f < $1.f : $0.number < $1.number }
    }

    /// Whether the step of trial `last` (from the incumbent it refined, c₁, to its point)
    /// points the way the incumbent last moved (from the incumbent before c₁, c₀, to c₁):
    /// cosine above ½. Both incumbents are the best of the points numbered below.
    func continuesTheIncumbentsMove(_ last: FrozenTrial, points: [(x: [Double], f: Double, number: Int)],
                                    encoding: UnitCubeEncoding) -> Bool
    {
        guard let x = encoding.encode(last.params), let c1 = Self.best(of: points, below: last.number),
              let c0 = Self.best(of: points, below: c1.number)
        else { return false }
        let move = zip(c1.x, c0.x).map { $0 - $1 }, step = zip(x, c1.x).map { $0 - $1 }
        let dot = zip(move, step).reduce(0) { $0 + $1.0 * $1.1 }
        let a = move.reduce(0) { $0 + $1 * $1 }.squareRoot(), b = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return a > 0 && b > 0 && dot / (a * b) > 0.5
    }
}

/// max_j |a_j − b_j|: the trust region is a box, so distances are measured in its norm.
private func infinityDistance(_ a: [Double], _ b: [Double]) -> Double {
    var m = 0.0
    for j in a.indices { m = max(m, abs(a[j] - b[j])) }
    return m
}

/// m(s) = c + gᵀs + ½ sᵀHs in scaled coordinates s = (x − centre) / radius, fitted by
/// weighted least squares.
struct QuadraticModel {
    let dimension: Int
    let constant: Double
    let gradient: [Double]
    /// Row-major d × d, symmetric.
    let hessian: [Double]

    func value(_ s: [Double], gradient g: inout [Double]) -> Double {
        let d = dimension
        var v = constant
        for i in 0..<d {
            var hs = 0.0
            for j in 0..<d { hs += hessian[i * d + j] * s[j] }
            g[i] = gradient[i] + hs
            v += gradient[i] * s[i] + 0.5 * s[i] * hs
        }
        return v - constant
    }

    /// Which terms the model has: a linear model (no curvature), diagonal curvature, or
    /// every second-order term.
    enum Shape: Sendable { case linear, diagonal, full }

    static func coefficients(dimension d: Int, shape: Shape) -> Int {
        switch shape {
        case .linear: return 1 + d
        case .diagonal: return 1 + 2 * d
        case .full: return 1 + 2 * d + d * (d - 1) / 2
        }
    }

    /// nil when too few points are near enough to determine the linear part.
    static func fit(_ points: [(x: [Double], f: Double)], centre: [Double], radius: Double, shape: Shape) -> QuadraticModel? {
        let d = centre.count
        let p = coefficients(dimension: d, shape: shape)
        let full = shape == .full
        // The nearest points: enough for the model, more when they are inside 2Δ.
        let near = points.map { pt -> (x: [Double], f: Double, r: Double) in
            (pt.x, pt.f, infinityDistance(pt.x, centre))
        }.sorted { $0.r < $1.r }
        let inside = near.prefix { $0.r <= 2 * radius }.count
        let used = Array(near.prefix(min(near.count, max(inside, p + d), 3 * p)))
        guard used.count >= d + 1 else { return nil }
        // Fitted in coordinates scaled by the spread of the points used (well conditioned
        // whatever Δ is), then rescaled to s = (x − centre) / Δ.
        let spread = max(used.last!.r, radius)
        // Values centred on the incumbent's and scaled, for conditioning.
        let f0 = used[0].f
        let fScale = max(used.map { abs($0.f - f0) }.max() ?? 1, 1e-300)

        func features(_ s: [Double]) -> [Double] {
            var phi = [1.0]
            phi += s
            if shape != .linear { phi += s.map { 0.5 * $0 * $0 } }
            if full { for i in 0..<d { for j in (i + 1)..<d { phi.append(s[i] * s[j]) } } }
            return phi
        }
        var a = [Double](repeating: 0, count: p * p), b = [Double](repeating: 0, count: p)
        for (k, pt) in used.enumerated() {
            // The incumbent counts most; points beyond 2Δ fade out (a quadratic describes
            // the function only locally).
            let w = (k == 0 ? 10.0 : 1.0) / (1 + pow(pt.r / (2 * radius), 4))
            let phi = features(zip(pt.x, centre).map { ($0 - $1) / spread })
            let y = (pt.f - f0) / fScale
            for i in 0..<p {
                b[i] += w * phi[i] * y
                for j in 0..<p { a[i * p + j] += w * phi[i] * phi[j] }
            }
        }
        // A tiny ridge, larger on the curvature terms: with degenerate geometry (steps
        // along a valley) the undetermined part of the model shrinks toward a linear one.
        // It also bounds the precision: about 1e-8 of the value range of the points used
        // (a smaller ridge, 1e-10, resolved Hartmann6 to 1e-12 instead of 1e-6 but made
        // Rosenbrock-4 worse: median 1.5 / 3.1 instead of 1.1 / 1.6 over 20 seeds).
        let trace = (0..<p).reduce(0.0) { $0 + a[$1 * p + $1] } / Double(p)
        for i in 0..<p { a[i * p + i] += (i <= d ? 1e-12 : 1e-8) * max(trace, 1e-300) }
        guard let (l, _) = DenseLinearAlgebra.choleskyWithJitter(a, n: p) else { return nil }
        let u = radius / spread
        var c = DenseLinearAlgebra.choleskySolve(l, n: p, b).map { $0 * fScale }
        for i in 1...d { c[i] *= u }
        for i in (1 + d)..<p { c[i] *= u * u }
        var h = [Double](repeating: 0, count: d * d)
        if shape != .linear { for i in 0..<d { h[i * d + i] = c[1 + d + i] } }
        if full {
            var k = 1 + 2 * d
            for i in 0..<d { for j in (i + 1)..<d { h[i * d + j] = c[k]; h[j * d + i] = c[k]; k += 1 } }
        }
        return QuadraticModel(dimension: d, constant: c[0], gradient: Array(c[1...d]), hessian: h)
    }
}
