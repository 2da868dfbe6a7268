// Gaussian-process regression with a Matérn-5/2 ARD kernel on the unit cube, for GPSampler.
//
// Model (Rasmussen & Williams 2006, ch. 2 and 5; Snoek et al. 2012 §2–3):
//     f ~ GP(0, k),  y = f(x) + ε,  ε ~ N(0, v)
//     k(x, x') = s · (1 + √5 r + 5r²/3) · exp(−√5 r),   r² = Σ_d (x_d − x'_d)² / ℓ_d²
// Targets are standardised by the caller, so a zero prior mean and s ≈ 1 are sensible.
// Categorical parameters (coordinates from `categoricalStart` on, each holding a category
// index) enter r² through the overlap (Hamming) distance: Δ_d² = [x_d ≠ x'_d], with their
// own lengthscale each (as Optuna's GPSampler does, optuna/_gp/gp.py). A category index
// of −1 stands for "parameter inactive" (conditional spaces): it differs from every value.
// Hyperparameters θ = (log ℓ_1…log ℓ_D, log s, log(v − v_min)) are fitted by maximising
// the log marginal likelihood plus log-priors (MAP), with analytic gradients (R&W eq. 5.9).

import Foundation

/// Kernel hyperparameters in the log space the optimiser works in.
struct GPHyperparameters: Sendable, Equatable {
    var logLengthscales: [Double]
    var logSignalVariance: Double
    /// log(noise variance − noise floor).
    var logNoiseExcess: Double

    var packed: [Double] { logLengthscales + [logSignalVariance, logNoiseExcess] }

    init(logLengthscales: [Double], logSignalVariance: Double, logNoiseExcess: Double) {
        self.logLengthscales = logLengthscales
        self.logSignalVariance = logSignalVariance
        self.logNoiseExcess = logNoiseExcess
    }

    init(packed p: [Double]) {
        logLengthscales = Array(p[0..<(p.count - 2)])
        logSignalVariance = p[p.count - 2]
        logNoiseExcess = p[p.count - 1]
    }

    /// ℓ = 1, s = 1, noise excess 1e-2: the start of the first fit (Optuna's GPSampler uses
    /// the same point).
    static func initial(dimension: Int) -> GPHyperparameters {
        GPHyperparameters(logLengthscales: [Double](repeating: 0, count: dimension),
                          logSignalVariance: 0, logNoiseExcess: log(1e-2))
    }
}

/// The Matérn-5/2 profile and the factor shared by its derivatives.
@inline(__always)
private func matern52(_ r: Double) -> (value: Double, derivativeFactor: Double) {
    let sqrt5r = 5.0.squareRoot() * r
    let e = exp(-sqrt5r)
    // value = (1 + √5 r + 5r²/3) e^{−√5 r};  d value/d r = −(5/3) r (1 + √5 r) e^{−√5 r},
    // so ∂k/∂(r²) = −(5/6)(1 + √5 r) e^{−√5 r}: `derivativeFactor` is (5/3)(1 + √5 r) e^{−√5 r}.
    return ((1 + sqrt5r + 5 * r * r / 3) * e, 5.0 / 3.0 * (1 + sqrt5r) * e)
}

/// A fitted GP posterior over n points in D dimensions.
final class GaussianProcess: @unchecked Sendable {
    let dimension: Int
    let count: Int
    /// Training inputs, row-major n×D.
    let inputs: [Double]
    let targets: [Double]
    let hyperparameters: GPHyperparameters
    let noiseFloor: Double
    /// Coordinates from this one on are categorical (overlap distance, no gradient).
    let categoricalStart: Int
    /// 1/ℓ_d².
    private let inverseSquaredLengthscales: [Double]
    private let signalVariance: Double
    /// Cholesky factor of K + v I (+ jitter).
    private let factor: [Double]
    /// (K + v I)⁻¹ y.
    private let alpha: [Double]

    var noiseVariance: Double { noiseFloor + exp(hyperparameters.logNoiseExcess) }

