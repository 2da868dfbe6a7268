// A trial as stored: an immutable snapshot that storage backends return.

import Foundation

/// The key of an intermediate report: a step (epoch, resource used, rung…) and a fold
/// (cross-validation fold or repeat; 0 when there is only one). Ordered by step, then fold.
public struct IntermediateKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var step: Int
    public var fold: Int

    public init(step: Int, fold: Int = 0) { self.step = step; self.fold = fold }

    public static func < (a: IntermediateKey, b: IntermediateKey) -> Bool {
        a.step != b.step ? a.step < b.step : a.fold < b.fold
    }

    public var description: String { fold == 0 ? "step \(step)" : "step \(step) fold \(fold)" }
}

/// One parameter of a trial: its name, the distribution it was drawn from, and its value.
public struct TrialParam: Hashable, Sendable, Codable {
    public var name: String
    public var distribution: Distribution
    public var value: ParamValue

    public init(name: String, distribution: Distribution, value: ParamValue) {
        self.name = name; self.distribution = distribution; self.value = value
    }
}

/// A snapshot of a trial. Backends build these; the search layer never mutates a stored
/// trial through one (writes go through `Storage.updateTrial`).
public struct FrozenTrial: Hashable, Sendable, Codable {
    /// Unique within the storage (across studies); what `Storage` calls take.
    public var id: Int64
    public var studyId: Int64
    /// 0, 1, 2, … within the study, dense and unique, in order of creation.
    public var number: Int
    public var state: TrialState
    /// One value per objective. Set for COMPLETE; for PRUNED the last intermediate
    /// report when there was one; nil otherwise.
    public var values: [Double]?
    public var params: [String: ParamValue]
    public var distributions: [String: Distribution]
    /// Reports keyed by (step, fold); each a vector with one entry per objective.
    public var intermediateValues: [IntermediateKey: [Double]]
    public var userAttrs: [String: JSONValue]
    public var systemAttrs: [String: JSONValue]
    /// When the trial started RUNNING (nil while WAITING).
    public var startedAt: Date?
    /// When it reached a final state.
    public var finishedAt: Date?
    /// Last heartbeat of its worker; nil when the worker does not heartbeat (then the trial
    /// is never considered stale).
    public var heartbeatAt: Date?
    /// Who ran it: e.g. "host:pid:thread"; free-form.
    public var workerId: String?
    /// Why it failed (the objective's error, "NaN objective", "stale heartbeat"…).
    public var failReason: String?
    /// The study's change sequence number of the last write to this trial (see `Storage`).
    public var changeSeq: Int64

    public init(id: Int64, studyId: Int64, number: Int, state: TrialState, values: [Double]? = nil,
                params: [String: ParamValue] = [:], distributions: [String: Distribution] = [:],
                intermediateValues: [IntermediateKey: [Double]] = [:],
                userAttrs: [String: JSONValue] = [:], systemAttrs: [String: JSONValue] = [:],
                startedAt: Date? = nil, finishedAt: Date? = nil, heartbeatAt: Date? = nil,
                workerId: String? = nil, failReason: String? = nil, changeSeq: Int64 = 0)
    {
        self.id = id; self.studyId = studyId; self.number = number; self.state = state
        self.values = values; self.params = params; self.distributions = distributions
        self.intermediateValues = intermediateValues; self.userAttrs = userAttrs
        self.systemAttrs = systemAttrs; self.startedAt = startedAt; self.finishedAt = finishedAt
        self.heartbeatAt = heartbeatAt; self.workerId = workerId; self.failReason = failReason
        self.changeSeq = changeSeq
    }

    /// The single objective value (nil when absent or for multi-objective trials).
    public var value: Double? {
        guard let v = values, v.count == 1 else { return nil }
        return v[0]
    }

    /// Wall time from start to finish.
    public var duration: TimeInterval? {
        guard let s = startedAt, let f = finishedAt else { return nil }
        return f.timeIntervalSince(s)
    }

    /// The parameter's internal (Double) representation, as samplers model it.
    public func internalValue(_ name: String) -> Double? {
        guard let v = params[name], let d = distributions[name] else { return nil }
        return d.toInternal(v)
    }

    /// The report with the largest key, i.e. the latest step (and its last fold).
    public var lastIntermediate: (key: IntermediateKey, values: [Double])? {
        guard let k = intermediateValues.keys.max() else { return nil }
        return (k, intermediateValues[k]!)
    }

    /// Reports of one fold ordered by step (fold 0 by default).
    public func intermediateCurve(fold: Int = 0) -> [(step: Int, values: [Double])] {
        intermediateValues.filter { $0.key.fold == fold }
            .sorted { $0.key.step < $1.key.step }
            .map { ($0.key.step, $0.value) }
    }

    /// Parameters in name order (stable for display and hashing).
    public var sortedParams: [(name: String, value: ParamValue)] {
        params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
