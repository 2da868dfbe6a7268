// `hone export STUDY --format csv|jsonl|tensorboard|optuna-journal --output PATH`: a study's trials in
// forms other tools read (pandas or spreadsheets, jq or any JSON reader, TensorBoard).

import ArgumentParser
import Foundation
import HoneReport
import HoneSearch

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, tensorboard
    case optunaJournal = "optuna-journal"
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a study's trials as CSV, JSON Lines or TensorBoard event files.",
        discussion: """
        csv: one row per trial (params_*, user_attrs_*, system_attrs_* columns, last
        intermediate report). jsonl: one JSON object per trial with every report.
        tensorboard: OUTPUT/<study>/trial-<n>/events.out.tfevents.*: scalars per report
        ("intermediate/value"), the final value ("objective/value") and the parameters
        (HParams and Text dashboards); view with `tensorboard --logdir OUTPUT`.

        Examples:
          hone export mlp --format csv --output mlp.csv
          hone export mlp --format jsonl --output - | jq .values
          hone export mlp --format tensorboard --output runs/ --storage sqlite:runs.db
          hone export mlp --format optuna-journal --output mlp.log   # optuna.storages.JournalStorage(JournalFileBackend("mlp.log"))
        """)

    @Argument(help: "The study's name.") var study: String
    @OptionGroup var storage: StorageOptions
    @Option(help: "csv, jsonl, tensorboard or optuna-journal (a file Optuna's JournalStorage and optuna-dashboard open).") var format: ExportFormat
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The file to write (csv, jsonl; '-' for standard output) or the directory under which the study's runs go (tensorboard).",
        valueName: "path"))
    var output: String

    func run() throws {
        if format == .tensorboard && output == "-" {
            throw CLIError("--output -: TensorBoard event files go to a directory; give its path")
        }
        let store = try storage.open()
        let record = try storage.study(named: study, in: store)
        let trials = try store.allTrials(studyId: record.id)
        switch format {
        case .csv:
            try emit(TrialCSV(study: record, trials: trials).text, count: trials.count)
        case .jsonl:
            try emit(TrialJSONLines.render(trials: trials), count: trials.count)
        case .optunaJournal:
            try emit(OptunaJournal.render(study: record, trials: trials), count: trials.count)
        case .tensorboard:
            let files: [String]
            do {
                files = try TensorBoardExport.write(study: record, trials: trials, to: output)
            } catch {
                throw CLIError("\(error)")
            }
            let directory = URL(fileURLWithPath: output).appendingPathComponent(TensorBoardExport.directoryName(record.name)).path
            print("exported \(files.count) trial run(s) of \"\(record.name)\" to \(directory) (tensorboard --logdir \(output))")
        }
    }

    private func emit(_ text: String, count: Int) throws {
        let data = Data(text.utf8)
        if output == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        do {
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw CLIError("cannot write \(output): \(error.localizedDescription)")
        }
        print("exported \(count) trial(s) of \"\(study)\" to \(output)")
    }
}
