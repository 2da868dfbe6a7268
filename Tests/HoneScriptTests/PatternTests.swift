import CLua
import Foundation
import HoneLuaShim
import HoneScript
import XCTest

/// The sandbox's string.find/match/gmatch/gsub: the same answers as Lua's own, but bounded
/// by the script's limits.
final class PatternTests: XCTestCase {
    func testPathologicalPatternHitsTheInstructionBudget() throws {
        let host = try LuaHost(limits: testLimits)
        for call in [#"string.find(s, ".-.-.-b")"#, #"s:match("(.-)(.-)(.-)b")"#,
                     #"for _ in s:gmatch(".-.-b") do end"#, #"s:gsub(".-.-b", "x")"#] {
            let started = Date()
            let error = host.failure("function f()\n  local s = string.rep('a', 200000)\n  \(call)\nend")
            XCTAssertEqual(error?.kind, .instructionLimit, call)
            XCTAssertContains(error?.message, "test.lua:3:")
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, call)
            host.assertStillWorks()
        }
    }

    func testPcallCannotSwallowAPatternStop() throws {
        let host = try LuaHost(limits: testLimits)
        let error = host.failure("""
            function f()
              local s = string.rep('a', 100000)
              while true do pcall(string.find, s, ".-.-b") end
            end
            """)
        XCTAssertEqual(error?.kind, .instructionLimit)
        host.assertStillWorks()
    }

    func testPatternsRunInsideScriptsAsBefore() throws {
        let host = try LuaHost(limits: testLimits)
        let values = try host.run("""
            function f()
              local words = {}
              for w in ("alpha, beta,gamma"):gmatch("%a+") do words[#words + 1] = w end
              local s, n = ("hello world"):gsub("o", "0")
              return table.concat(words, "|"), s, n, ("key = value"):match("^(%w+)%s*=%s*(%w+)$")
            end
            """)
        XCTAssertEqual(values, [.string("alpha|beta|gamma"), .string("hell0 w0rld"), .integer(2), .string("key"), .string("value")])
    }

    /// Runs a corpus through Lua's real functions and the sandbox's, in one plain state,
    /// and compares results and error messages.
    func testSameResultsAsLuasOwnMatcher() throws {
        var ctx = hone_lua_context()
        let L = try XCTUnwrap(hone_lua_newstate(&ctx))
        defer { lua_close(L) }
        luaL_openlibs(L)
        for (name, fn) in [("hfind", hone_lua_str_find), ("hmatch", hone_lua_str_match),
                           ("hgmatch", hone_lua_str_gmatch), ("hgsub", hone_lua_str_gsub)] as [(String, lua_CFunction)] {
            lua_pushcclosure(L, fn, 0)
            lua_setglobal(L, name)
        }
        let status = luaL_loadstring(L, differentialCorpus)
        XCTAssertEqual(status, LUA_OK)
        let call = lua_pcallk(L, 0, 2, 0, 0, nil)
        let first = String(cString: lua_tolstring(L, -2, nil) ?? lua_tolstring(L, -1, nil))
        XCTAssertEqual(call, LUA_OK, first)
        XCTAssertEqual(first, "ok", "first difference: \(first)")
        XCTAssertGreaterThan(lua_tointegerx(L, -1, nil), 2000, "the corpus ran")
    }
}

private let differentialCorpus = #"""
local subjects = { "", "a", "hello world", "  key = value  ", "aaa", "abcabcabc", "x(y(z)w)v",
  "THE (quick) fox", "one,two,,three,", "\0a\0b", "f(a,b) g(c)", "  \t\n", "123abc456",
  "aXbXc", "[[]]", "%d%", "αβγ", "the cat sat on the mat", string.rep("ab", 40) }
local patterns = { "", "a", "o", "l+", "l*", "l-", "l?", ".", ".-", ".*", "^h", "d$", "^$", "(o)",
  "(h)(e)", "()ll()", "%a+", "%A+", "%d+", "%s*", "%S+", "%w+", "%W", "%p", "%u", "%l", "%x+",
  "%c", "%g+", "[aeiou]", "[^aeiou]+", "[a-c]+", "[%a_][%w_]*", "[%]]", "[]]", "[^]]", "%b()",
  "%f[%a]%a+", "%f[%A]", "(a)%1", "(%a)%1", "(.)(.)%2%1", "%(", "x(.-)v", "(%w+)%s*=%s*(%w+)",
  "^%s*(.-)%s*$", ",", ",?", "[,]+", "\0", "%z", "a-b", "(a*(.)%w(%s*))", "[a-", "(", ")", "%",
  "%1", "(()", "%b", "%f", "%fa", "[%", "(%d+)(%a+)", "c$", "^(a-)b", ".-$", "$", "^", "a$b",
  "[%w%s]+", "%.", "[.]", "%%", "(.)%1*", "%bxy", "[^%s]+", "β", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)" }
local repls = { "", "x", "%0", "%1", "<%0>", "%%", "%2", "%9", "%x", "[%1|%2]", "%" }

local function pack(ok, ...) return { n = select("#", ...), ok = ok, ... } end
-- Messages may differ only in where they were raised and in the function's global name.
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
local count = 0
local function check(what, a, b)
  count = count + 1
  if not same(a, b) then error(what .. ": lua " .. show(a) .. " vs sandbox " .. show(b), 0) end
end

local ok, err = pcall(function()
  for _, s in ipairs(subjects) do
    for _, p in ipairs(patterns) do
      local args = string.format("(%q, %q)", s, p)
      for _, init in ipairs({ 1, 2, -2, 0, 100 }) do
        check("find" .. args .. init, pack(pcall(string.find, s, p, init)), pack(pcall(hfind, s, p, init)))
        check("match" .. args .. init, pack(pcall(string.match, s, p, init)), pack(pcall(hmatch, s, p, init)))
        check("gmatch" .. args .. init, pack(pcall(gm, string.gmatch, s, p, init)), pack(pcall(gm, hgmatch, s, p, init)))
      end
      check("find plain" .. args, pack(pcall(string.find, s, p, 1, true)), pack(pcall(hfind, s, p, 1, true)))
      for _, r in ipairs(repls) do
        check("gsub" .. args .. r, pack(pcall(string.gsub, s, p, r)), pack(pcall(hgsub, s, p, r)))
      end
      check("gsub max" .. args, pack(pcall(string.gsub, s, p, "#", 2)), pack(pcall(hgsub, s, p, "#", 2)))
      local t = { a = "A", o = 0, l = false, h = {} }
      check("gsub table" .. args, pack(pcall(string.gsub, s, p, t)), pack(pcall(hgsub, s, p, t)))
      local f = function(x, y) if x == "o" then return nil end if y then return y .. x end return #x end
      check("gsub function" .. args, pack(pcall(string.gsub, s, p, f)), pack(pcall(hgsub, s, p, f)))
    end
  end
  check("gsub number", pack(pcall(string.gsub, "abc", "b", 42)), pack(pcall(hgsub, "abc", "b", 42)))
  check("gsub bad repl", pack(pcall(string.gsub, "abc", "b", true)), pack(pcall(hgsub, "abc", "b", true)))
end)
if not ok then return tostring(err), count end
return "ok", count
"""#
