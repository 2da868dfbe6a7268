// Reading a study's history in trial-number order, for the deterministic parallel mode of
// the GP, CMA-ES and NSGA-II samplers (issue 4, item 7).

import Foundation

/// The study was stopped while a trial's sampler waited (deterministic parallel mode) for
/// an earlier trial to finish: that trial is failed before its objective runs, and
/// `optimize` ends without an error, as for any stop.
public struct StoppedWhileWaiting: Error, CustomStringConvertible {
    public let waitingFor: Int
    public var description: String { "the study was stopped while waiting for trial \(waitingFor) to finish" }
}

/// Hands out the trials numbered 0, 1, 2, … in order, once all trials up to a cutoff are
/// finished (COMPLETE, PRUNED or FAIL).
///
/// Deterministic parallel mode with n workers: trial k may use only trials 0 … k − n.
/// Every run with n workers has started those before trial k (at most n − 1 other trials
/// run beside k) and, after waiting, has finished them, so what trial k sees does not
/// depend on timing. Waiting cannot deadlock as long as the waiter holds no lock that
/// lower-numbered trials need (trial k waits only for lower-numbered trials, which wait
/// only for still lower ones): call `waitUntilFinished` outside the sampler's lock, then
/// `read` under it. It assumes every asked trial is eventually told (as `optimize` does).
///
/// Reads go to storage directly, so trials told by other processes count.
final class OrderedTrialReader: @unchecked Sendable {
    private let lock = NSLock()
    /// Every trial below this number is known to be finished.
    private var finishedPrefix = 0
    /// The next trial number `read` hands out (guarded by the caller's lock).
    private var next = 0

    /// Blocks until every trial numbered ≤ `cutoff` is finished. Takes no caller lock.
    /// Ends early, throwing `StoppedWhileWaiting`, when the study is stopped; a trial whose
    /// worker died is failed by the study's heartbeat policy (if it has one) while waiting,
    /// so the wait ends with it.
    func waitUntilFinished(through cutoff: Int, study: StudyView) throws {
        lock.lock(); var n = finishedPrefix; lock.unlock()
        while n <= cutoff {
            if let t = try study.storage.trial(studyId: study.studyId, number: n), t.state.isFinished {
                n += 1
            } else {
                if study.isStopRequested { throw StoppedWhileWaiting(waitingFor: n) }
                try study.failStaleTrialsIfDue()
                usleep(200)
            }
        }
        lock.lock(); finishedPrefix = max(finishedPrefix, n); lock.unlock()
    }

    /// The not yet returned trials numbered ≤ `cutoff`, in number order. Call after
    /// `waitUntilFinished(through: cutoff)` (a finished trial stays finished).
    func read(through cutoff: Int, study: StudyView) throws -> [FrozenTrial] {
        var out: [FrozenTrial] = []
        while next <= cutoff, let t = try study.storage.trial(studyId: study.studyId, number: next), t.state.isFinished {
            out.append(t)
            next += 1
        }
        return out
    }
}

/// The part of a study's history a trial may see in deterministic parallel mode, shared by
/// the samplers that offer it: waiting per study, and the search space of the visible trials.
final class DeterministicWindow: @unchecked Sendable {
    private let lock = NSLock()
    private var waiters: [Int64: OrderedTrialReader] = [:]

    /// The highest trial number trial `number` may see with `workers` workers (−1: none).
    static func cutoff(trial number: Int, workers: Int) -> Int { number - max(1, workers) }

    /// Blocks (holding no lock of the caller) until trials 0 … cutoff of the study are finished.
    func wait(through cutoff: Int, study: StudyView) throws {
        guard cutoff >= 0 else { return }
        lock.lock()
        let w = waiters[study.studyId] ?? OrderedTrialReader()
        waiters[study.studyId] = w
        lock.unlock()
        try w.waitUntilFinished(through: cutoff, study: study)
        study.history.invalidate()   // other processes may have told them meanwhile
    }

    /// Trials numbered below the result are the ones `trial` may fit: those below its own
    /// number, or with `workers` (deterministic parallel mode) those up to its cutoff, after
    /// waiting for them — so what trial k sees never depends on which later trials happen
    /// to have finished.
    func visibleBound(for trial: Trial, workers: Int?, study: StudyView) throws -> Int {
        guard let workers else { return trial.number }
        let cutoff = Self.cutoff(trial: trial.number, workers: workers)
        try wait(through: cutoff, study: study)
        return cutoff + 1
    }

    /// The intersection search space `trial` may see: with `workers` (deterministic parallel
    /// mode) only trials up to its cutoff, after waiting for them; otherwise the whole study's.
    func intersectionSearchSpace(for trial: Trial, workers: Int?, study: StudyView) throws -> SearchSpace {
        guard let workers else { return try study.intersectionSearchSpace() }
        return try intersectionSearchSpace(through: Self.cutoff(trial: trial.number, workers: workers), study: study)
    }

    /// The parameters present with identical distributions in every COMPLETE trial numbered
    /// ≤ cutoff (the intersection search space of what the trial may see), after waiting.
    func intersectionSearchSpace(through cutoff: Int, study: StudyView) throws -> SearchSpace {
        try wait(through: cutoff, study: study)
        var space: [String: Distribution]?
        for t in try study.completeTrials() where t.number <= cutoff {
            space = space.map { s in s.filter { t.distributions[$0.key] == $0.value } } ?? t.distributions
            if space?.isEmpty == true { break }
        }
        return SearchSpace(space ?? [:])
    }
}
