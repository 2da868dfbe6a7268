// Power transforms of objective values (Box & Cox 1964; Yeo & Johnson 2000) with the
// exponent chosen by maximum likelihood, as HEBO does before fitting its GP
// (Cowen-Rivers et al. 2022).

import Foundation

/// A monotone increasing transform of objective values that makes them closer to normal.
///
/// A GP with a stationary kernel models heavy-tailed values badly: on Rosenbrock in
/// [−5, 10]⁴ the values span 0 … 10⁶, the fitted signal variance is set by the huge ones,
/// and the valley where the optimum lies is flat noise to the model. Fitting the GP to
/// transformed values keeps the order of the observations (so the incumbent and EI's
/// target are unchanged) while resolving the region that matters.
///
/// Values are first divided by their standard deviation. Positive values get Box–Cox,
/// others Yeo–Johnson; λ maximises the profile log-likelihood of a normal model over a grid
/// on [−2, 2]. λ = 1 is the identity up to an affine map, so values that are already
/// close to normal are left essentially as they are.
struct PowerTransform {
    enum Kind { case boxCox, yeoJohnson }
    let kind: Kind
    let lambda: Double
    let scale: Double

    init(fitting values: [Double]) {
        let mean = values.reduce(0, +) / Double(max(values.count, 1))
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count, 1))).squareRoot()
        let scale = std > 1e-300 ? std : 1
        let kind: Kind = values.allSatisfy { $0 > 0 } ? .boxCox : .yeoJohnson
        let x = values.map { $0 / scale }
        self.scale = scale; self.kind = kind
        var bestLambda = 1.0, bestLL = -Double.infinity
        if values.count >= 3 && std > 1e-300 {
            for step in 0...80 {
                let l = -2 + Double(step) * 0.05
                let ll = PowerTransform.logLikelihood(x, lambda: l, kind: kind)
                if ll > bestLL { bestLL = ll; bestLambda = l }
            }
        }
        lambda = bestLambda
    }

    func callAsFunction(_ v: Double) -> Double { PowerTransform.apply(v / scale, lambda: lambda, kind: kind) }

    static func apply(_ x: Double, lambda l: Double, kind: Kind) -> Double {
        switch kind {
        case .boxCox:
            return abs(l) < 1e-12 ? log(x) : (pow(x, l) - 1) / l
        case .yeoJohnson:
            if x >= 0 { return abs(l) < 1e-12 ? log1p(x) : (pow(x + 1, l) - 1) / l }
            return abs(l - 2) < 1e-12 ? -log1p(-x) : -(pow(1 - x, 2 - l) - 1) / (2 - l)
        }
    }

    /// Profile log-likelihood of λ: normal fit to the transformed values plus the log
    /// Jacobian of the transform.
    static func logLikelihood(_ x: [Double], lambda l: Double, kind: Kind) -> Double {
        let n = Double(x.count)
        let t = x.map { apply($0, lambda: l, kind: kind) }
        let mean = t.reduce(0, +) / n
        let variance = t.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        guard variance > 0, variance.isFinite else { return -.infinity }
        var jacobian = 0.0
        switch kind {
        case .boxCox: for v in x { jacobian += log(v) }
        case .yeoJohnson: for v in x { jacobian += (v >= 0 ? 1 : -1) * log1p(abs(v)) }
        }
        return -n / 2 * log(variance) + (l - 1) * jacobian
    }
}
