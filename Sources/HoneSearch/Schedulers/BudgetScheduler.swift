// Schedulers that decide budgets up front (synchronous successive halving, Hyperband as
// in Li et al. 2018, BOHB), and the loop that runs them.
//
// A `Pruner` can only say "stop" to a trial that reports as it goes. Synchronous
// successive halving needs more: a configuration that reached a rung must *wait* until
// the whole rung has been evaluated, and only then learn whether it goes on. Here a
// configuration is one trial; between rungs it is paused (stays RUNNING, visible to
// samplers and pruners as a pending trial), and the objective is called again on the
// same `Trial` with a larger budget. Objectives that can continue training (HoneTuning
// keeps a checkpoint per trial) pay each epoch once; others may retrain from scratch, as
// the paper's accounting assumes.

import Foundation

/// How much to train: `resource` units out of `maxResource` (epochs, or units of the
/// training data — then train on the `fraction` of it).
public struct Budget: Hashable, Sendable, CustomStringConvertible {
    public var resource: Double
    public var maxResource: Double

    public init(resource: Double, maxResource: Double) { self.resource = resource; self.maxResource = maxResource }

    /// resource / maxResource: the share of the training data for data-fraction budgets.
    public var fraction: Double { resource / maxResource }
    /// The resource as a whole number of steps (epochs), rounded up: the step of the
    /// report that closes the job.
    public var steps: Int { Int((resource - 1e-9).rounded(.up)) }
    public var description: String { "\(resource)/\(maxResource)" }
}

/// What a scheduler wants done next.
public enum SchedulerJob: Hashable, Sendable {
    /// Sample a new configuration (a new trial; the study's sampler picks its parameters)
    /// for bracket `bracket` and train it to `budget`.
    case start(bracket: Int, budget: Budget)
    /// Continue the paused trial `trialNumber` to `budget`.
    case resume(trialNumber: Int, budget: Budget)
    /// Nothing to hand out until a running job finishes (a rung is filling).
    case wait
    /// The schedule is over.
    case finished
}

/// What becomes of a paused trial once its rung is decided.
public enum SchedulerVerdict: Hashable, Sendable {
    /// Not promoted: stored PRUNED with its last report.
    case prune
    /// Reached the end of its schedule: stored COMPLETE with its last result.
    case complete
}

/// An algorithm that decides budgets up front. Calls come from `Study.optimize(scheduler:…)`
/// one at a time (the loop serializes them), so implementations need no lock of their own
/// as long as only that loop drives them.
public protocol BudgetScheduler: AnyObject, Sendable {
    var name: String { get }
    func nextJob(study: StudyView) throws -> SchedulerJob
    /// A `.start` job of `bracket` became trial `trialNumber`.
    func trialAssigned(study: StudyView, trialNumber: Int, bracket: Int) throws
    /// A job ended. `values` is the result at `budget`, nil when the trial failed or was
    /// pruned by the objective itself (it then ranks last and is never promoted). Returns
    /// verdicts for paused trials whose rung is now decided; trials not named stay paused.
    func jobFinished(study: StudyView, trialNumber: Int, budget: Budget, values: [Double]?) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)]
    /// No more `.start` jobs will be run (trial limit or timeout): brackets still
    /// sampling must decide their rungs with the configurations they have.
    func noMoreConfigurations(study: StudyView) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)]
}

public enum SchedulerError: Error, CustomStringConvertible {
    case stalled(String)
    public var description: String {
        switch self { case .stalled(let why): return "scheduler stalled: \(why)" }
    }
}

