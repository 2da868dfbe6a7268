// The sandbox's Lua pattern matcher (string.find/match/gmatch/gsub, Sources/HoneLuaShim/
// patterns.c). Two checks per input:
//  1. in a sandbox with small limits, on the subject repeated up to 4^7 times: the call
//     returns or fails with a limit error in bounded time, whatever the pattern;
//  2. on small inputs, the same results and error messages as Lua's own functions.
//
// Input: byte 0 chooses the call (bits 0-1: find, match, gmatch, gsub; bit 2: plain find;
// bits 3-4: init 1, 2, -2 or 0; bits 5-7: the subject is repeated 4^k times in the
// sandbox); the rest is pattern NUL subject NUL replacement.
import CLua
import Foundation
import HoneLuaShim
import HoneScript

enum LuaPatternFuzz {
    struct Input {
        var call: Int, plain: Bool, initial: Int, repeats: Int
        var pattern: [UInt8], subject: [UInt8], replacement: [UInt8]
    }

    static func parse(_ bytes: [UInt8]) -> Input? {
        guard let control = bytes.first else { return nil }
        let parts = bytes.dropFirst().split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        return Input(call: Int(control & 3), plain: control & 4 != 0, initial: [1, 2, -2, 0][Int(control >> 3) & 3],
                     repeats: 1 << (2 * Int(control >> 5)),
                     pattern: parts[0], subject: parts.count > 1 ? parts[1] : [], replacement: parts.count > 2 ? parts[2] : [])
    }

    static let limits = ScriptLimits(memoryBytes: 16 << 20, instructionsPerCall: 1_000_000, secondsPerCall: 2)

    static func run(_ bytes: [UInt8]) throws {
        guard let input = parse(bytes) else { return }
        try sandboxed(input)
        try differential(input)
    }

    // MARK: In the sandbox

    static let sandboxScript = """
        local function unhex(h) return (h:gsub("..", function(c) return string.char(tonumber(c, 16)) end)) end
        function f(call, s, p, r, init, plain, repeats)
          s, p, r = string.rep(unhex(s), repeats), unhex(p), unhex(r)
          if call == 0 then return string.find(s, p, init, plain)
          elseif call == 1 then return string.match(s, p, init)
          elseif call == 2 then
            local n = 0
            for _ in string.gmatch(s, p, init) do n = n + 1 end
            return n
          else return string.gsub(s, p, r) end
        end
        """

    /// One host per thread (a host belongs to the thread that made it).
    final class Sandbox {
        let host: LuaHost
        let script: LuaScript
        init() throws {
            host = try LuaHost(limits: LuaPatternFuzz.limits)
            script = try host.loadScript(source: LuaPatternFuzz.sandboxScript, name: "pattern.lua")
        }
    }

    static func sandbox() throws -> Sandbox {
        let key = "hone.fuzz.pattern-sandbox"
        if let existing = Thread.current.threadDictionary[key] as? Sandbox { return existing }
        let made = try Sandbox()
        Thread.current.threadDictionary[key] = made
        return made
    }

    static func sandboxed(_ input: Input) throws {
        let sandbox = try sandbox()
        let started = hone_lua_monotonic_seconds()
        // LuaValue strings are Swift strings: bytes travel as hex.
        func hex(_ bytes: [UInt8]) -> LuaValue {
            .string(bytes.map { String(format: "%02x", $0) }.joined())
        }
        let arguments: [LuaValue] = [.integer(Int64(input.call)), hex(input.subject), hex(input.pattern), hex(input.replacement),
                                     .integer(Int64(input.initial)), .boolean(input.plain), .integer(Int64(input.repeats))]
        do {
            _ = try sandbox.script.call("f", arguments)
        } catch let error as ScriptError {
            try expectNamed(error)
        }
        let seconds = hone_lua_monotonic_seconds() - started
        // The limit is 2 s per call; allow for a slow, sanitized build.
        try expect(seconds < 10, "a pattern call ran \(seconds) s despite the 2 s limit")
        try expect(sandbox.host.memoryInUse < 32 << 20, "the state holds \(sandbox.host.memoryInUse) bytes after a call")
    }

    // MARK: Against Lua's own functions

