// A script loaded into a host: its own global environment and the functions it defines.
import CLua
import HoneLuaShim

/// A loaded script. Its globals live in an environment of its own (reads fall through to
/// the shared, read-only libraries), so several scripts in one state never see each
/// other's globals. Belongs to its host's thread.
public final class LuaScript {
    public let host: LuaHost
    /// The path or name the script was loaded as; error messages say "name:line:".
    public let name: String
    let environment: Int32

    init(host: LuaHost, name: String, environment: Int32) {
        self.host = host
        self.name = name
        self.environment = environment
    }

    deinit {
        host.releaseReference(environment)
    }

    /// The script's own global `name` (not the shared libraries), copied into Swift.
    public func global(_ name: String) throws -> LuaValue {
        let state = host.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        pushEnvironment()
        lua_pushstring(state, name)
        lua_rawget(state, -2)
        return try host.value(at: -1)
    }

    /// Sets one of the script's globals (for example a configuration table the script reads).
    public func setGlobal(_ name: String, _ value: LuaValue) throws {
        let state = host.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        pushEnvironment()
        lua_pushstring(state, name)
        try host.push(value)
        lua_rawset(state, -3)
    }

    /// The global function `name` the script defines, nil if it defines none. A global of
    /// that name that is not a function is an error naming what it is instead.
    public func function(named name: String) throws -> LuaFunction? {
        switch try global(name) {
        case .nil: return nil
        case let .function(function): return function
        case let other:
            throw ScriptError.badValue("'\(name)' in \(self.name) is \(other.shortDescription), not a function")
        }
    }

    /// Calls the global function `name` with `arguments`.
    public func call(_ name: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard let function = try function(named: name) else {
            throw ScriptError(kind: .runtime, message: "\(self.name) defines no function '\(name)'")
        }
        return try function.call(arguments)
    }

    private func pushEnvironment() {
        lua_rawgeti(host.state, hone_lua_registry_index(), lua_Integer(environment))
    }
}
