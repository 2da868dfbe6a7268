// `hone report STUDY`: the self-contained HTML report of a study (history, learning
// curves, parallel coordinates, slices, contour, Pareto front, importance, trial table).

import ArgumentParser
import Foundation
import HoneReport
import HoneSearch

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of a study (one self-contained file, no network needed).",
        discussion: """
        Examples:
          hone report mlp
          hone report mlp --storage sqlite:runs.db --output mlp.html --title "MLP on Fashion-MNIST"
        """)

    @Argument(help: "The study's name.") var study: String
    @OptionGroup var storage: StorageOptions
    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the report (default: STUDY.html).", valueName: "path"))
    var output: String?
    @Option(help: "Title of the page (default: the study's name).") var title: String?

    func run() throws {
        let store = try storage.open()
        let record = try storage.study(named: study, in: store)
        let opened = try Study.load(name: record.name, storage: store)
        let path = output ?? Self.defaultFileName(study)
        let started = Date()
        do {
            try HTMLReport.write(study: opened, to: path, title: title)
        } catch {
            throw CLIError("\(error)")
        }
        let trials = try store.trialCount(studyId: record.id, states: nil)
        print("wrote \(path) (\(trials) trial(s), \(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
    }

    /// A file name from the study's name, keeping only characters safe in any file system.
    static func defaultFileName(_ study: String) -> String {
        let safe = study.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }
        return String(safe).trimmingCharacters(in: CharacterSet(charactersIn: ".")) + ".html"
    }
}