    /// Inputs small enough that Lua's own (unbounded) matcher finishes quickly.
    static func smallEnough(_ input: Input) -> Bool {
        let quantifiers = input.pattern.filter { "*+-?".utf8.contains($0) }.count
        return input.pattern.count <= 32 && input.subject.count <= 32 && input.replacement.count <= 32 && quantifiers <= 4
    }

    static let differentialScript = """
        local function pack(ok, ...) return { n = select("#", ...), ok = ok, ... } end
        local function strip(msg) return (tostring(msg):gsub("^[^:]*:%d+: ", ""):gsub("'h(%a+)'", "'string.%1'")) end
        local function same(a, b)
          if a.ok ~= b.ok then return false end
          if not a.ok then return strip(a[1]) == strip(b[1]) end
          if a.n ~= b.n then return false end
          for i = 1, a.n do if a[i] ~= b[i] then return false end end
          return true
        end
        local function show(r)
          local parts = {}
          for i = 1, r.n do parts[#parts + 1] = tostring(r[i]) end
          return (r.ok and "ok " or "error ") .. table.concat(parts, ", ")
        end
        local function gm(fn, s, p, init)
          local out = {}
          for a, b, c in fn(s, p, init) do out[#out + 1] = tostring(a) .. "/" .. tostring(b) .. "/" .. tostring(c) end
          return table.concat(out, ";")
        end
        return function(call, s, p, r, init, plain)
          local a, b
          if call == 0 then a, b = pack(pcall(string.find, s, p, init, plain)), pack(pcall(hfind, s, p, init, plain))
          elseif call == 1 then a, b = pack(pcall(string.match, s, p, init)), pack(pcall(hmatch, s, p, init))
          elseif call == 2 then a, b = pack(pcall(gm, string.gmatch, s, p, init)), pack(pcall(gm, hgmatch, s, p, init))
          else a, b = pack(pcall(string.gsub, s, p, r)), pack(pcall(hgsub, s, p, r)) end
          if same(a, b) then return "ok" end
          return "lua " .. show(a) .. " vs sandbox " .. show(b)
        end
        """

    /// A plain state (no limits) with Lua's string library and the sandbox's functions as
    /// hfind, hmatch, hgmatch and hgsub; the comparison function is in the registry.
    final class PlainState {
        var context = hone_lua_context()
        var state: OpaquePointer!
        var compare: Int32 = 0
        init() {
            state = hone_lua_newstate(&context)
            luaL_openlibs(state)
            for (name, fn) in [("hfind", hone_lua_str_find), ("hmatch", hone_lua_str_match),
                               ("hgmatch", hone_lua_str_gmatch), ("hgsub", hone_lua_str_gsub)] as [(String, lua_CFunction)] {
                lua_pushcclosure(state, fn, 0)
                lua_setglobal(state, name)
            }
            guard luaL_loadstring(state, LuaPatternFuzz.differentialScript) == LUA_OK,
                  lua_pcallk(state, 0, 1, 0, 0, nil) == LUA_OK else {
                fatalError("the differential script does not load: \(String(cString: lua_tolstring(state, -1, nil)))")
            }
            compare = luaL_ref(state, hone_lua_registry_index())
        }
    }

    static func plainState() -> PlainState {
        let key = "hone.fuzz.pattern-plain"
        if let existing = Thread.current.threadDictionary[key] as? PlainState { return existing }
        let made = PlainState()
        Thread.current.threadDictionary[key] = made
        return made
    }

    static func differential(_ input: Input) throws {
        guard smallEnough(input) else { return }
        let plain = plainState()
        let L = plain.state
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, hone_lua_registry_index(), lua_Integer(plain.compare))
        lua_pushinteger(L, lua_Integer(input.call))
        for bytes in [input.subject, input.pattern, input.replacement] {
            if bytes.isEmpty {
                lua_pushstring(L, "")
            } else {
                bytes.withUnsafeBytes { b in _ = lua_pushlstring(L, b.baseAddress!.assumingMemoryBound(to: CChar.self), b.count) }
            }
        }
        lua_pushinteger(L, lua_Integer(input.initial))
        lua_pushboolean(L, input.plain ? 1 : 0)
        let status = lua_pcallk(L, 6, 1, 0, 0, nil)
        let result = lua_tolstring(L, -1, nil).map { String(cString: $0) } ?? "(no message)"
        try expect(status == LUA_OK, "the comparison failed: \(result)")
        try expect(result == "ok", "different from Lua's own matcher: \(result)")
    }
}
