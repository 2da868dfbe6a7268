import ArgumentParser

struct HoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hone",
        abstract: "Hyperparameter optimization for neural networks.",
        subcommands: [
            TrainCommand.self,
        ])
}
HoneCommand.main()
