// The Lua host: one sandboxed lua_State, the calls into it, and the limits around them.
import CLua
import Foundation
import HoneLuaShim

/// One sandboxed Lua 5.4 state.
///
/// A host belongs to the thread that created it: Lua states are not thread-safe, so a
/// study running trials on N threads creates N hosts (one per worker) and loads the
/// script into each. Every entry point checks this.
///
/// Every call into Lua is protected (`lua_pcall` with a traceback handler) and runs under
/// `limits`: a memory cap on the whole state (a counting allocator), and an instruction
/// budget and wall-clock deadline per top-level call (a count hook that re-arms itself,
/// so the script cannot swallow the stop with `pcall`). Whatever a script does, the
/// host gets a `ScriptError` back and stays usable.
public final class LuaHost {
    /// The chunk name of the sandbox prelude, skipped when looking for a script's frame.
    public static let sandboxChunkName = "[hone sandbox]"

    /// The thread every stack operation acts on: the main thread, or while a Swift
    /// function runs, the coroutine that called it (its arguments are on that stack, and
    /// Lua it calls back must run there).
    private(set) var state: OpaquePointer
    private let mainState: OpaquePointer
    private let context: LuaContextStorage
    private var ctx: UnsafeMutablePointer<hone_lua_context> { context.pointer }
    private let owner = pthread_self()

    /// The table the sandbox prelude returned (see SandboxPrelude.swift).
    private var sandbox: Int32 = 0
    private var swiftFunctions: [RegisteredFunction] = []
    private var typeMetatables: [ObjectIdentifier: Int32] = [:]
    private var genericObjectMetatable: Int32?
    /// Keeps the __index functions of registered types referenced for the host's life.
    private var objectTypeFunctions: [LuaFunction] = []
    /// Nesting of host → Lua → Swift → Lua calls; limits are set by the outermost one.
    private var callDepth = 0
    /// Paths of loaded scripts, to undo Lua's shortening of long chunk names in messages.
    private var scriptPaths: [String] = []

    /// Limits for every call from now on. The memory cap applies to the whole state.
    public var limits: ScriptLimits {
        didSet { applyMemoryLimit() }
    }

    public init(limits: ScriptLimits = ScriptLimits(), readableDirectories: [String] = [], moduleDirectories: [String] = []) throws {
        self.limits = limits
        context = LuaContextStorage()
        guard let state = hone_lua_newstate(context.pointer) else {
            throw ScriptError(kind: .memoryLimit, message: "cannot create a Lua state (out of memory)")
        }
        self.state = state
        mainState = state
        ctx.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        ctx.pointee.dispatch = dispatchFromLua
        ctx.pointee.release_object = releaseObjectBox

        if hone_lua_cpcall(state, hone_lua_open_libraries, nil) != LUA_OK {
            throw ScriptError(kind: .memoryLimit, message: "cannot open the Lua libraries: \(popString())")
        }
        try installSandbox()
        applyMemoryLimit()
        for directory in readableDirectories { try allowReading(under: directory) }
        for directory in moduleDirectories { try addModuleDirectory(directory) }
    }

    deinit {
        // Finalizers (file handles, host objects) run here; functions and scripts that
        // outlive the host see it gone through their weak reference.
        ctx.pointee.enforce_memory = 0
        lua_close(mainState)
    }

    // MARK: - Configuration

    /// Lets scripts read files (io.open, io.lines) anywhere under `directory`, judged on
    /// resolved paths (symbolic links and ".." cannot lead outside).
    public func allowReading(under directory: String) throws {
        let resolved = try resolvedDirectory(directory)
        appendToSandboxList("readable", resolved)
        if !readableDirectories.contains(resolved) { readableDirectories.append(resolved) }
    }

    /// The directories scripts may read under (resolved).
    public private(set) var readableDirectories: [String] = []

