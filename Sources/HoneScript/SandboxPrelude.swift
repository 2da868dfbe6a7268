// The sandbox policy, in Lua. It runs once per lua_State, right after the standard
// libraries are opened and before any script, with the full libraries as its
// environment; the table it returns is everything scripts can ever reach. Keeping the
// policy in one readable Lua chunk (rather than spread over C calls) makes it easy to
// audit: a function is available to scripts if and only if it is named below.
//
// What it builds:
//   globals    the shared base of every script environment (never handed out itself)
//   new_env()  a fresh environment for one script: its own table, reading through to globals
//   readonly() a read-only view of a table (writes raise; pairs works; the table stays hidden)
//   readable   the directories io.open / io.lines may read under (the host fills it)
//   modules    the directories require() searches for Lua modules (the host fills it)
//   randomseed the real math.randomseed, so the host can seed math.random per call
//
// Why each restriction:
//   - no dofile/loadfile, no io.popen/io.write/os.execute/os.exit/os.getenv/os.remove:
//     scripts compute; they do not touch the machine.
//   - load() is text only ("t"): crafted bytecode can break the VM's memory safety.
//     string.dump is removed for the same reason (there is no use for bytecode).
//   - no package/C modules: a C module is arbitrary native code.
//   - debug has traceback only: the rest reaches the registry, upvalues and metatables.
//   - library tables are read-only views and the string metatable is locked, because all
//     scripts in a state share them: one script must not change what another calls.
//   - rawset refuses those views (it would otherwise write around __newindex).
//   - setmetatable refuses __gc: finalizers run with hooks disabled, so a finalizer that
//     loops would escape the instruction limit and hang the host.
//   - xpcall skips the script's message handler once a limit has stopped the script:
//     Lua runs that handler with hooks disabled when the error comes from the hook.
//   - collectgarbage only collects, steps and counts: scripts don't tune the collector.
//   - math.random is seeded by the host (determinism: same seed, same trials).
//   - string.find/match/gmatch/gsub are Hone's own (HoneLuaShim/patterns.c): Lua's
//     matcher runs in C where no hook fires, and backtracking patterns on long subjects
//     take hours; Hone's charges each matcher step to the call's instruction budget.
let sandboxPrelude = #"""
local realpath, stopped = ...

local type, error, tostring, select, next, ipairs = type, error, tostring, select, next, ipairs
local rawget, rawset, setmetatable, getmetatable = rawget, rawset, setmetatable, getmetatable
local load, collectgarbage, xpcall = load, collectgarbage, xpcall
local format, find, gsub, sub = string.format, string.find, string.gsub, string.sub
local concat = table.concat
local io_open, io_lines = io.open, io.lines

local readable = {}
local modules = {}

-- Read-only views. The real table is captured in closures only: handing it out anywhere
-- (even as the state of a pairs iterator) would let a script write to it.
local views = setmetatable({}, { __mode = "k" })   -- view -> name

local function readonly(name, t)
  local view = {}
  views[view] = name
  return setmetatable(view, {
    __index = t,
    __newindex = function(_, key)
      error(format("attempt to modify read-only table '%s' (field '%s')", name, tostring(key)), 2)
    end,
    __pairs = function()
      local key
      return function()
        local value
        key, value = next(t, key)
        return key, value
      end
    end,
    __len = function() return #t end,
    __metatable = "read-only",
  })
end

local function copy(t, names)
  local out = {}
  if names then
    for _, name in ipairs(names) do out[name] = t[name] end
  else
    for key, value in next, t do out[key] = value end
  end
  return out
end

-- Bytecode never enters the state.
string.dump = nil
getmetatable("").__metatable = "read-only"
-- File handles share one metatable; lock it like the string one.
getmetatable(io.stdout).__metatable = "read-only"

