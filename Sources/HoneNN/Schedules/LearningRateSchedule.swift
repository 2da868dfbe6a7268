// Learning-rate schedules: a decay shape, optionally preceded by a linear warm-up, in
// units of epochs or optimizer steps. A schedule is a pure function of the position t
// (0-based) and the run's length, so a resumed or copied run (PBT) gets the same rates.
//
// Warm-up of w units: lr = base · (t + 1) / (w + 1) for t < w, a straight ramp that
// reaches base at t = w, where the decay starts. The decay then sees t' = t − w over a
// horizon of T' = total − w units:
//   constant     base
//   step         base · factor^⌊t' / every⌋                       (PyTorch StepLR)
//   exponential  base · factor^t'                                  (ExponentialLR)
//   cosine       min + (base − min) · (1 + cos(π · t' / T')) / 2   (CosineAnnealingLR, no restarts)
//   one-cycle    PyTorch's OneCycleLR (Smith & Topin 2017, cosine annealing, two phases):
//                from base/div up to base over the first `peakFraction` of T', then down to
//                base/(div·finalDiv), both halves cosine-shaped; base is the peak rate.
//                Usually stepped per batch (unit .step), as OneCycleLR is.

import Foundation

public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Decay: Codable, Equatable, Sendable {
        case constant
        /// Multiply by `factor` every `every` units.
        case step(every: Int, factor: Float)
        /// Multiply by `factor` every unit.
        case exponential(factor: Float)
        /// Half a cosine from base down to `minimum` over the run.
        case cosine(minimum: Float)
        /// One cycle peaking at base after `peakFraction` of the run (OneCycleLR's
        /// pct_start), starting at base/`divFactor` and ending at base/(divFactor·finalDivFactor).
        case oneCycle(peakFraction: Float, divFactor: Float, finalDivFactor: Float)


        /// One cycle with OneCycleLR's defaults.
        public static let defaultOneCycle = Decay.oneCycle(peakFraction: oneCyclePeakFraction, divFactor: oneCycleDivFactor,
                                                           finalDivFactor: oneCycleFinalDivFactor)
    }

    /// OneCycleLR's defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4.
    public static let oneCyclePeakFraction: Float = 0.3
    public static let oneCycleDivFactor: Float = 25
    public static let oneCycleFinalDivFactor: Float = 1e4

    /// What t counts.
    public enum Unit: String, Codable, Equatable, Sendable {
        case epoch, step
    }

    public var decay: Decay
    /// Units of linear warm-up before the decay (0 = none).
    public var warmup: Int
    public var unit: Unit

    public init(_ decay: Decay = .constant, warmup: Int = 0, unit: Unit = .epoch) {
        self.decay = decay
        self.warmup = warmup
        self.unit = unit
    }

    public static let constant = LearningRateSchedule()

    /// Throws on parameters that make no schedule, naming the field.
    public func validate() throws {
        guard warmup >= 0 else { throw HoneNNError("schedule: warmup must be non-negative, got \(warmup)") }
        switch decay {
        case .constant: break
        case let .step(every, factor):
            guard every >= 1 else { throw HoneNNError("step schedule: 'every' must be at least 1, got \(every)") }
            guard factor > 0, factor.isFinite else { throw HoneNNError("step schedule: factor must be positive, got \(factor)") }
        case let .exponential(factor):
            guard factor > 0, factor.isFinite else { throw HoneNNError("exponential schedule: factor must be positive, got \(factor)") }
        case let .cosine(minimum):
            guard minimum >= 0, minimum.isFinite else { throw HoneNNError("cosine schedule: minimum must be non-negative, got \(minimum)") }
        case let .oneCycle(peakFraction, divFactor, finalDivFactor):
            guard peakFraction > 0, peakFraction < 1 else { throw HoneNNError("one-cycle schedule: peakFraction must be in (0, 1), got \(peakFraction)") }
            guard divFactor >= 1, divFactor.isFinite else { throw HoneNNError("one-cycle schedule: divFactor must be a finite number ≥ 1, got \(divFactor)") }
            guard finalDivFactor >= 1, finalDivFactor.isFinite else { throw HoneNNError("one-cycle schedule: finalDivFactor must be a finite number ≥ 1, got \(finalDivFactor)") }
        }
    }

    /// The learning rate at position `t` (0-based, in `unit`s) of a run `total` units long.
    public func learningRate(base: Float, at t: Int, total: Int) -> Float {
        if t < warmup {
            return base * Float(t + 1) / Float(warmup + 1)
        }
        let tDecay = t - warmup
        let horizon = total - warmup
        switch decay {
        case .constant:
            return base
        case let .step(every, factor):
            return base * Float(pow(Double(factor), Double(tDecay / max(every, 1))))
        case let .exponential(factor):
            return base * Float(pow(Double(factor), Double(tDecay)))
        case let .cosine(minimum):
            guard horizon > 0 else { return base }
            let progress = Double(min(tDecay, horizon)) / Double(horizon)
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case let .oneCycle(peakFraction, divFactor, finalDivFactor):
            // OneCycleLR's phase ends: the peak at step peakFraction·T − 1, the end at T − 1.
            let start = Double(base) / Double(divFactor), end = start / Double(finalDivFactor)
            let peakStep = Double(peakFraction) * Double(horizon) - 1, lastStep = Double(horizon) - 1
            let t = Double(min(tDecay, max(horizon - 1, 0)))
            func anneal(_ from: Double, _ to: Double, _ progress: Double) -> Float {
                Float(to + (from - to) * (1 + cos(Double.pi * min(max(progress, 0), 1))) / 2)
            }
            if t <= peakStep { return anneal(start, Double(base), peakStep > 0 ? t / peakStep : 1) }
            return anneal(Double(base), end, lastStep > peakStep ? (t - peakStep) / (lastStep - peakStep) : 1)
        }
    }
}

extension LearningRateSchedule {
    enum CodingKeys: String, CodingKey { case decay, warmup, unit }

    /// Decodes with every field optional (constant, no warm-up, per epoch).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decodeIfPresent(Decay.self, forKey: .decay) ?? .constant,
                  warmup: try c.decodeIfPresent(Int.self, forKey: .warmup) ?? 0,
                  unit: try c.decodeIfPresent(Unit.self, forKey: .unit) ?? .epoch)
    }
}