    /// Builds the posterior; nil when the kernel matrix cannot be factorised even with jitter.
    /// `noiseVariances`, when given (one per point), replace the fitted noise variance point
    /// by point: the sampler's kriging believers are exact (the noise floor), its estimated
    /// values of pruned trials less certain than observations.
    init?(inputs: [Double], targets: [Double], dimension: Int, hyperparameters: GPHyperparameters, noiseFloor: Double,
          categoricalStart: Int? = nil, noiseVariances: [Double]? = nil) {
        self.categoricalStart = min(categoricalStart ?? dimension, dimension)
        self.inputs = inputs; self.targets = targets; self.dimension = dimension
        self.count = targets.count; self.hyperparameters = hyperparameters; self.noiseFloor = noiseFloor
        inverseSquaredLengthscales = hyperparameters.logLengthscales.map { exp(-2 * $0) }
        signalVariance = exp(hyperparameters.logSignalVariance)
        var k = GaussianProcess.kernelMatrix(inputs, n: targets.count, dimension: dimension,
                                             categoricalStart: self.categoricalStart,
                                             inverseSquaredLengthscales: inverseSquaredLengthscales,
                                             signalVariance: signalVariance,
                                             noiseVariance: noiseFloor + exp(hyperparameters.logNoiseExcess))
        if let noiseVariances {
            let n = targets.count
            for i in 0..<min(n, noiseVariances.count) { k[i * n + i] = signalVariance + noiseVariances[i] }
        }
        guard let (l, _) = DenseLinearAlgebra.choleskyWithJitter(k, n: targets.count) else { return nil }
        factor = l
        alpha = DenseLinearAlgebra.choleskySolve(l, n: targets.count, targets)
    }

