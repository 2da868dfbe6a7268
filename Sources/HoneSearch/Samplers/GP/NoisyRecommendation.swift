// The best trial of a study whose objective is noisy (StudySpec's "noisy_objective"): the
// evaluated configuration a GP's posterior mean ranks first, instead of the lowest noisy value.

import Foundation

/// Which evaluated configuration to report as the best when the objective is noisy.
///
/// With noise, the best *observed* value is biased: among many noisy evaluations the lowest
/// tends to be one whose noise happened to be favourable (the winner's curse), and the trial
/// holding it is often not the best configuration evaluated. `Study.bestTrial()` of a study
/// opened with `noisy_objective` asks a GP instead:
///
/// - the values are oriented (larger is better) and replaced by their normal scores
///   (`normalScores`: heavy-tailed noise and values spanning orders of magnitude stop
///   dominating the fit), then standardised; the GP is `GaussianProcess` with the
///   mixed-space encoding of `GPSampler` (the union of the trials' parameters, missing ones
///   inactive, categoricals by overlap), its noise variance fitted by marginal likelihood
///   with the other hyperparameters (MAP, two starts: little noise and much noise);
/// - the candidates are the best `candidateShare` of the trials by observed value (at least
///   `minimumPoints`) whose observed value is within two fitted noise standard deviations of
///   the best: the recommendation is a trial that exists, whose parameters can be re-run
///   (Optuna's `best_trial` is a trial, and `best_value` stays `best_trial.value`, its
///   observed value), and one the data rank high — a misfit model cannot send it to a
///   configuration that only looks good through smoothing;
/// - among them, the one with the best posterior mean replaces the best observed trial only
///   when the model is confident of it: its mean is better by more than `confidence`
///   standard deviations of the difference (√(var₁ + var₂), covariance ignored, which errs
///   on the side of keeping the best observed). When the fitted noise is small, or the
///   model cannot resolve the differences among the best trials, the best observed trial
///   stays.
///
/// What it does on bench/search/suite (BENCHMARKS.md, "noise-aware recommendation"): with
/// additive noise on a smooth objective it is never worse than the best observed trial and
/// better when the noise is large (2-D quadratic, noise sd 0.1, 30 seeds under `auto`: mean
/// noise-free regret 0.028 against 0.040). It is not a win on the noisy suites: at 100
/// evaluations it is worse than `auto`'s best observed trial on 15 of 30 bbob-noisy 2-D
/// problems and 13 of 30 in 5-D (better on 3 and 3; geometric mean of the ratio 3.2 and
/// 1.6) and on 1 of the 3 noisy HPO surfaces (mlp-mixed-noisy, 1.26×). COCO's
/// multiplicative and heavy-tailed noise models make the lowest observed value the most
/// informative one, and NGOpt's own noise-aware recommendation loses to NGOpt's best
/// observed point the same way (0 better, 17 worse of 28). Rejected
/// before it: the posterior mean over *all* trials, switching whenever it differed (lost on
/// 19 of 26 bbob-noisy 2-D problems, geometric mean of the regret ratio 6.5), and repeating
/// the leading configuration every fifth trial and recommending by the median of repeats
/// (worse than the best observed on the noisy quadratic: the repeats cost new points and
/// the early leaders they verify are not the best).
///
/// Replicates of one configuration are averaged by the model, and neighbours share strength.
/// Of several trials holding the recommended configuration, the earliest is returned.
///
/// It is a pure function of the complete trials: the same trials give the same answer (no
/// warm start from an earlier call, no random draws). The cost is bounded like the GP
/// sampler's: at most `maxFitPoints` points in the hyperparameter fit and `maxPosteriorPoints`
/// in the posterior (the best half by observed value, then the most recent); the last answer
/// is kept until the complete trials change.
final class NoisyRecommendation: @unchecked Sendable {
    /// Fewer complete trials than this: the best observed trial.
    static let minimumPoints = 5
    static let maxFitPoints = 100
    static let maxPosteriorPoints = 250
    /// The GP sampler's: the fitted noise grows above it as the data say.
    static let noiseFloor = 1e-10
    /// Candidates: this share of the trials, best observed first.
    static let candidateShare = 0.2
    /// Standard deviations of the difference by which the posterior mean must favour a
    /// candidate over the best observed trial.
    static let confidence = 1.0

    private let lock = NSLock()
    private var cached: (numbers: [Int], values: [Double], answer: Int?)?

    /// The recommended trial among `complete` (COMPLETE trials of a single-objective study);
    /// nil when there are too few points to model (the caller reports the best observed).
    func recommend(_ complete: [FrozenTrial], direction: StudyDirection) -> FrozenTrial? {
        let usable = complete.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        let numbers = usable.map(\.number), values = usable.map { $0.value! }
        lock.lock()
        if let c = cached, c.numbers == numbers, c.values == values {
            lock.unlock()
            return c.answer.flatMap { n in usable.first { $0.number == n } }
        }
        lock.unlock()
        let answer = Self.compute(usable, direction: direction)
        lock.lock(); cached = (numbers, values, answer); lock.unlock()
        return answer.flatMap { n in usable.first { $0.number == n } }
    }

