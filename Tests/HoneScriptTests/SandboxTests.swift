import Foundation
import HoneScript
import XCTest

/// Attempts to escape the sandbox: each gives a clear error and the host survives.
final class SandboxTests: XCTestCase {
    private func host(readable: [String] = []) throws -> LuaHost {
        try LuaHost(limits: testLimits, readableDirectories: readable)
    }

    func testNoProcessOrEnvironmentAccess() throws {
        let host = try host()
        for call in ["os.execute('true')", "os.exit(1)", "os.getenv('HOME')", "os.remove('/tmp/x')",
                     "io.popen('ls')", "io.write('x')", "io.read()"] {
            let error = host.failure("function f() return \(call) end")
            XCTAssertEqual(error?.kind, .runtime, call)
            XCTAssertContains(error?.message, "attempt to call a nil value")
            XCTAssertEqual(error?.location, SourceLocation(file: "test.lua", line: 1), call)
        }
        // What remains of os is harmless and works.
        XCTAssertEqual(try host.run("function f() return type(os.time()), type(os.clock()), type(os.date('%Y')) end"),
                       ["number", "number", "string"])
        host.assertStillWorks()
    }

    func testNoFileLoadingOrNativeCode() throws {
        let host = try host()
        XCTAssertEqual(try host.run("""
            function f() return dofile, loadfile, package, string.dump, debug.getregistry, debug.sethook,
                                debug.getupvalue, debug.setmetatable, warn end
            """), Array(repeating: LuaValue.nil, count: 9))
        XCTAssertEqual(try host.run("function f() return type(debug.traceback()) end"), ["string"])
    }

    func testRequireOfACModuleIsRefused() throws {
        let directory = try makeScratchDirectory(self)
        // A file that looks like a C module sits in the module directory: still not loadable.
        try Data([0x7F, 0x45, 0x4C, 0x46]).write(to: directory.appendingPathComponent("lfs.so"))
        let host = try host()
        try host.addModuleDirectory(directory.path)
        let error = host.failure("function f() local lfs = require('lfs') end")
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertContains(error?.message, "test.lua:1: module 'lfs' not found")
        XCTAssertContains(error?.message, "C modules are not available")
        XCTAssertContains(host.failure("function f() return require('../etc/passwd') end")?.message, "bad argument #1 to 'require'")
        host.assertStillWorks()
    }

    func testRequireLoadsLuaModulesInTheirOwnEnvironment() throws {
        let directory = try makeScratchDirectory(self)
        try "local M = {} leaked = 1 function M.twice(x) return 2 * x end return M"
            .write(to: directory.appendingPathComponent("helpers.lua"), atomically: true, encoding: .utf8)
        let script = directory.appendingPathComponent("main.lua")
        try "local h = require('helpers') function f() return h.twice(21), leaked, require('helpers') == h end"
            .write(to: script, atomically: true, encoding: .utf8)
        let host = try host()
        XCTAssertEqual(try host.loadScript(atPath: script.path).call("f"), [.integer(42), .nil, .boolean(true)])
    }