extension Study {
    /// Runs a budget scheduler: `objective(trial, budget)` trains the trial's configuration
    /// up to `budget` (it may report intermediate values on the way, steps in resource
    /// units) and returns its values there. The same `Trial` comes back with a larger
    /// budget when it is promoted; `trial.work` says where the previous job stopped. Trials not promoted are stored PRUNED with their last
    /// report; those that reach the end of their schedule COMPLETE.
    ///
    /// - `nTrials`: configurations to start at most (nil: as many as the schedule has).
    /// - `timeout`: seconds after which no new job starts; paused trials are then pruned.
    ///   `stop()` (from a callback, an objective or another thread) does the same at once.
    /// - `nJobs`: worker threads. Workers take any job that is ready (a promotion or a new
    ///   configuration of this or a later bracket) and wait only when none is.
    /// - An objective that throws fails its trial; `TrialPruned` prunes it (e.g. a
    ///   threshold rule inside the objective); either way it ranks last in its rung.
    /// - `callbacks` run once per trial this call finishes (PRUNED at a rung, COMPLETE at
    ///   the end of its schedule, FAIL), right after it is told, outside the run's lock.
    /// - Heartbeats and stale-trial sweeps as in `optimize`.
    public func optimize(scheduler: BudgetScheduler, nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = [],
                         _ objective: @escaping @Sendable (Trial, Budget) throws -> [Double]) throws {
        guard nJobs >= 1 else { throw StudyError.invalidArgument("nJobs must be at least 1, got \(nJobs)") }
        clearStop()   // a stop before this call is not meant for it (as `optimize`)
        let run = ScheduledRun(study: self, scheduler: scheduler, objective: objective, nTrials: nTrials,
                               deadline: timeout.map { Date().addingTimeInterval($0) }, callbacks: callbacks)
        withHeartbeats { runOnWorkerThreads(nJobs, name: "hone-scheduler") { run.work(worker: $0) } }
        try run.finish()
    }

    /// `optimize(scheduler:…)` for a single objective.
    public func optimize(scheduler: BudgetScheduler, nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = [],
                         _ objective: @escaping @Sendable (Trial, Budget) throws -> Double) throws {
        try optimize(scheduler: scheduler, nTrials: nTrials, timeout: timeout, nJobs: nJobs, callbacks: callbacks) { [try objective($0, $1)] }
    }
}

/// The shared state of one `optimize(scheduler:)` call.
private final class ScheduledRun: @unchecked Sendable {
    let study: Study
    let scheduler: BudgetScheduler
    let objective: @Sendable (Trial, Budget) throws -> [Double]
    let deadline: Date?
    let callbacks: [@Sendable (Study, FrozenTrial) -> Void]
    private let condition = NSCondition()
    private var startsLeft: Int?
    private var noMoreStartsSent = false
    private var inFlight = 0
    private var paused: [Int: Trial] = [:]
    /// The resource each paused trial has trained to: its next job starts there.
    private var trained: [Int: Double] = [:]
    private var error: Error?

    init(study: Study, scheduler: BudgetScheduler, objective: @escaping @Sendable (Trial, Budget) throws -> [Double],
         nTrials: Int?, deadline: Date?, callbacks: [@Sendable (Study, FrozenTrial) -> Void]) {
        self.study = study; self.scheduler = scheduler; self.objective = objective
        self.startsLeft = nTrials; self.deadline = deadline; self.callbacks = callbacks
    }

    /// Trials told under the lock, for the callbacks to see once it is released.
    private var finishedUncalled: [FrozenTrial] = []

    /// Runs the callbacks for what was told so far, with the lock released (a callback
    /// may read the study or stop it). Call with the lock held.
    private func callBack() {
        guard !callbacks.isEmpty, !finishedUncalled.isEmpty else { finishedUncalled.removeAll(); return }
        let told = finishedUncalled
        finishedUncalled.removeAll()
        condition.unlock()
        for trial in told { for cb in callbacks { cb(study, trial) } }
        condition.lock()
    }

    private var timedOut: Bool { deadline.map { Date() >= $0 } ?? false }

    /// Tells a trial's own outcome (failed or pruned by its objective, or pruned at the
    /// end). A trial someone else finished first (the stale sweep) keeps that verdict;
    /// any other error — storage above all — ends the run and is rethrown by `finish`.
    /// Call with the lock held.
    private func tellOutcome(_ trial: Trial, _ state: TrialState, failReason: String? = nil) {
        do {
            finishedUncalled.append(try study.tell(trial, state: state, failReason: failReason))
        } catch StudyError.alreadyFinished {
        } catch {
            if self.error == nil { self.error = error }
        }
    }

    /// Tells the verdicts (lock held).
    private func apply(_ verdicts: [(trialNumber: Int, verdict: SchedulerVerdict)]) throws {
        for (number, verdict) in verdicts {
            guard let trial = paused.removeValue(forKey: number) else { continue }
            switch verdict {
            case .prune: finishedUncalled.append(try study.tell(trial, state: .pruned))
            case .complete:
                let last = trial.frozen().foldAveragedCurve().last?.values ?? []
                finishedUncalled.append(try study.tellObjectiveResult(trial, last).told)
            }
        }
    }

