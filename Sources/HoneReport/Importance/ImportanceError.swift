// Why parameter importance could not be computed; each case names what is wrong.

public enum ImportanceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer COMPLETE trials than a forest can be fitted to.
    case notEnoughTrials(found: Int, needed: Int)
    /// `objective` is not an index of the trials' values.
    case objectiveOutOfRange(objective: Int, objectives: Int)
    /// No parameter takes more than one value, so there is nothing to rank.
    case noVaryingParameters
    /// The same name was drawn from a categorical distribution in one trial and a numeric
    /// one in another, so its values cannot share one axis.
    case conflictingDistributions(name: String, kinds: [String])
    /// A setting of the evaluator itself is unusable.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .notEnoughTrials(let found, let needed):
            return "parameter importance needs at least \(needed) COMPLETE trials with values, found \(found)"
        case .objectiveOutOfRange(let objective, let objectives):
            return "objective index \(objective) is out of range: the trials have \(objectives) value(s)"
        case .noVaryingParameters:
            return "no parameter takes more than one value in the COMPLETE trials: nothing to rank"
        case .conflictingDistributions(let name, let kinds):
            return "parameter \"\(name)\" was drawn from distributions of different kinds (\(kinds.joined(separator: ", "))): it cannot be placed on one axis"
        case .invalidSetting(let why):
            return why
        }
    }
}