    static func kernelMatrix(_ x: [Double], n: Int, dimension d: Int, categoricalStart c: Int? = nil,
                             inverseSquaredLengthscales lam: [Double],
                             signalVariance s: Double, noiseVariance v: Double) -> [Double]
    {
        let cs = min(c ?? d, d)
        var k = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            k[a * n + a] = s + v
            for b in 0..<a {
                var r2 = 0.0
                for j in 0..<cs { let t = x[a * d + j] - x[b * d + j]; r2 += t * t * lam[j] }
                for j in cs..<d where x[a * d + j] != x[b * d + j] { r2 += lam[j] }
                let kv = s * matern52(r2.squareRoot()).value
                k[a * n + b] = kv; k[b * n + a] = kv
            }
        }
        return k
    }

    /// Reusable buffers for `predict`, so the acquisition's inner loop does not allocate.
    final class Workspace {
        var k: [Double], v: [Double], derivativeFactor: [Double]
        init(count n: Int) {
            k = [Double](repeating: 0, count: n); v = k; derivativeFactor = k
        }
    }

    /// Posterior mean and variance of the latent f at `x` (noise excluded). When `gradient`
    /// buffers are given (each of length D), writes ∂mean/∂x and ∂variance/∂x into them.
    func predict(_ x: UnsafeBufferPointer<Double>, workspace w: Workspace,
                 meanGradient: UnsafeMutableBufferPointer<Double>? = nil,
                 varianceGradient: UnsafeMutableBufferPointer<Double>? = nil) -> (mean: Double, variance: Double)
    {
        let n = count, d = dimension, cs = categoricalStart
        var mean = 0.0
        inputs.withUnsafeBufferPointer { xs in
            inverseSquaredLengthscales.withUnsafeBufferPointer { lam in
                for i in 0..<n {
                    var r2 = 0.0
                    let row = i * d
                    for j in 0..<cs { let t = x[j] - xs[row + j]; r2 += t * t * lam[j] }
                    for j in cs..<d where x[j] != xs[row + j] { r2 += lam[j] }
                    let m = matern52(r2.squareRoot())
                    w.k[i] = signalVariance * m.value
                    w.derivativeFactor[i] = signalVariance * m.derivativeFactor
                    mean += w.k[i] * alpha[i]
                }
            }
        }
        // variance = s − kᵀ K⁻¹ k = s − |L⁻¹ k|².
        for i in 0..<n { w.v[i] = w.k[i] }
        factor.withUnsafeBufferPointer { lp in
            w.v.withUnsafeMutableBufferPointer { DenseLinearAlgebra.solveLower(lp, n: n, $0) }
        }
        var explained = 0.0
        for i in 0..<n { explained += w.v[i] * w.v[i] }
        let variance = max(signalVariance - explained, 1e-12 * signalVariance)
        guard meanGradient != nil || varianceGradient != nil else { return (mean, variance) }
        // q = K⁻¹ k = L⁻ᵀ v; ∂k_i/∂x_j = −c_i (x_j − X_ij) / ℓ_j² with c_i = `derivativeFactor`.
        factor.withUnsafeBufferPointer { lp in
            w.v.withUnsafeMutableBufferPointer { DenseLinearAlgebra.solveLowerTransposed(lp, n: n, $0) }
        }
        let varianceFloored = signalVariance - explained < 1e-12 * signalVariance
        if let g = meanGradient { for j in 0..<d { g[j] = 0 } }
        if let g = varianceGradient { for j in 0..<d { g[j] = 0 } }
        inputs.withUnsafeBufferPointer { xs in
            for i in 0..<n {
                let cm = -w.derivativeFactor[i] * alpha[i]
                let cv = varianceFloored ? 0 : 2 * w.derivativeFactor[i] * w.v[i]   // −2 q_i · (−c_i)
                let row = i * d
                for j in 0..<cs {
                    let t = (x[j] - xs[row + j]) * inverseSquaredLengthscales[j]
                    meanGradient?[j] += cm * t
                    varianceGradient?[j] += cv * t
                }
            }
        }
        return (mean, variance)
    }

    func predict(_ x: [Double]) -> (mean: Double, variance: Double) {
        let w = Workspace(count: count)
        return x.withUnsafeBufferPointer { predict($0, workspace: w) }
    }

    // MARK: Hyperparameter fitting

    /// Log-prior of the hyperparameters and its gradient (added into `gradient`).
    ///
    /// Weakly-informative priors for inputs in the unit cube and standardised targets, those
    /// of Optuna's GPSampler (optuna/_gp/prior.py) but for where the lengthscales' prior peaks:
    /// - lengthscales: −0.1 ((ℓ/m)² + (m/ℓ)²), Optuna's shape (it keeps ℓ away from 0 and ∞),
    ///   centred at m = `lengthscalePrior.mode(dimension: D)` for D parameters;
    /// - signal variance s ~ Gamma(2, 1);
    /// - noise variance v ~ Gamma(1.1, 30) (favours small noise while allowing it to grow
    ///   for noisy objectives).
    static func logPrior(_ theta: [Double], noiseFloor: Double, lengthscalePrior: LengthscalePrior,
                         gradient: inout [Double]) -> Double {
        let d = theta.count - 2
        var lp = 0.0
        let logMode = log(lengthscalePrior.mode(dimension: d))
        for j in 0..<d {
            let q = exp(2 * (theta[j] - logMode))           // (ℓ/m)²
            lp -= 0.1 * (q + 1 / q)
            gradient[j] -= 0.2 * (q - 1 / q)               // dq/d log ℓ = 2q
        }
        let s = exp(theta[d])
        lp += log(s) - s
        gradient[d] += 1 - s
        let excess = exp(theta[d + 1]), v = noiseFloor + excess
        lp += 0.1 * log(v) - 30 * v
        gradient[d + 1] += (0.1 / v - 30) * excess
        return lp
    }

    /// Where the lengthscales' prior peaks (see `logPrior`).
    enum LengthscalePrior: Sendable {
        /// At exp(√2 + ½ ln D − 3) for D parameters, the mode of the dimension-scaled
        /// LogNormal(√2 + ½ ln D, √3) of Hvarfner et al. 2024 ("Vanilla Bayesian optimization
        /// performs great in high dimensions"; BoTorch's default): 0.29 in 2-D, 0.46 in 5-D,
        /// 0.65 in 10-D, 0.92 in 20-D. Optuna's ℓ ≈ 1 in every dimension made the GP too
        /// smooth in few dimensions to resolve rugged or multimodal functions with the
        /// points it has (`auto` on bbob 2-D at 100 evaluations, median of 15 seeds:
        /// Weierstrass f16 1.37 → 0.028, Gallagher f21 0.0036 → 0.0002); the slowly growing
        /// mode keeps many dimensions from needing more points than a budget gives. Their
        /// LogNormal's own width lost in 20-D and on the mixed spaces, so the shape stays
        /// Optuna's. BENCHMARKS.md, "the GP's lengthscale prior".
        case dimensionScaled
        /// At ℓ = 1 in every dimension (Optuna's). For `NoisyRecommendation`, whose model
        /// smooths noisy values: shorter lengthscales follow the noise.
        case unit

        func mode(dimension d: Int) -> Double {
            switch self {
            case .dimensionScaled: return exp(2.0.squareRoot() + 0.5 * log(Double(max(d, 1))) - 3)
            case .unit: return 1
            }
        }
    }

    /// Negative log marginal likelihood minus log-prior, and its gradient in θ.
    /// −log p(y|θ) = ½ yᵀα + Σ log L_ii + (n/2) log 2π;   ∂/∂θ_j = −½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j).
    static func negativeLogPosterior(_ theta: [Double], inputs x: [Double], targets y: [Double], dimension d: Int,
                                     categoricalStart c: Int? = nil, noiseFloor: Double,
                                     lengthscalePrior: LengthscalePrior = .dimensionScaled, gradient: inout [Double]) -> Double
    {
        let n = y.count, cs = min(c ?? d, d)
        for j in 0..<gradient.count { gradient[j] = 0 }
        let lam = (0..<d).map { exp(-2 * theta[$0]) }
        let s = exp(theta[d]), excess = exp(theta[d + 1]), v = noiseFloor + excess
        let k = kernelMatrix(x, n: n, dimension: d, categoricalStart: cs, inverseSquaredLengthscales: lam,
                             signalVariance: s, noiseVariance: v)
        guard let (l, _) = DenseLinearAlgebra.choleskyWithJitter(k, n: n) else { return .infinity }
        let alpha = DenseLinearAlgebra.choleskySolve(l, n: n, y)
        var nll = 0.5 * Double(n) * log(2 * Double.pi)
        for i in 0..<n { nll += 0.5 * y[i] * alpha[i] + log(l[i * n + i]) }
        let kInv = DenseLinearAlgebra.inverseFromCholesky(l, n: n)
        // W = ααᵀ − K⁻¹; accumulate −½ tr(W ∂K/∂θ) over the symmetric pairs.
        var gradLengthscale = [Double](repeating: 0, count: d)
        var traceSignal = 0.0, traceNoise = 0.0
        x.withUnsafeBufferPointer { xs in
            for a in 0..<n {
                let waa = alpha[a] * alpha[a] - kInv[a * n + a]
                traceSignal += waa * s
                traceNoise += waa * excess
                for b in 0..<a {
                    let wab = alpha[a] * alpha[b] - kInv[a * n + b]
                    var r2 = 0.0
                    for j in 0..<cs { let t = xs[a * d + j] - xs[b * d + j]; r2 += t * t * lam[j] }
                    for j in cs..<d where xs[a * d + j] != xs[b * d + j] { r2 += lam[j] }
                    let m = matern52(r2.squareRoot())
                    traceSignal += 2 * wab * s * m.value
                    // ∂k/∂log ℓ_j = s · (5/3)(1 + √5 r) e^{−√5 r} · Δ_j² / ℓ_j²
                    let c = 2 * wab * s * m.derivativeFactor
                    for j in 0..<cs { let t = xs[a * d + j] - xs[b * d + j]; gradLengthscale[j] += c * t * t * lam[j] }
                    for j in cs..<d where xs[a * d + j] != xs[b * d + j] { gradLengthscale[j] += c * lam[j] }
                }
            }
        }
        for j in 0..<d { gradient[j] = -0.5 * gradLengthscale[j] }
        gradient[d] = -0.5 * traceSignal
        gradient[d + 1] = -0.5 * traceNoise
        var priorGradient = [Double](repeating: 0, count: d + 2)
        let lp = logPrior(theta, noiseFloor: noiseFloor, lengthscalePrior: lengthscalePrior, gradient: &priorGradient)
        for j in 0..<(d + 2) { gradient[j] -= priorGradient[j] }
        return nll - lp
    }

    /// Box for θ: lengthscales in [e⁻⁵, e⁵]·, signal variance in [e⁻⁶, e⁴], noise excess in
    /// [1e-10, 2] — wide enough never to bind in practice, tight enough to keep the kernel
    /// matrix finite.
    static func hyperparameterBounds(dimension d: Int) -> (lower: [Double], upper: [Double]) {
        (Array(repeating: -5, count: d) + [-6, log(1e-10)], Array(repeating: 5, count: d) + [4, log(2)])
    }

    /// MAP hyperparameters by L-BFGS from each start (the previous fit, the default), the best kept.
    static func fitHyperparameters(inputs: [Double], targets: [Double], dimension d: Int, categoricalStart: Int? = nil,
                                   noiseFloor: Double, lengthscalePrior: LengthscalePrior = .dimensionScaled,
                                   starts: [GPHyperparameters], maxIterations: Int) -> GPHyperparameters
    {
        let bounds = hyperparameterBounds(dimension: d)
        var best: (theta: [Double], value: Double)?
        for start in starts where start.logLengthscales.count == d {
            let r = BoundedLBFGS.minimize(start.packed, lower: bounds.lower, upper: bounds.upper,
                                          maxIterations: maxIterations, gradientTolerance: 1e-5) { theta, g in
                negativeLogPosterior(theta, inputs: inputs, targets: targets, dimension: d, categoricalStart: categoricalStart,
                                     noiseFloor: noiseFloor, lengthscalePrior: lengthscalePrior, gradient: &g)
            }
            if r.value.isFinite, best == nil || r.value < best!.value { best = (r.x, r.value) }
        }
        return best.map { GPHyperparameters(packed: $0.theta) } ?? .initial(dimension: d)
    }
}