    /// Resolves a path a script names (relative paths against `base`) and checks it lies
    /// under a readable directory, as io.open does. For Swift functions that read files
    /// on a script's behalf (hone.dataset with a CSV file).
    public func resolveReadablePath(_ path: String, relativeTo base: String? = nil) throws -> String {
        let joined = path.hasPrefix("/") || base == nil ? path : base! + "/" + path
        guard let resolved = realpath(joined, nil) else {
            throw ScriptError(kind: .io, message: "'\(path)': \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        let real = String(cString: resolved)
        guard readableDirectories.contains(where: { $0 == "/" || real == $0 || real.hasPrefix($0 + "/") }) else {
            let allowed = readableDirectories.isEmpty ? "none" : readableDirectories.joined(separator: ", ")
            throw ScriptError(kind: .io, message: "'\(path)' is outside the directories scripts may read (\(allowed))")
        }
        return real
    }

    /// Adds a directory `require` searches for Lua modules (NAME.lua, or A/B.lua for "A.B").
    /// Loading a script adds its own directory.
    public func addModuleDirectory(_ directory: String) throws {
        appendToSandboxList("modules", try resolvedDirectory(directory))
    }

    /// Seeds `math.random`, so scripts that use it are as reproducible as the rest.
    public func seedRandom(_ seed: Int64) throws {
        try withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            pushSandboxField("randomseed")
            lua_pushinteger(state, seed)
            _ = try protectedCall(argumentCount: 1, base: top)
        }
    }

    /// A handle any thread may use to stop whatever this host is running (Ctrl-C).
    public var interruptHandle: LuaInterruptHandle { LuaInterruptHandle(storage: context) }

    /// Bytes the state holds now, and the most it ever held.
    public var memoryInUse: Int { Int(ctx.pointee.bytes_in_use) }
    public var peakMemory: Int { Int(ctx.pointee.peak_bytes) }

    /// VM instructions the current (or last) top-level call has run, to the hook's granularity.
    public var instructionsUsed: Int { Int(ctx.pointee.instructions_used) }

    // MARK: - Scripts

    /// Loads and runs a script file (text only) in an environment of its own. Its
    /// directory becomes a module directory for `require`.
    public func loadScript(atPath path: String) throws -> LuaScript {
        let source: Data
        do {
            source = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScriptError(kind: .io, message: "cannot read script '\(path)': \(error.localizedDescription)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try addModuleDirectory(directory)
        return try loadScript(source: source, name: path)
    }

    /// Loads and runs Lua source; `name` is what error messages call it ("name:line:").
    public func loadScript(source: String, name: String) throws -> LuaScript {
        try loadScript(source: Data(source.utf8), name: name)
    }

    public func loadScript(source: Data, name: String) throws -> LuaScript {
        try withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            if !scriptPaths.contains(name) { scriptPaths.append(name) }

            // Parsing is protected inside lua_load, so the cap may apply to it too.
            ctx.pointee.enforce_memory = 1
            let status = source.withUnsafeBytes { bytes in
                luaL_loadbufferx(state, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, "@" + name, "t")
            }
            ctx.pointee.enforce_memory = 0
            if status != LUA_OK { throw error(status: status) }
            let chunk = lua_gettop(state)

            pushSandboxField("new_env")
            _ = try protectedCall(argumentCount: 0, base: chunk, keepResults: 1)
            lua_pushvalue(state, -1)
            let environment = luaL_ref(state, hone_lua_registry_index())
            lua_setupvalue(state, chunk, 1) // the chunk's only upvalue is _ENV
            let script = LuaScript(host: self, name: name, environment: environment)

            _ = try protectedCall(argumentCount: 0, base: chunk - 1, keepResults: 0)
            return script
        }
    }

    // MARK: - Swift functions visible to scripts

    /// Makes a read-only table `name` of Swift functions visible to every script in this
    /// state (for example `hone`, with `hone.dataset`, `hone.fit`, …).
    public func registerLibrary(_ name: String, functions: [String: LuaSwiftFunction]) throws {
        try withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            pushSandboxField("readonly")
            lua_pushstring(state, name)
            lua_createtable(state, 0, Int32(functions.count))
            for (member, body) in functions.sorted(by: { $0.key < $1.key }) {
                pushSwiftFunction(name: "\(name).\(member)", body: body)
                lua_setfield(state, -2, member)
            }
            _ = try protectedCall(argumentCount: 2, base: top, keepResults: 1)
            pushSandboxField("globals")
            lua_rotate(state, -2, 1)
            lua_setfield(state, -2, name)
        }
    }

    /// Defines a global visible to every script in this state (like `print`), read-only
    /// for scripts in the sense that a script's assignment shadows it in its own globals.
    public func registerGlobal(_ name: String, _ value: LuaValue) throws {
        try withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            pushSandboxField("globals")
            try push(value)
            lua_setfield(state, -2, name)
        }
    }

