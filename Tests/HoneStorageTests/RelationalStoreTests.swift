import Foundation
import XCTest
@testable import HoneStorage

/// The row-level store on both engines: numbering, claims, state rules, heartbeats and
/// incremental reads. Each check runs against a fresh SQLite file and a fresh PostgreSQL
/// schema.
final class RelationalStoreTests: XCTestCase {
    private func eachBackend(_ body: (_ open: () throws -> RelationalStore) throws -> Void) throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("store.db").path
        try body { try RelationalStore(database: SQLiteConnection(path: path)) }
        if ProcessInfo.processInfo.environment["HONE_TEST_POSTGRES_URL"] != nil {
            let url = try makePostgresTestURL(self)
            try body { try RelationalStore(database: PostgresConnection(url: url)) }
        }
    }

    func testNumbersTrialsPerStudyFromZero() throws {
        try eachBackend { open in
            let store = try open()
            let a = try store.createStudy(name: "a", directions: #"["minimize"]"#)
            let b = try store.createStudy(name: "b", directions: #"["minimize"]"#)
            let numbers = try (0..<3).map { _ in try store.createTrial(studyID: a.id, state: .running).number }
            XCTAssertEqual(numbers, [0, 1, 2])
            XCTAssertEqual(try store.createTrial(studyID: b.id, state: .running).number, 0)
            XCTAssertThrowsError(try store.createStudy(name: "a", directions: "[]")) { error in
                XCTAssertEqual(error as? StoreFailure, .studyExists("a"))
            }
        }
    }

    func testClaimsWaitingTrialsOldestFirstAndOnlyOnce() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            let first = try store.createTrial(studyID: study.id, state: .waiting, enqueuedParams: #"{"x":1}"#)
            let second = try store.createTrial(studyID: study.id, state: .waiting, enqueuedParams: #"{"x":2}"#)
            let claimed = try XCTUnwrap(store.claimWaitingTrial(studyID: study.id, workerID: "w1"))
            XCTAssertEqual(claimed.id, first.id)
            XCTAssertEqual(claimed.state, .running)
            XCTAssertEqual(claimed.workerID, "w1")
            XCTAssertEqual(claimed.enqueuedParams, #"{"x":1}"#)
            XCTAssertEqual(try store.claimWaitingTrial(studyID: study.id, workerID: "w2")?.id, second.id)
            XCTAssertNil(try store.claimWaitingTrial(studyID: study.id, workerID: "w3"))
        }
    }

    func testFinishedTrialsCannotChange() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            let trial = try store.createTrial(studyID: study.id, state: .running)
            try store.setParam(trialID: trial.id, .init(name: "x", value: "0.5", distribution: #"{"float":{}}"#))
            try store.setIntermediate(trialID: trial.id, .init(step: 1, fold: 0, value: "[0.25]"))
            try store.setIntermediate(trialID: trial.id, .init(step: 1, fold: 0, value: "[0.125]"))
            let done = try store.finishTrial(trialID: trial.id, state: .complete, values: "[0.125]", primaryValue: 0.125, failureReason: nil)
            XCTAssertEqual(done.state, .complete)
            XCTAssertNotNil(done.completedAt)
            let failure = StoreFailure.trialNotRunning(id: trial.id, number: 0, state: .complete)
            XCTAssertThrowsError(try store.finishTrial(trialID: trial.id, state: .fail, values: nil, primaryValue: nil, failureReason: "x")) {
                XCTAssertEqual($0 as? StoreFailure, failure)
            }
            XCTAssertThrowsError(try store.setIntermediate(trialID: trial.id, .init(step: 2, fold: 0, value: "[1]"))) {
                XCTAssertEqual($0 as? StoreFailure, failure)
            }
            XCTAssertFalse(try store.heartbeat(trialID: trial.id))
            let stored = try XCTUnwrap(store.trial(id: trial.id))
            XCTAssertEqual(stored.params, [.init(name: "x", value: "0.5", distribution: #"{"float":{}}"#)])
            XCTAssertEqual(stored.intermediates, [.init(step: 1, fold: 0, value: "[0.125]")])
            XCTAssertEqual(stored.values, "[0.125]")
        }
    }

    func testReadsOnlyWhatChangedSinceTheLastRead() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            let trials = try (0..<4).map { _ in try store.createTrial(studyID: study.id, state: .running) }
            let (all, counter) = try store.trials(studyID: study.id)
            XCTAssertEqual(all.map(\.number), [0, 1, 2, 3])
            _ = try store.finishTrial(trialID: trials[2].id, state: .complete, values: "[1]", primaryValue: 1, failureReason: nil)
            let (changed, later) = try store.trials(studyID: study.id, changedAfter: counter)
            XCTAssertEqual(changed.map(\.number), [2])
            XCTAssertEqual(changed[0].state, .complete)
            XCTAssertGreaterThan(later, counter)
            XCTAssertTrue(try store.trials(studyID: study.id, changedAfter: later).trials.isEmpty)
            XCTAssertEqual(try store.trialCount(studyID: study.id, states: [.running]), 3)
        }
    }

    func testStaleRunningTrialsFailAfterTheGracePeriod() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            let stale = try store.createTrial(studyID: study.id, state: .running, workerID: "dead")
            XCTAssertTrue(try store.failStaleTrials(studyID: study.id, gracePeriod: 60).isEmpty)
            usleep(300_000)
            let alive = try store.createTrial(studyID: study.id, state: .running, workerID: "alive")
            let failed = try store.failStaleTrials(studyID: study.id, gracePeriod: 0.2)
            XCTAssertEqual(failed.map(\.id), [stale.id])
            XCTAssertEqual(failed.first?.state, .fail)
            XCTAssertTrue(failed.first?.failureReason?.contains("heartbeat") ?? false)
            XCTAssertEqual(try store.trial(id: alive.id)?.state, .running)
        }
    }

    func testBestTrialUsesTheFirstObjective() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            for value in [3.0, -1.5, 7.0] {
                let trial = try store.createTrial(studyID: study.id, state: .running)
                _ = try store.finishTrial(trialID: trial.id, state: .complete, values: "[\(value)]", primaryValue: value, failureReason: nil)
            }
            XCTAssertEqual(try store.bestTrial(studyID: study.id, maximize: false)?.values, "[-1.5]")
            XCTAssertEqual(try store.bestTrial(studyID: study.id, maximize: true)?.values, "[7.0]")
        }
    }

    func testDeletingAStudyRemovesItsTrials() throws {
        try eachBackend { open in
            let store = try open()
            let study = try store.createStudy(name: "s", directions: #"["minimize"]"#)
            let trial = try store.createTrial(studyID: study.id, state: .running)
            try store.setParam(trialID: trial.id, .init(name: "x", value: "1", distribution: "{}"))
            XCTAssertTrue(try store.deleteStudy(named: "s"))
            XCTAssertFalse(try store.deleteStudy(named: "s"))
            XCTAssertNil(try store.trial(id: trial.id))
            XCTAssertEqual(try store.database.execute("SELECT count(*) FROM trial_params")[0].int(0), 0)
        }
    }

    /// Threads with their own connections (as separate processes would have) claim
    /// enqueued trials and create new ones at once: every enqueued trial is claimed once
    /// and the numbers stay unique and dense.
    func testConcurrentClaimsAndCreationsFromManyConnections() throws {
        try eachBackend { open in
            let setup = try open()
            let study = try setup.createStudy(name: "s", directions: #"["minimize"]"#)
            for i in 0..<40 { _ = try setup.createTrial(studyID: study.id, state: .waiting, enqueuedParams: "{\"i\":\(i)}") }
            let claims = LockedList<Int64>()
            let failures = LockedList<String>()
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                do {
                    let store = try open()
                    for _ in 0..<20 {
                        let trial = try store.claimWaitingTrial(studyID: study.id, workerID: "w\(worker)")
                            ?? store.createTrial(studyID: study.id, state: .running, workerID: "w\(worker)")
                        if trial.enqueuedParams != nil { claims.append(trial.id) }
                        _ = try store.finishTrial(trialID: trial.id, state: .complete, values: "[0]", primaryValue: 0, failureReason: nil)
                    }
                } catch {
                    failures.append("\(error)")
                }
            }
            XCTAssertEqual(failures.values, [])
            XCTAssertEqual(Set(claims.values).count, 40)
            XCTAssertEqual(claims.values.count, 40)
            let numbers = try setup.trials(studyID: study.id).trials.map(\.number)
            XCTAssertEqual(numbers, Array(0..<80))
        }
    }
}

final class LockedList<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []
    func append(_ item: Element) { lock.lock(); items.append(item); lock.unlock() }
    var values: [Element] { lock.lock(); defer { lock.unlock() }; return items }
}
