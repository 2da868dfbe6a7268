// The one optimize entry every front end calls: plain trials, a budget scheduler
// (successive halving, Hyperband, BOHB, ASHA) or population based training (synchronous
// or asynchronous), with one objective shape for all of them.
//
// A scheduler runs the objective on *work*: "train this configuration from `start` to
// `budget`, restoring the checkpoint of trial `resumeFrom` first". The objective reads
// it from `trial.work` (C: hone_trial_work; Python: trial.work; Lua: trial.work) and
// keeps its own checkpoints keyed by trial number:
//
// - budget schedulers call the objective again on the same trial with a larger budget
//   (`resumeFrom` is then the trial itself: continue where the previous rung stopped);
// - PBT runs each segment as a new trial whose `resumeFrom` is the trial whose weights it
//   continues (its own previous segment, or the member it exploited).
//
// An objective that ignores `trial.work` still runs (it trains to its own end each time);
// it only wastes the savings the scheduler exists for. Checkpoints may live with the
// objective (C and Python keep their own, keyed by trial number) or in the study's
// `CheckpointStore` (Lua's `hone.fit { resume = trial }`), which the driver empties of
// what no later work can resume.

import Foundation

/// What one call of the objective must do under a scheduler.
public struct TrialWork: Hashable, Sendable, CustomStringConvertible {
    /// Resource already trained in the checkpoint this call starts from (0: from scratch).
    public var start: Double
    /// Train up to this resource (epochs, steps, or a share of the data: the objective's
    /// unit) and return the values reached there.
    public var budget: Double
    /// The most any trial trains under this scheduler.
    public var maxBudget: Double
    /// The trial whose checkpoint to restore first (nil: fresh weights).
    public var resumeFrom: Int?

    public init(start: Double, budget: Double, maxBudget: Double, resumeFrom: Int?) {
        self.start = start; self.budget = budget; self.maxBudget = maxBudget; self.resumeFrom = resumeFrom
    }

    public var description: String {
        "train \(start) → \(budget) of \(maxBudget)" + (resumeFrom.map { ", resuming trial \($0)" } ?? "")
    }
}

/// How an optimize call hands out work. Built by `AlgorithmRegistry.scheduler(spec:)`;
/// schedulers keep per-run state, so build one per optimize call.
public enum TrialScheduler: Sendable {
    case budget(BudgetScheduler)
    case pbt(PopulationBasedTraining)
    case asyncPBT(AsynchronousPBT)

    public var name: String {
        switch self {
        case .budget(let s): return s.name
        case .pbt: return "pbt"
        case .asyncPBT: return "async_pbt"
        }
    }
}

extension Study {
    /// Runs `objective` under `scheduler` (nil: plain trials, as `optimize(_:…)`), with
    /// the same rules for every kind of run: `nTrials` (trials or segments to start),
    /// `timeout` (no new work after it), `stop()`, heartbeats, `callbacks` after each
    /// finished trial, storage errors rethrown, objective errors failing their trial
    /// (and, with `catchErrors` false, ending a plain run).
    public func optimize(_ objective: @escaping @Sendable (Trial) throws -> [Double], scheduler: TrialScheduler?,
                         nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1, catchErrors: Bool = true,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = []) throws
    {
        guard let scheduler else {
            return try optimize(objective, nTrials: nTrials, timeout: timeout, nJobs: nJobs, catchErrors: catchErrors, callbacks: callbacks)
        }
        switch scheduler {
        case .budget(let s):
            // A finished trial is never resumed: its checkpoint goes. (The run sets
            // `trial.work` for each job.)
            let release: @Sendable (Study, FrozenTrial) -> Void = { study, trial in study.checkpoints.release(trial.number) }
            try optimize(scheduler: s, nTrials: nTrials, timeout: timeout, nJobs: nJobs, callbacks: [release] + callbacks) { trial, _ in
                try objective(trial)
            }
        case .pbt(let p):
            let total = Double(p.generations * p.stepsPerGeneration)
            // Segments resume only the generation before theirs: recording a segment of
            // generation g drops the checkpoints of generations before g − 1.
            let generations = Locked([Int: [Int]]())
            try optimize(pbt: p, nTrials: nTrials, timeout: timeout, nJobs: nJobs, callbacks: callbacks) { [self] trial, segment in
                let old = generations.mutate { byGeneration -> [Int] in
                    byGeneration[segment.generation, default: []].append(trial.number)
                    let done = byGeneration.keys.filter { $0 < segment.generation - 1 }
                    return done.flatMap { byGeneration.removeValue(forKey: $0) ?? [] }
                }
                for number in old { checkpoints.release(number) }
                return try Self.score(objective, trial, segment, maxBudget: total)
            }
        case .asyncPBT(let p):
            let total = Double(p.totalSteps)
            try optimize(asyncPBT: p, nTrials: nTrials, timeout: timeout, nJobs: nJobs, callbacks: callbacks, train: { trial, segment in
                try Self.score(objective, trial, segment, maxBudget: total)
            }, release: { [checkpoints] in checkpoints.release($0) })
        }
    }

    /// One PBT segment through a values-returning objective (PBT is single-objective).
    private static func score(_ objective: (Trial) throws -> [Double], _ trial: Trial, _ segment: PBTSegment,
                              maxBudget: Double) throws -> Double {
        trial.work = TrialWork(start: Double(segment.startStep), budget: Double(segment.endStep), maxBudget: maxBudget,
                               resumeFrom: segment.parentTrial)
        let values = try objective(trial)
        guard values.count == 1 else { throw StudyError.wrongNumberOfValues(trialNumber: trial.number, expected: 1, got: values.count) }
        return values[0]
    }
}

/// Checkpoints by trial number, of any type the objective uses (HoneNN's `Checkpoint`
/// for Lua's `hone.fit { resume = trial }`). Thread-safe.
public final class CheckpointStore: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: any Sendable] = [:]

    public init() {}

    public func store(_ checkpoint: any Sendable, forTrial number: Int) {
        lock.lock(); stored[number] = checkpoint; lock.unlock()
    }

    public func checkpoint<T>(ofTrial number: Int, as type: T.Type) -> T? {
        lock.lock(); defer { lock.unlock() }
        return stored[number] as? T
    }

    public func release(_ number: Int) { lock.lock(); stored[number] = nil; lock.unlock() }

    /// Trial numbers with a checkpoint, ascending.
    public var trialNumbers: [Int] { lock.lock(); defer { lock.unlock() }; return stored.keys.sorted() }
}
