// Running a study script: `study { … }` plus `objective(trial)`, on N worker threads with
// one Lua state each.
import Foundation
import HoneSearch
import HoneStorage
import HoneTuning

/// What the command line (or a test) overrides in a script, and the host settings.
public struct StudyScriptOptions: Sendable {
    public var storage: String?
    public var trials: Int?
    public var jobs: Int?
    public var seed: UInt64?
    public var timeout: Double?
    /// Default limits for the script's Lua (the script's `limits = { … }` refines them).
    public var limits: ScriptLimits
    /// Caps on data and epochs, for quick runs and tests.
    public var budget: TrainingBudget
    /// Directories the script may read besides its own.
    public var readableDirectories: [String]
    /// The storage when neither the options nor the script name one.
    public var defaultStorage = "memory:"
    /// Seed the study from another study's finished trials (replaces the script's
    /// `warm_start`).
    public var warmStart: WarmStartSource?

    public init(storage: String? = nil, trials: Int? = nil, jobs: Int? = nil, seed: UInt64? = nil, timeout: Double? = nil,
                limits: ScriptLimits = ScriptLimits(), budget: TrainingBudget = TrainingBudget(), readableDirectories: [String] = []) {
        self.storage = storage
        self.trials = trials
        self.jobs = jobs
        self.seed = seed
        self.timeout = timeout
        self.limits = limits
        self.budget = budget
        self.readableDirectories = readableDirectories
    }
}

/// A study script ready to run. Loading it (on the calling thread) reads `study { … }`;
/// `run` then creates or resumes the study and optimizes with one Lua state per worker.
///
/// A Lua error, a limit hit or a bad value returned fails that trial with the message and
/// file:line; the study goes on.
public final class StudyScript: ScriptWorkerSource, @unchecked Sendable {
    public let path: String
    public let options: StudyScriptOptions
    /// The script's `study { … }` with the options' overrides applied.
    public let configuration: StudyConfiguration

    private let lock = NSLock()
    private var workers: [pthread_t: ScriptWorker] = [:]
    private var interruptHandles: [LuaInterruptHandle] = []
    private var interrupted = false
    private weak var runningStudy: Study?
    private let registrations: ScriptRegistrations

    public init(path: String, options: StudyScriptOptions = StudyScriptOptions()) throws {
        self.path = path
        self.options = options
        let first = try ScriptWorker(path: path, limits: options.limits, readableDirectories: options.readableDirectories,
                                     budget: options.budget)
        guard let table = first.registrations.study else {
            throw ScriptError(kind: .runtime, message: "\(path) has no study { … } table")
        }
        guard try first.script.function(named: "objective") != nil else {
            throw ScriptError(kind: .runtime, message: "\(path) defines no function objective(trial)")
        }
        var configuration = try StudyConfiguration(table, defaultLimits: options.limits)
        if let storage = options.storage { configuration.storage = storage }
        if let trials = options.trials { configuration.trials = trials }
        if let jobs = options.jobs { configuration.jobs = jobs }
        if let seed = options.seed { configuration.seed = seed }
        if let timeout = options.timeout { configuration.timeout = timeout }
        if let warmStart = options.warmStart { configuration.warmStart = warmStart }
        self.configuration = configuration
        registrations = first.registrations
        first.host.limits = configuration.limits
        workers[pthread_self()] = first
        interruptHandles.append(first.host.interruptHandle)
    }

    /// The calling thread's worker, loading the script into a new state on first use.
    func worker() throws -> ScriptWorker {
        lock.lock()
        if let existing = workers[pthread_self()] {
            lock.unlock()
            return existing
        }
        let wasInterrupted = interrupted
        lock.unlock()
        let worker = try ScriptWorker(path: path, limits: configuration.limits, readableDirectories: options.readableDirectories,
                                      budget: options.budget)
        if wasInterrupted { worker.host.interruptHandle.interrupt() }
        lock.lock()
        workers[pthread_self()] = worker
        interruptHandles.append(worker.host.interruptHandle)
        lock.unlock()
        return worker
    }

