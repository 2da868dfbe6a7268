// A Lua function held by Swift: a registry reference into the state that created it.
import CLua

/// A Lua function (an objective, an `on_epoch` callback, a custom sampler) that Swift
/// keeps and calls later. It belongs to its host's thread, like the host itself: call it
/// and let it go there only.
public final class LuaFunction {
    private weak var host: LuaHost?
    let reference: Int32

    init(host: LuaHost, reference: Int32) {
        self.host = host
        self.reference = reference
    }

    deinit {
        host?.releaseReference(reference)
    }

    /// Calls the function in protected mode under the host's limits.
    public func call(_ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard let host else {
            throw ScriptError(kind: .runtime, message: "the Lua state this function belongs to was closed")
        }
        return try host.call(self, arguments)
    }

    /// Calls the function and returns its first result (nil if it returned nothing).
    public func callForValue(_ arguments: [LuaValue] = []) throws -> LuaValue {
        try call(arguments).first ?? .nil
    }

    /// Where the function is defined (nil for functions written in C or Swift): the
    /// location reported when the value it returns is unusable.
    public var definition: SourceLocation? {
        host?.definition(of: self)
    }
}
