// Samplers and pruners written in C (hone_sampler_plugin, hone_pruner_plugin), behind
// HoneSearch's protocols: every call gets a context token valid for that call only.

import CHoneHeader
import Foundation
import HoneSearch
import HoneTensor

// The plugin structs' function types, as include/hone.h declares them (the compiler
// checks each assignment from a struct field below).
typealias CCreate = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?
typealias CDestroy = @convention(c) (UnsafeMutableRawPointer?) -> Void
typealias CSample = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                    UnsafeMutablePointer<Double>?) -> hone_status
typealias CShouldPrune = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<Int32>?) -> hone_status

/// A plugin struct's fields, copied at registration (the plugin may free its struct).
struct CAlgorithmTable<Call>: @unchecked Sendable {
    var create: CCreate
    var destroy: CDestroy
    var call: Call
    var pluginData: UnsafeMutableRawPointer?

    /// Reads hone.h's `Plugin` struct at `p` once its `struct_size` says the caller's
    /// struct is at least as large as this header's (a smaller one is from a header this
    /// library does not know). `fields` picks (create, destroy, call) out of it.
    init<Plugin>(_ p: UnsafePointer<Plugin>?, pluginData: UnsafeMutableRawPointer?, what: String,
                 fields: (Plugin) -> (CCreate?, CDestroy?, Call?)) throws {
        guard let p else { throw APIError(.misuse, "\(what) is NULL") }
        let size = UnsafeRawPointer(p).load(as: Int.self)   // struct_size, the first field of each
        let needed = MemoryLayout<Plugin>.size
        guard size >= needed else {
            throw APIError(.invalidArgument, "\(what).struct_size is \(size), expected at least \(needed) (set it to sizeof the struct)")
        }
        guard case let (c?, d?, s?) = fields(p.pointee) else {
            throw APIError(.invalidArgument, "\(what): create, destroy and its call must all be set")
        }
        create = c; destroy = d; call = s
        self.pluginData = pluginData
    }

    /// One instance for a study, from the algorithm's options.
    func instantiate(_ options: AlgorithmOptions, kind: String, name: String) throws -> UnsafeMutableRawPointer {
        var fields: [String: JSONValue] = [:]
        for key in options.values.keys { fields[key] = options.raw(key) ?? .null }
        let text = JSONValue.object(fields).jsonText
        guard let instance = text.withCString({ create($0, pluginData) }) else {
            throw StudyError.invalidArgument("\(kind) '\(name)' refused its options \(text)")
        }
        return instance
    }
}

/// Turns a plugin call's non-OK status into an error carrying the plugin's message.
func checkStatus(_ status: Int32, _ what: @autoclosure () -> String) throws {
    guard status != HoneStatus.ok.rawValue else { return }
    let message = lastErrorMessage()
    throw APIError(HoneStatus(rawValue: status) ?? .error, "\(what()) returned \(statusName(status))" + (message.isEmpty ? "" : ": \(message)"))
}

final class NativeSampler: Sampler, @unchecked Sendable {
    let name: String
    private let table: CAlgorithmTable<CSample>
    private let instance: UnsafeMutableRawPointer

    init(name: String, table: CAlgorithmTable<CSample>, options: AlgorithmOptions) throws {
        self.name = name
        self.table = table
        instance = try table.instantiate(options, kind: "sampler", name: name)
    }

    deinit { table.destroy(instance) }

    func sampleIndependent(study: StudyView, trial: Trial, name parameter: String, distribution: Distribution) throws -> ParamValue {
        if case .fixed(let v) = distribution { return v }
        let ctx = PluginContext(study: study, trialNumber: trial.number, intermediate: [],
                                random: trial.random(for: "plugin-sampler:\(name):\(parameter)"))
        var value = Double.nan
        let sample = table.call
        let status = HandleTable.shared.lend(ctx, .context) { token in
            parameter.withCString { p in JSONWriter.text({ $0.distribution(distribution) }).withCString { sample(instance, token, p, $0, &value) } }
        }
        try checkStatus(status, "sampler '\(name)' for '\(parameter)'")
        return try checked(value, parameter, distribution)
    }

    /// The internal value the plugin wrote, as a parameter, refusing values outside the distribution.
    private func checked(_ x: Double, _ parameter: String, _ d: Distribution) throws -> ParamValue {
        func bad(_ why: String) -> StudyError { .invalidArgument("sampler '\(name)' returned \(x) for '\(parameter)': \(why)") }
        guard x.isFinite else { throw bad("not a finite number") }
        switch d {
        case .float(let f):
            let slack = 1e-9 * max(1, abs(f.high - f.low))
            guard x >= f.low - slack, x <= f.high + slack else { throw bad("outside [\(f.low), \(f.high)]") }
        case .int(let i):
            guard x == x.rounded(), x >= Double(i.low), x <= Double(i.high) else { throw bad("not an integer in [\(i.low), \(i.high)]") }
            guard (Int(x) - i.low) % i.step == 0 else { throw bad("not on the grid \(i.low) + k·\(i.step)") }
        case .categorical(let c):
            guard x == x.rounded(), x >= 0, x < Double(c.choices.count) else { throw bad("not a choice index 0..\(c.choices.count - 1)") }
        case .fixed: break
        }
        return d.toExternal(x)
    }
}

final class NativePruner: Pruner, @unchecked Sendable {
    let name: String
    private let table: CAlgorithmTable<CShouldPrune>
    private let instance: UnsafeMutableRawPointer

    init(name: String, table: CAlgorithmTable<CShouldPrune>, options: AlgorithmOptions) throws {
        self.name = name
        self.table = table
        instance = try table.instantiate(options, kind: "pruner", name: name)
    }

    deinit { table.destroy(instance) }

    func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        let curve = trial.intermediateCurve().compactMap { p in p.values.first.map { (step: p.step, value: $0) } }
        let ctx = PluginContext(study: study, trialNumber: trial.number, intermediate: curve,
                                random: RandomGenerator.derived(seed: study.seed, UInt64(trial.number), stableHash("plugin-pruner:\(name)"),
                                                                UInt64(curve.count)))
        var prune: Int32 = 0
        let call = table.call
        let status = HandleTable.shared.lend(ctx, .context) { call(instance, $0, &prune) }
        try checkStatus(status, "pruner '\(name)'")
        return prune != 0
    }
}