-- Files: read-only, and only under the readable directories, judged on the resolved
-- path so neither ".." nor a symbolic link leads outside.
local function inside(path, dir)
  return dir == "/" or path == dir or sub(path, 1, #dir + 1) == dir .. "/"
end

local function resolve_readable(path, who)
  if type(path) ~= "string" then
    error(format("bad argument #1 to '%s' (string expected, got %s)", who, type(path)), 3)
  end
  local real, problem = realpath(path)
  if not real then return nil, problem end
  for _, dir in ipairs(readable) do
    if inside(real, dir) then return real end
  end
  error(format("%s: '%s' is outside the directories scripts may read (%s)", who, path,
               #readable > 0 and concat(readable, ", ") or "none"), 3)
end

local safe_io = {}

function safe_io.open(path, mode)
  mode = mode or "r"
  if mode ~= "r" and mode ~= "rb" then
    error(format("io.open: scripts may open files for reading only (mode '%s')", tostring(mode)), 2)
  end
  local real, problem = resolve_readable(path, "io.open")
  if not real then return nil, problem end
  return io_open(real, mode)
end

function safe_io.lines(path, ...)
  if path == nil then error("io.lines: scripts may not read standard input", 2) end
  local real, problem = resolve_readable(path, "io.lines")
  if not real then error(problem, 2) end
  return io_lines(real, ...)
end

-- The shared base of every script environment.
local globals = copy(_G, {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print",
  "rawequal", "rawget", "rawlen", "select", "tonumber", "tostring", "type", "xpcall",
  "_VERSION",
})

local env_metatable = { __index = globals, __metatable = "sandbox" }

local function new_env()
  local env = setmetatable({}, env_metatable)
  env._G = env
  return env
end

function globals.rawset(t, key, value)
  local name = views[t]
  if name then
    error(format("attempt to modify read-only table '%s' (field '%s')", name, tostring(key)), 2)
  end
  return rawset(t, key, value)
end

-- The checks setmetatable itself makes are repeated here so their errors point at the
-- script's line rather than at this wrapper.
local raw_getmetatable = debug.getmetatable
function globals.setmetatable(t, mt)
  if type(t) ~= "table" then
    error(format("bad argument #1 to 'setmetatable' (table expected, got %s)", type(t)), 2)
  end
  if mt ~= nil and type(mt) ~= "table" then
    error(format("bad argument #2 to 'setmetatable' (nil or table expected, got %s)", type(mt)), 2)
  end
  local current = raw_getmetatable(t)
  if current and rawget(current, "__metatable") ~= nil then
    error("cannot change a protected metatable", 2)
  end
  if mt and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc metamethods are not allowed in scripts " ..
          "(finalizers run outside the instruction limit)", 2)
  end
  return setmetatable(t, mt)
end

-- xpcall: once the host has stopped the script (limit or interrupt), the script's message
-- handler is skipped. The stop is raised from inside the count hook, and Lua runs the
-- message handler before unwinding, with hooks still disabled for the hook's duration:
-- a handler that loops would never be stopped.
function globals.xpcall(f, handler, ...)
  if type(handler) ~= "function" then return xpcall(f, handler, ...) end
  return xpcall(f, function(message)
    if stopped() then return message end
    return handler(message)
  end, ...)
end

local gc_options = { collect = true, count = true, step = true, isrunning = true }
function globals.collectgarbage(option, ...)
  option = option or "collect"
  if not gc_options[option] then
    error(format("collectgarbage: option '%s' is not available to scripts", tostring(option)), 2)
  end
  return collectgarbage(option, ...)
end

-- load: text only; without an explicit environment the chunk gets a fresh one of its
-- own (never the state's real globals).
function globals.load(chunk, chunkname, mode, ...)
  if mode ~= nil and mode ~= "t" and not (type(mode) == "string" and find(mode, "t", 1, true)) then
    return nil, "load: binary chunks are not allowed (scripts are loaded as text only)"
  end
  local env
  if select("#", ...) > 0 then env = ... else env = new_env() end
  return load(chunk, chunkname, "t", env)
end

-- require: Lua source modules from the module directories, each in its own environment.
local loaded = {}
function globals.require(name)
  if type(name) ~= "string" or not find(name, "^[%w_][%w_%-%.]*$") then
    error(format("bad argument #1 to 'require' (module name expected, got %s)", tostring(name)), 2)
  end
  local cached = loaded[name]
  if cached ~= nil then return cached end
  local relative = gsub(name, "%.", "/")
  local tried = {}
  for _, dir in ipairs(modules) do
    local path = dir .. "/" .. relative .. ".lua"
    local file = io_open(path, "r")
    if file then
      local source = file:read("a")
      file:close()
      local chunk, problem = load(source, "@" .. path, "t", new_env())
      if not chunk then error(problem, 2) end
      local result = chunk(name, path)
      if result == nil then result = true end
      loaded[name] = result
      return result
    end
    tried[#tried + 1] = format("\n\tno file '%s'", path)
  end
  error(format("module '%s' not found (scripts can require Lua source modules only; " ..
               "C modules are not available):%s", name, concat(tried)), 2)
end

globals.string = readonly("string", string)
globals.table = readonly("table", table)
globals.math = readonly("math", math)
globals.utf8 = readonly("utf8", utf8)
globals.coroutine = readonly("coroutine", coroutine)
globals.os = readonly("os", copy(os, { "clock", "date", "difftime", "time" }))
globals.io = readonly("io", safe_io)
globals.debug = readonly("debug", copy(debug, { "traceback" }))

math.randomseed(0)

return {
  globals = globals,
  new_env = new_env,
  readonly = readonly,
  readable = readable,
  modules = modules,
  randomseed = math.randomseed,
}
"""#
