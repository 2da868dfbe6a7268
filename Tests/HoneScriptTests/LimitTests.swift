import Foundation
import HoneScript
import XCTest

/// Runaway scripts: loops, memory bombs, deep recursion. Each is stopped with a clear
/// error, and the host goes on.
final class LimitTests: XCTestCase {
    func testInfiniteLoopHitsTheInstructionBudget() throws {
        let host = try LuaHost(limits: testLimits)
        let error = host.failure("""
            function f()
              local i = 0
              while true do i = i + 1 end
            end
            """)
        XCTAssertEqual(error?.kind, .instructionLimit)
        XCTAssertContains(error?.message, "test.lua:3: instruction limit exceeded (budget: 5000000 instructions per call)")
        XCTAssertEqual(error?.location, SourceLocation(file: "test.lua", line: 3))
        host.assertStillWorks()
    }

    func testPcallCannotSwallowTheStop() throws {
        let host = try LuaHost(limits: testLimits)
        for body in [
            // Catch the stop and loop again, forever.
            "while true do pcall(function() while true do end end) end",
            // Same with xpcall and a handler that itself loops (Lua runs handlers of errors
            // raised in a hook with hooks disabled).
            "while true do xpcall(function() while true do end end, function() while true do end end) end",
            "xpcall(function() while true do end end, function() while true do end end)",
            "xpcall(function() while true do end end, debug.traceback) while true do end",
            // Catching the stop and returning at once, in a tail call: still a failure.
            "return pcall(function() while true do end end)",
            // pcall around the whole loop, and error objects swallowed by an outer pcall too.
            "while true do pcall(pcall, function() while true do end end) end",
            // Inside a coroutine that catches everything, resumed forever.
            """
            local co = coroutine.wrap(function() while true do pcall(function() while true do end end) end end)
            while true do pcall(co) end
            """,
            // Many coroutines each getting a slice.
            """
            while true do
              local co = coroutine.create(function() while true do pcall(coroutine.yield) end end)
              for _ = 1, 1000 do coroutine.resume(co) end
            end
            """,
        ] {
            let started = Date()
            let error = host.failure("function f()\n\(body)\nend")
            XCTAssertEqual(error?.kind, .instructionLimit, body)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, body)
            host.assertStillWorks()
        }
    }

    func testEachCallGetsAFreshBudget() throws {
        var limits = testLimits
        limits.instructionsPerCall = 1_000_000
        let host = try LuaHost(limits: limits)
        let script = try host.loadScript(source: "function f() local s = 0 for i = 1, 100000 do s = s + i end return s end", name: "t.lua")
        for _ in 0 ..< 30 { XCTAssertEqual(try script.call("f"), [.integer(5_000_050_000)]) }
        XCTAssertGreaterThan(host.instructionsUsed, 100_000)
    }

    func testWallClockDeadline() throws {
        let host = try LuaHost(limits: ScriptLimits(memoryBytes: 16 << 20, instructionsPerCall: nil, secondsPerCall: 0.2))
        let started = Date()
        let error = host.failure("function f() while true do end end")
        XCTAssertEqual(error?.kind, .timeLimit)
        XCTAssertContains(error?.message, "test.lua:1: time limit exceeded (limit: 0.2 s per call)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        host.assertStillWorks()
    }

    func testInterruptFromAnotherThread() throws {
        let host = try LuaHost(limits: ScriptLimits(memoryBytes: 16 << 20, instructionsPerCall: nil, secondsPerCall: nil))
        let handle = host.interruptHandle
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { handle.interrupt() }
        let error = host.failure("function f() while true do pcall(function() while true do end end) end end")
        XCTAssertEqual(error?.kind, .interrupted)
        XCTAssertContains(error?.message, "interrupted")
        // Sticky until cleared: a study shutting down stops every later call at once.
        XCTAssertEqual(host.failure("function f() while true do end end")?.kind, .interrupted)
        handle.clear()
        host.assertStillWorks()
    }

    func testStringRepMemoryBomb() throws {
        let host = try LuaHost(limits: testLimits)
        let error = host.failure("function f() return string.rep('x', 1 << 30) end")
        XCTAssertEqual(error?.kind, .memoryLimit)
        XCTAssertContains(error?.message, "not enough memory (memory limit of 16 MiB reached)")
        // Doubling until something gives, with the failure caught by the script: the cap holds,
        // the script sees an ordinary error.
        XCTAssertEqual(try host.run("""
            function f() local s = 'x' local ok, message = pcall(function() while true do s = s .. s end end)
              return ok, message end
            """), [false, "not enough memory"])
        XCTAssertLessThanOrEqual(host.peakMemory, 16 << 20)
        host.assertStillWorks()
    }

    func testTableGrowthMemoryBomb() throws {
        let host = try LuaHost(limits: ScriptLimits(memoryBytes: 16 << 20, instructionsPerCall: nil, secondsPerCall: 10))
        let error = host.failure("function f() local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end end")
        XCTAssertEqual(error?.kind, .memoryLimit)
        XCTAssertLessThanOrEqual(host.peakMemory, 16 << 20)
        // The garbage is collected after the failure, so the state is back to its base size.
        XCTAssertLessThan(host.memoryInUse, 1 << 20)
        host.assertStillWorks()
    }

    func testMemoryCapOnTheWholeState() throws {
        let host = try LuaHost(limits: testLimits)
        // A script keeping 6 MiB in a global leaves too little room for a call that needs 12
        // (string.rep builds in a 6 MiB buffer, then copies it into the string).
        let script = try host.loadScript(source: """
            big = string.rep('x', 6 << 20)
            function f() collectgarbage() return #string.rep('y', 6 << 20) end
            """, name: "big.lua")
        XCTAssertEqual((try? script.call("f"))?.first, nil)
        try script.setGlobal("big", .nil)
        XCTAssertEqual(try script.call("f"), [.integer(6 << 20)])
        host.assertStillWorks()
    }

    func testUnboundedLuaRecursion() throws {
        let host = try LuaHost(limits: ScriptLimits(memoryBytes: 64 << 20, instructionsPerCall: 50_000_000, secondsPerCall: 10))
        let error = host.failure("""
            local function down(n) return 1 + down(n + 1) end
            function f() return down(1) end
            """)
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertContains(error?.message, "test.lua:1: stack overflow")
        XCTAssertContains(error?.traceback, "in upvalue 'down'")
        host.assertStillWorks()
    }

    func testCStackOverflowThroughMetamethods() throws {
        let host = try LuaHost(limits: testLimits)
        // Each __index call re-enters the VM from C: C stack, not Lua stack.
        let error = host.failure("""
            function f()
              local t = setmetatable({}, {})
              getmetatable(t).__index = function(self, key) return self[key] end
              return t.anything
            end
            """)
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertTrue(error.map { $0.message.contains("stack overflow") || $0.message.contains("error in error handling") } ?? false,
                      error?.message ?? "")
        // Recursion through pcall/tostring/string.gsub re-entering the VM.
        for body in ["local t t = setmetatable({}, {__tostring = function(x) return tostring(x) end}) return tostring(t)",
                     "local function g(s) return (s:gsub('.', g)) end return g('ab')"] {
            let error = host.failure("function f() \(body) end")
            XCTAssertNotNil(error, body)
            XCTAssertContains(error?.message.lowercased(), "stack overflow")
        }
        host.assertStillWorks()
    }

    func testLimitsApplyToLoadingTheScript() throws {
        let host = try LuaHost(limits: testLimits)
        do {
            _ = try host.loadScript(source: "local x = 0\nwhile true do x = x + 1 end", name: "top.lua")
            XCTFail("expected the instruction limit")
        } catch let error as ScriptError {
            XCTAssertEqual(error.kind, .instructionLimit)
            XCTAssertEqual(error.location, SourceLocation(file: "top.lua", line: 2))
        }
        host.assertStillWorks()
    }
}
