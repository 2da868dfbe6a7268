// Errors from scripts, as the rest of Hone sees them: what went wrong, where in the
// script (file:line), and the Lua traceback when there is one.
import Foundation

/// A place in a script.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// Anything that went wrong running a script. Every failure of a script — a Lua error, a
/// limit hit, a value of the wrong kind — comes back as one of these; the host survives.
public struct ScriptError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The script does not compile.
        case syntax
        /// `error(...)` or a runtime fault (indexing nil, C stack overflow, …).
        case runtime
        /// The state's memory cap refused an allocation.
        case memoryLimit = "memory limit"
        /// The call ran more VM instructions than its budget.
        case instructionLimit = "instruction limit"
        /// The call ran past its wall-clock deadline.
        case timeLimit = "time limit"
        /// The host asked the script to stop (Ctrl-C).
        case interrupted
        /// The script returned or passed a value the host cannot use (nil, a string where a
        /// number belongs, NaN, …).
        case badValue = "bad value"
        /// The script file could not be read.
        case io
    }

    public var kind: Kind
    /// Lua's message, normally starting with "file:line:".
    public var message: String
    /// Where in the script, from the message or else the innermost script frame.
    public var location: SourceLocation?
    /// Lua's "stack traceback:" text, taken where the error was raised.
    public var traceback: String?

    public init(kind: Kind, message: String, location: SourceLocation? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.traceback = traceback
    }

    /// One line: the message, with the location in front when the message lacks it.
    public var description: String {
        if let location, !message.hasPrefix("\(location):") {
            return "\(location): \(message)"
        }
        return message
    }

    /// The description followed by the traceback, for logs and `--verbose`.
    public var detailedDescription: String {
        guard let traceback, !traceback.isEmpty else { return description }
        return description + "\n" + traceback
    }
}

extension ScriptError {
    /// Splits Lua's "chunk:line: message" prefix. Returns nil for messages without one
    /// (errors raised with level 0, non-string error objects, memory errors).
    static func leadingLocation(in message: String) -> SourceLocation? {
        // The chunk name may itself contain ':' (rarely); the line is the first ":<digits>:".
        var searchStart = message.startIndex
        while let colon = message[searchStart...].firstIndex(of: ":") {
            let afterColon = message.index(after: colon)
            let digits = message[afterColon...].prefix(while: \.isNumber)
            if !digits.isEmpty, digits.endIndex < message.endIndex, message[digits.endIndex] == ":",
               let line = Int(digits), colon > message.startIndex {
                let file = String(message[..<colon])
                if file.contains("\n") { return nil }
                return SourceLocation(file: file, line: line)
            }
            searchStart = afterColon
        }
        return nil
    }

    /// The innermost frame of a traceback that belongs to a script (not C, not the sandbox).
    static func innermostScriptFrame(in traceback: String) -> SourceLocation? {
        for line in traceback.split(separator: "\n").dropFirst() {
            let frame = line.trimmingCharacters(in: .whitespaces)
            if frame.hasPrefix("[C]") || frame.hasPrefix(LuaHost.sandboxChunkName) { continue }
            if let location = leadingLocation(in: frame) { return location }
        }
        return nil
    }
}