    private func stopStarting() throws {
        guard !noMoreStartsSent else { return }
        noMoreStartsSent = true
        try apply(scheduler.noMoreConfigurations(study: study.view))
    }

    func work(worker: Int) {
        condition.lock()
        defer { condition.broadcast(); condition.unlock() }
        while error == nil {
            do {
                if timedOut || study.isStopRequested { return }
                if startsLeft == 0 { try stopStarting() }
                let job = try scheduler.nextJob(study: study.view)
                let trial: Trial, budget: Budget
                switch job {
                case .finished:
                    return
                case .wait:
                    if inFlight == 0 { throw SchedulerError.stalled("\(scheduler.name) waits but no job is running") }
                    condition.wait()
                    continue
                case .start(let bracket, let b):
                    if let n = startsLeft {
                        guard n > 0 else { try stopStarting(); continue }
                        startsLeft = n - 1
                    }
                    inFlight += 1
                    condition.unlock()
                    let asked = Result { try study.askAsWorker(worker) }
                    condition.lock()
                    trial = try asked.get()
                    trial.setSystemAttribute("scheduler.bracket", .number(Double(bracket)))
                    try scheduler.trialAssigned(study: study.view, trialNumber: trial.number, bracket: bracket)
                    budget = b
                case .resume(let number, let b):
                    guard let t = paused.removeValue(forKey: number) else {
                        throw SchedulerError.stalled("\(scheduler.name) resumes trial \(number), which is not paused")
                    }
                    inFlight += 1
                    trial = t; budget = b
                }
                trial.setSystemAttribute("scheduler.budget", .number(budget.resource))
                let start = trained.removeValue(forKey: trial.number)
                trial.work = TrialWork(start: start ?? 0, budget: budget.resource, maxBudget: budget.maxResource,
                                       resumeFrom: start == nil ? nil : trial.number)
                condition.unlock()
                let outcome = evaluate(trial, budget)
                condition.lock()
                let values: [Double]?
                switch outcome {
                case .values(let v): values = v
                case .told(let state, let reason): values = nil; tellOutcome(trial, state, failReason: reason)
                }
                inFlight -= 1
                if values != nil { paused[trial.number] = trial; trained[trial.number] = budget.resource }
                try apply(scheduler.jobFinished(study: study.view, trialNumber: trial.number, budget: budget, values: values))
                condition.broadcast()
                callBack()
            } catch is StoppedWhileWaiting {
                return   // a stop, not a failure: the asked trial is stored FAIL saying so
            } catch {
                if self.error == nil { self.error = error }
                return
            }
        }
    }

    private enum Outcome {
        case values([Double])
        /// The trial failed or pruned itself: to be told so (under the lock).
        case told(TrialState, reason: String?)
    }

    /// Runs the objective outside the lock.
    private func evaluate(_ trial: Trial, _ budget: Budget) -> Outcome {
        do {
            let values = try objective(trial, budget)
            guard values.count == study.directions.count, values.allSatisfy(\.isFinite) else {
                return .told(.fail, reason: "objective returned \(values) at budget \(budget)")
            }
            // The rung's value is also a report at the budget's step (unless the objective
            // reported that step itself, perhaps per fold).
            if !trial.intermediateValues.keys.contains(where: { $0.step == budget.steps }) {
                try trial.report(values, step: budget.steps)
            }
            return .values(values)
        } catch is TrialPruned {
            return .told(.pruned, reason: nil)
        } catch let failed as TrialFailed {
            return .told(.fail, reason: failed.reason)
        } catch {
            return .told(.fail, reason: "objective threw at budget \(budget): \(error)")
        }
    }

    /// After the workers: prune what is still paused (timeout), rethrow the first error.
    func finish() throws {
        condition.lock(); defer { condition.unlock() }
        for (_, trial) in paused.sorted(by: { $0.key < $1.key }) { tellOutcome(trial, .pruned) }
        paused.removeAll()
        callBack()
        if let error { throw error }
    }
}
