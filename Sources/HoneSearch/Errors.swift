// Errors of the search layer. Each names the parameter, trial or study that is wrong.

/// A parameter was asked for in a way that cannot be honoured.
public enum SearchSpaceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The distribution itself is unusable (bad bounds, step, choices…).
    case invalidDistribution(name: String, reason: String)
    /// The same name was asked for with a different distribution in the same trial.
    case conflictingDistribution(name: String, previous: Distribution, requested: Distribution)
    /// A fixed or enqueued value is not inside the distribution the objective asked for.
    case valueOutsideDistribution(name: String, value: ParamValue, distribution: Distribution)
    /// The parameter name is empty.
    case emptyName

    public var description: String {
        switch self {
        case .invalidDistribution(let name, let reason):
            return "parameter \"\(name)\": \(reason)"
        case .conflictingDistribution(let name, let previous, let requested):
            return "parameter \"\(name)\" was already suggested in this trial as \(previous); asking for it again as \(requested) is not allowed"
        case .valueOutsideDistribution(let name, let value, let distribution):
            return "parameter \"\(name)\": value \(value) is not in \(distribution)"
        case .emptyName:
            return "a parameter name must not be empty"
        }
    }
}

/// Misuse of a study: ask/tell out of order, wrong number of values, no finished trial…
public enum StudyError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyFinished(trialNumber: Int, state: TrialState)
    case unknownTrial(String)
    case wrongNumberOfValues(trialNumber: Int, expected: Int, got: Int)
    case nonFiniteValue(trialNumber: Int, values: [Double])
    case invalidTellState(TrialState)
    case noCompletedTrials(study: String)
    case multiObjective(study: String, operation: String)
    case directionMismatch(study: String, stored: [StudyDirection], requested: [StudyDirection])
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .alreadyFinished(let n, let state):
            return "trial \(n) is already finished (\(state)); a trial can be told only once"
        case .unknownTrial(let what):
            return "trial \(what) does not belong to this study"
        case .wrongNumberOfValues(let n, let expected, let got):
            return "trial \(n): the study has \(expected) objective(s) but \(got) value(s) were given"
        case .nonFiniteValue(let n, let values):
            return "trial \(n): non-finite value(s) \(values); a COMPLETE trial needs finite values"
        case .invalidTellState(let s):
            return "tell accepts COMPLETE, PRUNED or FAIL, not \(s)"
        case .noCompletedTrials(let study):
            return "study \"\(study)\" has no completed trial yet"
        case .multiObjective(let study, let op):
            return "study \"\(study)\" has several objectives: \(op) is defined only for one objective (use paretoFront)"
        case .directionMismatch(let study, let stored, let requested):
            return "study \"\(study)\" exists with directions \(stored), not \(requested)"
        case .invalidArgument(let why):
            return why
        }
    }
}

/// Thrown by an objective to fail its trial with `reason` stored as given (other errors
/// are stored as "objective threw: …"): how the C API's objective statuses and
/// hone_trial_set_fail_reason reach the one place that tells the trial.
public struct TrialFailed: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Thrown by an objective to stop its trial early; the trial is stored as PRUNED with its
/// last intermediate value.
public struct TrialPruned: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String = "pruned") { self.message = message }
    public var description: String { message }
}
