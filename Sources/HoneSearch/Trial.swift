// A running trial as the objective sees it: define-by-run suggestions and reports.

import Foundation
import HoneTensor

/// A trial in progress. The objective asks it for parameters (`suggestFloat`, …) as it
/// goes, so the search space can depend on earlier answers, and reports intermediate
/// values for pruning. Created by `Study.ask()`, finished by `Study.tell`.
///
/// Suggested parameters are buffered and written to storage with the next report (or
/// `flush()`, or the final tell), so a trial costs a few transactions, not one per
/// parameter. A Trial may be used from several threads (its state is behind a lock).
public final class Trial: @unchecked Sendable {
    /// Storage-wide id.
    public let id: Int64
    /// Dense number within the study.
    public let number: Int
    public let startedAt: Date
    public let workerId: String?
    public let study: Study
    /// Whether this trial's worker heartbeats it (it then can go stale).
    let heartbeats: Bool

    private let lock = NSRecursiveLock()
    private var params: [String: ParamValue]
    private var distributions: [String: Distribution]
    private var unflushedParams: [TrialParam] = []
    /// Values fixed by `enqueueTrial` / `ask(fixedParams:)`: used whatever the sampler says.
    private let fixedParams: [String: ParamValue]
    private var relativeSpace = SearchSpace()
    private var relativeParams: [String: ParamValue] = [:]
    private var intermediate: [IntermediateKey: [Double]]
    private var userAttrs: [String: JSONValue]
    private var systemAttrs: [String: JSONValue]
    private var unflushedSystemAttrs: [String: JSONValue] = [:]
    /// Set by the tell that finished this trial.
    private(set) var finalState: TrialState?
    private var currentWork: TrialWork?

    init(stored t: FrozenTrial, study: Study, fixedParams: [String: ParamValue]) {
        id = t.id; number = t.number; startedAt = t.startedAt ?? Date(); workerId = t.workerId
        self.study = study
        heartbeats = t.heartbeatAt != nil
        params = t.params; distributions = t.distributions
        intermediate = t.intermediateValues; userAttrs = t.userAttrs; systemAttrs = t.systemAttrs
        self.fixedParams = fixedParams
    }

    /// Runs the sampler's relative step (called once by `ask`, before the objective).
    func prepareRelative(_ sampler: Sampler, view: StudyView) throws {
        let space = try sampler.inferRelativeSearchSpace(study: view, trial: self)
        guard !space.isEmpty else { return }
        let values = try sampler.sampleRelative(study: view, trial: self, searchSpace: space)
        lock.lock(); defer { lock.unlock() }
        relativeSpace = space
        relativeParams = values
    }

    /// What the study's scheduler asks of the objective's current call on this trial:
    /// train from `start` to `budget`, first restoring the checkpoint of trial
    /// `resumeFrom` (see `TrialWork`). nil for plain trials (no scheduler).
    public internal(set) var work: TrialWork? {
        get { lock.lock(); defer { lock.unlock() }; return currentWork }
        set { lock.lock(); currentWork = newValue; lock.unlock() }
    }

    // MARK: Randomness

    /// A random stream for this trial and `key` (usually a parameter name), derived from
    /// the study seed, the trial number and a stable hash of the key: the same for every
    /// run with the same seed, whichever thread runs the trial.
    public func random(for key: String) -> RandomGenerator {
        Self.random(studySeed: study.seed, trial: number, key: key)
    }

    /// The stream `random(for:)` gives trial `trial` of a study seeded `studySeed` — for
    /// repeating, after the fact, what a stored trial drew.
    public static func random(studySeed: UInt64, trial: Int, key: String) -> RandomGenerator {
        RandomGenerator.derived(seed: studySeed, UInt64(trial), stableHash(key))
    }

    // MARK: Suggestions

    /// A float in [low, high]: uniform, log-uniform when `log`, on the grid low + k·step
    /// when `step` is given.
    public func suggestFloat(_ name: String, _ low: Double, _ high: Double, log: Bool = false, step: Double? = nil) throws -> Double {
        try suggest(name, .float(FloatDistribution(low: low, high: high, log: log, step: step))).doubleValue!
    }

    /// An integer in [low, high] (both included), log-uniform when `log`, on the grid
    /// low + k·step.
    public func suggestInt(_ name: String, _ low: Int, _ high: Int, log: Bool = false, step: Int = 1) throws -> Int {
        try suggest(name, .int(IntDistribution(low: low, high: high, log: log, step: step))).intValue!
    }

    /// One of `choices` (strings, numbers, booleans, mixed).
    public func suggestCategorical(_ name: String, _ choices: [ParamValue]) throws -> ParamValue {
        try suggest(name, .categorical(CategoricalDistribution(choices: choices)))
    }

    public func suggestCategorical(_ name: String, _ choices: [String]) throws -> String {
        try suggestCategorical(name, choices.map(ParamValue.string)).stringValue!
    }

