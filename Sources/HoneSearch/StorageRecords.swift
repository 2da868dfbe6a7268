// Values passed to and returned by `Storage` (besides `FrozenTrial`).

import Foundation

/// A study as stored.
public struct StudyRecord: Hashable, Sendable, Codable {
    /// Unique within the storage, never reused after deletion.
    public var id: Int64
    /// Unique within the storage.
    public var name: String
    /// One direction per objective (at least one).
    public var directions: [StudyDirection]
    public var userAttrs: [String: JSONValue]
    /// Attributes written by Hone itself (sampler choice, grid progress, seed…).
    public var systemAttrs: [String: JSONValue]
    public var createdAt: Date

    public init(id: Int64, name: String, directions: [StudyDirection],
                userAttrs: [String: JSONValue] = [:], systemAttrs: [String: JSONValue] = [:],
                createdAt: Date)
    {
        self.id = id; self.name = name; self.directions = directions
        self.userAttrs = userAttrs; self.systemAttrs = systemAttrs; self.createdAt = createdAt
    }
}

/// A trial to be created whole by `Storage.createTrial`: an enqueued (WAITING) trial, a
/// trial copied from another study (any final state), a retry of a failed trial, or a
/// RUNNING trial made outside `startTrial`. Number, id and change sequence are assigned
/// by the storage.
public struct TrialDraft: Hashable, Sendable {
    public var state: TrialState
    public var values: [Double]?
    public var params: [TrialParam]
    public var intermediateValues: [IntermediateKey: [Double]]
    public var userAttrs: [String: JSONValue]
    public var systemAttrs: [String: JSONValue]
    public var startedAt: Date?
    public var finishedAt: Date?
    public var heartbeatAt: Date?
    public var workerId: String?
    public var failReason: String?

    public init(state: TrialState, values: [Double]? = nil, params: [TrialParam] = [],
                intermediateValues: [IntermediateKey: [Double]] = [:],
                userAttrs: [String: JSONValue] = [:], systemAttrs: [String: JSONValue] = [:],
                startedAt: Date? = nil, finishedAt: Date? = nil, heartbeatAt: Date? = nil,
                workerId: String? = nil, failReason: String? = nil)
    {
        self.state = state; self.values = values; self.params = params
        self.intermediateValues = intermediateValues; self.userAttrs = userAttrs
        self.systemAttrs = systemAttrs; self.startedAt = startedAt; self.finishedAt = finishedAt
        self.heartbeatAt = heartbeatAt; self.workerId = workerId; self.failReason = failReason
    }

    /// A draft reproducing `trial` (for copying between studies): same state, values,
    /// params, reports, attributes and times.
    public init(copying trial: FrozenTrial) {
        self.init(state: trial.state, values: trial.values,
                  params: trial.params.keys.sorted().map {
                      TrialParam(name: $0, distribution: trial.distributions[$0]!, value: trial.params[$0]!)
                  },
                  intermediateValues: trial.intermediateValues, userAttrs: trial.userAttrs,
                  systemAttrs: trial.systemAttrs, startedAt: trial.startedAt,
                  finishedAt: trial.finishedAt, heartbeatAt: nil, workerId: trial.workerId,
                  failReason: trial.failReason)
    }
}

/// How a RUNNING trial ends (part of a `TrialUpdate`).
public struct TrialFinish: Hashable, Sendable {
    /// COMPLETE, PRUNED or FAIL.
    public var state: TrialState
    /// Required (one per objective, finite) for COMPLETE; optional otherwise.
    public var values: [Double]?
    public var failReason: String?
    public var at: Date

    public init(state: TrialState, values: [Double]? = nil, failReason: String? = nil, at: Date) {
        self.state = state; self.values = values; self.failReason = failReason; self.at = at
    }
}

