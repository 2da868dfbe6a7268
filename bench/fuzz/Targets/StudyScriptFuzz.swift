// Study scripts: load a fuzzed chunk as a study script (run its top level, read its
// study { … } table and check it defines objective) in the sandbox with small limits,
// from an otherwise empty directory. It is not run: no study is opened, no storage made.
import HoneScript

enum StudyScriptFuzz {
    static let options = StudyScriptOptions(
        limits: ScriptLimits(memoryBytes: 32 << 20, instructionsPerCall: 2_000_000, secondsPerCall: 5),
        budget: TrainingBudget(maxSamples: 64, maxEpochs: 1))

    static func run(_ bytes: [UInt8]) throws {
        try FuzzFiles.withFile(bytes, suffix: ".lua") { path in
            do {
                let script = try StudyScript(path: path, options: options)
                _ = script.configuration
            } catch {
                try expectNamed(error)
            }
        }
    }
}
