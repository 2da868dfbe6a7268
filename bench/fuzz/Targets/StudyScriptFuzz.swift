// Study scripts: load a fuzzed chunk as a study script (run its top level, read its
// study { … } table and check it defines objective) in the sandbox with small limits,
// from an otherwise empty directory; then run two trials in memory (storage, trials,
// jobs and timeout overridden), unless the script warm-starts from another storage.
import HoneScript

enum StudyScriptFuzz {
    static let options: StudyScriptOptions = {
        var o = StudyScriptOptions(storage: "memory:", trials: 2, jobs: 1, timeout: 5,
                                   limits: ScriptLimits(memoryBytes: 32 << 20, instructionsPerCall: 2_000_000, secondsPerCall: 5),
                                   budget: TrainingBudget(maxSamples: 64, maxEpochs: 1))
        o.defaultStorage = "memory:"
        return o
    }()

    static func run(_ bytes: [UInt8]) throws {
        try FuzzFiles.withFile(bytes, suffix: ".lua") { path in
            let script: StudyScript
            do {
                script = try StudyScript(path: path, options: options)
            } catch {
                return try expectNamed(error)
            }
            guard script.configuration.warmStart == nil else { return }
            do {
                let study = try script.run()
                let trials = try study.trials()
                try expect(trials.count <= 2, "\(trials.count) trials run of 2")
                for trial in trials where trial.state == .fail {
                    try expect(!(trial.failReason ?? "").isEmpty, "trial \(trial.number) failed without a reason")
                }
            } catch let error as FuzzFailure {
                throw error
            } catch {
                try expectNamed(error)
            }
        }
    }
}
