// Random search: every parameter drawn independently and uniformly.

/// Draws each parameter uniformly: uniform floats, log-uniform on log scales, every
/// integer or grid step with equal probability, every category with equal probability.
/// Each draw comes from the trial's stream for that parameter name, so a value depends
/// only on (study seed, trial number, name).
public final class RandomSampler: Sampler {
    public let name = "random"

    public init() {}

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        var rng = trial.random(for: name)
        switch distribution {
        case .categorical(let d):
            return d.choices[rng.int(below: d.choices.count)]
        default:
            // `fromUnit` widens int and step dimensions by half a step on each side, so a
            // uniform u gives every admissible value the same probability.
            return distribution.toExternal(distribution.fromUnit(rng.uniform()))
        }
    }
}
