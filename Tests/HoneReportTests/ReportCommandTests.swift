// `hone report` end to end: a study tuned by the built hone-cli into SQLite, then its
// report written by the same binary.
import Foundation
import XCTest

final class ReportCommandTests: XCTestCase {
    private func honeCLI() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("hone-cli")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw XCTSkip("hone-cli is not built next to the test bundle; run `swift build --build-tests` first")
    }

    private func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try honeCLI()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("cli-\(arguments[0]).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    func testReportOfATunedStudy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hone-report-cli-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("curves.lua")
        try """
        study { name = "curves", direction = "minimize", sampler = "tpe", pruner = "median", trials = 24, seed = 3 }
        function objective(trial)
          local lr = trial:suggest_float("lr", 1e-4, 1e-1, { log = true })
          local layers = trial:suggest_int("layers", 1, 4)
          local act = trial:suggest_categorical("act", { "relu", "tanh" })
          local final = (math.log(lr, 10) + 2.5) ^ 2 + 0.1 * layers + (act == "relu" and 0 or 0.3)
          for step = 1, 8 do
            trial:report(final + 2 / step, step)
            if trial:should_prune() then trial:prune() end
          end
          return final
        end
        """.write(to: script, atomically: true, encoding: .utf8)
        let storage = "sqlite:///\(directory.path)/runs.db"
        let tune = try run(["tune", script.path, "--storage", storage], in: directory)
        XCTAssertEqual(tune.status, 0, tune.output)

        let output = directory.appendingPathComponent("curves.html")
        let report = try run(["report", "curves", "--storage", storage, "--output", output.path, "--title", "Curves & co"], in: directory)
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.output.contains("wrote \(output.path) (24 trial(s)"), report.output)
        let html = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(html.contains("<title>Curves &amp; co</title>"))
        for id in ["history", "intermediate", "parallel", "slices", "contour", "importance", "trials"] {
            XCTAssertTrue(html.contains("<section id=\"\(id)\">"), "no \(id) section")
        }
        XCTAssertFalse(html.contains("class=\"empty\""), "a section of the tuned study is empty")

        // Without --output the file is named after the study, in the current directory.
        let byName = try run(["report", "curves", "--storage", storage], in: directory)
        XCTAssertEqual(byName.status, 0, byName.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("curves.html").path))

        let missing = try run(["report", "nosuch", "--storage", storage], in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("no study named \"nosuch\""), missing.output)
    }
}
