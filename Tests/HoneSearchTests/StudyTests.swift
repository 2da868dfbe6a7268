import Foundation
import HoneSearch
import XCTest

private struct Boom: Error, CustomStringConvertible { var description: String { "boom from the objective" } }

final class StudyTests: XCTestCase {
    func testCreateLoadAndLoadIfExists() throws {
        let storage = InMemoryStorage()
        let a = try Study.create(name: "s", storage: storage, directions: [.maximize])
        XCTAssertThrowsError(try Study.create(name: "s", storage: storage, directions: [.maximize])) {
            XCTAssertEqual($0 as? StorageError, .studyAlreadyExists(name: "s"))
        }
        let b = try Study.create(name: "s", storage: storage, directions: [.maximize], loadIfExists: true)
        XCTAssertEqual(a.id, b.id)
        XCTAssertThrowsError(try Study.create(name: "s", storage: storage, directions: [.minimize], loadIfExists: true)) {
            guard case StudyError.directionMismatch = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try Study.load(name: "s", storage: storage).directions, [.maximize])
        XCTAssertThrowsError(try Study.load(name: "nope", storage: storage))
        XCTAssertThrowsError(try Study.create(storage: storage, directions: []))
        XCTAssertNotEqual(try Study.create(storage: storage).name, try Study.create(storage: storage).name)
    }

    /// A handle's results reads show trials told through another handle (or process) since
    /// its own last ask or tell: they read storage, not the sampler's cached history.
    func testResultsShowTrialsToldThroughAnotherHandle() throws {
        let storage = InMemoryStorage()
        let a = try Study.create(name: "shared", storage: storage, directions: [.minimize])
        let b = try Study.load(name: "shared", storage: storage)
        _ = try a.tell(try a.ask(), value: 2)
        XCTAssertEqual(try a.trials().map(\.number), [0])
        _ = try b.tell(try b.ask(), value: 1)
        XCTAssertEqual(try a.trials().map(\.number), [0, 1])
        XCTAssertEqual(try a.trial(number: 1)?.value, 1)
        XCTAssertEqual(try a.bestTrial().number, 1)
        XCTAssertEqual(try a.paretoFront().map(\.number), [1])
    }

    func testAskTellErrors() throws {
        let st = try Study.create(seed: 1)
        let t = try st.ask()
        try st.tell(t, value: 1)
        XCTAssertThrowsError(try st.tell(t, value: 2)) {
            XCTAssertEqual($0 as? StudyError, .alreadyFinished(trialNumber: 0, state: .complete))
        }
        let other = try Study.create(seed: 1)
        let foreign = try other.ask()
        XCTAssertThrowsError(try st.tell(foreign, value: 1)) {
            guard case StudyError.unknownTrial = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try st.tell(trialNumber: 42, state: .complete, values: [1])) {
            guard case StudyError.unknownTrial = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try st.tell(trialNumber: 0, state: .complete, values: [1])) {
            XCTAssertEqual($0 as? StudyError, .alreadyFinished(trialNumber: 0, state: .complete))
        }
        let u = try st.ask()
        XCTAssertThrowsError(try st.tell(u, state: .running)) { XCTAssertEqual($0 as? StudyError, .invalidTellState(.running)) }
        XCTAssertThrowsError(try st.tell(u, state: .waiting))
        // A tell by number finishes a trial held elsewhere.
        try st.tell(trialNumber: u.number, state: .complete, values: [3])
        XCTAssertEqual(try st.storage.trial(id: u.id)?.values, [3])
    }