    /// Normal scores of values: Φ⁻¹((rank − ½) / n), tied values sharing their mean rank.
    /// Order-preserving like a power transform, but the tails are bounded whatever the
    /// noise: a Cauchy-like lucky draw is just the top rank, not a value far beyond the
    /// rest, and differences of 1e-8 near an optimum are as visible as any others.
    static func normalScores(_ y: [Double]) -> [Double] {
        let n = y.count
        let order = y.indices.sorted { y[$0] < y[$1] }
        var rank = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n, y[order[j + 1]] == y[order[i]] { j += 1 }
            for k in i...j { rank[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        return rank.map { normalQuantile(($0 - 0.5) / Double(n)) }
    }

    /// Φ⁻¹(p) for p in (0, 1), by bisection on Φ(x) = ½ erfc(−x/√2) (to 1e-12; n is small).
    static func normalQuantile(_ p: Double) -> Double {
        var lo = -40.0, hi = 40.0
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return 0.5 * (lo + hi)
    }

    /// The number of the recommended trial (see the type's description); nil: the best
    /// observed trial (too few points, nothing to tell apart, or no confident alternative).
    static func compute(_ trials: [FrozenTrial], direction: StudyDirection) -> Int? {
        guard trials.count >= minimumPoints else { return nil }
        // The union of the trials' parameters, first seen wins (trials by number, names sorted).
        var union = SearchSpace()
        for t in trials.sorted(by: { $0.number < $1.number }) {
            for (name, d) in t.distributions.sorted(by: { $0.key < $1.key }) where union[name] == nil { union.set(name, d) }
        }
        let encoding = MixedSpaceEncoding(space: union.searchable)
        let sign = direction == .maximize ? 1.0 : -1.0
        var points: [(x: [Double], y: Double, number: Int)] = []
        for t in trials {
            guard let (x, _) = encoding.encode(t.params, allowInactive: true) else { continue }
            points.append((x, sign * t.value!, t.number))
        }
        // Every trial the same configuration (or nothing to encode): nothing to tell apart.
        guard points.count >= minimumPoints, encoding.dimension > 0 else { return nil }
        let scores = Self.normalScores(points.map(\.y))
        points = zip(points, scores).map { ($0.x, $1, $0.number) }

        let posteriorPoints = GPSampler.selectPoints(points, cap: maxPosteriorPoints)
        let fitPoints = GPSampler.selectPoints(posteriorPoints, cap: maxFitPoints)
        let scaling = GPSampler.TargetScaling(posteriorPoints.map(\.y), priorMeanQuantile: 0.5)
        let d = encoding.dimension, cs = encoding.categoricalStart
        var noisy = GPHyperparameters.initial(dimension: d)
        noisy.logNoiseExcess = log(0.3)
        let theta = GaussianProcess.fitHyperparameters(
            inputs: fitPoints.flatMap(\.x), targets: fitPoints.map { scaling($0.y) }, dimension: d, categoricalStart: cs,
            noiseFloor: noiseFloor, lengthscalePrior: .unit, starts: [.initial(dimension: d), noisy], maxIterations: 80)
        guard let gp = GaussianProcess(inputs: posteriorPoints.flatMap(\.x), targets: posteriorPoints.map { scaling($0.y) },
                                       dimension: d, hyperparameters: theta, noiseFloor: noiseFloor, categoricalStart: cs)
        else { return nil }
        let workspace = GaussianProcess.Workspace(count: gp.count)
        // Candidates: the best observed (earliest first on ties), as many as `candidateShare`,
        // and only trials the noise could have ranked below the best: observed within two
        // fitted noise standard deviations of it.
        let ranked = posteriorPoints.sorted { $0.y != $1.y ? $0.y > $1.y : $0.number < $1.number }
        let k = min(ranked.count, max(minimumPoints, Int((candidateShare * Double(points.count)).rounded(.up))))
        let band = 2 * gp.noiseVariance.squareRoot()
        let top = scaling(ranked[0].y)
        let scored = ranked.prefix(k).filter { scaling($0.y) >= top - band }
            .map { p -> (x: [Double], number: Int, mean: Double, variance: Double) in
                let m = p.x.withUnsafeBufferPointer { gp.predict($0, workspace: workspace) }
                return (p.x, p.number, m.mean, m.variance)
            }
        let observed = scored[0]
        // The best posterior mean; ties (replicates share a mean) go to the better observed.
        var chosen = observed
        for c in scored.dropFirst() where c.mean.isFinite && c.mean > chosen.mean { chosen = c }
        guard chosen.number != observed.number,
              chosen.mean - observed.mean > confidence * (chosen.variance + observed.variance).squareRoot()
        else { return nil }
        // The earliest trial holding the same configuration.
        return points.filter { $0.x == chosen.x }.map(\.number).min() ?? chosen.number
    }
}
