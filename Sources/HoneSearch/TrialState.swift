// Trial life cycle and objective directions.

/// Where a trial is in its life.
///
///     WAITING ──claim──▶ RUNNING ──tell──▶ COMPLETE | PRUNED | FAIL
///
/// A WAITING trial was enqueued with fixed parameters and has not been handed out yet.
/// COMPLETE, PRUNED and FAIL are final: a finished trial never changes again.
public enum TrialState: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case running = "RUNNING"
    case complete = "COMPLETE"
    case pruned = "PRUNED"
    case fail = "FAIL"
    case waiting = "WAITING"

    public var isFinished: Bool { self == .complete || self == .pruned || self == .fail }
    public var description: String { rawValue }
}

/// Whether an objective is to be minimized or maximized.
public enum StudyDirection: String, Hashable, Sendable, Codable, CustomStringConvertible {
    case minimize = "MINIMIZE"
    case maximize = "MAXIMIZE"

    public var description: String { rawValue }

    /// True when `a` is strictly better than `b` in this direction.
    @inlinable
    public func isBetter(_ a: Double, than b: Double) -> Bool { self == .minimize ? a < b : a > b }
}
