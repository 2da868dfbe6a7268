// `--target`, `--test`, `--test-fraction`, `--task`: how the commands that train on a CSV
// table (`hone train`, `hone auto`) read it.

import ArgumentParser
import HoneNN

struct TableOptions: ParsableArguments {
    @Option(help: "CSV: the column to predict.")
    var target: String?
    @Option(help: "CSV: a separate test file (otherwise --test-fraction of the rows are held out, stratified for classification).")
    var test: String?
    @Option(help: "CSV without --test: share of rows held out as the test set.")
    var testFraction: Double = 0.2
    @Option(help: "classification, regression or auto (inferred from the target column).")
    var task: String = "auto"

    func taskKind() throws -> TrainingTask {
        guard let t = TrainingTask(rawValue: task) else {
            throw ValidationError("--task: '\(task)' is not one of auto, classification, regression")
        }
        return t
    }
}
