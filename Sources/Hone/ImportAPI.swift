// hone_import_optuna: studies from an Optuna storage file into a Hone storage (the same
// HoneStorage/OptunaImport as `hone import-optuna`).

import Foundation
import HonePlugins
import HoneSearch
import HoneStorage

@_cdecl("hone_import_optuna")
public func hone_import_optuna(_ path: UnsafePointer<CChar>?, _ storageURL: UnsafePointer<CChar>?, _ studyName: UnsafePointer<CChar>?,
                               _ namesJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let file = try string(path, "path")
        let url = try string(storageURL, "storage_url")
        let only = try optionalString(studyName, "study_name")
        guard FileManager.default.fileExists(atPath: file) else { throw APIError(.notFound, "no Optuna storage file at \(file)") }
        let studies = try OptunaImport.studies(path: file).filter { only == nil || $0.name == only }
        if let only, studies.isEmpty { throw APIError(.notFound, "no study named \"\(only)\" in \(file)") }
        let storage = try openStorage(url: url)
        for s in studies { try OptunaImport.store(s, into: storage) }
        namesJSON?.pointee = mallocString(JSONWriter.text { $0.value(.array(studies.map { .string($0.name) })) })
    }
}
