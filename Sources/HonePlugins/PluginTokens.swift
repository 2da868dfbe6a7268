// hone_registry and hone_plugin_context handles: tokens that live only for the duration
// of one call into a plugin, looked up under a lock and never dereferenced, so a plugin
// that keeps one and uses it later gets HONE_MISUSE, not a crash.

import Foundation

final class PluginTokens: @unchecked Sendable {
    static let shared = PluginTokens()

    enum Kind: UInt { case registry = 1, context = 2 }

    private let lock = NSLock()
    private var objects: [UInt: AnyObject] = [:]
    private var next: UInt = 0
    /// Above user-space addresses and apart from libhone's own handle tokens.
    private static let base: UInt = 0x7_0000_0000_0000

    func insert(_ object: AnyObject, _ kind: Kind) -> OpaquePointer {
        lock.lock(); defer { lock.unlock() }
        next += 1
        let token = Self.base | (next << 6) | (kind.rawValue << 3)
        objects[token] = object
        return OpaquePointer(bitPattern: token)!
    }

    func remove(_ token: OpaquePointer) {
        lock.lock(); defer { lock.unlock() }
        objects.removeValue(forKey: UInt(bitPattern: token))
    }

    func get<T: AnyObject>(_ handle: OpaquePointer?, _ kind: Kind, _ cName: String, as: T.Type = T.self) throws -> T {
        guard let handle else { throw PluginError(PluginStatus.misuse, "\(cName) is NULL") }
        let token = UInt(bitPattern: handle)
        lock.lock(); let object = objects[token]; lock.unlock()
        guard let typed = object as? T, (token >> 3) & 7 == kind.rawValue else {
            if token >> 48 == Self.base >> 48, (token >> 3) & 7 == kind.rawValue {
                throw PluginError(PluginStatus.misuse, "\(cName) is used outside the call it was given to")
            }
            throw PluginError(PluginStatus.misuse, "\(cName) handle is not one the library gave out")
        }
        return typed
    }

    /// Lends a token for `object` to `body` and retires it afterwards.
    func lend<R>(_ object: AnyObject, _ kind: Kind, _ body: (OpaquePointer) throws -> R) rethrows -> R {
        let token = insert(object, kind)
        defer { remove(token) }
        return try body(token)
    }
}
