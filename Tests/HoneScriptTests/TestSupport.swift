import Foundation
import HoneScript
import XCTest

/// A scratch directory removed when the test ends.
func makeScratchDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hone-script-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Small limits so the breakage tests finish in milliseconds.
let testLimits = ScriptLimits(memoryBytes: 16 << 20, instructionsPerCall: 5_000_000, secondsPerCall: 10)

extension LuaHost {
    /// Loads `source` as a script named `name` and calls its global `f` (if any) with `arguments`.
    func run(_ source: String, name: String = "test.lua", _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        let script = try loadScript(source: source, name: name)
        guard try script.function(named: "f") != nil else { return [] }
        return try script.call("f", arguments)
    }

    /// The error running `source` gives; fails the test if it runs cleanly.
    func failure(_ source: String, name: String = "test.lua", _ arguments: [LuaValue] = [],
                 file: StaticString = #filePath, line: UInt = #line) -> ScriptError? {
        do {
            _ = try run(source, name: name, arguments)
            XCTFail("expected the script to fail", file: file, line: line)
            return nil
        } catch let error as ScriptError {
            return error
        } catch {
            XCTFail("expected a ScriptError, got \(error)", file: file, line: line)
            return nil
        }
    }

    /// After any failure the host must still run scripts normally.
    func assertStillWorks(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try run("function f() local s = 0 for i = 1, 100 do s = s + i end return s end"), [.integer(5050)],
                       "host unusable after the failure", file: file, line: line)
    }
}

func XCTAssertContains(_ text: String?, _ part: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let text else { return XCTFail("no text (expected one containing \"\(part)\")", file: file, line: line) }
    XCTAssertTrue(text.contains(part), "\"\(text)\" does not contain \"\(part)\"", file: file, line: line)
}
