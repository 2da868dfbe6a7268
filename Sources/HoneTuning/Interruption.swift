// Interrupted runs (SIGINT/SIGTERM in the CLI, hone_interrupt in a host process): the
// trials running at that moment are stored FAIL with the reason "interrupted", so a later
// run of the same study sees them as finished failures and goes on after them.

import HoneSearch

/// The error an objective throws for a trial cut short by an interrupt, after storing it
/// with `failInterrupted`. `Study.optimize` then finds the trial finished and keeps that.
public struct TrialInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { TrialInterrupted.failReason }

    /// The fail reason of every trial stopped by an interrupt.
    public static let failReason = "interrupted"
}

extension Trial {
    /// Stores this trial as FAIL "interrupted" (unless something finished it already) and
    /// returns the error for the objective to throw.
    @discardableResult
    public func failInterrupted() throws -> TrialInterrupted {
        do {
            _ = try study.tell(self, state: .fail, failReason: TrialInterrupted.failReason)
        } catch StudyError.alreadyFinished {
            // A stale-trial sweep or the objective itself finished it first; that stands.
        }
        return TrialInterrupted()
    }
}
