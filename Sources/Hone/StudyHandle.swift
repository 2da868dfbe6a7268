// What a hone_study and a hone_trial token stand for.

import Foundation
import HonePlugins
import HoneSearch

/// An open study. The Study object is shared by every thread using the handle; the
/// handle adds what C needs: a stable name string and the stop flag of hone_study_stop.
final class StudyHandle: @unchecked Sendable {
    let study: Study
    let name: OwnedCString
    /// hone_study_open's "scheduler" (checked there): each optimize call builds its own.
    let schedulerSpec: JSONValue?
    private let lock = NSLock()
    private var stopped = false

    init(_ study: Study, scheduler: JSONValue? = nil) {
        self.study = study
        name = OwnedCString(study.name)
        schedulerSpec = scheduler
    }

    var nObjectives: Int { study.directions.count }

    /// hone_study_stop: the running optimize starts no new trial and reports HONE_INTERRUPTED.
    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        study.stop()
    }

    /// Called as optimize starts: a stop before it is not meant for it (Study.optimize
    /// clears its own flag the same way).
    func clearStop() { lock.lock(); stopped = false; lock.unlock() }

    var wasStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    /// Retires the handles of trials asked through this study: they stay in the table, so
    /// hone_trial_free still finds them, but any other use is HONE_MISUSE.
    func retireTrials() {
        for case let t as TrialHandle in HandleTable.shared.objects(of: .trial) where t.owner === self {
            t.retire(because: "its hone_study was closed")
        }
    }
}

/// A trial asked through a study handle, or lent to an objective for one call.
final class TrialHandle: @unchecked Sendable {
    /// Objectives' trials belong to the library: hone_trial_free ignores them.
    let libraryOwned: Bool
    let number: Int
    private let lock = NSLock()
    private var trial: Trial?
    private weak var study: StudyHandle?
    private var retiredReason = ""
    private var told = false
    private var failReason: String?
    /// The hone_interrupt watch of the optimize call that lent this trial to an
    /// objective (set before the handle is published): hone_trial_should_prune answers 1
    /// once it fired.
    var interruption: InterruptWatch?

    init(_ trial: Trial, owner: StudyHandle, libraryOwned: Bool) {
        self.trial = trial
        study = owner
        self.libraryOwned = libraryOwned
        number = trial.number
    }

    /// The trial, or HONE_MISUSE when the handle was retired.
    func live() throws -> Trial {
        lock.lock(); defer { lock.unlock() }
        guard let trial else { throw APIError.misuse("hone_trial \(number) can no longer be used: \(retiredReason)") }
        return trial
    }

    /// The trial while it is not told yet (HONE_WRONG_STATE after tell).
    func running(_ operation: String) throws -> Trial {
        let t = try live()
        lock.lock(); let done = told; lock.unlock()
        if done { throw APIError(.wrongState, "\(operation): trial \(number) is already told") }
        return t
    }

    /// The study handle it was asked through (nil once retired). Read under the lock:
    /// closing the study on another thread writes it.
    var owner: StudyHandle? { lock.lock(); defer { lock.unlock() }; return study }

    func markTold() { lock.lock(); told = true; lock.unlock() }

    var reason: String? {
        get { lock.lock(); defer { lock.unlock() }; return failReason }
        set { lock.lock(); failReason = newValue; lock.unlock() }
    }

    /// Drops the trial (and with it the study and its storage connection).
    func retire(because why: String) {
        lock.lock(); trial = nil; study = nil; retiredReason = why; lock.unlock()
    }
}