    /// What the warm start of the last `openStudy` copied (nil without `warm_start`).
    public private(set) var warmStartSummary: WarmStartSummary?

    /// Creates the study (or resumes it when the storage has one of that name), then, with
    /// `warm_start`, copies the source study's COMPLETE trials that fit the declared
    /// `space`; without one, the space the study's own finished trials used, and when it
    /// has none yet (a define-by-run space is only known once trials run), all of them.
    /// A resumed study is not seeded twice.
    public func openStudy() throws -> Study {
        let storage = try openStorage(url: configuration.storage ?? options.defaultStorage)
        let sampler = try AlgorithmCatalog.sampler(configuration.sampler, registrations: registrations, source: self)
        let pruner = try AlgorithmCatalog.pruner(configuration.pruner, registrations: registrations, source: self)
        let name = configuration.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let study = try Study.create(name: name, storage: storage, directions: configuration.directions, sampler: sampler,
                                     pruner: pruner, seed: configuration.seed, loadIfExists: true,
                                     heartbeat: configuration.heartbeat)
        study.noisyObjective = configuration.noisyObjective
        if let warmStart = configuration.warmStart {
            let source = try warmStart.load(defaultStorage: storage, open: openStorage(url:))
            let space = configuration.space.isEmpty ? try Self.ownSpace(of: study) : try configuration.declaredSpace()
            let summary = try study.warmStart(from: source, space: space)
            lock.lock(); warmStartSummary = summary; lock.unlock()
        }
        return study
    }

    /// The distributions the study's own finished trials (not copies) used: the best
    /// knowledge of a define-by-run space before this run asks anything. Nil when the
    /// study has no such trials yet.
    static func ownSpace(of study: Study) throws -> SearchSpace? {
        var space = SearchSpace()
        for t in try study.trials() where t.state.isFinished && t.systemAttrs["copied_from"] == nil {
            for (name, distribution) in t.distributions where space[name] == nil { space.set(name, distribution) }
        }
        return space.isEmpty ? nil : space
    }

    /// Runs the study's trials (`trials`, `timeout`, `jobs` from the configuration).
    /// `onTrialFinished` runs after each trial is stored, on the worker's thread.
    @discardableResult
    public func run(study: Study? = nil, onTrialFinished: (@Sendable (Study, FrozenTrial) -> Void)? = nil) throws -> Study {
        let study = try study ?? openStudy()
        lock.lock()
        runningStudy = study
        lock.unlock()
        let space = configuration.space
        let objective: @Sendable (Trial) throws -> [Double] = { [unowned self] trial in
            // `Study.optimize` clears a stop made before it began: an interrupt then
            // stops the study here, at its first trial.
            if self.isInterrupted {
                study.stop()
                throw try trial.failInterrupted()
            }
            do {
                return try self.worker().evaluate(trial, space: space)
            } catch {
                // The Lua stopped by `interrupt()` (or any error after it): FAIL "interrupted".
                if self.isInterrupted { throw try trial.failInterrupted() }
                throw error
            }
        }
        var callbacks: [@Sendable (Study, FrozenTrial) -> Void] = [{ [unowned self] _, trial in
            try? self.worker().trialFinished(trial)
        }]
        if let onTrialFinished { callbacks.append(onTrialFinished) }
        let scheduler = try configuration.scheduler.map(AlgorithmCatalog.scheduler)
        try study.optimize(objective, scheduler: scheduler, nTrials: configuration.trials, timeout: configuration.timeout,
                           nJobs: configuration.jobs, callbacks: callbacks)
        return study
    }

    /// True once `interrupt()` was called.
    public var isInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }

    /// Thread-safe (not async-signal-safe: call it from a dispatch signal source or
    /// another thread): stops the running Lua of every worker at its next instruction
    /// (those trials are stored FAIL with the reason "interrupted") and starts no new trial.
    public func interrupt() {
        lock.lock()
        interrupted = true
        let handles = interruptHandles
        let study = runningStudy
        lock.unlock()
        study?.stop()
        for handle in handles { handle.interrupt() }
    }
}
