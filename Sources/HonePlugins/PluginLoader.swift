// Loading plugins: a native .so (dlopen, then its hone_plugin_init with a registry handle
// valid for that call) or a .lua script of registrations. Each path loads once.

import CHoneHeader
import Foundation
import HoneData
import HoneScript
import HoneSearch

/// What one plugin registered, by kind.
public struct PluginNames: Sendable, Equatable {
    public var samplers: [String] = []
    public var pruners: [String] = []
    public var objectives: [String] = []
    public var datasets: [String] = []
    public init() {}

    public var json: JSONValue {
        ["samplers": .array(samplers.map(JSONValue.string)), "pruners": .array(pruners.map(JSONValue.string)),
         "objectives": .array(objectives.map(JSONValue.string)), "datasets": .array(datasets.map(JSONValue.string))]
    }
}

/// The API version this library speaks (HONE_PLUGIN_API_VERSION).
public let pluginAPIVersion: Int32 = 1

/// The registry a native plugin's init receives; open only during that call.
final class RegistryScope: @unchecked Sendable {
    let path: String
    var names = PluginNames()
    init(path: String) { self.path = path }
}

public final class PluginLoader: @unchecked Sendable {
    public static let shared = PluginLoader()

    private let lock = NSRecursiveLock()
    private var loaded: [String: PluginNames] = [:]
    /// Which plugin path registered each name, so a retry after a failed init may
    /// register the same names again.
    private var owners: [String: String] = [:]

    /// Loads the plugin at `path` (once per canonical path) and returns what it registered.
    public func load(path: String) throws -> PluginNames {
        guard !path.isEmpty else { throw APIError(.invalidArgument, "plugin path is empty") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw APIError(.notFound, "plugin \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw APIError(.invalidArgument, "plugin \(path) is a directory") }
        let canonical = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        lock.lock(); defer { lock.unlock() }
        if loaded[canonical] != nil { return PluginNames() }
        let names = canonical.hasSuffix(".lua") ? try loadLua(canonical) : try loadNative(canonical)
        loaded[canonical] = names
        return names
    }

    /// Every path loaded so far.
    public var loadedPaths: [String] { lock.lock(); defer { lock.unlock() }; return loaded.keys.sorted() }

    // MARK: Native

    private func loadNative(_ path: String) throws -> PluginNames {
        exposeHostSymbols()
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw APIError(.io, "cannot load plugin \(path): \(why)")
        }
        guard let entry = dlsym(library, "hone_plugin_init") else {
            dlclose(library)
            throw APIError(.notFound, "\(path) is not a Hone plugin: it exports no hone_plugin_init")
        }
        let initialize = unsafeBitCast(entry, to: hone_plugin_init_fn.self)
        let scope = RegistryScope(path: path)
        setErrorMessage("")
        let status = HandleTable.shared.lend(scope, .registry) { initialize($0, pluginAPIVersion) }
        // The library stays loaded even when init fails: what it registered before failing
        // points into it.
        guard status == HoneStatus.ok.rawValue else {
            let message = lastErrorMessage()
            throw APIError(status == HoneStatus.misuse.rawValue ? .error : HoneStatus(rawValue: status) ?? .error,
                           "hone_plugin_init of \(path) failed with \(statusName(status))"
                           + (message.isEmpty ? "" : ": \(message)") + " (this library's plugin API version is \(pluginAPIVersion))")
        }
        return scope.names
    }

    /// Native plugins call hone_registry_add_* and hone_context_* by name. Those live in
    /// this module, linked into libhone.so or into the executable; a library loaded
    /// RTLD_LOCAL (Python's ctypes) would not lend them to the plugin, so promote it.
    private func exposeHostSymbols() {
        let anchor = UInt(bitPattern: unsafeBitCast(hostAnchor, to: UnsafeRawPointer.self))
        // dladdr is not visible to Swift's Glibc module: the mapping table says the same.
        // (Read line by line: /proc files report a size of 0, which whole-file readers trust.)
        guard let maps = fopen("/proc/self/maps", "r") else { return }
        defer { fclose(maps) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, maps) > 0, let buffer {
            let line = String(cString: buffer).trimmingCharacters(in: .newlines)
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let file = fields[5].trimmingCharacters(in: .whitespaces)
            let range = fields[0].split(separator: "-")
            guard file.hasPrefix("/"), range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16),
                  anchor >= low, anchor < high else { continue }
            _ = dlopen(file, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL)
            return
        }
    }

    // MARK: Registrations

    func registerSampler(_ scope: RegistryScope, _ name: String, _ table: CAlgorithmTable<CSample>) throws {
        try AlgorithmRegistry.shared.registerSampler(name, replace: owns(scope, "sampler:" + name)) { options in
            try NativeSampler(name: name, table: table, options: options)
        }
        owners["sampler:" + name] = scope.path
        scope.names.samplers.append(name)
    }

