// A study: one search, its trials, and the algorithms that drive it.

import Foundation
import HoneTensor

/// When workers heartbeat their running trials and when a silent trial counts as dead.
public struct HeartbeatPolicy: Hashable, Sendable {
    /// Seconds between heartbeats of `optimize` workers.
    public var interval: TimeInterval
    /// A RUNNING trial whose last heartbeat is older than this is failed by
    /// `failStaleTrials` (which `optimize` calls as it goes).
    public var gracePeriod: TimeInterval
    /// How many times a stale trial's parameters are re-enqueued (0: never).
    public var maxRetries: Int

    public init(interval: TimeInterval = 60, gracePeriod: TimeInterval? = nil, maxRetries: Int = 0) {
        self.interval = interval
        self.gracePeriod = gracePeriod ?? 2 * interval
        self.maxRetries = maxRetries
    }
}

/// A search: create or load one by name on a `Storage`, then `optimize` an objective, or
/// drive it by hand with `ask` / `tell`. All methods are thread-safe; `optimize` runs
/// trials on `nJobs` threads. Several processes may open the same study on a shared
/// storage at once.
public final class Study: @unchecked Sendable {
    public let name: String
    public let id: Int64
    public let directions: [StudyDirection]
    public let storage: Storage
    public let sampler: Sampler
    public let pruner: Pruner
    /// Root of every random stream of this study's trials.
    public let seed: UInt64
    public let heartbeat: HeartbeatPolicy?
    /// Checkpoints that objectives under a scheduler leave for the trials that resume
    /// them (`TrialWork.resumeFrom`), in this process; the optimize driver drops those no
    /// later work can resume.
    public let checkpoints = CheckpointStore()

    let history: StudyHistory
    /// What samplers and pruners see of this study.
    public private(set) var view: StudyView!

    private let lock = NSLock()
    /// Trials asked by this object and not yet told, by number.
    private var live: [Int: Trial] = [:]
    private var stopRequested = false
    private var lastStaleCheck = Date.distantPast

