// The best trial of a study whose objective is noisy (StudySpec's "noisy_objective"): the
// evaluated configuration a GP's posterior mean ranks first, instead of the lowest noisy value.

import Foundation

/// Which evaluated configuration to report as the best when the objective is noisy.
///
/// With noise, the best *observed* value is biased: among many noisy evaluations the lowest
/// tends to be one whose noise happened to be favourable (the winner's curse), and the trial
/// holding it is often not the best configuration evaluated. `Study.bestTrial()` of a study
/// opened with `noisy_objective` returns instead the complete trial whose configuration has
/// the best posterior mean under a GP fitted to every complete trial:
///
/// - the values are oriented (larger is better), power-transformed (`PowerTransform`, as
///   `AutoSampler`'s GP: multiplicative noise becomes additive under the log-like transform,
///   heavy tails stop dominating the fit) and standardised;
/// - the GP is `GaussianProcess` with the mixed-space encoding of `GPSampler` (the union of
///   the trials' parameters, missing ones inactive, categoricals by overlap), its noise
///   variance fitted by marginal likelihood with the other hyperparameters (MAP, two starts:
///   little noise and much noise; the better posterior wins);
/// - the posterior mean is read at the evaluated configurations only, so the answer is a
///   trial that exists, whose parameters can be re-run (Optuna's `best_trial` is a trial,
///   and `best_value` stays `best_trial.value`, its observed value).
///
/// Replicates of one configuration are averaged by the model, and neighbours share
/// strength. When the fitted noise is small, the posterior mean interpolates the data and
/// the recommendation is the best observed trial again, so a deterministic objective loses
/// little by the option. Of several trials holding the recommended configuration, the
/// earliest is returned.
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
    /// A noise floor well above the GP sampler's: the objective is said to be noisy.
    static let noiseFloor = 1e-6

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

    /// The number of the recommended trial (see the type's description).
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
        let warp = PowerTransform(fitting: points.map { -$0.y })
        points = points.map { ($0.x, -warp(-$0.y), $0.number) }

        let posteriorPoints = GPSampler.selectPoints(points, cap: maxPosteriorPoints)
        let fitPoints = GPSampler.selectPoints(posteriorPoints, cap: maxFitPoints)
        let scaling = GPSampler.TargetScaling(posteriorPoints.map(\.y), priorMeanQuantile: 0.5)
        let d = encoding.dimension, cs = encoding.categoricalStart
        var noisy = GPHyperparameters.initial(dimension: d)
        noisy.logNoiseExcess = log(0.3)
        let theta = GaussianProcess.fitHyperparameters(
            inputs: fitPoints.flatMap(\.x), targets: fitPoints.map { scaling($0.y) }, dimension: d, categoricalStart: cs,
            noiseFloor: noiseFloor, starts: [.initial(dimension: d), noisy], maxIterations: 80)
        guard let gp = GaussianProcess(inputs: posteriorPoints.flatMap(\.x), targets: posteriorPoints.map { scaling($0.y) },
                                       dimension: d, hyperparameters: theta, noiseFloor: noiseFloor, categoricalStart: cs)
        else { return nil }
        let workspace = GaussianProcess.Workspace(count: gp.count)
        // The best posterior mean; ties (replicates share a mean) go to the earliest trial.
        var best: (mean: Double, number: Int)?
        for p in posteriorPoints {
            let m = p.x.withUnsafeBufferPointer { gp.predict($0, workspace: workspace).mean }
            guard m.isFinite else { continue }
            if best == nil || m > best!.mean + 1e-12 * max(1, abs(best!.mean))
                || (abs(m - best!.mean) <= 1e-12 * max(1, abs(best!.mean)) && p.number < best!.number)
            {
                best = (m, p.number)
            }
        }
        guard let chosen = best else { return nil }
        // The earliest trial holding the same configuration.
        let x = posteriorPoints.first { $0.number == chosen.number }!.x
        return points.filter { $0.x == x }.map(\.number).min() ?? chosen.number
    }
}
