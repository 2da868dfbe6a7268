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

// Argument checks of layers, optimizers and model descriptions. HoneNN is compiled with
// -Ounchecked in release builds, where `precondition` is not evaluated, so a value a
// caller can pass (a model description from C, Lua, Python or a saved model's metadata)
// is refused here with an error naming it, what it must be and what it was.
extension HoneNNError {
    static func require(_ ok: Bool, _ what: String, _ setting: String, _ expected: String, got: Any) throws {
        guard ok else { throw HoneNNError("\(what): \(setting) must be \(expected), got \(got)") }
    }

    /// The most weights one model may have (4 GB of Float32): larger sizes would only
    /// exhaust memory, and products of sizes beyond it could overflow Int.
    public static let maxWeights = 1 << 30

    /// The element count of a weight tensor of shape `dims`, refused (rather than
    /// overflowing) beyond `maxWeights`.
    static func weightCount(_ dims: [Int], _ what: String) throws -> Int {
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxWeights else {
                throw HoneNNError("\(what): shape \(dims) has more than \(maxWeights) elements")
            }
            n = p
        }
        return n
    }
}