    /// Identifies this process in `workerId`s.
    static let processId: String = {
        var buf = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buf, buf.count) == 0 ? String(cString: buf) : "host"
        return "\(host):\(getpid())"
    }()

    private init(record: StudyRecord, storage: Storage, sampler: Sampler, pruner: Pruner,
                 seed: UInt64, heartbeat: HeartbeatPolicy?)
    {
        name = record.name; id = record.id; directions = record.directions
        self.storage = storage; self.sampler = sampler; self.pruner = pruner
        self.seed = seed; self.heartbeat = heartbeat
        history = StudyHistory(storage: storage, studyId: record.id, directions: record.directions)
        view = StudyView(study: self, history: history)
    }

    // MARK: Creating and loading

    /// Creates a study, or loads it when `loadIfExists` and a study of that name exists
    /// (then its directions must match). Creation is atomic across processes: when two
    /// race, one creates and the other loads.
    ///
    /// - Parameters:
    ///   - name: unique in the storage; nil makes one up.
    ///   - seed: root of all random streams; nil takes one from the clock (not repeatable).
    ///   - sampler: default `RandomSampler`. - pruner: default `NopPruner`.
    public static func create(name: String? = nil, storage: Storage = InMemoryStorage(),
                              directions: [StudyDirection] = [.minimize], sampler: Sampler? = nil,
                              pruner: Pruner? = nil, seed: UInt64? = nil, loadIfExists: Bool = false,
                              heartbeat: HeartbeatPolicy? = nil) throws -> Study
    {
        guard !directions.isEmpty else { throw StudyError.invalidArgument("a study needs at least one direction") }
        let studyName = name ?? generatedName()
        guard !studyName.isEmpty else { throw StudyError.invalidArgument("a study name must not be empty") }
        let record: StudyRecord
        do {
            record = try storage.createStudy(name: studyName, directions: directions, now: Date())
        } catch StorageError.studyAlreadyExists where loadIfExists {
            guard let existing = try storage.study(named: studyName) else {
                throw StorageError.studyNotFound("named \"\(studyName)\" (deleted while loading)")
            }
            guard existing.directions == directions else {
                throw StudyError.directionMismatch(study: studyName, stored: existing.directions, requested: directions)
            }
            record = existing
        }
        return make(record, storage, sampler, pruner, seed, heartbeat)
    }

    /// Loads an existing study by name (`StorageError.studyNotFound` otherwise).
    public static func load(name: String, storage: Storage, sampler: Sampler? = nil, pruner: Pruner? = nil,
                            seed: UInt64? = nil, heartbeat: HeartbeatPolicy? = nil) throws -> Study
    {
        guard let record = try storage.study(named: name) else { throw StorageError.studyNotFound("named \"\(name)\"") }
        return make(record, storage, sampler, pruner, seed, heartbeat)
    }

    private static func make(_ record: StudyRecord, _ storage: Storage, _ sampler: Sampler?, _ pruner: Pruner?,
                             _ seed: UInt64?, _ heartbeat: HeartbeatPolicy?) -> Study
    {
        Study(record: record, storage: storage, sampler: sampler ?? RandomSampler(), pruner: pruner ?? NopPruner(),
              seed: seed ?? clockSeed(), heartbeat: heartbeat)
    }

    private static let nameCounter = Counter()

    private static func generatedName() -> String {
        let t = UInt64(Date().timeIntervalSince1970 * 1e6)
        return "study-\(String(t, radix: 36))-\(getpid())-\(nameCounter.next())"
    }

    private static func clockSeed() -> UInt64 {
        var s = UInt64(bitPattern: Int64(Date().timeIntervalSince1970 * 1e9)) ^ (UInt64(getpid()) << 32) ^ nameCounter.next()
        return splitMix64(&s)
    }

    // MARK: Ask and tell

    /// Starts a trial: the oldest enqueued trial if any, else a new one. `fixedParams`
    /// pins values for this trial (like an enqueue that is run at once). The sampler's
    /// `beforeTrial`, the pruner's `trialStarted` and relative sampling happen here.
    public func ask(fixedParams: [String: ParamValue] = [:]) throws -> Trial {
        try ask(fixedParams: fixedParams, workerId: Study.processId, heartbeat: false)
    }

    func ask(fixedParams: [String: ParamValue], workerId: String, heartbeat: Bool) throws -> Trial {
        let stored = try storage.startTrial(studyId: id, TrialStart(workerId: workerId, heartbeat: heartbeat, now: Date()))
        historyChanged()
        var fixed = Study.decodeFixedParams(stored.systemAttrs[Study.fixedParamsKey])
        for (k, v) in fixedParams where fixed[k] == nil { fixed[k] = v }
        let trial = Trial(stored: stored, study: self, fixedParams: fixed)
        lock.lock(); live[trial.number] = trial; lock.unlock()
        do {
            try sampler.beforeTrial(study: view, trial: trial)
            try pruner.trialStarted(study: view, trial: trial)
            try trial.prepareRelative(sampler, view: view)
        } catch {
            _ = try? tell(trial, state: .fail, failReason: "sampler or pruner failed before the objective ran: \(error)")
            throw error
        }
        return trial
    }

    /// Finishes a trial as COMPLETE with one value per objective.
    @discardableResult
    public func tell(_ trial: Trial, values: [Double]) throws -> FrozenTrial {
        try tell(trial, state: .complete, values: values)
    }

    /// Finishes a single-objective trial as COMPLETE.
    @discardableResult
    public func tell(_ trial: Trial, value: Double) throws -> FrozenTrial {
        try tell(trial, state: .complete, values: [value])
    }

    /// Finishes a trial as COMPLETE, PRUNED or FAIL.
    ///
    /// A COMPLETE tell with the wrong number of values or a NaN/inf value throws
    /// (`wrongNumberOfValues` / `nonFiniteValue`) and leaves the trial RUNNING, as
    /// Optuna's `tell(trial, values, state=COMPLETE)` raises: the caller can tell it again
    /// (the optimize drivers tell such an objective result as FAIL with the reason —
    /// `failIfInvalid`). A PRUNED tell without values stores the last intermediate
    /// report. Telling a trial a second time, or one that another worker or
    /// `failStaleTrials` already finished, throws `StudyError.alreadyFinished`; a trial of
    /// another study throws `StudyError.unknownTrial`.
    @discardableResult
    public func tell(_ trial: Trial, state: TrialState, values: [Double]? = nil, failReason: String? = nil) throws -> FrozenTrial {
        guard trial.study === self else {
            throw StudyError.unknownTrial("\(trial.number) of study \"\(trial.study.name)\" (told to study \"\(name)\")")
        }
        guard state.isFinished else { throw StudyError.invalidTellState(state) }
        var finalValues = values
        if state == .complete, let problem = invalidCompletion(trial.number, values) { throw problem }
        if state == .pruned, values == nil {
            finalValues = trial.frozen().lastIntermediate?.values
        }
        if let v = finalValues, v.contains(where: \.isNaN) { finalValues = nil }
        let finalState = state, reason = failReason
        if let already = trial.beginFinish(finalState) {
            throw StudyError.alreadyFinished(trialNumber: trial.number, state: already)
        }
        let pending = trial.takeUnflushed()
        let now = Date()
        do {
            try storage.updateTrial(id: trial.id, TrialUpdate(
                params: pending.params, systemAttrs: pending.systemAttrs,
                finish: TrialFinish(state: finalState, values: finalValues, failReason: reason, at: now)))
        } catch StorageError.trialNotRunning(let n, let s) {
            forget(trial)
            throw StudyError.alreadyFinished(trialNumber: n, state: s)
        } catch {
            trial.undoFinish()
            trial.restoreUnflushed(pending.params, pending.systemAttrs)
            throw error
        }
        forget(trial)
        historyChanged()
        var frozen = trial.frozen()
        frozen.state = finalState; frozen.values = finalValues; frozen.failReason = reason; frozen.finishedAt = now
        try sampler.afterTrial(study: view, trial: frozen)
        try pruner.trialFinished(study: view, trial: frozen)
        return frozen
    }

    /// Why `values` cannot complete a trial of this study (nil: they can).
    func invalidCompletion(_ trialNumber: Int, _ values: [Double]?) -> StudyError? {
        guard let v = values, v.count == directions.count else {
            return .wrongNumberOfValues(trialNumber: trialNumber, expected: directions.count, got: values?.count ?? 0)
        }
        return v.allSatisfy(\.isFinite) ? nil : .nonFiniteValue(trialNumber: trialNumber, values: v)
    }

    /// Tells what an objective returned: COMPLETE, or FAIL with the reason when the values
    /// cannot complete the trial (Optuna's `optimize` rule: a NaN or wrongly shaped result
    /// fails that trial and the study goes on). `invalid` is that reason's error, for
    /// drivers that report objective errors.
    func tellObjectiveResult(_ trial: Trial, _ values: [Double]) throws -> (told: FrozenTrial, invalid: StudyError?) {
        if let problem = invalidCompletion(trial.number, values) {
            return (try tell(trial, state: .fail, failReason: problem.description), problem)
        }
        return (try tell(trial, state: .complete, values: values), nil)
    }

    /// Finishes a trial given by number: one asked by this object, or a RUNNING trial of
    /// the study asked elsewhere (another process, a C or Lua caller holding only the
    /// number).
    @discardableResult
    public func tell(trialNumber: Int, state: TrialState, values: [Double]? = nil, failReason: String? = nil) throws -> FrozenTrial {
        lock.lock(); let mine = live[trialNumber]; lock.unlock()
        if let mine { return try tell(mine, state: state, values: values, failReason: failReason) }
        guard let stored = try storage.trial(studyId: id, number: trialNumber) else {
            throw StudyError.unknownTrial("number \(trialNumber) (study \"\(name)\" has no such trial)")
        }
        guard stored.state == .running else { throw StudyError.alreadyFinished(trialNumber: trialNumber, state: stored.state) }
        let trial = Trial(stored: stored, study: self, fixedParams: [:])
        return try tell(trial, state: state, values: values, failReason: failReason)
    }

    private func forget(_ trial: Trial) {
        lock.lock()
        if live[trial.number] === trial { live[trial.number] = nil }
        lock.unlock()
    }

    /// Trials asked by this object and not yet told.
    public var runningTrialsHere: [Trial] {
        lock.lock(); defer { lock.unlock() }
        return live.keys.sorted().map { live[$0]! }
    }

    func liveSnapshot(of t: FrozenTrial) -> FrozenTrial? {
        lock.lock(); let trial = live[t.number]; lock.unlock()
        return trial?.frozen()
    }

    func historyChanged() { history.invalidate() }

    // MARK: Enqueueing and copying (warm starts)

    static let fixedParamsKey = "fixed_params"

    /// Adds a WAITING trial whose parameters are fixed to `params` (names the objective
    /// does not ask for are ignored; names it asks for but `params` lacks are sampled).
    /// Enqueued trials are handed out before any new trial, oldest first, each exactly
    /// once. With `skipIfExists`, nothing is enqueued when a trial with exactly these
    /// fixed params already exists (waiting, running or finished). Returns the number.
    @discardableResult
    public func enqueueTrial(_ params: [String: ParamValue], userAttrs: [String: JSONValue] = [:],
                             skipIfExists: Bool = false) throws -> Int
    {
        if skipIfExists {
            let existing = try currentView.trials().first { t in
                Study.decodeFixedParams(t.systemAttrs[Study.fixedParamsKey]) == params
                    || (t.state.isFinished && t.params == params)
            }
            if let existing { return existing.number }
        }
        return try enqueue(params, userAttrs: userAttrs, system: [:])
    }

    private func enqueue(_ params: [String: ParamValue], userAttrs: [String: JSONValue],
                         system: [String: JSONValue]) throws -> Int
    {
        var sys = system
        sys[Study.fixedParamsKey] = Study.encodeFixedParams(params)
        let t = try storage.createTrial(studyId: id, draft: TrialDraft(state: .waiting, userAttrs: userAttrs, systemAttrs: sys))
        historyChanged()
        return t.number
    }

    /// Copies finished trials of `other` into this study (values, params, reports,
    /// attributes, times), for warm starts. Each copy records where it came from in the
    /// system attribute `copied_from`. Returns how many were copied.
    /// `include` picks which of them to copy (the C API copies only those that fit this
    /// study's space).
    @discardableResult
    public func copyTrials(from other: Study, states: Set<TrialState> = [.complete],
                           where include: (FrozenTrial) -> Bool = { _ in true }) throws -> Int {
        try copyTrials(from: other, states: states, adapt: { include($0) ? TrialDraft(copying: $0) : nil })
    }

    /// `copyTrials` through `adapt`, which turns each source trial into the draft to store
    /// (e.g. with parameters re-expressed in this study's distributions) or returns nil to
    /// skip it. Returns how many were copied.
    @discardableResult
    public func copyTrials(from other: Study, states: Set<TrialState> = [.complete],
                           adapt: (FrozenTrial) throws -> TrialDraft?) throws -> Int {
        guard other.directions.count == directions.count else {
            throw StudyError.invalidArgument("cannot copy trials of study \"\(other.name)\" (\(other.directions.count) objectives) into \"\(name)\" (\(directions.count))")
        }
        guard states.allSatisfy(\.isFinished) else {
            throw StudyError.invalidArgument("only finished trials can be copied, not \(states.filter { !$0.isFinished })")
        }
        // The same study, perhaps through another handle on the same database.
        guard other.id != id || other.storage.identity != storage.identity else {
            throw StudyError.invalidArgument("study \"\(name)\" cannot copy trials from itself (in \(storage.identity))")
        }
        let source = try other.view.trials(states: states)
        var copied = 0
        defer { if copied > 0 { historyChanged() } }
        for t in source {
            guard var draft = try adapt(t) else { continue }
            draft.systemAttrs["copied_from"] = ["study": .string(other.name), "number": .number(Double(t.number))]
            _ = try storage.createTrial(studyId: id, draft: draft)
            copied += 1
        }
        return copied
    }

    static func encodeFixedParams(_ p: [String: ParamValue]) -> JSONValue {
        .object(p.mapValues { v in
            switch v {
            case .float(let x): return ["float": .number(x)]
            case .int(let i): return ["int": .number(Double(i))]
            case .string(let s): return ["string": .string(s)]
            case .bool(let b): return ["bool": .bool(b)]
            case .null: return ["null": .bool(true)]
            }
        })
    }

    static func decodeFixedParams(_ j: JSONValue?) -> [String: ParamValue] {
        guard case .object(let o)? = j else { return [:] }
        var out: [String: ParamValue] = [:]
        for (k, v) in o {
            guard case .object(let tag) = v, let (kind, payload) = tag.first else { continue }
            switch (kind, payload) {
            case ("float", .number(let x)): out[k] = .float(x)
            case ("int", .number(let x)): out[k] = .int(Int(x))
            case ("string", .string(let s)): out[k] = .string(s)
            case ("bool", .bool(let b)): out[k] = .bool(b)
            case ("null", _): out[k] = .null
            default: continue
            }
        }
        return out
    }

    // MARK: Results

    /// The history as storage has it now, for the public reads: the cache is refreshed only
    /// by this handle's asks and tells, and other handles or processes may have told trials
    /// since (a PostgreSQL study shared by two handles listed 15 of its 20 trials after both
    /// had finished). Samplers keep reading `view`.
    private var currentView: StudyView { history.invalidate(); return view }

    /// Trials in the given states (all when nil), ordered by number.
    public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] { try currentView.trials(states: states) }

    public func trial(number: Int) throws -> FrozenTrial? { try currentView.trial(number: number) }

    /// How many trials the study has, in the given states (all when nil): one cheap
    /// storage call, no history read.
    public func trialCount(states: Set<TrialState>? = nil) throws -> Int {
        try storage.trialCount(studyId: id, states: states)
    }

    /// The best COMPLETE trial of a single-objective study (the earliest on ties). With
    /// `noisyObjective`, the recommended one instead (`NoisyRecommendation`).
    public func bestTrial() throws -> FrozenTrial {
        guard directions.count == 1 else { throw StudyError.multiObjective(study: name, operation: "bestTrial") }
        let view = currentView
        guard let best = try view.bestTrial() else { throw StudyError.noCompletedTrials(study: name) }
        if noisyObjective, let recommended = recommendation.recommend(try view.completeTrials(), direction: directions[0]) {
            return recommended
        }
        return best
    }

    /// The objective is noisy (StudySpec's "noisy_objective"; default false): `bestTrial`,
    /// `bestValue` and `bestParams` then report, of the best observed trials, the one a GP
    /// fitted to all complete trials (noise fitted) confidently ranks first, else the best
    /// observed one (`NoisyRecommendation`). Samplers are not affected. Not stored with the
    /// study, like the sampler.
    public var noisyObjective: Bool {
        get { lock.lock(); defer { lock.unlock() }; return noisy }
        set { lock.lock(); noisy = newValue; lock.unlock() }
    }
    private var noisy = false
    private let recommendation = NoisyRecommendation()

    public func bestValue() throws -> Double { try bestTrial().values![0] }

    public func bestParams() throws -> [String: ParamValue] { try bestTrial().params }

    /// The COMPLETE trials no other COMPLETE trial dominates (at least as good in every
    /// objective and better in one), ordered by number. Works for one objective too
    /// (then it is every trial sharing the best value).
    public func paretoFront() throws -> [FrozenTrial] {
        ParetoFront.nonDominated(try currentView.completeTrials(), directions: directions)
    }

    /// The union of distributions seen in finished trials.
    public func searchSpace() throws -> SearchSpace { try currentView.seenSearchSpace() }

    public func userAttributes() throws -> [String: JSONValue] { try storage.study(id: id)?.userAttrs ?? [:] }
    public func systemAttributes() throws -> [String: JSONValue] { try storage.study(id: id)?.systemAttrs ?? [:] }

    public func setUserAttribute(_ key: String, _ value: JSONValue) throws {
        try storage.setStudyAttributes(studyId: id, user: [key: value], system: [:])
    }

    // MARK: Stopping and stale trials

    /// Asks every `optimize` loop of this object to start no new trial.
    public func stop() { lock.lock(); stopRequested = true; lock.unlock() }

    var isStopRequested: Bool { lock.lock(); defer { lock.unlock() }; return stopRequested }
    func clearStop() { lock.lock(); stopRequested = false; lock.unlock() }

    /// Fails RUNNING trials of this study (from any worker or process) whose heartbeat is
    /// older than `gracePeriod`, and re-enqueues the parameters of each one that has not
    /// used up `maxRetries` (the new trial carries `retry_of` = the failed number and
    /// `retry_count`). Returns the trials failed by this call.
    @discardableResult
    public func failStaleTrials(gracePeriod: TimeInterval? = nil, maxRetries: Int? = nil, now: Date = Date()) throws -> [FrozenTrial] {
        guard let grace = gracePeriod ?? heartbeat?.gracePeriod else {
            throw StudyError.invalidArgument("failStaleTrials needs a grace period (or a heartbeat policy on the study)")
        }
        let retries = maxRetries ?? heartbeat?.maxRetries ?? 0
        let failed = try storage.failStaleTrials(studyId: id, heartbeatBefore: now.addingTimeInterval(-grace), now: now)
        guard !failed.isEmpty else { return [] }
        historyChanged()
        for t in failed {
            let count = t.systemAttrs["retry_count"]?.intValue ?? 0
            if count < retries {
                var params = Study.decodeFixedParams(t.systemAttrs[Study.fixedParamsKey])
                for (k, v) in t.params { params[k] = v }
                _ = try enqueue(params, userAttrs: t.userAttrs,
                                system: ["retry_of": .number(Double(t.number)), "retry_count": .number(Double(count + 1))])
            }
            try sampler.afterTrial(study: view, trial: t)
            try pruner.trialFinished(study: view, trial: t)
        }
        return failed
    }

    /// `failStaleTrials` at most once per heartbeat interval (what `optimize` calls).
    func failStaleTrialsIfDue() throws {
        guard let hb = heartbeat else { return }
        let now = Date()
        lock.lock()
        let due = now.timeIntervalSince(lastStaleCheck) >= hb.interval
        if due { lastStaleCheck = now }
        lock.unlock()
        if due { try failStaleTrials(now: now) }
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0
    func next() -> UInt64 { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

