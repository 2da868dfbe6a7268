// What samplers and pruners may see of a study.

import Foundation

/// A read-mostly window on a study for samplers and pruners: its identity, its history
/// (kept current incrementally, see `Storage`'s change sequence), and the few actions an
/// algorithm may take on the study (stop it, keep state in system attributes).
///
/// Reads cost O(what changed since the last read) plus the size of the answer. Algorithms
/// that walk the whole history on every ask should keep their own incremental cache with
/// `finishedTrials(from:)`, which hands out finished trials in an append-only order.
public final class StudyView: @unchecked Sendable {
    public let studyName: String
    public let studyId: Int64
    public let directions: [StudyDirection]
    /// The study's seed: derive streams with `RandomGenerator.derived(seed:…)`.
    public let seed: UInt64
    public let storage: Storage
    let history: StudyHistory
    private weak var study: Study?

    init(study: Study, history: StudyHistory) {
        self.studyName = study.name; self.studyId = study.id; self.directions = study.directions
        self.seed = study.seed; self.storage = study.storage; self.history = history
        self.study = study
    }

    public var isMultiObjective: Bool { directions.count > 1 }

    /// Trials in the given states (all when nil), ordered by number.
    public func trials(states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
        try history.read { $0.all(states: states) }
    }

    /// COMPLETE trials ordered by number.
    public func completeTrials() throws -> [FrozenTrial] { try history.read { $0.complete } }

    public func completeTrialCount() throws -> Int { try history.read { $0.completeCount } }

    /// RUNNING trials ordered by number — the pending trials of parallel workers, for
    /// constant-liar strategies. Trials running in this process show the parameters
    /// suggested so far even before they are flushed to storage.
    public func runningTrials() throws -> [FrozenTrial] {
        let stored = try history.read { $0.running }
        guard let study else { return stored }
        return stored.map { study.liveSnapshot(of: $0) ?? $0 }
    }

    /// WAITING (enqueued, not yet claimed) trials ordered by number.
    public func waitingTrials() throws -> [FrozenTrial] { try history.read { $0.waiting } }

    /// How many trials exist (any state), i.e. the next trial number as far as this
    /// process knows.
    public func trialCount() throws -> Int { try history.read { $0.trialCount } }

    public func trial(number: Int) throws -> FrozenTrial? { try history.read { $0.trial(number: number) } }

    /// Number of finished (COMPLETE, PRUNED, FAIL) trials known so far.
    public func finishedTrialCount() throws -> Int { try history.read { $0.finishedCount } }

    /// Finished trials from position `index` of the append-only finished order. A sampler
    /// remembers `finishedTrialCount()` after each read and asks only for the rest next
    /// time, so its cost per ask does not grow with the history.
    public func finishedTrials(from index: Int) throws -> [FrozenTrial] {
        try history.read { $0.finished(from: index) }
    }

    /// The best COMPLETE trial of a single-objective study (lowest number on ties).
    public func bestTrial() throws -> FrozenTrial? { try history.read { $0.bestTrial } }

    /// The union of distributions seen in finished trials, by name (the first seen wins
    /// when a name was used with different distributions).
    public func seenSearchSpace() throws -> SearchSpace { try history.read { $0.seenSpace } }

    /// The parameters present, with identical distributions, in every COMPLETE trial
    /// (Optuna's intersection search space): what a joint model can be fitted on.
    /// O(n) in the number of complete trials; samplers call it once per ask at most, or
    /// keep an incremental version.
    public func intersectionSearchSpace() throws -> SearchSpace {
        try history.read { h in
            var space: [String: Distribution]?
            for t in h.complete {
                if let s = space {
                    space = s.filter { t.distributions[$0.key] == $0.value }
                } else {
                    space = t.distributions
                }
                if space?.isEmpty == true { break }
            }
            return SearchSpace(space ?? [:])
        }
    }

    /// The study's system attributes (shared between processes through storage).
    public func systemAttributes() throws -> [String: JSONValue] {
        try storage.study(id: studyId)?.systemAttrs ?? [:]
    }

    public func setSystemAttribute(_ key: String, _ value: JSONValue) throws {
        try storage.setStudyAttributes(studyId: studyId, user: [:], system: [key: value])
    }

    /// Asks `optimize` to start no new trial (running ones finish), e.g. when a grid is
    /// exhausted or a budget is spent.
    public func stop() { study?.stop() }

    /// Whether the study has been asked to stop (a study that is gone counts as stopped).
    var isStopRequested: Bool { study?.isStopRequested ?? true }

    /// Fails RUNNING trials whose heartbeat is older than the study's grace period, at most
    /// once per heartbeat interval (nothing without a heartbeat policy).
    func failStaleTrialsIfDue() throws { try study?.failStaleTrialsIfDue() }
}