    public func suggestCategorical(_ name: String, _ choices: [Int]) throws -> Int {
        try suggestCategorical(name, choices.map(ParamValue.int)).intValue!
    }

    public func suggestCategorical(_ name: String, _ choices: [Double]) throws -> Double {
        try suggestCategorical(name, choices.map(ParamValue.float)).doubleValue!
    }

    public func suggestCategorical(_ name: String, _ choices: [Bool]) throws -> Bool {
        try suggestCategorical(name, choices.map(ParamValue.bool)).boolValue!
    }

    /// A parameter held at one value (recorded, so the study knows it was used).
    @discardableResult
    public func suggestFixed(_ name: String, _ value: ParamValue) throws -> ParamValue {
        try suggest(name, .fixed(value))
    }

    /// The general form: a value from `distribution`. Asking again for the same name with
    /// the same distribution returns the same value; with a different one it throws
    /// `SearchSpaceError.conflictingDistribution`.
    public func suggest(_ name: String, _ distribution: Distribution) throws -> ParamValue {
        guard !name.isEmpty else { throw SearchSpaceError.emptyName }
        try distribution.validate(name: name)
        // The sampler is called without holding the lock: it may read other trials (the
        // running ones, for constant liar), whose locks other threads may hold.
        if let known = try lookup(name, distribution) { return known }
        let value: ParamValue
        if !fixedParams.isEmpty, let fixed = fixedParams[name] {
            value = try Self.coerce(fixed, to: distribution, name: name)
        } else if distribution.isSingleValue {
            value = distribution.toExternal(distribution.fromUnit(0.5))
        } else if let v = relativeValue(name, distribution) {
            value = v
        } else {
            value = try study.sampler.sampleIndependent(study: study.view, trial: self, name: name, distribution: distribution)
        }
        guard distribution.contains(value) else {
            throw SearchSpaceError.invalidDistribution(name: name,
                reason: "sampler \"\(study.sampler.name)\" returned \(value), which is not in \(distribution)")
        }
        lock.lock(); defer { lock.unlock() }
        // Another thread may have asked for the same name meanwhile: the first answer wins.
        if distributions[name] != nil { return try lookupLocked(name, distribution)! }
        params[name] = value
        distributions[name] = distribution
        unflushedParams.append(TrialParam(name: name, distribution: distribution, value: value))
        return value
    }

    private func lookup(_ name: String, _ distribution: Distribution) throws -> ParamValue? {
        lock.lock(); defer { lock.unlock() }
        return try lookupLocked(name, distribution)
    }

    private func lookupLocked(_ name: String, _ distribution: Distribution) throws -> ParamValue? {
        if let state = finalState { throw StudyError.alreadyFinished(trialNumber: number, state: state) }
        guard let previous = distributions[name] else { return nil }
        guard previous == distribution else {
            throw SearchSpaceError.conflictingDistribution(name: name, previous: previous, requested: distribution)
        }
        return params[name]!
    }

    private func relativeValue(_ name: String, _ distribution: Distribution) -> ParamValue? {
        lock.lock(); defer { lock.unlock() }
        guard !relativeParams.isEmpty else { return nil }
        return relativeSpace[name] == distribution ? relativeParams[name] : nil
    }

    /// Enqueued values come from JSON, Lua or C, where 3 and 3.0 may blur: accept an int
    /// for a float distribution and an integral float for an int distribution.
    static func coerce(_ v: ParamValue, to d: Distribution, name: String) throws -> ParamValue {
        var value = v
        switch (d, v) {
        case (.float, .int(let i)): value = .float(Double(i))
        case (.int, .float(let x)) where JSONValue.isExactInteger(x): value = .int(Int(x))
        case (.categorical(let c), _) where !c.choices.contains(v):
            // A value and a choice that differ only in spelling — 64 for the choice "64"
            // (string choices are how bindings stored numbers before 0.4.0), or "64" for
            // the typed choice 64 (callers that enqueue before their first suggest) — are
            // the same choice when exactly one choice matches.
            let written = Self.spellings(of: v)
            let matches = c.choices.filter { Self.spellings(of: $0).contains(where: written.contains) }
            if matches.count == 1 { value = matches[0] }
        default: break
        }
        guard d.contains(value) else { throw SearchSpaceError.valueOutsideDistribution(name: name, value: v, distribution: d) }
        return value
    }

    /// The texts a categorical value may be written as (its own string, and how Python and
    /// JSON spell the others).
    private static func spellings(of v: ParamValue) -> [String] {
        switch v {
        case .string(let s): return [s]
        case .int(let i): return [String(i)]
        case .float(let x): return JSONValue.isExactInteger(x) ? [String(x), String(Int(x))] : [String(x)]
        case .bool(let b): return b ? ["true", "True"] : ["false", "False"]
        case .null: return ["None", "null"]
        }
    }

    // MARK: Reports and pruning

    /// Reports an intermediate value (single-objective) at `step` (and `fold`, for
    /// cross-validation). A report at a key already reported replaces it.
    public func report(_ value: Double, step: Int, fold: Int = 0) throws {
        try report([value], step: step, fold: fold)
    }