    /// Registers the Lua face of a Swift class: instances pushed as `.object` become
    /// userdata whose methods (called `obj:method(...)`) are these functions, with the
    /// object itself as argument 1, and whose read-only properties (`obj.name`) are read
    /// by the getters.
    public func registerType<T: AnyObject>(_ type: T.Type, name: String, methods: [String: LuaSwiftFunction],
                                           properties: [String: (T) throws -> LuaValue] = [:]) {
        checkThread()
        var methodValues: [String: LuaValue] = [:]
        for (method, body) in methods {
            methodValues[method] = .function(makeFunction(name: "\(name):\(method)", body: body))
        }
        let index = makeFunction(name: "\(name).__index") { arguments in
            let key = try (arguments.count > 1 ? arguments[1] : .nil).string("field name of a \(name):")
            if let getter = properties[key] {
                return [try getter(try arguments[0].object("\(name) object", as: T.self))]
            }
            guard let method = methodValues[key] else {
                let known = (Array(methods.keys) + Array(properties.keys)).sorted().joined(separator: ", ")
                throw ScriptError.badValue("a \(name) has no field '\(key)' (it has: \(known))")
            }
            return [method]
        }
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_createtable(state, 0, 6)
        try? push(.function(index))
        lua_setfield(state, -2, "__index")
        configureObjectMetatable(name: name)
        let reference = luaL_ref(state, hone_lua_registry_index())
        if let old = typeMetatables[ObjectIdentifier(type)] { releaseReference(old) }
        typeMetatables[ObjectIdentifier(type)] = reference
        objectTypeFunctions.append(index)
    }

    /// A Swift function as a Lua function value (to pass to scripts as an argument or
    /// field), named `name` in error messages.
    public func makeFunction(name: String, body: @escaping LuaSwiftFunction) -> LuaFunction {
        checkThread()
        pushSwiftFunction(name: name, body: body)
        return LuaFunction(host: self, reference: luaL_ref(state, hone_lua_registry_index()))
    }

    // MARK: - Calls

