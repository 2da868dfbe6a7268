// SIGINT and SIGTERM sent to the built hone-cli while `tune` and `auto` run a trial
// (Sources/hone/SignalInterrupter.swift): the exit code says interrupted (130 / 143), the
// running trials are stored FAIL "interrupted", finished ones stay COMPLETE, nothing is
// left RUNNING, and the next run of the same command resumes the study.
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class SignalCommandsTests: XCTestCase {
    private var directory: URL!
    private var database: String { directory.appendingPathComponent("signals.db").path }
    private var url: String { "sqlite:///\(database)" }

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    /// A study script whose trials 0 and 1 return at once and whose trials `slow` loop
    /// until the Lua is interrupted.
    private func script(slow: [Int]) throws -> String {
        let path = directory.appendingPathComponent("signals.lua").path
        try """
            study { name = "signals", trials = 10 }
            local slow = { \(slow.map { "[\($0)] = true" }.joined(separator: ", ")) }
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              if slow[trial.number] then while true do end end
              return x
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The study's trials as stored.
    private func trials(_ name: String) throws -> [FrozenTrial] {
        let storage = try SQLiteStorage(path: database)
        guard let study = try storage.study(named: name) else { return [] }
        return try storage.allTrials(studyId: study.id).sorted { $0.number < $1.number }
    }

    /// Waits (at most `timeout` s) until the child printed `line` on stderr and the study
    /// has `running` RUNNING and at least `complete` COMPLETE trials (with two workers, a
    /// fast trial may still be RUNNING beside a slow one when the first COMPLETE is printed).
    private func waitForRunning(_ process: WorkerProcess, study: String, after line: String, running: Int,
                                complete: Int = 0, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.process.isRunning { break }
            if process.standardError.contains(line) {
                let stored = try trials(study)
                if stored.filter({ $0.state == .running }).count >= running,
                   stored.filter({ $0.state == .complete }).count >= complete { return }
            }
            usleep(20_000)
        }
        XCTFail("no \(running) running and \(complete) complete trial(s) after \"\(line)\"; stderr: \(process.standardError)")
    }

    private func finish(_ process: WorkerProcess) -> (status: Int32, reason: Process.TerminationReason) {
        let status = process.finish(timeout: 15)
        return (status, process.process.terminationReason)
    }

    private func assertInterrupted(_ trials: [FrozenTrial], numbers: Set<Int>, file: StaticString = #filePath, line: UInt = #line) {
        for t in trials where numbers.contains(t.number) {
            XCTAssertEqual(t.state, .fail, "trial \(t.number)", file: file, line: line)
            XCTAssertEqual(t.failReason, "interrupted", "trial \(t.number)", file: file, line: line)
        }
        XCTAssertFalse(trials.contains { $0.state == .running }, "nothing left RUNNING", file: file, line: line)
    }

    func testTuneSIGINTExits130StoresTheRunningTrialFailedAndResumes() throws {
        let path = try script(slow: [2])
        let process = try WorkerProcess(["tune", path, "--storage", url, "--jobs", "1", "--verbose"], executable: "hone-cli")
        try waitForRunning(process, study: "signals", after: "trial 1 COMPLETE", running: 1)
        kill(process.process.processIdentifier, SIGINT)
        let (status, reason) = finish(process)
        XCTAssertEqual(reason, .exit, "exits (not killed by the signal)")
        XCTAssertEqual(status, 130, process.standardError)
        XCTAssertTrue(process.standardError.contains("interrupted by SIGINT (exit code 130)"), process.standardError)
        XCTAssertTrue(process.outputLines.contains { $0.contains("(interrupted)") }, process.outputLines.joined(separator: "\n"))
        var stored = try trials("signals")
        XCTAssertEqual(stored.map(\.number), [0, 1, 2], "no trial starts after the signal")
        XCTAssertEqual(stored.prefix(2).map(\.state), [.complete, .complete])
        assertInterrupted(stored, numbers: [2])

        // The same command again resumes: the stored trials count, numbering goes on.
        let again = try WorkerProcess(["tune", path, "--storage", url, "--jobs", "1", "--trials", "2"], executable: "hone-cli")
        XCTAssertEqual(again.finish(timeout: 15), 0, again.standardError)
        XCTAssertTrue(again.standardError.contains("resuming after 3 stored trials"), again.standardError)
        stored = try trials("signals")
        XCTAssertEqual(stored.map(\.number), [0, 1, 2, 3, 4])
        XCTAssertEqual(stored.map(\.state), [.complete, .complete, .fail, .complete, .complete])
    }

    func testTuneSIGTERMExits143StoresBothRunningTrialsFailedAndResumes() throws {
        let path = try script(slow: [2, 3])
        let process = try WorkerProcess(["tune", path, "--storage", url, "--jobs", "2", "--verbose"], executable: "hone-cli")
        try waitForRunning(process, study: "signals", after: "COMPLETE", running: 2, complete: 2)
        kill(process.process.processIdentifier, SIGTERM)
        let (status, reason) = finish(process)
        XCTAssertEqual(reason, .exit)
        XCTAssertEqual(status, 143, process.standardError)
        XCTAssertTrue(process.standardError.contains("interrupted by SIGTERM (exit code 143)"), process.standardError)
        var stored = try trials("signals")
        XCTAssertEqual(stored.map(\.number), [0, 1, 2, 3])
        XCTAssertEqual(stored.prefix(2).map(\.state), [.complete, .complete])
        assertInterrupted(stored, numbers: [2, 3])

        let again = try WorkerProcess(["tune", path, "--storage", url, "--jobs", "1", "--trials", "1"], executable: "hone-cli")
        XCTAssertEqual(again.finish(timeout: 15), 0, again.standardError)
        stored = try trials("signals")
        XCTAssertEqual(stored.map(\.number), [0, 1, 2, 3, 4])
        XCTAssertEqual(stored.last?.state, .complete)
    }

    func testSecondSignalExitsAtOnce() throws {
        // Trial 2 builds a large synthetic data set (seconds, and no interrupt check inside),
        // so the first signal cannot end the run before the second one comes.
        let path = directory.appendingPathComponent("slow.lua").path
        try """
            study { name = "signals", trials = 10 }
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              if trial.number == 2 then hone.dataset { synthetic = "spirals", count = 8000000 } end
              return x
            end
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let process = try WorkerProcess(["tune", path, "--storage", url, "--jobs", "1", "--verbose"], executable: "hone-cli")
        try waitForRunning(process, study: "signals", after: "trial 1 COMPLETE", running: 1)
        kill(process.process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !process.standardError.contains("SIGTERM: interrupting") { usleep(2_000) }
        kill(process.process.processIdentifier, SIGINT)
        let (status, reason) = finish(process)
        XCTAssertEqual(reason, .exit)
        XCTAssertEqual(status, 130, "the second signal's code: \(process.standardError)")
        XCTAssertTrue(process.standardError.contains("second signal (SIGINT): exiting at once"), process.standardError)
        // Exited without waiting for the trial: it stays RUNNING (a heartbeat policy would
        // fail it later; `hone tune` resumes after it).
        XCTAssertEqual(try trials("signals").map(\.state), [.complete, .complete, .running])
    }

    /// `hone auto` on a small table: SIGTERM during the search (143), then SIGINT during
    /// the resumed search (130); the second run goes on after the first's trials and
    /// neither retrains or saves a model.
    func testAutoSIGTERMAndSIGINTStopTheSearchAndResume() throws {
        let csv = directory.appendingPathComponent("table.csv")
        var rng = SystemRandomNumberGenerator()
        var text = "a,b,c,d,y\n"
        for _ in 0..<200 {
            let x = (0..<4).map { _ in Double.random(in: -1...1, using: &rng) }
            text += x.map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(x[0] + x[1] > 0 ? 1 : 0)\n"
        }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("model.safetensors").path
        let arguments = ["auto", csv.path, "--target", "y", "--trials", "200", "--max-epochs", "60", "--jobs", "1", "--storage", url,
                         "--study", "auto-signals", "--output", model, "--verbose"]

        var runs: [[FrozenTrial]] = []
        for (signal, code) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let process = try WorkerProcess(arguments, executable: "hone-cli")
            // The CLI made the database first (the test only reads it).
            XCTAssertTrue(process.waitFor(timeout: 30) { $0.contains { $0.hasPrefix("study \"auto-signals\"") } },
                          process.standardError)
            let before = try trials("auto-signals").filter { $0.state != .running }.count
            // A trial of this run has finished and another is running, mid-training (it
            // reported an epoch and has epochs to go), so the signal lands in a trial.
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, process.process.isRunning {
                let stored = try trials("auto-signals")
                if stored.count >= before + 2, stored.contains(where: { t in
                    t.state == .running && (1...50).contains(t.intermediateValues.count)
                }) { break }
                usleep(5_000)
            }
            kill(process.process.processIdentifier, signal)
            let (status, reason) = finish(process)
            XCTAssertEqual(reason, .exit)
            XCTAssertEqual(status, code, process.standardError)
            XCTAssertTrue(process.outputLines.contains { $0.contains("(interrupted; no final model)") },
                          process.outputLines.joined(separator: "\n"))
            let stored = try trials("auto-signals")
            XCTAssertGreaterThanOrEqual(stored.count, before + 2)
            XCTAssertEqual(stored.map(\.number), Array(0..<stored.count), "numbers go on from the stored trials")
            let failed = stored.dropFirst(before).filter { $0.state == .fail }
            XCTAssertEqual(failed.count, 1, "the one running trial: \(stored.map(\.state))")
            assertInterrupted(stored, numbers: Set(failed.map(\.number)))
            XCTAssertTrue(stored.dropFirst(before).allSatisfy { $0.state != .fail || $0.failReason == "interrupted" })
            runs.append(stored)
        }
        XCTAssertTrue(runs[1].count > runs[0].count)
        XCTAssertEqual(Array(runs[1].prefix(runs[0].count)).map(\.state), runs[0].map(\.state), "the first run's trials stay")
        XCTAssertFalse(FileManager.default.fileExists(atPath: model), "no model after an interrupted search")
    }
}
