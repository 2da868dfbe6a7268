// The `memory:` backend: everything in this process, behind one lock.

import Foundation

/// A `Storage` kept in memory. Fast (hundreds of thousands of ask+tell per second) and
/// exact to the protocol; gone when the process ends. Every operation holds one lock
/// for its whole duration, which makes each one trivially atomic.
extension TrialState {
    /// Position in `allCases`, for per-state arrays.
    fileprivate var index: Int {
        switch self {
        case .running: return 0
        case .complete: return 1
        case .pruned: return 2
        case .fail: return 3
        case .waiting: return 4
        }
    }
}

public final class InMemoryStorage: Storage, @unchecked Sendable {
    private let lock = NSLock()
    private var studies: [Int64: StudyData] = [:]
    private var studyIdsByName: [String: Int64] = [:]
    private var trialLocations: [Int64: (studyId: Int64, number: Int)] = [:]
    private var nextStudyId: Int64 = 1
    private var nextTrialId: Int64 = 1

    /// Per-study state with the indexes that keep every hot-path call O(log n) or O(1).
    private final class StudyData {
        var record: StudyRecord
        /// Index = trial number (numbers are dense).
        var trials: [FrozenTrial] = []
        var changeSeq: Int64 = 0
        /// (seq, trial number) for every change, in seq order; answers `changedAfter` by
        /// binary search. An entry is current when the trial's `changeSeq` still equals it.
        var changeLog: [(seq: Int64, number: Int)] = []
        /// WAITING trial numbers in ascending order (numbers are assigned increasing, so
        /// appending keeps the order); `waitingHead` skips the claimed ones.
        var waiting: [Int] = []
        var waitingHead = 0
        var running = Set<Int>()
        /// Trials per state, indexed by `TrialState.index`.
        var counts = [Int](repeating: 0, count: TrialState.allCases.count)

        init(record: StudyRecord) { self.record = record }

        func bump(_ number: Int) {
            changeSeq += 1
            trials[number].changeSeq = changeSeq
            changeLog.append((changeSeq, number))
        }

        func move(_ number: Int, from old: TrialState?, to new: TrialState) {
            if let old {
                counts[old.index] -= 1
                if old == .running { running.remove(number) }
            }
            counts[new.index] += 1
            if new == .running { running.insert(number) }
        }
    }

    public init() {}

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    private func data(_ studyId: Int64) throws -> StudyData {
        guard let d = studies[studyId] else { throw StorageError.studyNotFound("with id \(studyId)") }
        return d
    }

    // MARK: Studies

    public func createStudy(name: String, directions: [StudyDirection], now: Date) throws -> StudyRecord {
        guard !directions.isEmpty else { throw StorageError.invalidRecord("a study needs at least one direction") }
        return try withLock {
            guard studyIdsByName[name] == nil else { throw StorageError.studyAlreadyExists(name: name) }
            let record = StudyRecord(id: nextStudyId, name: name, directions: directions, createdAt: now)
            nextStudyId += 1
            studies[record.id] = StudyData(record: record)
            studyIdsByName[name] = record.id
            return record
        }
    }

    public func study(named name: String) throws -> StudyRecord? {
        withLock { studyIdsByName[name].flatMap { studies[$0]?.record } }
    }

    public func study(id: Int64) throws -> StudyRecord? {
        withLock { studies[id]?.record }
    }

    public func allStudies() throws -> [StudyRecord] {
        withLock { studies.values.map(\.record).sorted { $0.id < $1.id } }
    }

    public func deleteStudy(id: Int64) throws {
        try withLock {
            let d = try data(id)
            for t in d.trials { trialLocations[t.id] = nil }
            studyIdsByName[d.record.name] = nil
            studies[id] = nil
        }
    }

    public func setStudyAttributes(studyId: Int64, user: [String: JSONValue], system: [String: JSONValue]) throws {
        try withLock {
            let d = try data(studyId)
            for (k, v) in user { d.record.userAttrs[k] = v }
            for (k, v) in system { d.record.systemAttrs[k] = v }
        }
    }

    // MARK: Trial writes

    public func createTrial(studyId: Int64, draft: TrialDraft) throws -> FrozenTrial {
        try withLock {
            let d = try data(studyId)
            try draft.validate(objectives: d.record.directions.count)
            let number = d.trials.count
            var params: [String: ParamValue] = [:], dists: [String: Distribution] = [:]
            for p in draft.params { params[p.name] = p.value; dists[p.name] = p.distribution }
            let trial = FrozenTrial(
                id: nextTrialId, studyId: studyId, number: number, state: draft.state,
                values: draft.values, params: params, distributions: dists,
                intermediateValues: draft.intermediateValues, userAttrs: draft.userAttrs,
                systemAttrs: draft.systemAttrs, startedAt: draft.startedAt,
                finishedAt: draft.finishedAt, heartbeatAt: draft.heartbeatAt,
                workerId: draft.workerId, failReason: draft.failReason)
            nextTrialId += 1
            d.trials.append(trial)
            trialLocations[trial.id] = (studyId, number)
            d.move(number, from: nil, to: draft.state)
            if draft.state == .waiting { d.waiting.append(number) }
            d.bump(number)
            return d.trials[number]
        }
    }