    /// Calls a Lua function in protected mode under the limits.
    public func call(_ function: LuaFunction, _ arguments: [LuaValue]) throws -> [LuaValue] {
        try withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            lua_rawgeti(state, hone_lua_registry_index(), lua_Integer(function.reference))
            try pushArguments(arguments)
            return try protectedCall(argumentCount: Int32(arguments.count), base: top)
        }
    }

    /// Throws if the current call is past its deadline or the host was interrupted: for
    /// Swift functions that run long without returning to Lua (training a network), to
    /// call between steps.
    public func checkLimits() throws {
        if hone_lua_interrupt_requested(ctx) != 0 {
            ctx.pointee.stop_reason = Int32(HONE_LUA_STOP_INTERRUPT)
            throw ScriptError(kind: .interrupted, message: "interrupted")
        }
        let deadline = ctx.pointee.deadline
        if callDepth > 0, deadline > 0, hone_lua_monotonic_seconds() > deadline {
            ctx.pointee.stop_reason = Int32(HONE_LUA_STOP_DEADLINE)
            throw ScriptError(kind: .timeLimit, message: "time limit exceeded\(timeLimitNote)")
        }
    }

    // MARK: - Internals: calling into Lua

    /// Calls the function at `base + 1` with the `argumentCount` values above it. Returns
    /// the results converted (all of them, or leaves `keepResults` on the stack and
    /// returns none). Only the outermost call sets up the limits; nested calls (Lua →
    /// Swift → Lua) share the budget of the call that started it all.
    func protectedCall(argumentCount: Int32, base: Int32, keepResults: Int32? = nil) throws -> [LuaValue] {
        let outermost = callDepth == 0
        if outermost { beginCall() }
        callDepth += 1
        let status = hone_lua_pcall(state, argumentCount, keepResults ?? LUA_MULTRET)
        callDepth -= 1
        defer { if outermost { endCall(status: status) } }
        if status != LUA_OK { throw error(status: status) }
        // The script caught the stop and returned anyway (say `return xpcall(...)`, a tail
        // call, so no instruction of its own ran after the catch): a stopped call never
        // returns results.
        if let stop = stopError() { throw stop }
        if keepResults != nil { return [] }
        let top = lua_gettop(state)
        guard top > base else { return [] }
        return try (base + 1 ... top).map { try value(at: $0) }
    }

    private func beginCall() {
        let deadline = limits.secondsPerCall.map { hone_lua_monotonic_seconds() + $0 } ?? 0
        ctx.pointee.instruction_limit = Int64(limits.instructionsPerCall ?? 0)
        hone_lua_begin_call(state, deadline)
    }

    private func endCall(status: Int32) {
        ctx.pointee.deadline = 0
        // A refused allocation usually leaves garbage behind (the half-built string or
        // table); give it back now rather than at the next call's first allocations.
        if status != LUA_OK, ctx.pointee.memory_limit_hit != 0 || status == LUA_ERRMEM {
            hone_lua_collect_garbage(state)
        }
    }

    private func applyMemoryLimit() {
        ctx.pointee.memory_limit = limits.memoryBytes.map { $0 > 0 ? $0 : 1 } ?? 0
    }

    /// The error on top of the stack (after a failed load or pcall) as a ScriptError.
    private func error(status: Int32) -> ScriptError {
        var message = lua_type(state, -1) == LUA_TSTRING ? string(at: -1) : "(error object is a \(typeName(at: -1)) value)"
        // A failed load never ran the message handler: whatever traceback is stored is stale.
        lua_getfield(state, hone_lua_registry_index(), HONE_LUA_TRACEBACK_KEY)
        let traceback = status != LUA_ERRSYNTAX && lua_type(state, -1) == LUA_TSTRING ? string(at: -1) : nil
        lua_settop(state, -3)

        let kind: ScriptError.Kind
        let stop = Int(ctx.pointee.stop_reason)
        if status == LUA_ERRSYNTAX {
            kind = .syntax
        } else if stop == HONE_LUA_STOP_INSTRUCTIONS {
            kind = .instructionLimit
            message += " (budget: \(limits.instructionsPerCall ?? 0) instructions per call)"
        } else if stop == HONE_LUA_STOP_DEADLINE {
            kind = .timeLimit
            message += timeLimitNote
        } else if stop == HONE_LUA_STOP_INTERRUPT {
            kind = .interrupted
        } else if ctx.pointee.memory_limit_hit != 0 && (status == LUA_ERRMEM || message.contains("not enough memory")) {
            kind = .memoryLimit
            message += " (memory limit of \(formatBytes(limits.memoryBytes ?? 0)) reached)"
        } else {
            kind = .runtime
        }
        // An error raised inside the sandbox's own wrappers (a bad argument passed on to
        // the real function) names the wrapper's line; the script's line is what matters.
        let scriptFrame = traceback.flatMap(ScriptError.innermostScriptFrame)
        if let leading = ScriptError.leadingLocation(in: message), leading.file == LuaHost.sandboxChunkName {
            message = message.dropFirst("\(leading): ".count).description
            if let scriptFrame { message = "\(scriptFrame): " + message }
        }
        let location = (ScriptError.leadingLocation(in: message) ?? scriptFrame).map(expandingShortenedPath)
        return ScriptError(kind: kind, message: message, location: location, traceback: traceback)
    }

    /// The error for the stop in force, if any (for calls that returned despite it).
    private func stopError() -> ScriptError? {
        switch Int(ctx.pointee.stop_reason) {
        case HONE_LUA_STOP_INSTRUCTIONS:
            return ScriptError(kind: .instructionLimit,
                               message: "instruction limit exceeded (budget: \(limits.instructionsPerCall ?? 0) instructions per call)")
        case HONE_LUA_STOP_DEADLINE: return ScriptError(kind: .timeLimit, message: "time limit exceeded" + timeLimitNote)
        case HONE_LUA_STOP_INTERRUPT: return ScriptError(kind: .interrupted, message: "interrupted")
        default: return nil
        }
    }

    private var timeLimitNote: String {
        limits.secondsPerCall.map { " (limit: \($0) s per call)" } ?? ""
    }

    /// Lua shortens long chunk names to ".../tail"; map them back to the loaded path.
    private func expandingShortenedPath(_ location: SourceLocation) -> SourceLocation {
        guard location.file.hasPrefix("...") else { return location }
        let tail = location.file.dropFirst(3)
        guard let full = scriptPaths.first(where: { $0.hasSuffix(tail) }) else { return location }
        return SourceLocation(file: full, line: location.line)
    }

    // MARK: - Internals: the sandbox

    private func installSandbox() throws {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        let status = sandboxPrelude.withCString { source in
            luaL_loadbufferx(state, source, strlen(source), "=" + LuaHost.sandboxChunkName, "t")
        }
        if status != LUA_OK { throw error(status: status) }
        lua_pushcclosure(state, hone_lua_realpath, 0)
        lua_pushcclosure(state, hone_lua_stop_in_force, 0)
        _ = try protectedCall(argumentCount: 2, base: top, keepResults: 1)
        sandbox = luaL_ref(state, hone_lua_registry_index())

        // The state's own global table still holds the full libraries. Nothing hands it
        // to scripts (every chunk gets its own _ENV), but replace it with a read-only
        // view of the sandbox anyway, so no path can ever reach os.execute.
        pushSandboxField("readonly")
        lua_pushstring(state, "_G")
        pushSandboxField("globals")
        _ = try protectedCall(argumentCount: 2, base: top, keepResults: 1)
        lua_rawseti(state, hone_lua_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
    }

    private func pushSandboxField(_ field: String) {
        lua_rawgeti(state, hone_lua_registry_index(), lua_Integer(sandbox))
        lua_getfield(state, -1, field)
        lua_rotate(state, -2, -1)
        lua_settop(state, -2)
    }

    private func appendToSandboxList(_ list: String, _ entry: String) {
        withThreadCheck {
            let top = lua_gettop(state)
            defer { lua_settop(state, top) }
            pushSandboxField(list)
            let count = lua_rawlen(state, -1)
            if count > 0 {
                for i in 1 ... lua_Integer(count) {
                    lua_rawgeti(state, -1, i)
                    let existing = string(at: -1)
                    lua_settop(state, -2)
                    if existing == entry { return }
                }
            }
            lua_pushstring(state, entry)
            lua_rawseti(state, -2, lua_Integer(count + 1))
        }
    }

    private func resolvedDirectory(_ directory: String) throws -> String {
        guard let resolved = realpath(directory, nil) else {
            throw ScriptError(kind: .io, message: "directory '\(directory)': \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    // MARK: - Internals: Swift functions and host objects

    private struct RegisteredFunction {
        let name: String
        let body: LuaSwiftFunction
    }

    private func pushSwiftFunction(name: String, body: @escaping LuaSwiftFunction) {
        swiftFunctions.append(RegisteredFunction(name: name, body: body))
        hone_lua_push_swift_function(state, lua_Integer(swiftFunctions.count - 1))
    }

    /// Runs registered function `id` for the trampoline. Never throws: an error becomes a
    /// value on the stack and a request to raise it once this frame has returned.
    fileprivate func dispatch(_ id: lua_Integer, on thread: OpaquePointer, raise: UnsafeMutablePointer<Int32>) -> Int32 {
        let function = swiftFunctions[Int(id)]
        let previous = state
        state = thread
        defer { state = previous }
        do {
            let arguments = try (0 ..< lua_gettop(state)).map { try value(at: $0 + 1) }
            let results = try function.body(arguments)
            guard lua_checkstack(state, Int32(results.count) + 8) != 0 else {
                throw ScriptError(kind: .runtime, message: "too many results (\(results.count))")
            }
            for result in results { try push(result) }
            return Int32(results.count)
        } catch let error as ScriptError where error.location != nil {
            // Raised by Lua code this function called: it already says where.
            lua_pushstring(state, error.description)
            raise.pointee = Int32(HONE_LUA_RAISE_AS_IS)
        } catch let error as ScriptError {
            lua_pushstring(state, "\(function.name): \(error.description)")
            raise.pointee = Int32(HONE_LUA_RAISE_WITH_WHERE)
        } catch {
            lua_pushstring(state, "\(function.name): \(error)")
            raise.pointee = Int32(HONE_LUA_RAISE_WITH_WHERE)
        }
        return 0
    }

    private func configureObjectMetatable(name: String) {
        lua_pushstring(state, name)
        lua_setfield(state, -2, "__name")
        lua_pushboolean(state, 1)
        lua_setfield(state, -2, "__hone_object")
        lua_pushcclosure(state, hone_lua_object_gc, 0)
        lua_setfield(state, -2, "__gc")
        lua_pushstring(state, "read-only")
        lua_setfield(state, -2, "__metatable")
    }

    private func pushObject(_ object: AnyObject) {
        let block = lua_newuserdatauv(state, MemoryLayout<UnsafeMutableRawPointer>.size, 0)!
        block.storeBytes(of: Unmanaged.passRetained(LuaObjectBox(object)).toOpaque(), as: UnsafeMutableRawPointer.self)
        let metatable: Int32
        if let registered = typeMetatables[ObjectIdentifier(type(of: object))] {
            metatable = registered
        } else if let generic = genericObjectMetatable {
            metatable = generic
        } else {
            lua_createtable(state, 0, 5)
            configureObjectMetatable(name: "object")
            metatable = luaL_ref(state, hone_lua_registry_index())
            genericObjectMetatable = metatable
        }
        lua_rawgeti(state, hone_lua_registry_index(), lua_Integer(metatable))
        lua_setmetatable(state, -2)
    }

    /// The host object in the userdata at `index`, if it is one of ours and still alive.
    private func object(at index: Int32) -> AnyObject? {
        guard lua_getmetatable(state, index) != 0 else { return nil }
        lua_pushstring(state, "__hone_object")
        let isOurs = lua_rawget(state, -2) == LUA_TBOOLEAN
        lua_settop(state, -3)
        guard isOurs, let block = lua_touserdata(state, index),
              let box = block.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<LuaObjectBox>.fromOpaque(box).takeUnretainedValue().object
    }

    // MARK: - Internals: values

    func releaseReference(_ reference: Int32) {
        guard pthread_equal(owner, pthread_self()) != 0 else { return } // never touch the state off-thread
        luaL_unref(state, hone_lua_registry_index(), reference)
    }

    func definition(of function: LuaFunction) -> SourceLocation? {
        checkThread()
        var info = lua_Debug()
        lua_rawgeti(state, hone_lua_registry_index(), lua_Integer(function.reference))
        guard lua_getinfo(state, ">S", &info) != 0, info.linedefined > 0 else { return nil }
        let source = withUnsafeBytes(of: &info.short_src) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return expandingShortenedPath(SourceLocation(file: source, line: Int(info.linedefined)))
    }

    func pushArguments(_ arguments: [LuaValue]) throws {
        guard lua_checkstack(state, Int32(arguments.count) + 8) != 0 else {
            throw ScriptError(kind: .runtime, message: "too many arguments (\(arguments.count))")
        }
        for argument in arguments { try push(argument) }
    }

    /// Pushes a Swift value. Tables are built with raw sets; their string keys in sorted
    /// order, so the same value always builds the same table.
    func push(_ value: LuaValue, depth: Int = 0) throws {
        guard depth < LuaHost.maximumTableDepth, lua_checkstack(state, 4) != 0 else {
            throw ScriptError.badValue("value nested more than \(LuaHost.maximumTableDepth) tables deep")
        }
        switch value {
        case .nil, .opaque: lua_pushnil(state)
        case let .boolean(b): lua_pushboolean(state, b ? 1 : 0)
        case let .integer(i): lua_pushinteger(state, i)
        case let .number(d): lua_pushnumber(state, d)
        case let .string(s): pushString(s)
        case let .table(table):
            lua_createtable(state, Int32(clamping: table.array.count), Int32(clamping: table.fields.count))
            for (i, element) in table.array.enumerated() {
                try push(element, depth: depth + 1)
                lua_rawseti(state, -2, lua_Integer(i + 1))
            }
            for (key, field) in table.fields.sorted(by: { $0.key < $1.key }) {
                pushString(key)
                try push(field, depth: depth + 1)
                lua_rawset(state, -3)
            }
        case let .function(function):
            lua_rawgeti(state, hone_lua_registry_index(), lua_Integer(function.reference))
        case let .object(object):
            pushObject(object)
        }
    }

    static let maximumTableDepth = 100

    /// Copies the value at `index` out of Lua. Reads tables raw (no metamethod runs, so
    /// this can be used inside Swift functions called from Lua) and refuses cycles and
    /// tables that are neither arrays nor string-keyed records.
    func value(at index: Int32, depth: Int = 0) throws -> LuaValue {
        switch lua_type(state, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(state, index) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(state, index) != 0 ? .integer(lua_tointegerx(state, index, nil)) : .number(lua_tonumberx(state, index, nil))
        case LUA_TSTRING: return .string(string(at: index))
        case LUA_TTABLE: return .table(try table(at: lua_absindex(state, index), depth: depth))
        case LUA_TFUNCTION:
            lua_pushvalue(state, index)
            return .function(LuaFunction(host: self, reference: luaL_ref(state, hone_lua_registry_index())))
        case LUA_TUSERDATA:
            if let object = object(at: index) { return .object(object) }
            return .opaque("userdata")
        default:
            return .opaque(typeName(at: index))
        }
    }

    private func table(at index: Int32, depth: Int) throws -> LuaTable {
        guard depth < LuaHost.maximumTableDepth, lua_checkstack(state, 4) != 0 else {
            throw ScriptError.badValue("table nested more than \(LuaHost.maximumTableDepth) deep (does it contain itself?)")
        }
        var table = LuaTable()
        var indexed: [Int64: LuaValue] = [:]
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            switch lua_type(state, -2) {
            case LUA_TSTRING:
                table.fields[string(at: -2)] = try value(at: -1, depth: depth + 1)
            case LUA_TNUMBER where lua_isinteger(state, -2) != 0:
                indexed[lua_tointegerx(state, -2, nil)] = try value(at: -1, depth: depth + 1)
            default:
                let key = lua_type(state, -2) == LUA_TNUMBER ? "number \(lua_tonumberx(state, -2, nil))" : "of type \(typeName(at: -2))"
                throw ScriptError.badValue("table has a key \(key); only array indices 1…n and string keys can be used")
            }
            lua_settop(state, -2)
        }
        if !indexed.isEmpty {
            table.array.reserveCapacity(indexed.count)
            for i in 1 ... Int64(indexed.count) {
                guard let element = indexed[i] else {
                    let stray = indexed.keys.filter { $0 < 1 || $0 > Int64(indexed.count) }.min() ?? 0
                    throw ScriptError.badValue("table has index \(stray) but is not an array 1…n (index \(i) is missing)")
                }
                table.array.append(element)
            }
        }
        return table
    }

    func string(at index: Int32) -> String {
        var length = 0
        guard let bytes = lua_tolstring(state, index, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    private func pushString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(state, $0.baseAddress, $0.count) }
        }
    }

    private func typeName(at index: Int32) -> String {
        String(cString: lua_typename(state, lua_type(state, index)))
    }

    private func popString() -> String {
        defer { lua_settop(state, -2) }
        return string(at: -1)
    }

    // MARK: - Internals: threads

    private func checkThread() {
        precondition(pthread_equal(owner, pthread_self()) != 0,
                     "LuaHost used from a thread other than the one that created it (one lua_State per worker thread)")
    }

    private func withThreadCheck<T>(_ body: () throws -> T) rethrows -> T {
        checkThread()
        return try body()
    }
}

/// A Swift function callable from Lua. It receives the arguments copied out of Lua and
/// returns the results; a thrown error becomes a Lua error at the caller's file:line.
public typealias LuaSwiftFunction = ([LuaValue]) throws -> [LuaValue]

/// Stops a host's running script from any thread (for Ctrl-C). The request stays in
/// force — every later call stops at its first hook too — until `clear()`.
public final class LuaInterruptHandle: @unchecked Sendable {
    private let storage: LuaContextStorage

    init(storage: LuaContextStorage) { self.storage = storage }

    public func interrupt() { hone_lua_request_interrupt(storage.pointer) }
    public func clear() { hone_lua_clear_interrupt(storage.pointer) }
    public var isInterrupted: Bool { hone_lua_interrupt_requested(storage.pointer) != 0 }
}

/// The C context of a state. Separate from the host so an interrupt handle can outlive it
/// (and only touches the context's atomic field).
final class LuaContextStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<hone_lua_context>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: hone_lua_context())
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

/// What a host-object userdata points at: a retained box holding the Swift object.
private final class LuaObjectBox {
    let object: AnyObject
    init(_ object: AnyObject) { self.object = object }
}

private let dispatchFromLua: hone_lua_dispatch_fn = { thread, host, id, raise in
    Unmanaged<LuaHost>.fromOpaque(host!).takeUnretainedValue().dispatch(id, on: thread!, raise: raise!)
}

private let releaseObjectBox: hone_lua_release_fn = { box in
    Unmanaged<LuaObjectBox>.fromOpaque(box!).release()
}

private func formatBytes(_ bytes: Int) -> String {
    bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
}
