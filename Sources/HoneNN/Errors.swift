// The one error type of HoneNN. Messages name the thing that is wrong and say what was
// expected versus found, because the person reading one usually has only the message.

import Foundation

/// A model, optimizer, schedule or training error with a message meant for people.
public struct HoneNNError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

// So that `error.localizedDescription` (what most callers print) is the full message.
extension HoneNNError: LocalizedError {
    public var errorDescription: String? { message }
}