    func registerPruner(_ scope: RegistryScope, _ name: String, _ table: CAlgorithmTable<CShouldPrune>) throws {
        try AlgorithmRegistry.shared.registerPruner(name, replace: owns(scope, "pruner:" + name)) { options in
            try NativePruner(name: name, table: table, options: options)
        }
        owners["pruner:" + name] = scope.path
        scope.names.pruners.append(name)
    }

    func registerObjective(_ scope: RegistryScope, _ name: String, _ objective: RegisteredObjective) throws {
        guard !name.isEmpty else { throw APIError(.invalidArgument, "objective name is empty") }
        if !owns(scope, "objective:" + name) {
            let host = PluginHost.shared
            if let register = host.registerObjective {
                try register(name, objective)
            } else {
                host.lock.lock(); defer { host.lock.unlock() }
                guard host.keptObjectives[name] == nil else { throw APIError(.invalidArgument, "objective '\(name)' is already registered") }
                host.keptObjectives[name] = objective
            }
        }
        owners["objective:" + name] = scope.path
        scope.names.objectives.append(name)
    }

    func registerDataset(_ scope: RegistryScope, _ name: String, _ function: hone_dataset_fn, _ userdata: UnsafeMutableRawPointer?) throws {
        let box = UncheckedPointer(userdata)
        if !owns(scope, "dataset:" + name) {
            try Datasets.register(name: name) { options in
                guard let take = PluginHost.shared.takeDataset else {
                    throw APIError(.error, "data set '\(name)' comes from a native plugin and needs libhone.so to build it")
                }
                var made: OpaquePointer?
                let status = options.withCString { function($0, box.pointer, &made) }
                try checkStatus(status, "the loader of data set '\(name)'")
                guard let made else { throw APIError(.error, "the loader of data set '\(name)' returned HONE_OK but no data set") }
                return try take(made)
            }
        }
        owners["dataset:" + name] = scope.path
        scope.names.datasets.append(name)
    }

    private func owns(_ scope: RegistryScope, _ key: String) -> Bool { owners[key] == scope.path }

    // MARK: Lua

    private func loadLua(_ path: String) throws -> PluginNames {
        let plugin = try LuaPlugin(path: path)
        var names = PluginNames()
        for name in plugin.samplerNames {
            try AlgorithmRegistry.shared.registerSampler(name, replace: owners["sampler:" + name] == path) { _ in plugin.sampler(name) }
            owners["sampler:" + name] = path
            names.samplers.append(name)
        }
        for name in plugin.prunerNames {
            try AlgorithmRegistry.shared.registerPruner(name, replace: owners["pruner:" + name] == path) { _ in try plugin.pruner(name) }
            owners["pruner:" + name] = path
            names.pruners.append(name)
        }
        return names
    }
}

/// A C function whose address lies in the module that holds the hone_* exports.
private let hostAnchor: @convention(c) () -> Void = {}

struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer?
    init(_ p: UnsafeMutableRawPointer?) { pointer = p }
}

// MARK: hone_registry_add_*

private func scope(_ registry: OpaquePointer?) throws -> RegistryScope {
    try HandleTable.shared.get(registry, .registry)
}

@_cdecl("hone_registry_add_sampler")
public func hone_registry_add_sampler(_ registry: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ sampler: UnsafePointer<hone_sampler_plugin>?,
                                      _ pluginData: UnsafeMutableRawPointer?) -> hone_status {
    api {
        let s = try scope(registry)
        let name = try string(name, "name")
        let table = try CAlgorithmTable<CSample>(sampler, pluginData: pluginData, what: "sampler") { ($0.create, $0.destroy, $0.sample) }
        try PluginLoader.shared.registerSampler(s, name, table)
    }
}

@_cdecl("hone_registry_add_pruner")
public func hone_registry_add_pruner(_ registry: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ pruner: UnsafePointer<hone_pruner_plugin>?,
                                     _ pluginData: UnsafeMutableRawPointer?) -> hone_status {
    api {
        let s = try scope(registry)
        let name = try string(name, "name")
        let table = try CAlgorithmTable<CShouldPrune>(pruner, pluginData: pluginData, what: "pruner") { ($0.create, $0.destroy, $0.should_prune) }
        try PluginLoader.shared.registerPruner(s, name, table)
    }
}

@_cdecl("hone_registry_add_objective")
public func hone_registry_add_objective(_ registry: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ objective: hone_objective_fn?,
                                        _ userdata: UnsafeMutableRawPointer?) -> hone_status {
    api {
        let s = try scope(registry)
        let name = try string(name, "name")
        guard let objective else { throw APIError(.misuse, "objective is NULL") }
        try PluginLoader.shared.registerObjective(s, name, RegisteredObjective(function: objective, userdata: userdata))
    }
}

@_cdecl("hone_registry_add_dataset")
public func hone_registry_add_dataset(_ registry: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ loader: hone_dataset_fn?,
                                      _ userdata: UnsafeMutableRawPointer?) -> hone_status {
    api {
        let s = try scope(registry)
        let name = try string(name, "name")
        guard let loader else { throw APIError(.misuse, "loader is NULL") }
        try PluginLoader.shared.registerDataset(s, name, loader, userdata)
    }
}
