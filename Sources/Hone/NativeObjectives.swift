// Objectives registered by name (by native plugins through hone_registry_add_objective),
// run by hone_study_optimize_named and the CLI.

import CHoneHeader
import Foundation
import HonePlugins

struct NativeObjective: @unchecked Sendable {
    var function: hone_objective_fn
    var userdata: UnsafeMutableRawPointer?
}

final class NativeObjectives: @unchecked Sendable {
    static let shared = NativeObjectives()
    private let lock = NSLock()
    private var byName: [String: NativeObjective] = [:]

    func register(_ name: String, _ objective: NativeObjective) throws {
        lock.lock(); defer { lock.unlock() }
        guard byName[name] == nil else { throw APIError.invalid("objective '\(name)' is already registered") }
        byName[name] = objective
    }

    func lookup(_ name: String) throws -> NativeObjective {
        lock.lock(); defer { lock.unlock() }
        guard let o = byName[name] else {
            throw APIError(.notFound, "no objective named '\(name)' (registered: \(byName.keys.sorted().joined(separator: ", ")))")
        }
        return o
    }

    var names: [String] { lock.lock(); defer { lock.unlock() }; return byName.keys.sorted() }
}
