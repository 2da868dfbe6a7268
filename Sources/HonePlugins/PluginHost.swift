// What the plugin layer needs from whoever hosts it (libhone.so or the CLI): the C API's
// objects it cannot see itself (objectives, data sets). libhone installs its own before
// it loads a plugin; the CLI keeps the defaults.

import CHoneHeader
import Foundation
import HoneData

/// A plugin's `hone_objective_fn` plus its userdata.
public struct RegisteredObjective: @unchecked Sendable {
    public var function: hone_objective_fn
    public var userdata: UnsafeMutableRawPointer?
}

public final class PluginHost: @unchecked Sendable {
    /// Takes a registered objective (libhone: into hone_study_optimize_named's table).
    public var registerObjective: (@Sendable (String, RegisteredObjective) throws -> Void)?
    /// Turns the hone_dataset* a plugin's loader returned into a Dataset (and frees it).
    public var takeDataset: (@Sendable (OpaquePointer) throws -> Dataset)?

    public static let shared = PluginHost()

    /// Objectives registered while no host took them (the CLI): listed, not runnable.
    let lock = NSLock()
    var keptObjectives: [String: RegisteredObjective] = [:]
}