    func testBytecodeIsRefused() throws {
        let host = try host()
        // A Lua 5.4 binary chunk header: ESC "Lua" 0x54 …
        let error = host.failure(#"function f() assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8\120\86")) end"#)
        XCTAssertContains(error?.message, "attempt to load a binary chunk (mode is 't')")
        XCTAssertEqual(error?.location?.line, 1)
        XCTAssertContains(host.failure(#"function f() assert(load("return 1", "x", "b")) end"#)?.message, "binary chunks are not allowed")
        // A script file that is bytecode is refused at load.
        let loadError: ScriptError? = {
            do { _ = try host.loadScript(source: Data([0x1B, 0x4C, 0x75, 0x61, 0x54, 0x00]), name: "binary.lua"); return nil }
            catch { return error as? ScriptError }
        }()
        XCTAssertEqual(loadError?.kind, .syntax)
        XCTAssertContains(loadError?.message, "attempt to load a binary chunk")
        // Text still loads, and gets an environment of its own rather than the real globals.
        XCTAssertEqual(try host.run("function f() return load('return os.execute')(), load('x = 1; return x')() end"), [.nil, .integer(1)])
        host.assertStillWorks()
    }

    func testLibraryTablesAreReadOnly() throws {
        let host = try host()
        for write in ["string.upper = nil", "math.pi = 3", "table.insert = print", "os.time = nil", "coroutine.x = 1",
                      "rawset(string, 'upper', nil)", "table.insert(math, 1)", "setmetatable(string, {})"] {
            let error = host.failure("function f() \(write) end")
            XCTAssertEqual(error?.kind, .runtime, write)
            XCTAssertEqual(error?.location?.line, 1, write)
            XCTAssertTrue(error.map { $0.message.contains("read-only table") || $0.message.contains("protected metatable") } ?? false,
                          "\(write): \(error?.message ?? "")")
        }
        // The string metatable can't be reached or changed either.
        XCTAssertEqual(try host.run("function f() return getmetatable('') end"), ["read-only"])
        // Raw access sees an empty view.
        XCTAssertEqual(try host.run("function f() return ('abc'):upper(), #string, next(string), rawget(string, 'upper') end"),
                       ["ABC", .integer(0), .nil, .nil])
        // pairs still lists a library, without handing out the table behind it.
        XCTAssertEqual(try host.run("""
            function f() local n, state = 0, select(2, pairs(math)) for k in pairs(math) do n = n + 1 end return n > 20, state end
            """), [true, .nil])
        // And nothing a script did changed what the next one sees.
        XCTAssertEqual(try host.run("function f() return string.upper('x'), math.pi > 3.14 end"), ["X", true])
    }

    func testEachScriptHasItsOwnGlobals() throws {
        let host = try host()
        let a = try host.loadScript(source: "counter = 1 function bump() counter = counter + 1 return counter end print = nil", name: "a.lua")
        let b = try host.loadScript(source: "function read() return counter, type(print), _G == _ENV end", name: "b.lua")
        XCTAssertEqual(try a.call("bump"), [.integer(2)])
        XCTAssertEqual(try b.call("read"), [.nil, "function", true])
        XCTAssertEqual(try a.global("counter"), .integer(2))
        XCTAssertEqual(try host.run("function f() return getmetatable(_ENV) end"), ["sandbox"])
    }

    func testFileReadingOnlyUnderAllowedDirectories() throws {
        let allowed = try makeScratchDirectory(self)
        let outside = try makeScratchDirectory(self)
        try "secret".write(to: outside.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try "a,b\n1,2\n".write(to: allowed.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: allowed.appendingPathComponent("link.txt"),
                                                   withDestinationURL: outside.appendingPathComponent("secret.txt"))
        let host = try host(readable: [allowed.path])

        XCTAssertEqual(try host.run("""
            function f(path) local file = assert(io.open(path)) local text = file:read('a') file:close()
              local lines = 0 for _ in io.lines(path) do lines = lines + 1 end return text, lines end
            """, [.string(allowed.appendingPathComponent("data.csv").path)]), ["a,b\n1,2\n", .integer(2)])

        for path in ["/etc/passwd", outside.appendingPathComponent("secret.txt").path,
                     allowed.appendingPathComponent("../\(outside.lastPathComponent)/secret.txt").path,
                     allowed.appendingPathComponent("link.txt").path] {
            let error = host.failure("function f() local file = io.open('\(path)') end")
            XCTAssertContains(error?.message, "test.lua:1: io.open: '\(path)' is outside the directories scripts may read")
            XCTAssertContains(host.failure("function f() for l in io.lines('\(path)') do end end")?.message, "io.lines: '\(path)' is outside")
        }
        XCTAssertContains(host.failure("function f() local file = io.open('\(allowed.path)/new.txt', 'w') end")?.message,
                          "test.lua:1: io.open: scripts may open files for reading only")
        XCTAssertEqual(try host.run("function f() local file, message = io.open('\(allowed.path)/missing.txt') return file, message ~= nil end"),
                       [.nil, true])
        // A file handle can't be used to write, and its metatable is locked.
        XCTAssertEqual(try host.run("""
            function f(path) local file = io.open(path) local ok = file:write('x') return ok, getmetatable(file) end
            """, [.string(allowed.appendingPathComponent("data.csv").path)]), [.nil, "read-only"])
        host.assertStillWorks()
    }

    func testFinalizersAreRefused() throws {
        let host = try host()
        // A finalizer runs with hooks off, outside every limit; an error (or a loop) in one
        // would be invisible. Scripts can't install them.
        let error = host.failure("""
            function f()
              setmetatable({}, { __gc = function() error("boom in __gc") end })
              collectgarbage()
            end
            """)
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertContains(error?.message, "test.lua:2: setmetatable: __gc metamethods are not allowed in scripts")
        // Adding __gc after setmetatable does not mark the object, so nothing runs.
        XCTAssertEqual(try host.run("""
            function f() local ran = false local mt = {} local t = setmetatable({}, mt)
              mt.__gc = function() ran = true end t = nil collectgarbage() collectgarbage() return ran end
            """), [false])
        XCTAssertContains(host.failure("function f() collectgarbage('stop') end")?.message, "option 'stop' is not available")
        host.assertStillWorks()
    }

    func testMathRandomIsSeededByTheHost() throws {
        let a = try host(), b = try host()
        try a.seedRandom(7)
        try b.seedRandom(7)
        let draw = "function f() return math.random(1, 1000000), math.random() end"
        XCTAssertEqual(try a.run(draw), try b.run(draw))
    }
}
