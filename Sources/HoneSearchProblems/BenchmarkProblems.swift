// Standard test functions for black-box optimisers, with their known minima, shared by the
// search benchmark (bench/search) and the sampler tests.
//
// Definitions follow Surjanovic & Bingham's Virtual Library of Simulation Experiments
// (sfu.ca/~ssurjano): Branin–Hoo, Hartmann 3-D and 6-D, Rosenbrock. The minima were
// refined by a local optimiser from the published minimisers, so the simple regret
// (best value − minimum) is accurate far below the 1e-5 level that good samplers reach.

import Foundation

/// A box-constrained minimisation problem with a known global minimum.
public struct BenchmarkProblem: Sendable {
    /// "branin", "hartmann3", "hartmann6", "rosenbrock4"; "-shifted" for the shifted box.
    public let name: String
    public let lower: [Double]
    public let upper: [Double]
    /// The global minimum over the box.
    public let minimum: Double
    /// One point where the minimum is reached (Branin has several).
    public let minimizer: [Double]
    public let function: @Sendable ([Double]) -> Double

    public var dimension: Int { lower.count }
    /// Parameter names in order: x0, x1, …
    public var parameterNames: [String] { (0..<dimension).map { "x\($0)" } }

    public init(name: String, lower: [Double], upper: [Double], minimum: Double, minimizer: [Double],
                function: @escaping @Sendable ([Double]) -> Double)
    {
        self.name = name; self.lower = lower; self.upper = upper
        self.minimum = minimum; self.minimizer = minimizer; self.function = function
    }

    public func callAsFunction(_ x: [Double]) -> Double { function(x) }

    /// Value minus the minimum (never negative up to rounding).
    public func regret(_ value: Double) -> Double { value - minimum }

    /// The same function on a translated box in which `minimizer` sits near a corner
    /// (relative position 0.15 or 0.85, alternating by coordinate) instead of where the
    /// published box puts it. A sampler that does well only because it tries the centre
    /// of the box, or the middle of each range, first gains nothing here.
    ///
    /// The minimum is unchanged: each function's global minimum over all of Rᴰ equals its
    /// minimum over the published box (Branin reaches 0.397887 wherever x₁ = (2k+1)π and
    /// x₂ = b x₁² − c x₁ + 6; the Hartmann functions are sums of negative Gaussians
    /// centred inside [0, 1]ᴰ: beyond the largest (or smallest) centre coordinate every term's
    /// partial derivative has the same sign, so no minimum lies outside [0, 1]ᴰ;
    /// Rosenbrock's minimum is 0 at (1, …, 1)), and the translated box contains `minimizer`.
    public func shifted() -> BenchmarkProblem {
        var lo = lower, hi = upper
        for j in 0..<dimension {
            let width = upper[j] - lower[j]
            let relative = j % 2 == 0 ? 0.15 : 0.85
            lo[j] = minimizer[j] - relative * width
            hi[j] = lo[j] + width
        }
        return BenchmarkProblem(name: name + "-shifted", lower: lo, upper: hi, minimum: minimum,
                                minimizer: minimizer, function: function)
    }

    // MARK: The problems

    /// Branin–Hoo on [−5, 10] × [0, 15]; minimum 0.397887 at (−π, 12.275), (π, 2.275), (3π, 2.475).
    public static let branin = BenchmarkProblem(
        name: "branin", lower: [-5, 0], upper: [10, 15], minimum: 10 - 10 * (1 - 1 / (8 * Double.pi)),
        minimizer: [Double.pi, 2.275], function: { x in branin(x[0], x[1]) })

    public static func branin(_ x1: Double, _ x2: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        let u = x2 - b * x1 * x1 + c * x1 - 6
        return u * u + 10 * (1 - t) * cos(x1) + 10
    }

    /// Hartmann 3-D on [0, 1]³; minimum −3.862780 at (0.114589, 0.555649, 0.852547).
    public static let hartmann3 = BenchmarkProblem(
        name: "hartmann3", lower: [0, 0, 0], upper: [1, 1, 1], minimum: -3.862779787332663,
        minimizer: [0.11458888122541287, 0.5556488954739371, 0.8525469842172746],
        function: { hartmann($0, a: hartmann3A, p: hartmann3P) })

    /// Hartmann 6-D on [0, 1]⁶; minimum −3.322368 at (0.201690, 0.150011, 0.476874, 0.275332,
    /// 0.311652, 0.657301). It has a second, local minimum (≈ −3.2032) that traps many methods.
    public static let hartmann6 = BenchmarkProblem(
        name: "hartmann6", lower: [Double](repeating: 0, count: 6), upper: [Double](repeating: 1, count: 6),
        minimum: -3.3223680114155147,
        minimizer: [0.20168950909365746, 0.15001069354111374, 0.4768739729250998, 0.2753324275220782,
                    0.3116516172395686, 0.6573005345536702],
        function: { hartmann($0, a: hartmann6A, p: hartmann6P) })

    /// Rosenbrock in 4-D on [−5, 10]⁴; minimum 0 at (1, 1, 1, 1). A long curved valley:
    /// easy to enter, slow to follow.
    public static let rosenbrock4 = BenchmarkProblem(
        name: "rosenbrock4", lower: [Double](repeating: -5, count: 4), upper: [Double](repeating: 10, count: 4),
        minimum: 0, minimizer: [1, 1, 1, 1], function: rosenbrock)

    public static func rosenbrock(_ x: [Double]) -> Double {
        var f = 0.0
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
            f += 100 * a * a + b * b
        }
        return f
    }

    /// The published problems, in report order.
    public static let standard: [BenchmarkProblem] = [branin, hartmann3, hartmann6, rosenbrock4]

    /// A problem by name: a standard one, or its shifted variant ("hartmann6-shifted").
    public static func named(_ name: String) -> BenchmarkProblem? {
        if name.hasSuffix("-shifted") {
            return named(String(name.dropLast("-shifted".count))).map { $0.shifted() }
        }
        return standard.first { $0.name == name }
    }

    // MARK: Hartmann constants

    private static let hartmannAlpha = [1.0, 1.2, 3.0, 3.2]
    private static let hartmann3A: [[Double]] = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
    private static let hartmann3P: [[Double]] = [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                                                 [381, 5743, 8828]].map { $0.map { $0 * 1e-4 } }
    private static let hartmann6A: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                                                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
    private static let hartmann6P: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                                                 [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        .map { $0.map { $0 * 1e-4 } }

    private static func hartmann(_ x: [Double], a: [[Double]], p: [[Double]]) -> Double {
        var f = 0.0
        for i in 0..<4 {
            var s = 0.0
            for j in 0..<x.count { let d = x[j] - p[i][j]; s += a[i][j] * d * d }
            f -= hartmannAlpha[i] * exp(-s)
        }
        return f
    }
}
