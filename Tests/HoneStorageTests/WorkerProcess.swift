// Spawning and following hone-storage-worker processes (Tests/HoneStorageWorker).
import Foundation
import XCTest

/// One running child process (by default hone-storage-worker), with its output lines
/// collected as they arrive.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var buffer = ""
    private var lines: [String] = []
    private var errorText = ""
    private let output = Pipe()
    private let errors = Pipe()

    /// An executable product of this package (hone-storage-worker, hone-cli), built next
    /// to the test bundle by `swift build --build-tests`.
    static func product(_ name: String) throws -> URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // On Linux the bundle is an executable in the products directory; on macOS it
        // is a directory (…/HonePackageTests.xctest/Contents/MacOS/…).
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw XCTSkip("\(name) is not built next to \(bundle.path); run `swift build --build-tests` first")
    }

    init(_ arguments: [String], executable: String = "hone-storage-worker") throws {
        process.executableURL = try WorkerProcess.product(executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.buffer += String(decoding: data, as: UTF8.self)
            while let newline = self.buffer.firstIndex(of: "\n") {
                self.lines.append(String(self.buffer[..<newline]))
                self.buffer = String(self.buffer[self.buffer.index(after: newline)...])
            }
            self.lock.unlock()
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.errorText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    /// Output lines so far.
    var outputLines: [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }

    var standardError: String {
        lock.lock(); defer { lock.unlock() }
        return errorText
    }

    /// Waits until `condition` holds for the output lines (true) or `timeout` passes.
    func waitFor(timeout: Double, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(outputLines) { return true }
            if !process.isRunning && condition(outputLines) == false {
                // The process ended: give the pipe a moment to deliver its last lines.
                usleep(50_000)
                return condition(outputLines)
            }
            usleep(5_000)
        }
        return false
    }

    /// Waits for the process to exit and returns its status.
    @discardableResult
    func finish(timeout: Double = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        usleep(50_000)  // let the readability handlers drain the pipes
        return process.terminationStatus
    }

    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Trial numbers this worker reported with `prefix` ("done", "started", "stale").
    func numbers(_ prefix: String) -> [Int] {
        outputLines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 2, parts[0] == prefix else { return nil }
            return Int(parts[1])
        }
    }

    /// (number, x) of every trial this worker completed.
    var completed: [(number: Int, x: Double)] {
        outputLines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "done", let n = Int(parts[1]), let x = Double(parts[2]) else { return nil }
            return (n, x)
        }
    }
}
