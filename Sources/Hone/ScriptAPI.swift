// The Lua-script section of include/hone.h: runs a study script to the end.

import Foundation
import HonePlugins
import HoneScript
import HoneSearch

@_cdecl("hone_script_run")
public func hone_script_run(_ scriptPath: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let path = try string(scriptPath, "script_path")
        let o = AlgorithmOptions(try jsonObject(optionsJSON, "options_json"), context: "options_json")
        var options = StudyScriptOptions()
        options.storage = try o.string("storage")
        options.trials = try o.int("trials", min: 1, max: Int.max)
        options.jobs = try o.int("jobs", min: 1, max: 1024)
        options.seed = try o.int("seed", min: 0, max: Int.max).map(UInt64.init)
        options.timeout = try o.number("timeout", in: 1e-6...1e9)
        if let dirs = o.raw("allow_read") {
            guard case .array(let items) = dirs, let list = Optional(items.compactMap(\.stringValue)), list.count == items.count else {
                throw APIError.invalid("options_json: \"allow_read\" must be an array of directory paths")
            }
            options.readableDirectories = list
        }
        options.budget = TrainingBudget(maxSamples: try o.int("max_samples", min: 1, max: Int.max),
                                        maxEpochs: try o.int("max_epochs", min: 1, max: Int.max))
        try o.checkAllUsed()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw APIError(.notFound, "\(path): no such script file")
        }
        let script = try StudyScript(path: path, options: options)
        let watch = InterruptWatch { script.interrupt() }
        defer { watch.finish() }
        let study = try script.run()
        if watch.fired {
            throw APIError(.interrupted, "hone_script_run of \(path) was interrupted by hone_interrupt "
                + "(its running trials are stored FAIL \"interrupted\")")
        }
        if let out { out.pointee = HandleTable.shared.insert(StudyHandle(study), kind: .study) }
    }
}