    func testWrongOrNonFiniteValuesAreRefusedAndLeaveTheTrialRunning() throws {
        // Optuna's tell(trial, values, state=COMPLETE) raises and leaves the trial RUNNING;
        // the caller may then tell it properly. (optimize fails such objective results.)
        let st = try Study.create(directions: [.minimize, .maximize])
        let t = try st.ask()
        XCTAssertThrowsError(try st.tell(t, values: [1])) {
            XCTAssertEqual($0 as? StudyError, .wrongNumberOfValues(trialNumber: 0, expected: 2, got: 1))
        }
        XCTAssertThrowsError(try st.tell(t, values: [1, .infinity])) {
            XCTAssertEqual($0 as? StudyError, .nonFiniteValue(trialNumber: 0, values: [1, .infinity]))
        }
        XCTAssertThrowsError(try st.tell(t, values: [.nan, 1]))
        XCTAssertThrowsError(try st.tell(t, state: .complete, values: nil))
        XCTAssertEqual(try st.trial(number: 0)?.state, .running)
        try st.tell(t, values: [1, 2])
        XCTAssertEqual(try st.trial(number: 0)?.values, [1, 2])
        // By number, for a trial asked elsewhere, the same rule.
        let u = try st.ask()
        XCTAssertThrowsError(try st.tell(trialNumber: u.number, state: .complete, values: [.infinity, 1]))
        XCTAssertEqual(try st.trial(number: 1)?.state, .running)
    }

    func testOptimizeFailsThrowingAndNaNTrialsAndGoesOn() throws {
        let st = try Study.create(seed: 3)
        try st.optimize({ t in
            let x = try t.suggestFloat("x", 0, 1)
            switch t.number {
            case 1: throw Boom()
            case 2: return .nan
            case 3: return -.infinity
            case 4:
                try t.report(0.7, step: 1); try t.report(0.6, step: 2)
                throw TrialPruned()
            default: return x
            }
        }, nTrials: 8)
        let trials = try st.trials()
        XCTAssertEqual(trials.map(\.state), [.complete, .fail, .fail, .fail, .pruned, .complete, .complete, .complete])
        XCTAssertEqual(trials[1].failReason, "objective threw: boom from the objective")
        XCTAssertTrue(trials[2].failReason!.contains("non-finite"), trials[2].failReason!)
        XCTAssertTrue(trials[3].failReason!.contains("non-finite"))
        XCTAssertEqual(trials[4].values, [0.6], "PRUNED keeps the last report")
        XCTAssertNotNil(trials[1].params["x"], "params of failed trials are kept")
        XCTAssertEqual(try st.bestTrial().state, .complete)
    }

