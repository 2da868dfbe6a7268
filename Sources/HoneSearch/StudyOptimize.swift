// Study.optimize: running an objective on worker threads.

import Foundation

extension Study {
    /// Runs `objective` on trials until `nTrials` trials have run in this call, `timeout`
    /// seconds have passed (checked before each new trial), or `stop()` is called; with
    /// neither limit it runs until stopped.
    ///
    /// - `nJobs` OS threads ask, evaluate and tell concurrently (1: the calling thread).
    /// - An objective that throws fails that trial with the error as its reason; a
    ///   `TrialPruned` error marks it PRUNED with its last report; a NaN or infinite
    ///   result fails it. The study goes on unless `catchErrors` is false, in which case
    ///   the first objective error stops new trials and is rethrown once workers finish.
    /// - Storage, sampler and pruner errors stop the run and are rethrown.
    /// - With a heartbeat policy, running trials heartbeat every `interval` seconds, and
    ///   stale trials of dead workers are failed (and retried) as the run goes.
    /// - `callbacks` run after each trial is told, on the worker's thread.
    public func optimize(_ objective: @escaping @Sendable (Trial) throws -> [Double],
                         nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         catchErrors: Bool = true,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = []) throws
    {
        guard nJobs >= 1 else { throw StudyError.invalidArgument("nJobs must be at least 1, got \(nJobs)") }
        if let n = nTrials, n < 0 { throw StudyError.invalidArgument("nTrials must not be negative, got \(n)") }
        clearStop()
        let run = OptimizeRun(study: self, objective: objective, limits: RunLimits(nTrials: nTrials, timeout: timeout),
                              catchErrors: catchErrors, callbacks: callbacks)
        withHeartbeats { runOnWorkerThreads(nJobs, name: "hone-worker") { run.work(worker: $0) } }
        if let e = run.firstError { throw e }
    }

    /// Runs `body` while this process's running trials heartbeat (when the study has a
    /// heartbeat policy): every optimize loop — plain, scheduled, PBT — runs inside it.
    /// A failed heartbeat is not an error of the run: the storage's next call from a
    /// worker surfaces a lasting failure, and a transient one only ages the heartbeat by
    /// one interval. Paused trials of a budget scheduler are running trials of this
    /// process, so they keep heartbeating between their rungs.
    func withHeartbeats(_ body: () -> Void) {
        let heartbeatThread = heartbeat.map { policy in
            PeriodicThread(name: "hone-heartbeat", interval: policy.interval) { [self] in
                let ids = runningTrialsHere.filter(\.heartbeats).map(\.id)
                if !ids.isEmpty { try? storage.recordHeartbeat(trialIds: ids, now: Date()) }
                return true
            }
        }
        defer { heartbeatThread?.finish() }
        body()
    }

    /// Asks for a trial as worker `worker` of an optimize loop: stale trials of dead
    /// workers are failed first when a sweep is due, and the trial heartbeats when the
    /// study has a heartbeat policy.
    func askAsWorker(_ worker: Int, fixedParams: [String: ParamValue] = [:]) throws -> Trial {
        try failStaleTrialsIfDue()
        return try ask(fixedParams: fixedParams, workerId: "\(Study.processId):\(worker)", heartbeat: heartbeat != nil)
    }

    /// `optimize` for a single-objective function.
    public func optimize(_ objective: @escaping @Sendable (Trial) throws -> Double,
                         nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         catchErrors: Bool = true,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = []) throws
    {
        try optimize({ [try objective($0)] }, nTrials: nTrials, timeout: timeout, nJobs: nJobs,
                     catchErrors: catchErrors, callbacks: callbacks)
    }
}

/// Shared state of one `optimize` call.
private final class OptimizeRun: @unchecked Sendable {
    let study: Study
    let objective: @Sendable (Trial) throws -> [Double]
    let limits: RunLimits
    let catchErrors: Bool
    let callbacks: [@Sendable (Study, FrozenTrial) -> Void]
    private let lock = NSLock()
    private var error: Error?

    init(study: Study, objective: @escaping @Sendable (Trial) throws -> [Double], limits: RunLimits,
         catchErrors: Bool, callbacks: [@Sendable (Study, FrozenTrial) -> Void])
    {
        self.study = study; self.objective = objective; self.limits = limits
        self.catchErrors = catchErrors; self.callbacks = callbacks
    }

    var firstError: Error? { lock.lock(); defer { lock.unlock() }; return error }

    /// Takes one trial slot, or says the run is over (the limits, or an error recorded).
    private func claimSlot() -> Bool { firstError == nil && limits.claim(study) }

    private func record(_ e: Error) {
        lock.lock(); if error == nil { error = e }; lock.unlock()
        study.stop()
    }

    func work(worker: Int) {
        while claimSlot() {
            do {
                let trial = try study.askAsWorker(worker)
                let frozen = try runOne(trial)
                for cb in callbacks { cb(study, frozen) }
            } catch is StoppedWhileWaiting {
                // A stop, not a failure: the asked trial is stored FAIL; the loop ends.
            } catch {
                record(error)
            }
        }
    }

    /// Evaluates the objective and tells the outcome; objective errors become FAIL.
    private func runOne(_ trial: Trial) throws -> FrozenTrial {
        do {
            return try evaluateAndTell(trial)
        } catch StudyError.alreadyFinished {
            // Someone else finished it first — typically `failStaleTrials` in another
            // worker after this one missed heartbeats. Their verdict stands; go on.
            return try study.trial(number: trial.number) ?? trial.frozen()
        }
    }

    private func evaluateAndTell(_ trial: Trial) throws -> FrozenTrial {
        let values: [Double]
        do {
            values = try objective(trial)
        } catch is TrialPruned {
            return try study.tell(trial, state: .pruned)
        } catch let failed as TrialFailed {
            let told = try study.tell(trial, state: .fail, failReason: failed.reason)
            if !catchErrors { record(failed) }
            return told
        } catch {
            let told = try study.tell(trial, state: .fail, failReason: "objective threw: \(error)")
            if !catchErrors { record(error) }
            return told
        }
        let (told, invalid) = try study.tellObjectiveResult(trial, values)
        if let invalid, !catchErrors { record(invalid) }
        return told
    }
}

