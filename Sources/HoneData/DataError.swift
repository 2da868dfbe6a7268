// The one error type of HoneData. Every loader failure says which file, where in it
// (line, column, tensor, byte offset) and what was expected versus found, because the
// person reading it usually has only the message and the file.

/// A data-loading or data-handling error with a message meant for people.
///
/// `description` reads like a compiler diagnostic: `path:line: message` when a line is
/// known, `path: message` when only the file is, and just `message` for errors that are
/// not about a file (bad arguments to a split, mismatched shapes in memory).
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the caller named it (not shortened), or nil for in-memory data.
    public var file: String?
    /// 1-based line number for text formats, when known.
    public var line: Int?
    /// What is wrong, without the file/line prefix.
    public var message: String
    /// The data set or file does not exist (the C API's HONE_NOT_FOUND).
    public var isNotFound = false

    public init(file: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// A data set or file that does not exist.
    public static func notFound(_ message: String) -> DataError {
        var e = DataError(message)
        e.isNotFound = true
        return e
    }

    public var description: String {
        switch (file, line) {
        case let (f?, l?): return "\(f):\(l): \(message)"
        case let (f?, nil): return "\(f): \(message)"
        default: return message
        }
    }
}

#if canImport(Foundation)
import Foundation

// So that `error.localizedDescription` (what most callers print) is the full message,
// not Foundation's generic "The operation could not be completed".
extension DataError: LocalizedError {
    public var errorDescription: String? { description }
}
#endif