    /// Reports one value per objective at `step` / `fold`. NaN is rejected; ±inf is
    /// allowed (a diverged loss is information).
    public func report(_ values: [Double], step: Int, fold: Int = 0) throws {
        guard values.count == study.directions.count else {
            throw StudyError.wrongNumberOfValues(trialNumber: number, expected: study.directions.count, got: values.count)
        }
        guard !values.contains(where: \.isNaN) else {
            throw StudyError.invalidArgument("trial \(number): report at step \(step) contains NaN: \(values)")
        }
        let key = IntermediateKey(step: step, fold: fold)
        lock.lock(); defer { lock.unlock() }
        if let state = finalState { throw StudyError.alreadyFinished(trialNumber: number, state: state) }
        intermediate[key] = values
        try flushLocked(extra: TrialUpdate(intermediateValues: [key: values]))
    }

    /// Whether the study's pruner says to stop now. When true, the objective should throw
    /// `TrialPruned()` (or return) at once.
    public func shouldPrune() throws -> Bool {
        let snapshot = frozen()
        return try study.pruner.shouldPrune(study: study.view, trial: snapshot)
    }

    // MARK: Attributes

    public func setUserAttribute(_ key: String, _ value: JSONValue) throws {
        lock.lock(); defer { lock.unlock() }
        userAttrs[key] = value
        try flushLocked(extra: TrialUpdate(userAttrs: [key: value]))
    }

    /// System attributes belong to Hone's algorithms (bracket, budget, grid point…). They
    /// are written with the next flush.
    public func setSystemAttribute(_ key: String, _ value: JSONValue) {
        lock.lock(); defer { lock.unlock() }
        systemAttrs[key] = value
        unflushedSystemAttrs[key] = value
    }

    // MARK: Reading

    public var parameters: [String: ParamValue] { lock.lock(); defer { lock.unlock() }; return params }
    public var parameterDistributions: [String: Distribution] { lock.lock(); defer { lock.unlock() }; return distributions }
    public var intermediateValues: [IntermediateKey: [Double]] { lock.lock(); defer { lock.unlock() }; return intermediate }
    public var userAttributes: [String: JSONValue] { lock.lock(); defer { lock.unlock() }; return userAttrs }
    public var systemAttributes: [String: JSONValue] { lock.lock(); defer { lock.unlock() }; return systemAttrs }

    /// The fixed (enqueued) values of this trial.
    public var fixedParameters: [String: ParamValue] { fixedParams }

    /// A snapshot as a RUNNING `FrozenTrial`, including unflushed parameters.
    public func frozen() -> FrozenTrial {
        lock.lock(); defer { lock.unlock() }
        return FrozenTrial(id: id, studyId: study.id, number: number, state: .running, params: params,
                           distributions: distributions, intermediateValues: intermediate, userAttrs: userAttrs,
                           systemAttrs: systemAttrs, startedAt: startedAt, workerId: workerId)
    }

    /// Writes buffered parameters and system attributes to storage now (so other
    /// processes see them).
    public func flush() throws {
        lock.lock(); defer { lock.unlock() }
        try flushLocked(extra: TrialUpdate())
    }

    private func flushLocked(extra: TrialUpdate) throws {
        var u = extra
        u.params = unflushedParams + u.params
        for (k, v) in unflushedSystemAttrs where u.systemAttrs[k] == nil { u.systemAttrs[k] = v }
        guard !u.isEmpty else { return }
        try study.storage.updateTrial(id: id, u)
        unflushedParams.removeAll()
        unflushedSystemAttrs.removeAll()
        study.historyChanged()
    }

    /// Takes the buffered writes for the final tell (which sends them with the finish in
    /// one transaction) and marks the trial finished locally.
    func takeUnflushed() -> (params: [TrialParam], systemAttrs: [String: JSONValue], intermediate: [IntermediateKey: [Double]]) {
        lock.lock(); defer { lock.unlock() }
        let r = (unflushedParams, unflushedSystemAttrs, intermediate)
        unflushedParams.removeAll(); unflushedSystemAttrs.removeAll()
        return r
    }

    /// Claims the right to finish this trial: false when a tell already did.
    func beginFinish(_ state: TrialState) -> TrialState? {
        lock.lock(); defer { lock.unlock() }
        if let s = finalState { return s }
        finalState = state
        return nil
    }

    func undoFinish() { lock.lock(); finalState = nil; lock.unlock() }
    func restoreUnflushed(_ p: [TrialParam], _ s: [String: JSONValue]) {
        lock.lock(); unflushedParams = p + unflushedParams
        for (k, v) in s where unflushedSystemAttrs[k] == nil { unflushedSystemAttrs[k] = v }
        lock.unlock()
    }
}

/// FNV-1a over the UTF-8 bytes: a hash that, unlike `Hasher`, is the same in every process.
@inlinable
public func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