    public func startTrial(studyId: Int64, _ start: TrialStart) throws -> FrozenTrial {
        try withLock {
            let d = try data(studyId)
            let number: Int
            if d.waitingHead < d.waiting.count {
                number = d.waiting[d.waitingHead]
                d.waitingHead += 1
                if d.waitingHead > 1024 && d.waitingHead * 2 > d.waiting.count {
                    d.waiting.removeFirst(d.waitingHead); d.waitingHead = 0
                }
                d.move(number, from: .waiting, to: .running)
            } else {
                number = d.trials.count
                d.trials.append(FrozenTrial(id: nextTrialId, studyId: studyId, number: number, state: .running))
                trialLocations[nextTrialId] = (studyId, number)
                nextTrialId += 1
                d.move(number, from: nil, to: .running)
            }
            d.trials[number].state = .running
            d.trials[number].startedAt = start.now
            d.trials[number].workerId = start.workerId
            d.trials[number].heartbeatAt = start.heartbeat ? start.now : nil
            d.bump(number)
            return d.trials[number]
        }
    }

    public func updateTrial(id: Int64, _ update: TrialUpdate) throws {
        try withLock {
            guard let loc = trialLocations[id], let d = studies[loc.studyId] else {
                throw StorageError.trialNotFound("with id \(id)")
            }
            if update.isEmpty { return }
            let old = d.trials[loc.number].state
            // In place, so the trial's dictionaries are not copied; `apply` checks
            // everything before it changes anything, so a throw leaves the trial intact.
            try d.trials[loc.number].apply(update, objectives: d.record.directions.count)
            let new = d.trials[loc.number].state
            if new != old { d.move(loc.number, from: old, to: new) }
            d.bump(loc.number)
        }
    }

    public func recordHeartbeat(trialIds: [Int64], now: Date) throws {
        withLock {
            for id in trialIds {
                guard let loc = trialLocations[id], let d = studies[loc.studyId],
                      d.trials[loc.number].state == .running else { continue }
                d.trials[loc.number].heartbeatAt = now
            }
        }
    }

    public func failStaleTrials(studyId: Int64, heartbeatBefore: Date, now: Date) throws -> [FrozenTrial] {
        try withLock {
            let d = try data(studyId)
            var failed: [FrozenTrial] = []
            for number in d.running.sorted() {
                guard let hb = d.trials[number].heartbeatAt, hb < heartbeatBefore else { continue }
                d.trials[number].state = .fail
                d.trials[number].finishedAt = now
                d.trials[number].failReason = "stale heartbeat: last at \(hb), no heartbeat since \(heartbeatBefore)"
                d.move(number, from: .running, to: .fail)
                d.bump(number)
                failed.append(d.trials[number])
            }
            return failed
        }
    }

    // MARK: Reads

    public func trial(id: Int64) throws -> FrozenTrial? {
        withLock {
            guard let loc = trialLocations[id] else { return nil }
            return studies[loc.studyId]?.trials[loc.number]
        }
    }

    public func trial(studyId: Int64, number: Int) throws -> FrozenTrial? {
        try withLock {
            let d = try data(studyId)
            return d.trials.indices.contains(number) ? d.trials[number] : nil
        }
    }

    public func trials(studyId: Int64, states: Set<TrialState>?, changedAfter: Int64) throws -> TrialChanges {
        try withLock {
            let d = try data(studyId)
            if changedAfter <= 0 {
                let all = states.map { s in d.trials.filter { s.contains($0.state) } } ?? d.trials
                return TrialChanges(trials: all, cursor: d.changeSeq)
            }
            // First log entry with seq > changedAfter.
            var lo = 0, hi = d.changeLog.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if d.changeLog[mid].seq <= changedAfter { lo = mid + 1 } else { hi = mid }
            }
            var numbers: [Int] = []
            for i in lo..<d.changeLog.count {
                let (seq, number) = d.changeLog[i]
                let t = d.trials[number]
                // Only the latest entry of a trial counts, so each trial appears once.
                guard t.changeSeq == seq, states?.contains(t.state) ?? true else { continue }
                numbers.append(number)
            }
            numbers.sort()
            return TrialChanges(trials: numbers.map { d.trials[$0] }, cursor: d.changeSeq)
        }
    }

    public func trialCount(studyId: Int64, states: Set<TrialState>?) throws -> Int {
        try withLock {
            let d = try data(studyId)
            guard let states else { return d.trials.count }
            return states.reduce(0) { $0 + d.counts[$1.index] }
        }
    }

    public func changeCursor(studyId: Int64) throws -> Int64 {
        try withLock { try data(studyId).changeSeq }
    }
}
