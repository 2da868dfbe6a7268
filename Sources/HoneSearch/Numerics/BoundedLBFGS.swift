// A small box-constrained quasi-Newton minimiser for the GP's hyperparameters and
// acquisition function.

import Foundation

/// Projected L-BFGS (Nocedal & Wright, "Numerical Optimization", Alg. 7.4 two-loop
/// recursion) with a backtracking Armijo line search along the projected path.
///
/// Coordinates at a bound whose gradient points outward are frozen for the step, so the
/// method behaves like gradient projection near the box and like L-BFGS inside it. That
/// is simpler than L-BFGS-B's generalized Cauchy point and good enough for the smooth,
/// low-dimensional problems here.
enum BoundedLBFGS {
    /// Minimises `f` from `x0` within [lower, upper]. `f` returns the value and writes the
    /// gradient into its second argument. Returns the best point and value found.
    static func minimize(_ x0: [Double], lower: [Double], upper: [Double], maxIterations: Int,
                         memory: Int = 8, gradientTolerance: Double = 1e-6,
                         _ f: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> (x: [Double], value: Double)
    {
        let n = x0.count
        var x = zip(x0, zip(lower, upper)).map { min(max($0, $1.0), $1.1) }
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        guard fx.isFinite else { return (x, fx) }
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
        var newG = g
        var direction = [Double](repeating: 0, count: n)
        var free = [Bool](repeating: true, count: n)

        for _ in 0..<maxIterations {
            // Freeze coordinates pinned at a bound by the gradient.
            var projectedNorm = 0.0
            for i in 0..<n {
                let atLower = x[i] <= lower[i] && g[i] > 0
                let atUpper = x[i] >= upper[i] && g[i] < 0
                free[i] = !(atLower || atUpper)
                if free[i] { projectedNorm = max(projectedNorm, abs(g[i])) }
            }
            if projectedNorm <= gradientTolerance { break }

            // Two-loop recursion on the free coordinates: direction = −H g.
            for i in 0..<n { direction[i] = free[i] ? -g[i] : 0 }
            var alphas = [Double](repeating: 0, count: sHistory.count)
            for k in stride(from: sHistory.count - 1, through: 0, by: -1) {
                var a = 0.0
                for i in 0..<n where free[i] { a += sHistory[k][i] * direction[i] }
                a *= rhoHistory[k]
                alphas[k] = a
                for i in 0..<n where free[i] { direction[i] -= a * yHistory[k][i] }
            }
            if let s = sHistory.last, let y = yHistory.last {
                var sy = 0.0, yy = 0.0
                for i in 0..<n { sy += s[i] * y[i]; yy += y[i] * y[i] }
                let gamma = yy > 0 ? sy / yy : 1
                for i in 0..<n { direction[i] *= gamma }
            } else {
                // First step: scale so the largest move is at most 10% of the box (or 1).
                var m = 0.0
                for i in 0..<n { m = max(m, abs(direction[i])) }
                var width = Double.infinity
                for i in 0..<n where upper[i] - lower[i] < width { width = upper[i] - lower[i] }
                let scale = min(1, 0.1 * (width.isFinite ? width : 1)) / max(m, 1e-300)
                for i in 0..<n { direction[i] *= min(scale, 1e6) }
            }
            for k in 0..<sHistory.count {
                var b = 0.0
                for i in 0..<n where free[i] { b += yHistory[k][i] * direction[i] }
                b *= rhoHistory[k]
                for i in 0..<n where free[i] { direction[i] += sHistory[k][i] * (alphas[k] - b) }
            }
            var slope = 0.0
            for i in 0..<n { slope += g[i] * direction[i] }
            if !(slope < 0) {
                // Not a descent direction (stale curvature): fall back to steepest descent.
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                for i in 0..<n { direction[i] = free[i] ? -g[i] : 0 }
                slope = 0
                for i in 0..<n { slope += g[i] * direction[i] }
                guard slope < 0 else { break }
            }

            // Backtracking along the projected path.
            var step = 1.0
            var accepted = false
            var trial = x, fTrial = fx
            for _ in 0..<30 {
                for i in 0..<n { trial[i] = min(max(x[i] + step * direction[i], lower[i]), upper[i]) }
                fTrial = f(trial, &newG)
                var decrease = 0.0
                for i in 0..<n { decrease += g[i] * (trial[i] - x[i]) }
                if fTrial.isFinite && fTrial <= fx + 1e-4 * decrease { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }
            var s = [Double](repeating: 0, count: n), y = s
            var sy = 0.0
            for i in 0..<n { s[i] = trial[i] - x[i]; y[i] = newG[i] - g[i]; sy += s[i] * y[i] }
            let improvement = fx - fTrial
            x = trial; fx = fTrial; g = newG
            if sy > 1e-12 {
                sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / sy)
                if sHistory.count > memory { sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst() }
            }
            if improvement <= 1e-12 * max(1, abs(fx)) { break }
        }
        return (x, fx)
    }
}
