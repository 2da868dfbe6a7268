// What the plugin layer needs from whoever hosts it (libhone.so or the CLI): where error
// messages go, and the C API's objects it cannot see itself (objectives, data sets).
// libhone installs its own before it loads a plugin; the CLI keeps the defaults.

import Foundation
import HoneData

/// The status codes of include/hone.h that plugin calls return.
public enum PluginStatus {
    public static let ok: Int32 = 0, error: Int32 = 1, misuse: Int32 = 2, invalidArgument: Int32 = 3, notFound: Int32 = 4
    public static let io: Int32 = 8, script: Int32 = 9

    static let names: [Int32: String] = [0: "HONE_OK", 1: "HONE_ERROR", 2: "HONE_MISUSE", 3: "HONE_INVALID_ARGUMENT",
                                         4: "HONE_NOT_FOUND", 5: "HONE_EXISTS", 6: "HONE_WRONG_STATE", 7: "HONE_STORAGE",
                                         8: "HONE_IO", 9: "HONE_SCRIPT", 10: "HONE_PRUNED", 11: "HONE_INTERRUPTED", 12: "HONE_NO_RESULT"]
    public static func name(_ s: Int32) -> String { names[s] ?? "HONE_UNKNOWN_STATUS" }
}

/// A failure of the plugin layer with the status the C API reports for it.
public struct PluginError: Error, CustomStringConvertible {
    public var status: Int32
    public var message: String
    public init(_ status: Int32, _ message: String) { self.status = status; self.message = message }
    public var description: String { message }
}

/// `hone_objective_fn` as a raw C function pointer plus its userdata.
public struct RegisteredObjective: @unchecked Sendable {
    public var function: UnsafeRawPointer
    public var userdata: UnsafeMutableRawPointer?
}

public final class PluginHost: @unchecked Sendable {
    /// Records a failure's message for hone_errmsg() on the calling thread.
    public var setErrorMessage: @Sendable (String) -> Void = { PluginHost.fallbackMessage.set($0) }
    /// The calling thread's last failure message.
    public var errorMessage: @Sendable () -> String = { PluginHost.fallbackMessage.get() }
    /// Takes a registered objective (libhone: into hone_study_optimize_named's table).
    public var registerObjective: (@Sendable (String, RegisteredObjective) throws -> Void)?
    /// Turns the hone_dataset* a plugin's loader returned into a Dataset (and frees it).
    public var takeDataset: (@Sendable (OpaquePointer) throws -> Dataset)?

    public static let shared = PluginHost()

    /// Objectives registered while no host took them (the CLI): listed, not runnable.
    let lock = NSLock()
    var keptObjectives: [String: RegisteredObjective] = [:]

    private static let fallbackMessage = ThreadMessage()
}

/// A per-thread message for hosts without their own (the CLI).
final class ThreadMessage: @unchecked Sendable {
    private let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()

    func set(_ message: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(message))
        free(old)
    }

    func get() -> String {
        guard let p = pthread_getspecific(key) else { return "" }
        return String(cString: p.assumingMemoryBound(to: CChar.self))
    }
}

/// Runs a C entry point's body: 0, or the status of what it threw with its message kept.
func cCall(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return PluginStatus.ok
    } catch let e as PluginError {
        PluginHost.shared.setErrorMessage(e.message)
        return e.status
    } catch {
        PluginHost.shared.setErrorMessage("\(error)")
        return PluginStatus.invalidArgument
    }
}

/// A required C string, checked for UTF-8.
func cString(_ p: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let p else { throw PluginError(PluginStatus.misuse, "\(what) is NULL") }
    guard let s = String(validatingCString: p) else { throw PluginError(PluginStatus.invalidArgument, "\(what) is not valid UTF-8") }
    return s
}
