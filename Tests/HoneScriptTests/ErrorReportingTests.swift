import Foundation
import HoneScript
import XCTest

/// Errors come back with the message, file:line and a traceback.
final class ErrorReportingTests: XCTestCase {
    func testRuntimeErrorHasFileLineAndTraceback() throws {
        let host = try LuaHost(limits: testLimits)
        let error = host.failure("""
            local function inner(config)
              return config.missing.field
            end
            function f() local value = inner({}) return value end
            """, name: "scripts/objective.lua")
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.location, SourceLocation(file: "scripts/objective.lua", line: 2))
        XCTAssertContains(error?.message, "scripts/objective.lua:2: attempt to index a nil value (field 'missing')")
        XCTAssertContains(error?.traceback, "stack traceback:")
        XCTAssertContains(error?.traceback, "scripts/objective.lua:2: in upvalue 'inner'")
        XCTAssertContains(error?.traceback, "scripts/objective.lua:4: in function")
        XCTAssertEqual(error?.description, error?.message)
        XCTAssertContains(error?.detailedDescription, "stack traceback:")
    }

    func testSyntaxErrorHasFileLine() throws {
        let host = try LuaHost(limits: testLimits)
        do {
            _ = try host.loadScript(source: "function f()\n  return 1 +\nend", name: "broken.lua")
            XCTFail("expected a syntax error")
        } catch let error as ScriptError {
            XCTAssertEqual(error.kind, .syntax)
            XCTAssertEqual(error.location, SourceLocation(file: "broken.lua", line: 3))
            XCTAssertContains(error.message, "broken.lua:3: unexpected symbol near 'end'")
            XCTAssertNil(error.traceback)
        }
    }

    func testLongPathsAreRestoredInLocations() throws {
        let directory = try makeScratchDirectory(self)
            .appendingPathComponent("a-rather-long-directory-name-for-the-studies/and-deeper-still/more")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("objective.lua").path
        try "function f()\n  error('bad lr')\nend".write(toFile: path, atomically: true, encoding: .utf8)
        let host = try LuaHost(limits: testLimits)
        let script = try host.loadScript(atPath: path)
        XCTAssertThrowsError(try script.call("f")) { error in
            let error = error as? ScriptError
            XCTAssertContains(error?.message, "...") // Lua shortened the chunk name…
            XCTAssertEqual(error?.location, SourceLocation(file: path, line: 2)) // …the location has it whole.
        }
    }

    func testErrorsWithoutPositionFindTheScriptFrame() throws {
        let host = try LuaHost(limits: testLimits)
        let noLevel = host.failure("function f()\n  error('plain', 0)\nend")
        XCTAssertEqual(noLevel?.message, "plain")
        XCTAssertEqual(noLevel?.location, SourceLocation(file: "test.lua", line: 2))
        XCTAssertEqual(noLevel?.description, "test.lua:2: plain")

        let table = host.failure("function f()\n\n  error({ code = 7 })\nend")
        XCTAssertEqual(table?.message, "(error object is a table value)")
        XCTAssertEqual(table?.location?.line, 3)

        let withToString = host.failure("function f() error(setmetatable({}, { __tostring = function() return 'custom' end })) end")
        XCTAssertEqual(withToString?.message, "custom")
    }

    func testErrorsFromSwiftFunctionsPointAtTheCaller() throws {
        let host = try LuaHost(limits: testLimits)
        try host.registerLibrary("hone", functions: [
            "positive": { args in
                let x = try (args.first ?? .nil).number("argument 1 of positive:")
                guard x > 0 else { throw ScriptError.badValue("expected a positive number, got \(x)") }
                return [.number(x)]
            },
            "fails": { _ in throw CocoaError(.fileNoSuchFile) },
        ])
        XCTAssertEqual(try host.run("function f() return hone.positive(2) end"), [.number(2)])
        let error = host.failure("function f()\n  return hone.positive(-1)\nend")
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(error?.message, "test.lua:2: hone.positive: expected a positive number, got -1.0")
        XCTAssertEqual(error?.location?.line, 2)
        XCTAssertContains(host.failure("function f() return hone.positive('abc') end")?.message,
                          "test.lua:1: hone.positive: argument 1 of positive: a string (\"abc\") where a number belongs")
        XCTAssertContains(host.failure("function f() return hone.fails() end")?.message, "test.lua:1: hone.fails:")
        // pcall in the script catches errors from Swift like any other.
        XCTAssertEqual(try host.run("function f() return pcall(hone.positive, 0) end"),
                       [false, "hone.positive: expected a positive number, got 0.0"].map { $0 == "false" ? .boolean(false) : $0 })
        // The library is read-only like the standard ones.
        XCTAssertContains(host.failure("function f() hone.positive = nil end")?.message, "read-only table 'hone'")
        host.assertStillWorks()
    }

    func testErrorsInLuaCalledBackFromSwiftKeepTheirLocation() throws {
        let host = try LuaHost(limits: testLimits)
        try host.registerLibrary("hone", functions: [
            "each": { args in
                let callback = try args[1].function("argument 2 of each:")
                for element in try args[0].table("argument 1 of each:").array { _ = try callback.call([element]) }
                return []
            },
        ])
        let error = host.failure("""
            function f()
              hone.each({1, 2, 3}, function(x)
                if x == 3 then error("three is right out") end
              end)
            end
            """)
        XCTAssertEqual(error?.message, "test.lua:3: three is right out")
        XCTAssertEqual(error?.location?.line, 3)
        // The budget covers Lua reached through Swift: a loop in the callback is stopped too.
        let loop = host.failure("function f() hone.each({1}, function() while true do end end) end")
        XCTAssertEqual(loop?.kind, .instructionLimit)
        host.assertStillWorks()
    }

    func testCoroutineYieldingAcrossTheBoundary() throws {
        let host = try LuaHost(limits: testLimits)
        try host.registerLibrary("hone", functions: [
            "call": { args in try args[0].function("argument 1 of call:").call() },
        ])
        // The objective is called from the host, not from a coroutine.
        let outside = host.failure("function f() coroutine.yield(1) end")
        XCTAssertEqual(outside?.kind, .runtime)
        XCTAssertContains(outside?.message, "attempt to yield from outside a coroutine")
        // Inside a coroutine, yielding through a Swift function (no continuation) fails
        // cleanly instead of jumping over the Swift frame.
        XCTAssertEqual(try host.run("""
            function f()
              local co = coroutine.create(function() hone.call(function() coroutine.yield(1) end) end)
              return coroutine.resume(co)
            end
            """), [false, "test.lua:2: attempt to yield across a C-call boundary"])
        // Yielding across table.sort's comparator as well.
        XCTAssertContains(try host.run("""
            function f() return select(2, coroutine.resume(coroutine.create(function()
              table.sort({3, 1, 2}, function(a, b) coroutine.yield() return a < b end) end))) end
            """).first.map { "\($0)" }, "attempt to yield across a C-call boundary")
        // Ordinary coroutines work.
        XCTAssertEqual(try host.run("""
            function f() local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
              return co() + co() + co() end
            """), [.integer(6)])
        host.assertStillWorks()
    }

    func testBadReturnValuesAreNamed() throws {
        let host = try LuaHost(limits: testLimits)
        let script = try host.loadScript(source: """
            function none() end
            function text() return "0.9" end
            function nan() return 0/0 end
            function boolean() return true end
            function good() return 0.875 end
            """, name: "values.lua")
        func objective(_ name: String) throws -> Double {
            let function = try XCTUnwrap(script.function(named: name))
            do {
                return try function.callForValue().number("objective returned")
            } catch var error as ScriptError {
                error.location = function.definition
                throw error
            }
        }
        XCTAssertEqual(try objective("good"), 0.875)
        for (name, expected, line) in [("none", "objective returned nil (expected a number)", 1),
                                       ("text", "objective returned a string (\"0.9\") where a number belongs", 2),
                                       ("nan", "objective returned NaN (expected a number)", 3),
                                       ("boolean", "objective returned a boolean (true) (expected a number)", 4)] {
            XCTAssertThrowsError(try objective(name)) { error in
                let error = error as? ScriptError
                XCTAssertEqual(error?.kind, .badValue)
                XCTAssertEqual(error?.message, expected)
                XCTAssertEqual(error?.description, "values.lua:\(line): \(expected)")
            }
        }
        XCTAssertThrowsError(try script.call("missing")) { XCTAssertContains(($0 as? ScriptError)?.message, "defines no function 'missing'") }
        try script.setGlobal("notAFunction", 3)
        XCTAssertThrowsError(try script.function(named: "notAFunction")) {
            XCTAssertContains(($0 as? ScriptError)?.message, "'notAFunction' in values.lua is an integer (3), not a function")
        }
    }
}
