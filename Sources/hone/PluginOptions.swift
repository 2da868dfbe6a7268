// `--plugin PATH` (repeatable) for the commands that take samplers and pruners by name:
// loads native (.so) and Lua plugins through the same loader as libhone's hone_plugin_load.

import ArgumentParser
import HonePlugins

struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: ArgumentHelp(
        "A plugin to load first: a .so exporting hone_plugin_init, or a .lua script of registrations (repeatable). Its samplers and pruners are then usable by name.",
        valueName: "path"))
    var paths: [String] = []

    /// Loads every plugin; a failure names the file and why.
    func load(verbose: Bool) throws {
        for path in paths {
            do {
                let names = try PluginLoader.shared.load(path: path)
                if verbose {
                    let all = names.samplers.map { "sampler \($0)" } + names.pruners.map { "pruner \($0)" }
                        + names.objectives.map { "objective \($0)" } + names.datasets.map { "data set \($0)" }
                    print("plugin \(path): \(all.isEmpty ? "nothing new" : all.joined(separator: ", "))")
                }
            } catch {
                throw CLIError("--plugin \(path): \(error)")
            }
        }
    }
}
