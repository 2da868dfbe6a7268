// `hone import-optuna PATH --storage URL [--study NAME]`: studies from an Optuna RDB
// SQLite file or JournalStorage file into a Hone storage (HoneStorage's OptunaImport).

import ArgumentParser
import Foundation
import HoneStorage

struct ImportOptunaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-optuna",
        abstract: "Copy studies from an Optuna storage file (RDB SQLite or JournalStorage) into a Hone storage.",
        discussion: """
          hone import-optuna optuna.db --storage sqlite:///hone.db          # every study of an Optuna RDB file
          hone import-optuna optuna.log --storage sqlite:///hone.db --study mlp   # one study of a journal file
          The trials keep their states, values, parameters, distributions, intermediate values and attributes.
          """)

    @Argument(help: ArgumentHelp("The Optuna storage file: an RDB SQLite file (sqlite:///optuna.db in Optuna) or a JournalStorage file.",
                                 valueName: "path"))
    var path: String
    @Option(name: .customLong("storage"), help: ArgumentHelp("The Hone storage to copy into.", valueName: "url"))
    var storage: String = defaultStorageURL
    @Option(help: "Import only this study (default: every study in the file).") var study: String?

    func run() throws {
        let imported: [ImportedStudy]
        do {
            imported = try OptunaImport.studies(path: path).filter { study == nil || $0.name == study }
        } catch {
            throw CLIError("\(error)")
        }
        if let study, imported.isEmpty { throw CLIError("no study named \"\(study)\" in \(path)") }
        let target = try openStorage(url: storage)
        for s in imported {
            do {
                try OptunaImport.store(s, into: target)
            } catch {
                throw CLIError("study \"\(s.name)\": \(error)")
            }
            print("imported \"\(s.name)\": \(s.trials.count) trial(s)")
        }
    }
}
