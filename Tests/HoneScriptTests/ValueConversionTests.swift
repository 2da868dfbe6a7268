import Foundation
import HoneScript
import XCTest

final class ValueConversionTests: XCTestCase {
    func testScalarsRoundTrip() throws {
        let host = try LuaHost(limits: testLimits)
        let identity = try host.loadScript(source: "function id(...) return ... end", name: "id.lua")
        let values: [LuaValue] = [.nil, true, false, 0, -7, .integer(.max), 0.5, .number(-.infinity), "", "héllo\u{0}bytes"]
        XCTAssertEqual(try identity.call("id", values), values)
        XCTAssertEqual(try host.run("function f() return 3, 3.0, 2^53, 7 // 2, 7 / 2 end"),
                       [.integer(3), .number(3), .number(9_007_199_254_740_992), .integer(3), .number(3.5)])
    }

    func testTablesRoundTrip() throws {
        let host = try LuaHost(limits: testLimits)
        let identity = try host.loadScript(source: "function id(x) return x end", name: "id.lua")
        let value: LuaValue = ["name": "mlp", "hidden": [128, 64], "optimizer": .table(LuaTable(array: ["adamw"], fields: ["lr": 0.001])), "empty": [:]]
        XCTAssertEqual(try identity.call("id", [value]), [value])
        XCTAssertEqual(try host.run("function f() return { 1, 2, x = { y = 'z' } } end"),
                       [.table(LuaTable(array: [1, 2], fields: ["x": ["y": "z"]]))])
        // A table built in Swift is a real Lua table there.
        XCTAssertEqual(try host.run("function f(t) return #t.hidden, t.optimizer[1], t.optimizer.lr, t.empty.x end", [value]),
                       [.integer(2), "adamw", 0.001, .nil])
    }

    func testTablesWithoutASwiftShapeAreRefused() throws {
        let host = try LuaHost(limits: testLimits)
        for (body, expected) in [("return { [true] = 1 }", "table has a key of type boolean"),
                                 ("return { [1.5] = 1 }", "table has a key number 1.5"),
                                 ("return { [1] = 'a', [3] = 'c' }", "is not an array 1…n (index 2 is missing)"),
                                 ("local t = {} t.self = t return t", "nested more than 100 deep")] {
            let error = host.failure("function f() \(body) end")
            XCTAssertEqual(error?.kind, .badValue, body)
            XCTAssertContains(error?.message, expected)
        }
    }

    func testMetamethodsAreNotRunWhenCopyingOut() throws {
        let host = try LuaHost(limits: testLimits)
        // A proxy table looks empty to the raw copy; its __index/__pairs never run on the host side.
        XCTAssertEqual(try host.run("""
            function f() return setmetatable({}, { __index = function() error('ran') end,
                                                   __pairs = function() error('ran') end }) end
            """), [.table(LuaTable())])
    }

    func testFunctionsAreReferences() throws {
        let host = try LuaHost(limits: testLimits)
        let script = try host.loadScript(source: "function make(k) return function(x) return k * x end end", name: "make.lua")
        let triple = try XCTUnwrap(script.call("make", [3]).first).function("make returned")
        XCTAssertEqual(try triple.call([14]), [.integer(42)])
        XCTAssertEqual(triple.definition, SourceLocation(file: "make.lua", line: 1))
        // Swift closures as Lua functions.
        let add = host.makeFunction(name: "add") { args in [.number(try args[0].number("a") + args[1].number("b"))] }
        XCTAssertEqual(try host.run("function f(g) return g(1, 2) end", [.function(add)]), [.number(3)])
        XCTAssertNil(add.definition)
    }

    func testHostObjectsAsUserdata() throws {
        final class Counter { var count = 0; deinit { Counter.alive -= 1 }; init() { Counter.alive += 1 }; static var alive = 0 }
        let host = try LuaHost(limits: testLimits)
        host.registerType(Counter.self, name: "Counter", methods: [
            "add": { args in
                let counter = try args[0].object("self", as: Counter.self)
                counter.count += Int(try args[1].integer("argument 1 of add:"))
                return [.integer(Int64(counter.count))]
            },
        ])
        let counter = Counter()
        XCTAssertEqual(try host.run("""
            function f(c) c:add(2) local n = c:add(3) return n, tostring(c):match('^Counter: ') ~= nil, getmetatable(c), c end
            """, [.object(counter)]), [.integer(5), true, "read-only", .object(counter)])
        XCTAssertEqual(counter.count, 5)
        XCTAssertContains(host.failure("function f(c) c.add(nil, 1) end", [.object(counter)])?.message, "Counter:add: self nil (expected a Counter)")
        // Lua's collector releases what it held.
        do {
            _ = try host.run("function f() end", [.object(Counter())])
        }
        _ = try host.run("function f() collectgarbage() collectgarbage() end")
        XCTAssertEqual(Counter.alive, 1)
    }
}
