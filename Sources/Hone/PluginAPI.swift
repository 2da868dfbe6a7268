// The plugin section of include/hone.h. The loader, the registry and the context calls
// live in HonePlugins (the CLI loads plugins through the same code); this file connects
// them to libhone: its objectives table and its data set handles.

import Foundation
import HoneData
import HonePlugins
import HoneSearch

/// Points the plugin layer at libhone's own tables (idempotent; before any plugin loads).
private let installHost: Void = {
    let host = PluginHost.shared
    host.registerObjective = { name, objective in
        try NativeObjectives.shared.register(name, NativeObjective(function: objective.function,
                                                                   userdata: objective.userdata))
    }
    host.takeDataset = { handle in
        // The loader handed the data set over: its handle is spent.
        let d: DatasetHandle = try HandleTable.shared.get(handle, .dataset)
        HandleTable.shared.remove(handle, .dataset)
        return d.dataset
    }
}()

@_cdecl("hone_plugin_load")
public func hone_plugin_load(_ path: UnsafePointer<CChar>?, _ namesJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        _ = installHost
        let file = try string(path, "path")
        let names = try PluginLoader.shared.load(path: file)
        namesJSON?.pointee = mallocString(names.json.jsonText)
    }
}

@_cdecl("hone_registry_json")
public func hone_registry_json(_ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        _ = installHost
        let out = try output(out, "out")
        var all = PluginNames()
        all.samplers = AlgorithmRegistry.shared.samplerNames
        all.pruners = AlgorithmRegistry.shared.prunerNames
        all.objectives = NativeObjectives.shared.names
        all.datasets = Datasets.names
        // Schedulers are built in only (plugins add samplers and pruners).
        guard case .object(var names) = all.json else { throw APIError.invalid("registry names are not an object") }
        names["schedulers"] = .array(AlgorithmRegistry.shared.schedulerNames.map(JSONValue.string))
        out.pointee = mallocString(JSONValue.object(names).jsonText)
    }
}
