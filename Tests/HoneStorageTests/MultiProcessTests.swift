// Separate worker processes on one study (design.md, "Storage"; issue 3's "Must show"):
// a worker killed with SIGKILL mid-study, and 4 (SQLite) or 8 (PostgreSQL) workers
// sharing 400 trials, some of them enqueued.
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class MultiProcessTests: XCTestCase {
    // MARK: Crash

    /// A worker killed with SIGKILL in the middle of a trial leaves a file from which the
    /// study resumes: every completed trial intact, the killed trial still RUNNING until
    /// its heartbeat is older than the grace period, then FAIL, and numbering continues.
    func testSQLiteStudyResumesAfterWorkerIsKilledMidTrial() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("crash.db").path
        let url = "sqlite:///\(path)"
        let grace = 1.5
        let common = ["--storage", url, "--study", "crash", "--grace-seconds", "\(grace)", "--heartbeat-seconds", "0.1"]

        let victim = try WorkerProcess(common + ["--trials", "1000", "--trial-seconds", "0.2"])
        // Kill it once it has completed a few trials and is inside the next one.
        let midTrial = victim.waitFor(timeout: 60) { lines in
            lines.filter { $0.hasPrefix("done") }.count >= 5 && lines.last?.hasPrefix("started") == true
        }
        XCTAssertTrue(midTrial, "worker did not get going: \(victim.outputLines) \(victim.standardError)")
        victim.killHard()
        XCTAssertEqual(victim.process.terminationReason, .uncaughtSignal)
        let completedBeforeCrash = victim.completed
        let killedNumber = try XCTUnwrap(victim.numbers("started").last)

        // Every trial the worker reported done is in the file with its value; the one it
        // was running is RUNNING.
        let storage = try SQLiteStorage(path: path)
        let study = try XCTUnwrap(storage.study(named: "crash"))
        for (number, x) in completedBeforeCrash {
            let trial = try XCTUnwrap(storage.trial(studyId: study.id, number: number))
            XCTAssertEqual(trial.state, .complete)
            XCTAssertEqual(trial.params["x"], .float(x))
            XCTAssertEqual(trial.values, [x * x])
            XCTAssertTrue(trial.workerId?.contains(":\(victim.process.processIdentifier):") ?? false, trial.workerId ?? "no worker")
        }
        let killed = try XCTUnwrap(storage.trial(studyId: study.id, number: killedNumber))
        XCTAssertEqual(killed.state, .running)
        XCTAssertEqual(try storage.trialCount(studyId: study.id, states: [.complete]), completedBeforeCrash.count)

        // A worker resuming within the grace period leaves the trial alone (its worker
        // might only be slow)…
        let early = try WorkerProcess(common + ["--trials", "2"])
        XCTAssertEqual(early.finish(), 0, early.standardError)
        XCTAssertEqual(early.numbers("stale"), [])
        XCTAssertEqual(try storage.trial(id: killed.id)?.state, .running)

        // …and one resuming after it fails the trial, once, and continues the numbering.
        Thread.sleep(forTimeInterval: grace + 0.2)
        let late = try WorkerProcess(common + ["--trials", "3"])
        XCTAssertEqual(late.finish(), 0, late.standardError)
        XCTAssertEqual(late.numbers("stale"), [killedNumber])
        let failed = try XCTUnwrap(storage.trial(id: killed.id))
        XCTAssertEqual(failed.state, .fail)
        XCTAssertTrue(failed.failReason?.contains("heartbeat") ?? false, failed.failReason ?? "no reason")

        let all = try storage.allTrials(studyId: study.id)
        XCTAssertEqual(all.map(\.number), Array(0..<all.count), "numbers stay dense across the crash")
        XCTAssertEqual(all.filter { $0.state == .complete }.count, completedBeforeCrash.count + 5)
        XCTAssertEqual(all.filter { $0.state == .fail }.map(\.number), [killedNumber])
        XCTAssertEqual(try storage.trialCount(studyId: study.id, states: [.running]), 0)
    }

    // MARK: Concurrency

    func testFourSQLiteProcessesShare400Trials() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("shared.db").path
        try runSharedStudy(url: "sqlite:///\(path)", processes: 4, open: { try SQLiteStorage(path: path) })
    }

    func testEightPostgresProcessesShare400Trials() throws {
        let url = try makePostgresTestURL(self)
        try runSharedStudy(url: url, processes: 8, open: { try PostgresStorage(url: url) })
    }

    /// Workers that open one *new* SQLite file at the same instant (a barrier) and create
    /// the same study there: every statement that can meet the busy database — the header
    /// read, the switch to WAL, schema creation, the study's creation — waits and retries,
    /// so no worker sees "database is locked", exactly one creates the study and the others
    /// load it, and the trials they then ask and tell get distinct numbers.
    /// (HONE_TEST_BARRIER_ROUNDS overrides the number of rounds.)
    func testSixteenProcessesOpenOneNewSQLiteFileAtOnce() throws {
        let rounds = ProcessInfo.processInfo.environment["HONE_TEST_BARRIER_ROUNDS"].flatMap(Int.init) ?? 50
        let processes = 16, trialsEach = 3
        let directory = try makeTemporaryDirectory(self)
        for round in 0..<rounds {
            let path = directory.appendingPathComponent("new-\(round).db").path
            let go = directory.appendingPathComponent("go-\(round)").path
            let workers = try (0..<processes).map { _ in
                try WorkerProcess(["--storage", "sqlite:///\(path)", "--study", "same-name",
                                   "--trials", "\(trialsEach)", "--start-when-exists", go])
            }
            for (w, worker) in workers.enumerated() {
                XCTAssertTrue(worker.waitFor(timeout: 60) { $0.contains("ready") }, "round \(round), worker \(w) never reached the barrier: \(worker.standardError)")
            }
            FileManager.default.createFile(atPath: go, contents: nil)
            for (w, worker) in workers.enumerated() {
                XCTAssertEqual(worker.finish(timeout: 120), 0, "round \(round), worker \(w): \(worker.standardError)")
            }
            let storage = try SQLiteStorage(path: path)
            let studies = try storage.allStudies()
            XCTAssertEqual(studies.map(\.name), ["same-name"], "round \(round): one study, created once")
            let trials = try storage.allTrials(studyId: try XCTUnwrap(studies.first).id)
            XCTAssertEqual(trials.map(\.number), Array(0..<(processes * trialsEach)), "round \(round): numbers dense and unique")
            XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "round \(round): every trial told")
            XCTAssertEqual(Set(workers.flatMap(\.completed).map(\.number)).count, processes * trialsEach, "round \(round): no trial handed out twice")
            if testRun?.failureCount ?? 0 > 0 { break }
        }
    }

    /// `processes` workers run 400 trials between them on one study, 100 of which were
    /// enqueued beforehand: numbers 0..<400 each used once, every trial a worker
    /// completed is stored as it reported it, and every enqueued trial ran exactly once.
    private func runSharedStudy(url: String, processes: Int, open: () throws -> Storage) throws {
        let total = 400, enqueued = 100
        let storage = try open()
        let study = try Study.create(name: "shared", storage: storage, directions: [.minimize])
        var enqueuedX: [Int: Double] = [:]
        for i in 0..<enqueued {
            let x = -10 + 20 * Double(i) / Double(enqueued)
            enqueuedX[try study.enqueueTrial(["x": .float(x)])] = x
        }

        let workers = try (0..<processes).map { _ in
            try WorkerProcess(["--storage", url, "--study", "shared", "--trials", "\(total / processes)"])
        }
        for (w, worker) in workers.enumerated() {
            XCTAssertEqual(worker.finish(timeout: 300), 0, "worker \(w): \(worker.standardError)")
        }

        let reported = workers.flatMap(\.completed)
        XCTAssertEqual(reported.count, total, "every worker ran its share")
        XCTAssertEqual(Set(reported.map(\.number)).count, total, "no trial handed to two workers")

        let trials = try storage.allTrials(studyId: study.id)
        XCTAssertEqual(trials.map(\.number), Array(0..<total), "numbers are 0..<\(total), each once")
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "no trial lost or left running")
        let byNumber = Dictionary(uniqueKeysWithValues: trials.map { ($0.number, $0) })
        for (number, x) in reported {
            XCTAssertEqual(byNumber[number]?.values, [x * x], "trial \(number) stored as its worker reported it")
        }
        for (number, x) in enqueuedX {
            XCTAssertEqual(byNumber[number]?.params["x"], .float(x), "enqueued trial \(number) kept its params")
            XCTAssertEqual(reported.filter { $0.number == number }.count, 1, "enqueued trial \(number) ran exactly once")
        }
        let participants = Set(trials.compactMap(\.workerId))
        XCTAssertGreaterThan(participants.count, 1, "the workers really ran concurrently")
    }
}
