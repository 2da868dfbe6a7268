// Status codes and the thread-local error message of include/hone.h, and `api { }`, the
// wrapper every C entry point (libhone's and the plugin calls here) runs its body in: no
// Swift error, and no Swift trap we can foresee, crosses into the caller's frames; each
// becomes a status plus a message.

import Foundation
import HoneData
import HoneNN
import HoneScript
import HoneSearch
import HoneStorage
import HoneTuning

/// The `HONE_*` status codes (kept equal to the header's; the C tests compare each
/// code's `hone_status_name`).
public enum HoneStatus: Int32, CaseIterable, Sendable {
    case ok = 0, error, misuse, invalidArgument, notFound, exists, wrongState, storage, io, script, pruned,
         interrupted, noResult

    public var cName: String {
        switch self {
        case .ok: return "HONE_OK"
        case .error: return "HONE_ERROR"
        case .misuse: return "HONE_MISUSE"
        case .invalidArgument: return "HONE_INVALID_ARGUMENT"
        case .notFound: return "HONE_NOT_FOUND"
        case .exists: return "HONE_EXISTS"
        case .wrongState: return "HONE_WRONG_STATE"
        case .storage: return "HONE_STORAGE"
        case .io: return "HONE_IO"
        case .script: return "HONE_SCRIPT"
        case .pruned: return "HONE_PRUNED"
        case .interrupted: return "HONE_INTERRUPTED"
        case .noResult: return "HONE_NO_RESULT"
        }
    }
}

/// A failure the C API reports as-is.
public struct APIError: Error, CustomStringConvertible {
    public var status: HoneStatus
    public var message: String
    public init(_ status: HoneStatus, _ message: String) { self.status = status; self.message = message }
    public var description: String { message }

    public static func misuse(_ m: String) -> APIError { APIError(.misuse, m) }
    public static func invalid(_ m: String) -> APIError { APIError(.invalidArgument, m) }
}

/// The status and message of any error thrown below the API.
public func classify(_ error: Error) -> (HoneStatus, String) {
    switch error {
    case let e as APIError: return (e.status, e.message)
    case let e as StudyError:
        switch e {
        case .alreadyFinished: return (.wrongState, e.description)
        case .unknownTrial: return (.notFound, e.description)
        case .noCompletedTrials: return (.noResult, e.description)
        default: return (.invalidArgument, e.description)
        }
    case let e as StorageError:
        switch e {
        case .studyAlreadyExists: return (.exists, e.description)
        case .studyNotFound, .trialNotFound: return (.notFound, e.description)
        case .trialNotRunning: return (.wrongState, e.description)
        case .paramConflict, .invalidRecord, .invalidURL: return (.invalidArgument, e.description)
        case .backend: return (.storage, e.description)
        }
    case let e as SearchSpaceError: return (.invalidArgument, e.description)
    case let e as StorageURLError: return (.invalidArgument, e.description)
    case let e as DatabaseError: return (.storage, e.description)
    case let e as ScriptError:
        return (e.kind == .interrupted ? .interrupted : e.kind == .io ? .io : .script, e.description)
    case let e as DataError: return (e.isNotFound ? .notFound : .invalidArgument, e.description)
    case let e as HoneNNError: return (.invalidArgument, e.description)
    // A bad AutoML space or option, a metric the study cannot use.
    case let e as TuningError: return (.invalidArgument, e.description)
    case let e as CocoaError where e.code.rawValue >= 4 && e.code.rawValue < 1024:
        return (.io, e.localizedDescription)
    default: return (.error, "\(error)")
    }
}

// MARK: The thread-local message

/// One malloc'd C string per thread; replaced on each failure, freed with the thread.
private let errmsgKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
}()

private let emptyMessage: UnsafePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    p.pointee = 0
    return UnsafePointer(p)
}()

public func setErrorMessage(_ message: String) {
    let old = pthread_getspecific(errmsgKey)
    pthread_setspecific(errmsgKey, strdup(message))
    free(old)
}

public func currentErrorMessage() -> UnsafePointer<CChar> {
    guard let p = pthread_getspecific(errmsgKey) else { return emptyMessage }
    return UnsafePointer(p.assumingMemoryBound(to: CChar.self))
}

/// This thread's last failure message as a Swift string ("" if none).
public func lastErrorMessage() -> String { String(cString: currentErrorMessage()) }

/// A status code's constant name ("HONE_WRONG_STATE"), for messages.
public func statusName(_ status: Int32) -> String { HoneStatus(rawValue: status)?.cName ?? "HONE_UNKNOWN_STATUS" }

/// Records `error` as this thread's last failure and returns its status.
public func fail(_ error: Error) -> Int32 {
    let (status, message) = classify(error)
    setErrorMessage(message)
    return status.rawValue
}

/// Runs an export's body: HONE_OK, or the status of what it threw with the message kept.
@inline(__always)
public func api(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return HoneStatus.ok.rawValue
    } catch {
        return fail(error)
    }
}
