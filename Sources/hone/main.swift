import ArgumentParser

struct HoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hone",
        abstract: "Hyperparameter optimization for neural networks.",
        subcommands: [
            TrainCommand.self, TuneCommand.self, AutoCommand.self,
            StudiesCommand.self, TrialsCommand.self, BestCommand.self, DeleteCommand.self,
            ExportCommand.self, ImportOptunaCommand.self,
            ReportCommand.self,
        ])
}
HoneCommand.main()