    func testCatchErrorsFalseStopsAndRethrows() throws {
        let st = try Study.create(seed: 3)
        XCTAssertThrowsError(try st.optimize({ (t: Trial) -> Double in
            if t.number == 2 { throw Boom() }
            return 1
        }, nTrials: 10, catchErrors: false)) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try st.trials().count, 3)
        XCTAssertEqual(try st.trial(number: 2)?.state, .fail)
    }

    func testParallelOptimizeGivesUniqueDenseNumbersAndRunsEnqueuedTrialsOnce() throws {
        let st = try Study.create(seed: 5)
        for i in 0..<20 { try st.enqueueTrial(["i": .int(i)]) }
        let seen = Locked<[Int]>([])
        try st.optimize({ t in
            let i = try t.suggestInt("i", -1, 100)
            seen.mutate { $0.append(t.number) }
            var jitter = t.random(for: "jitter")
            usleep(UInt32(jitter.int(below: 300)))
            return Double(i)
        }, nTrials: 200, nJobs: 4)
        let trials = try st.trials()
        XCTAssertEqual(trials.map(\.number), Array(0..<200))
        XCTAssertEqual(seen.value.sorted(), Array(0..<200))
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete })
        let enqueuedRuns = trials.compactMap { $0.params["i"]?.intValue }.filter { (0..<20).contains($0) }
        XCTAssertEqual(trials.prefix(20).map { $0.params["i"]!.intValue! }, Array(0..<20))
        XCTAssertGreaterThanOrEqual(enqueuedRuns.count, 20)
        XCTAssertEqual(Set(trials.map(\.workerId)).count, 4, "four workers took part")
    }

    func testSameSeedSameSequence() throws {
        func run(_ seed: UInt64) throws -> [[String: ParamValue]] {
            let st = try Study.create(seed: seed)
            try st.optimize({ t in
                let a = try t.suggestFloat("a", -5, 5)
                let b = try t.suggestInt("b", 1, 1000, log: true)
                let c = try t.suggestCategorical("c", ["x", "y", "z"])
                return a + Double(b) + (c == "x" ? 1 : 0)
            }, nTrials: 50)
            return try st.trials().map(\.params)
        }
        XCTAssertEqual(try run(11), try run(11))
        XCTAssertNotEqual(try run(11), try run(12))
    }

    func testBestTrialAndDirections() throws {
        let st = try Study.create(directions: [.maximize])
        XCTAssertThrowsError(try st.bestTrial()) { XCTAssertEqual($0 as? StudyError, .noCompletedTrials(study: st.name)) }
        for v in [3.0, 9.0, 1.0, 9.0] {
            let t = try st.ask()
            _ = try t.suggestFloat("v", 0, 10)
            try st.tell(t, value: v)
        }
        XCTAssertEqual(try st.bestValue(), 9)
        XCTAssertEqual(try st.bestTrial().number, 1, "earliest on ties")
        XCTAssertNotNil(try st.bestParams()["v"])
        let mo = try Study.create(directions: [.minimize, .minimize])
        XCTAssertThrowsError(try mo.bestTrial()) { guard case StudyError.multiObjective = $0 else { return XCTFail() } }
    }

    func testParetoFrontOnAHandMadeExample() throws {
        let st = try Study.create(directions: [.minimize, .maximize])
        // (cost, accuracy): lower cost and higher accuracy are better.
        let points: [[Double]] = [
            [1, 0.5],   // 0 front (cheapest)
            [2, 0.7],   // 1 front
            [3, 0.6],   // 2 dominated by 1
            [4, 0.9],   // 3 front (most accurate)
            [2, 0.7],   // 4 front (equal to 1: neither dominates)
            [5, 0.9],   // 5 dominated by 3
            [1, 0.4],   // 6 dominated by 0
        ]
        for p in points { try st.tell(try st.ask(), values: p) }
        let failed = try st.ask()
        try st.tell(failed, state: .fail)
        XCTAssertEqual(try st.paretoFront().map(\.number), [0, 1, 3, 4])
        XCTAssertTrue(ParetoFront.dominates([1, 0.5], [1, 0.4], directions: [.minimize, .maximize]))
        XCTAssertFalse(ParetoFront.dominates([1, 0.5], [1, 0.5], directions: [.minimize, .maximize]))
    }

    func testCopyTrialsWarmStart() throws {
        let storage = InMemoryStorage()
        let old = try Study.create(name: "old", storage: storage, seed: 1)
        try old.optimize({ try $0.suggestFloat("x", 0, 1) }, nTrials: 5)
        try old.tell(try old.ask(), state: .fail)
        let new = try Study.create(name: "new", storage: storage, seed: 2)
        XCTAssertEqual(try new.copyTrials(from: old), 5)
        let copies = try new.trials()
        XCTAssertEqual(copies.map(\.number), Array(0..<5))
        XCTAssertEqual(copies.map(\.params), try old.trials(states: [.complete]).map(\.params))
        XCTAssertEqual(copies[0].systemAttrs["copied_from"], ["study": "old", "number": 0])
        XCTAssertEqual(try new.bestValue(), try old.bestValue())
        XCTAssertThrowsError(try new.copyTrials(from: old, states: [.running]))
        let mo = try Study.create(storage: storage, directions: [.minimize, .minimize])
        XCTAssertThrowsError(try mo.copyTrials(from: old))
    }

    func testEnqueueSkipIfExists() throws {
        let st = try Study.create()
        let a = try st.enqueueTrial(["x": 1.5])
        XCTAssertEqual(try st.enqueueTrial(["x": 1.5], skipIfExists: true), a)
        XCTAssertEqual(try st.trials(states: [.waiting]).count, 1)
        XCTAssertEqual(try st.enqueueTrial(["x": 2.5], skipIfExists: true), a + 1)
    }

    func testStaleTrialsAreFailedAndRetriedOnce() throws {
        let storage = InMemoryStorage()
        // A "dead worker": asks with heartbeats, never tells.
        let dead = try Study.create(name: "s", storage: storage, seed: 1,
                                    heartbeat: HeartbeatPolicy(interval: 1, gracePeriod: 10, maxRetries: 1))
        let start = Date()
        let t = try dead.ask(fixedParams: [:])
        _ = try t.suggestFloat("x", 0, 1)
        _ = try t.suggestCategorical("c", ["a", "b"])
        try t.flush()
        try storage.recordHeartbeat(trialIds: [t.id], now: start)
        // Not stale yet: nothing happens. (Manual asks do not heartbeat, so force one.)
        try storage.updateTrial(id: t.id, TrialUpdate(heartbeatAt: start))
        XCTAssertEqual(try dead.failStaleTrials(now: start.addingTimeInterval(5)).count, 0)
        let failed = try dead.failStaleTrials(now: start.addingTimeInterval(11))
        XCTAssertEqual(failed.map(\.number), [0])
        XCTAssertTrue(failed[0].failReason!.contains("stale"))
        XCTAssertThrowsError(try dead.tell(t, value: 1)) {
            guard case StudyError.alreadyFinished(0, .fail) = $0 else { return XCTFail("\($0)") }
        }
        // The retry waits with the same params and a link back, and runs first.
        let retry = try dead.trial(number: 1)!
        XCTAssertEqual(retry.state, .waiting)
        XCTAssertEqual(retry.systemAttrs["retry_of"], 0)
        let worker = try Study.load(name: "s", storage: storage, heartbeat: HeartbeatPolicy(interval: 0.05, gracePeriod: 10, maxRetries: 1))
        try worker.optimize({ t in
            let x = try t.suggestFloat("x", 0, 1)
            _ = try t.suggestCategorical("c", ["a", "b"])
            return x
        }, nTrials: 1)
        let rerun = try worker.trial(number: 1)!
        XCTAssertEqual(rerun.state, .complete)
        XCTAssertEqual(rerun.params, try worker.trial(number: 0)!.params)
    }

    func testHeartbeatsKeepLongTrialsAlive() throws {
        let storage = InMemoryStorage()
        let st = try Study.create(storage: storage, seed: 1, heartbeat: HeartbeatPolicy(interval: 0.02, gracePeriod: 1))
        let observed = Locked<[Date]>([])
        try st.optimize({ t in
            for _ in 0..<10 {
                usleep(30_000)
                if let hb = try storage.trial(id: t.id)?.heartbeatAt { observed.mutate { $0.append(hb) } }
                // Another process checking for stale trials must not fail this one.
                _ = try st.failStaleTrials()
            }
            return 1
        }, nTrials: 1)
        XCTAssertEqual(try st.trial(number: 0)?.state, .complete)
        XCTAssertGreaterThan(Set(observed.value).count, 1, "the heartbeat advanced while the trial ran")
    }

    func testTimeoutAndStop() throws {
        let st = try Study.create()
        let t0 = Date()
        try st.optimize({ _ in usleep(5_000); return 1 }, timeout: 0.1, nJobs: 2)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 3.0)
        XCTAssertGreaterThan(try st.trials().count, 2)
        let s2 = try Study.create()
        try s2.optimize({ t in
            if t.number == 4 { t.study.stop() }
            return 0
        }, callbacks: [])
        XCTAssertEqual(try s2.trials().count, 5)
        XCTAssertThrowsError(try s2.optimize({ _ in 0 }, nTrials: 1, nJobs: 0))
    }

    func testCallbacksSeeEveryFinishedTrial() throws {
        let st = try Study.create()
        let count = Locked(0)
        try st.optimize({ _ in 1 }, nTrials: 12, nJobs: 3, callbacks: [{ _, t in
            XCTAssertTrue(t.state.isFinished)
            count.mutate { $0 += 1 }
        }])
        XCTAssertEqual(count.value, 12)
    }
}

/// A value behind a lock, for tests that collect from worker threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return _value }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&_value); lock.unlock() }
}


final class StaleWorkerTests: XCTestCase {
    /// A worker whose trial was failed as stale meanwhile (it missed heartbeats) keeps
    /// going: the FAIL verdict stands and the run continues.
    func testOptimizeGoesOnWhenItsTrialWasFailedElsewhere() throws {
        let st = try Study.create(seed: 1)
        try st.optimize({ t in
            if t.number == 1 {
                try t.study.storage.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .fail, failReason: "stale", at: Date())))
            }
            return 1
        }, nTrials: 4)
        XCTAssertEqual(try st.trials().map(\.state), [.complete, .fail, .complete, .complete])
        XCTAssertEqual(try st.trial(number: 1)?.failReason, "stale")
    }
}
