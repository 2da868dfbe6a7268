// `hone studies / trials / best / delete` (Sources/hone/StudiesCommands.swift), run as the
// built hone-cli on a study written through the storage API.
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class StudiesCommandsTests: XCTestCase {
    private var directory: URL!
    private var url: String { "sqlite:///\(directory.path)/studies.db" }

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("studies.db").path)
        let single = try storage.createStudy(name: "mlp", directions: [.minimize], now: Date())
        let lr = Distribution.float(1e-4, 1, log: true)
        let act = Distribution.categorical(["relu", "tanh"])
        for (i, value) in [0.5, 0.125, 0.25].enumerated() {
            let t = try storage.startTrial(studyId: single.id, TrialStart(workerId: "w", now: Date()))
            try storage.updateTrial(id: t.id, TrialUpdate(
                params: [TrialParam(name: "lr", distribution: lr, value: .float(0.001 * Double(i + 1))),
                         TrialParam(name: "act", distribution: act, value: i == 1 ? "tanh" : "relu")],
                finish: TrialFinish(state: .complete, values: [value], at: Date())))
        }
        let failed = try storage.startTrial(studyId: single.id, TrialStart(now: Date()))
        try storage.updateTrial(id: failed.id, TrialUpdate(finish: TrialFinish(state: .fail, failReason: "loss, was NaN", at: Date())))
        let multi = try storage.createStudy(name: "pareto", directions: [.minimize, .maximize], now: Date())
        for values in [[1.0, 1.0], [2.0, 3.0], [3.0, 2.0]] {
            let t = try storage.startTrial(studyId: multi.id, TrialStart(now: Date()))
            try storage.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: values, at: Date())))
        }
    }

    private func hone(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = try WorkerProcess(arguments, executable: "hone-cli")
        let status = process.finish(timeout: 60)
        return (status, process.outputLines.joined(separator: "\n"), process.standardError)
    }

    func testStudiesListsCountsAndBest() throws {
        let (status, output, error) = try hone(["studies", "--storage", url])
        XCTAssertEqual(status, 0, error)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, output)
        XCTAssertTrue(lines[1].hasPrefix("mlp "), output)
        XCTAssertTrue(lines[1].contains("0.125"), output)
        XCTAssertTrue(lines[2].contains("2 on the Pareto front"), output)
    }

    func testTrialsAsCSVHasOneColumnPerParamAndFullPrecision() throws {
        let (status, output, error) = try hone(["trials", "mlp", "--storage", url, "--format", "csv"])
        XCTAssertEqual(status, 0, error)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "number,state,value,params_act,params_lr,started,duration_s,worker,fail_reason")
        XCTAssertTrue(lines[2].hasPrefix("1,COMPLETE,0.125,tanh,0.002,"), lines[2])
        XCTAssertTrue(lines[4].hasPrefix("3,FAIL,,,,"), lines[4])
        XCTAssertTrue(lines[4].hasSuffix(",\"loss, was NaN\""), "fields with commas are quoted: \(lines[4])")
    }

    func testTrialsAsJSONParses() throws {
        let (status, output, error) = try hone(["trials", "mlp", "--storage", url, "--format", "json", "--state", "complete"])
        XCTAssertEqual(status, 0, error)
        let trials = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        XCTAssertEqual(trials.map { $0["number"] as? Int }, [0, 1, 2])
        XCTAssertEqual((trials[1]["params"] as? [String: Any])?["act"] as? String, "tanh")
        XCTAssertEqual(trials[1]["values"] as? [Double], [0.125])
    }

    func testBestShowsTheBestTrialOrTheParetoFront() throws {
        let single = try hone(["best", "mlp", "--storage", url])
        XCTAssertEqual(single.status, 0, single.error)
        XCTAssertTrue(single.output.hasPrefix("trial 1: value 0.125"), single.output)
        XCTAssertTrue(single.output.contains("act = tanh"), single.output)
        let front = try hone(["best", "pareto", "--storage", url, "--format", "json"])
        XCTAssertEqual(front.status, 0, front.error)
        let trials = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(front.output.utf8)) as? [[String: Any]])
        XCTAssertEqual(trials.map { $0["number"] as? Int }, [0, 1], "trial 2 is dominated by trial 1")
    }

    func testUnknownStudyAndMissingDatabaseAreClearErrors() throws {
        let unknown = try hone(["best", "cnn", "--storage", url])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.error.contains("no study named \"cnn\""), unknown.error)
        XCTAssertTrue(unknown.error.contains("mlp, pareto"), "the error lists the studies there are: \(unknown.error)")
        let missing = directory.appendingPathComponent("elsewhere.db").path
        let noFile = try hone(["studies", "--storage", "sqlite:///\(missing)"])
        XCTAssertNotEqual(noFile.status, 0)
        XCTAssertTrue(noFile.error.contains("no study database at \(missing)"), noFile.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "listing must not create a database")
    }

    func testDeleteRemovesTheStudyOnly() throws {
        let deleted = try hone(["delete", "mlp", "--storage", url])
        XCTAssertEqual(deleted.status, 0, deleted.error)
        XCTAssertEqual(deleted.output, "deleted study \"mlp\" and its 4 trial(s)")
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("studies.db").path)
        XCTAssertEqual(try storage.allStudies().map(\.name), ["pareto"])
        let again = try hone(["delete", "mlp", "--storage", url])
        XCTAssertNotEqual(again.status, 0)
    }

    func testDefaultStorageIsHoneDBInTheWorkingDirectory() throws {
        let process = Process()
        process.executableURL = try WorkerProcess.product("hone-cli")
        process.arguments = ["studies", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertTrue(help.contains("/hone.db"), help)
    }
}
