// The process-local picture of a study's trials, kept current incrementally.

import Foundation

/// A cache of the study's trials fed by `Storage.trials(changedAfter:)`, so reading the
/// history costs only what changed since the last read. Samplers and pruners read it
/// through `StudyView`. Thread-safe.
final class StudyHistory: @unchecked Sendable {
    private let lock = NSLock()
    private let storage: Storage
    private let studyId: Int64
    private let directions: [StudyDirection]

    private var cursor: Int64 = 0
    /// Set when something may have changed (an ask or tell here); the next read refreshes.
    private var stale = true
    /// Index = trial number; nil for numbers not yet seen.
    private var byNumber: [FrozenTrial?] = []
    /// Numbers of finished trials in the order this process learned of them (append-only,
    /// so incremental consumers can remember how far they have read).
    private var finishedOrder: [Int] = []
    /// Numbers of COMPLETE trials, sorted.
    private var completeNumbers: [Int] = []
    private var runningNumbers = Set<Int>()
    private var waitingNumbers = Set<Int>()
    private var best: Int?
    private(set) var seenSpace = SearchSpace()

    init(storage: Storage, studyId: Int64, directions: [StudyDirection]) {
        self.storage = storage; self.studyId = studyId; self.directions = directions
    }

    func invalidate() { lock.lock(); stale = true; lock.unlock() }

    private func refreshLocked() throws {
        guard stale else { return }
        let changes = try storage.trials(studyId: studyId, states: nil, changedAfter: cursor)
        for t in changes.trials { ingest(t) }
        cursor = changes.cursor
        stale = false
    }

    private func ingest(_ t: FrozenTrial) {
        while byNumber.count <= t.number { byNumber.append(nil) }
        let old = byNumber[t.number]
        byNumber[t.number] = t
        if old?.state == t.state && old != nil { return }
        if let o = old?.state {
            if o == .running { runningNumbers.remove(t.number) }
            if o == .waiting { waitingNumbers.remove(t.number) }
        }
        switch t.state {
        case .running: runningNumbers.insert(t.number)
        case .waiting: waitingNumbers.insert(t.number)
        case .complete, .pruned, .fail:
            finishedOrder.append(t.number)
            for (name, d) in t.distributions where seenSpace[name] == nil { seenSpace.set(name, d) }
            if t.state == .complete {
                let i = completeNumbers.partitionPoint { $0 >= t.number }
                completeNumbers.insert(t.number, at: i)
                if directions.count == 1, let v = t.values?.first {
                    if let b = best, let bv = byNumber[b]?.values?.first {
                        if directions[0].isBetter(v, than: bv) || (v == bv && t.number < b) { best = t.number }
                    } else {
                        best = t.number
                    }
                }
            }
        }
    }

    func read<T>(_ body: (StudyHistory) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        try refreshLocked()
        return try body(self)
    }

    // Accessors below are called inside `read`.

    func trial(number: Int) -> FrozenTrial? { number < byNumber.count ? byNumber[number] : nil }

    var trialCount: Int { byNumber.count }

    func all(states: Set<TrialState>?) -> [FrozenTrial] {
        byNumber.compactMap { t in t.flatMap { states?.contains($0.state) ?? true ? $0 : nil } }
    }

    var complete: [FrozenTrial] { completeNumbers.map { byNumber[$0]! } }
    var completeCount: Int { completeNumbers.count }
    var running: [FrozenTrial] { runningNumbers.sorted().map { byNumber[$0]! } }
    var waiting: [FrozenTrial] { waitingNumbers.sorted().map { byNumber[$0]! } }
    var finishedCount: Int { finishedOrder.count }

    func finished(from index: Int) -> [FrozenTrial] {
        guard index < finishedOrder.count else { return [] }
        return finishedOrder[max(0, index)...].map { byNumber[$0]! }
    }

    var bestTrial: FrozenTrial? { best.flatMap { byNumber[$0] } }
}
