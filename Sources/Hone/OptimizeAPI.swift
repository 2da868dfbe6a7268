// hone_study_optimize: Study.optimize with a C objective called from n_jobs threads.

import CHoneHeader
import Foundation
import HonePlugins
import HoneSearch
import HoneTuning

private func statusText(_ status: Int32) -> String {
    let name = String(cString: hone_status_name(status))
    return name == "HONE_UNKNOWN_STATUS" ? "\(name) (\(status))" : name
}

/// Runs one trial through a C objective. The trial handle lives only for the call.
/// After hone_interrupt: a trial asked after it is stored FAIL "interrupted" without
/// running, and one whose objective then returns anything but HONE_OK (it may have seen
/// hone_trial_should_prune answer 1) is stored FAIL "interrupted".
private func evaluate(_ objective: NativeObjective, _ h: StudyHandle, _ trial: Trial, _ watch: InterruptWatch) throws -> [Double] {
    if watch.fired {
        h.study.stop()
        throw try trial.failInterrupted()
    }
    let th = TrialHandle(trial, owner: h, libraryOwned: true)
    th.interruption = watch
    let token = HandleTable.shared.insert(th, kind: .trial)
    defer {
        HandleTable.shared.remove(token, .trial)
        th.retire(because: "an objective's trial is valid only during its call")
    }
    let n = h.nObjectives
    // NaN until written: an objective that returns HONE_OK without writing fails its trial.
    var values = [Double](repeating: .nan, count: n)
    let status = values.withUnsafeMutableBufferPointer { objective.function(token, objective.userdata, $0.baseAddress, n) }
    if watch.fired {
        // Stop before this worker asks again (the watcher may not have run yet).
        h.study.stop()
        if status != HoneStatus.ok.rawValue { throw try trial.failInterrupted() }
    }
    switch status {
    case HoneStatus.ok.rawValue:
        return values
    case HoneStatus.pruned.rawValue:
        throw TrialPruned()
    default:
        // hone.h promises the reason as given (not "objective threw: …").
        throw TrialFailed(reason: th.reason ?? statusText(status))
    }
}

/// A caller's per-finished-trial callback: called once per trial this run finished, right
/// after the trial is stored, one call at a time; a non-OK status stops the study at once
/// (the worker that finished the trial asks for no other).
final class FinishedCallback: @unchecked Sendable {
    let function: hone_trial_finished_fn
    let userdata: UnsafeMutableRawPointer?
    let studyToken: OpaquePointer?
    let handle: StudyHandle
    private let lock = NSLock()

    init(_ function: hone_trial_finished_fn, _ userdata: UnsafeMutableRawPointer?, studyToken: OpaquePointer?, handle: StudyHandle) {
        self.function = function; self.userdata = userdata; self.studyToken = studyToken; self.handle = handle
    }

    func call(_ trial: FrozenTrial) {
        let json = JSONWriter.text { $0.trial(trial) }
        lock.lock(); defer { lock.unlock() }
        let status = json.withCString { function(studyToken, $0, userdata) }
        if status != HoneStatus.ok.rawValue { handle.stop() }   // as hone_study_stop
    }
}

func optimize(_ h: StudyHandle, _ objective: NativeObjective, nTrials: Int64, timeout: Double, nJobs: Int32,
              finished: FinishedCallback? = nil) throws {
    guard nJobs >= 1, nJobs <= 1024 else { throw APIError.invalid("n_jobs must be in 1...1024, got \(nJobs)") }
    guard !timeout.isNaN else { throw APIError.invalid("timeout_s is NaN") }
    let trials = nTrials > 0 ? Int(nTrials) : nil
    let seconds = timeout > 0 && timeout.isFinite ? timeout : nil
    guard trials != nil || seconds != nil else {
        throw APIError.invalid("hone_study_optimize needs n_trials > 0 or timeout_s > 0 (with neither it would never end)")
    }
    h.clearStop()
    let watch = InterruptWatch { h.study.stop() }
    defer { watch.finish() }
    let callbacks: [@Sendable (Study, FrozenTrial) -> Void] = finished.map { callback in [{ _, trial in callback.call(trial) }] } ?? []
    let scheduler = try h.schedulerSpec.map { try AlgorithmRegistry.shared.scheduler(spec: $0) }
    try h.study.optimize({ trial in try evaluate(objective, h, trial, watch) }, scheduler: scheduler,
                         nTrials: trials, timeout: seconds, nJobs: Int(nJobs), callbacks: callbacks)
    if watch.fired {
        throw APIError(.interrupted, "hone_study_optimize of study \"\(h.study.name)\" was interrupted by hone_interrupt "
            + "(its running trials are stored FAIL \"interrupted\")")
    }
    if h.wasStopped { throw APIError(.interrupted, "hone_study_optimize of study \"\(h.study.name)\" was stopped by hone_study_stop") }
}

@_cdecl("hone_study_optimize")
public func hone_study_optimize(_ study: OpaquePointer?, _ objective: hone_objective_fn?, _ userdata: UnsafeMutableRawPointer?,
                                _ nTrials: Int64, _ timeout: Double, _ nJobs: Int32) -> Int32
{
    api {
        let h = try studyHandle(study)
        guard let objective else { throw APIError.misuse("objective is NULL") }
        try optimize(h, NativeObjective(function: objective, userdata: userdata), nTrials: nTrials, timeout: timeout, nJobs: nJobs)
    }
}

@_cdecl("hone_study_optimize_v2")
public func hone_study_optimize_v2(_ study: OpaquePointer?, _ objective: hone_objective_fn?, _ objectiveUserdata: UnsafeMutableRawPointer?,
                                   _ onFinished: hone_trial_finished_fn?, _ finishedUserdata: UnsafeMutableRawPointer?,
                                   _ nTrials: Int64, _ timeout: Double, _ nJobs: Int32) -> Int32
{
    api {
        let h = try studyHandle(study)
        guard let objective else { throw APIError.misuse("objective is NULL") }
        try optimize(h, NativeObjective(function: objective, userdata: objectiveUserdata), nTrials: nTrials, timeout: timeout,
                     nJobs: nJobs, finished: onFinished.map { FinishedCallback($0, finishedUserdata, studyToken: study, handle: h) })
    }
}

@_cdecl("hone_study_optimize_named")
public func hone_study_optimize_named(_ study: OpaquePointer?, _ objectiveName: UnsafePointer<CChar>?,
                                      _ nTrials: Int64, _ timeout: Double, _ nJobs: Int32) -> Int32
{
    api {
        let h = try studyHandle(study)
        let objective = try NativeObjectives.shared.lookup(try string(objectiveName, "objective_name"))
        try optimize(h, objective, nTrials: nTrials, timeout: timeout, nJobs: nJobs)
    }
}

@_cdecl("hone_study_stop")
public func hone_study_stop(_ study: OpaquePointer?) -> Int32 {
    api { try studyHandle(study).stop() }
}