/// Changes to a RUNNING trial, applied by `Storage.updateTrial` in one transaction.
/// Callers batch what they have (the study buffers suggested params and flushes them with
/// the next report or the final tell), so a trial costs few transactions.
public struct TrialUpdate: Hashable, Sendable {
    /// Params to add. A name already set with the same distribution and value is a no-op;
    /// with anything different it is `StorageError.paramConflict`.
    public var params: [TrialParam]
    /// Reports to add; a key already present is overwritten.
    public var intermediateValues: [IntermediateKey: [Double]]
    /// Attributes to set (merged key by key; existing keys are overwritten).
    public var userAttrs: [String: JSONValue]
    public var systemAttrs: [String: JSONValue]
    /// When set, the heartbeat time is updated too.
    public var heartbeatAt: Date?
    /// When set, the trial moves to a final state after the other changes are applied.
    public var finish: TrialFinish?

    public init(params: [TrialParam] = [], intermediateValues: [IntermediateKey: [Double]] = [:],
                userAttrs: [String: JSONValue] = [:], systemAttrs: [String: JSONValue] = [:],
                heartbeatAt: Date? = nil, finish: TrialFinish? = nil)
    {
        self.params = params; self.intermediateValues = intermediateValues
        self.userAttrs = userAttrs; self.systemAttrs = systemAttrs
        self.heartbeatAt = heartbeatAt; self.finish = finish
    }

    public var isEmpty: Bool {
        params.isEmpty && intermediateValues.isEmpty && userAttrs.isEmpty && systemAttrs.isEmpty
            && heartbeatAt == nil && finish == nil
    }
}

/// How `Storage.startTrial` should start a trial.
public struct TrialStart: Hashable, Sendable {
    public var workerId: String?
    /// When true the trial gets `heartbeatAt = now` and becomes subject to
    /// `failStaleTrials`; when false it is never considered stale (manual ask/tell users
    /// who may hold a trial for hours).
    public var heartbeat: Bool
    public var now: Date

    public init(workerId: String? = nil, heartbeat: Bool = false, now: Date = Date()) {
        self.workerId = workerId; self.heartbeat = heartbeat; self.now = now
    }
}

/// The answer to `Storage.trials(studyId:states:changedAfter:)`.
public struct TrialChanges: Sendable {
    /// Matching trials whose `changeSeq > changedAfter`, ordered by trial number.
    public var trials: [FrozenTrial]
    /// The study's change sequence number as of this read: every change with a sequence
    /// number ≤ `cursor` is reflected in this answer (or did not match the filter). Pass it
    /// as `changedAfter` next time to get only what changed since.
    public var cursor: Int64

    public init(trials: [FrozenTrial], cursor: Int64) { self.trials = trials; self.cursor = cursor }
}

/// Failures of a storage backend. Messages name the study or trial involved.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    case studyAlreadyExists(name: String)
    case studyNotFound(String)
    case trialNotFound(String)
    /// A write that needs a RUNNING trial (update, finish) found it in another state. This
    /// is how "told twice" and "two workers finishing one trial" are detected atomically.
    case trialNotRunning(trialNumber: Int, state: TrialState)
    case paramConflict(trialNumber: Int, name: String, detail: String)
    /// A draft or update that breaks the contract (e.g. COMPLETE without values).
    case invalidRecord(String)
    /// The storage URL could not be understood.
    case invalidURL(String)
    /// The database said no (message of the underlying library included).
    case backend(String)

    public var description: String {
        switch self {
        case .studyAlreadyExists(let name): return "a study named \"\(name)\" already exists"
        case .studyNotFound(let what): return "no study \(what)"
        case .trialNotFound(let what): return "no trial \(what)"
        case .trialNotRunning(let n, let state): return "trial \(n) is \(state), not RUNNING"
        case .paramConflict(let n, let name, let detail): return "trial \(n), parameter \"\(name)\": \(detail)"
        case .invalidRecord(let why): return "invalid trial record: \(why)"
        case .invalidURL(let why): return "invalid storage URL: \(why)"
        case .backend(let message): return "storage backend error: \(message)"
        }
    }
}
