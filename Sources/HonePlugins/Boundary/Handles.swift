// Opaque handles. A handle the library gives out is a token, never the address of
// anything: the library looks it up in a table under a lock and never dereferences
// what the caller passes. So NULL, a closed handle (tokens are never reused), a handle
// of another kind and a wild pointer are all recognized and reported as HONE_MISUSE
// instead of crashing the host.

import Foundation

public enum HandleKind: UInt, CaseIterable {
    case study = 1, trial, dataset, model, registry, context

    public var cName: String {
        switch self {
        case .study: return "hone_study"
        case .trial: return "hone_trial"
        case .dataset: return "hone_dataset"
        case .model: return "hone_model"
        case .registry: return "hone_registry"
        case .context: return "hone_plugin_context"
        }
    }

    /// Handles lent to a plugin for one call only (see `HandleTable.lend`).
    var isLent: Bool { self == .registry || self == .context }
}

public final class HandleTable: @unchecked Sendable {
    public static let shared = HandleTable()

    private let lock = NSLock()
    private var objects: [UInt: AnyObject] = [:]
    /// Counts up forever so a closed handle's token never names a newer object. The
    /// base puts tokens above every user-space address, so no real pointer is a token.
    private var next: UInt = 0

    private static let base: UInt = 0x6_0000_0000_0000
    private static let kindBits: UInt = 4

    /// A new token for `object`.
    public func insert(_ object: AnyObject, kind: HandleKind) -> OpaquePointer {
        lock.lock(); defer { lock.unlock() }
        next += 1
        let token = Self.base | (next << (Self.kindBits + 3)) | (kind.rawValue << 3)
        objects[token] = object
        return OpaquePointer(bitPattern: token)!
    }

    /// The object behind `handle`, or HONE_MISUSE naming what is wrong with it.
    public func get<T: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, as type: T.Type = T.self) throws -> T {
        guard let handle else { throw APIError.misuse("\(kind.cName) is NULL") }
        let token = UInt(bitPattern: handle)
        let tokenKind = Self.kind(of: token)
        if let other = tokenKind, other != kind {
            throw APIError.misuse("expected a \(kind.cName), got a \(other.cName) handle")
        }
        lock.lock(); let object = objects[token]; let issued = next; lock.unlock()
        guard let object else {
            if tokenKind == kind, (token >> (Self.kindBits + 3)) & Self.serialMask <= issued {
                throw APIError.misuse(kind.isLent ? "\(kind.cName) is used outside the call it was given to"
                                                  : "\(kind.cName) handle is closed or freed")
            }
            throw APIError.misuse("\(kind.cName) handle is not one this library gave out")
        }
        guard let typed = object as? T else { throw APIError.misuse("expected a \(kind.cName) handle") }
        return typed
    }

    /// Lends a handle for `object` to `body` (a call into a plugin) and retires it afterwards,
    /// so a plugin that keeps it gets HONE_MISUSE later, not a dangling object.
    public func lend<R>(_ object: AnyObject, _ kind: HandleKind, _ body: (OpaquePointer) throws -> R) rethrows -> R {
        let token = insert(object, kind: kind)
        defer { remove(token, kind) }
        return try body(token)
    }

    /// Forgets `handle`, returning its object (nil when it was not live). Safe with anything.
    @discardableResult
    public func remove(_ handle: OpaquePointer?, _ kind: HandleKind) -> AnyObject? {
        guard let handle else { return nil }
        let token = UInt(bitPattern: handle)
        guard Self.kind(of: token) == kind else { return nil }
        lock.lock(); defer { lock.unlock() }
        return objects.removeValue(forKey: token)
    }

    /// Every live object of a kind matching `filter` (closing a study retires its trials).
    public func removeAll(_ kind: HandleKind, where filter: (AnyObject) -> Bool) {
        lock.lock(); defer { lock.unlock() }
        for (token, object) in objects where Self.kind(of: token) == kind && filter(object) {
            objects.removeValue(forKey: token)
        }
    }

    /// The live objects of a kind (closing a study finds its trials' handles with it).
    public func objects(of kind: HandleKind) -> [AnyObject] {
        lock.lock(); defer { lock.unlock() }
        return objects.compactMap { Self.kind(of: $0.key) == kind ? $0.value : nil }
    }

    private static let serialMask: UInt = (1 << (48 - kindBits - 3)) - 1

    private static func kind(of token: UInt) -> HandleKind? {
        // Above every user-space address of x86-64 and arm64 Linux (< 2^47 or 2^48).
        guard token >> 48 == base >> 48, token & 7 == 0 else { return nil }
        return HandleKind(rawValue: (token >> 3) & ((1 << kindBits) - 1))
    }
}
