// `hone auto DATA`: AutoML over HoneTuning's `AutoML` — infer the task, search the
// default space with AutoSampler + Hyperband within a time budget (starting from the
// space's default configuration, one line per finished trial), average the search's best
// networks (ensemble selection; `--refit` retrains them on all training data), save the
// model and print its test metrics next to those of the default configuration's network.

import ArgumentParser
import Foundation
import HoneData
import HoneNN
import HoneReport
import HoneSearch
import HoneStorage
import HoneTensor
import HoneTuning

struct AutoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto",
        abstract: "AutoML: search networks and training settings for a data set; the best networks make the final model.",
        discussion: """
        Examples:
          hone auto fashion-mnist --time-budget 1200 --jobs 2 --output fmnist.safetensors
          hone auto table.csv --target label --time-budget 120 --report table.html
          hone auto table.csv --target price --warm-start-from auto-table@sqlite:old.db

        Ctrl-C (SIGINT) or SIGTERM stops the search: running trials are stored as FAIL \
        "interrupted", nothing is retrained or saved, and the exit code is 130 (SIGINT) or 143 \
        (SIGTERM). Run the same command again to resume the study.
        """)

    @Argument(help: ArgumentHelp("A named data set (\(Datasets.names.joined(separator: ", "))) or a CSV file.", valueName: "data"))
    var data: String

    @OptionGroup var table: TableOptions

    @Option(help: "Seconds for the search (the final model is built after it: seconds, or longer with --refit).")
    var timeBudget: Double?
    @Option(help: "Stop after this many trials (default: as many as the time budget allows).")
    var trials: Int?
    @Option(help: "Trials trained at once, each with one BLAS thread (default: one per core; on 2 cores two single-threaded trials train ≈ 1.7× more epochs per second than one trial on two threads).")
    var jobs: Int?
    @Option(help: "Seed of every random choice (same seed with --jobs 1: same trials).")
    var seed: UInt64 = 0
    @Option(help: "Most epochs per trial (default: 15 for large data, more for small tables; × √(budget / 900 s) for time budgets over 15 minutes, down to Hyperband's top rung when within a fifth of it).")
    var maxEpochs: Int?
    @Option(help: "Share of the training data held out to compare configurations (default 0.1; 0.2 below 2,000 samples).")
    var valFraction: Double?
    @Option(help: "Average up to N (1–16) of the search's networks in the final model, chosen by ensemble selection on the validation split (default 5; 1: the best trial's alone).")
    var ensemble: Int?
    @Flag(help: "Retrain the final model's configurations on all training data instead of keeping the networks the search trained (slower; the default configuration is retrained too).")
    var refit = false

    @Option(help: ArgumentHelp("Model families to search, comma-separated: mlp, cnn (cnn for images only; default: both for images, mlp otherwise).", valueName: "list"))
    var models: String?

    @Option(help: ArgumentHelp("Storage URL of the study (default: hone.db in the current directory).", valueName: "url"))
    var storage: String?
    @Option(help: "Study name (default: auto-DATA; an existing study of that name is resumed).")
    var study: String?
    @Option(name: .customLong("warm-start-from"),
            help: ArgumentHelp("Start from the finished trials of another study that fit this space.", valueName: "study[@url]"))
    var warmStartFrom: String?
    @Option(help: "Save the final model as .safetensors.")
    var output: String = "model.safetensors"
    @Option(help: ArgumentHelp("Write an HTML report of the study (curves, importance, trials).", valueName: "path.html"))
    var report: String?
    @Flag(inversion: .prefixedNo, help: "Start the search from the default configuration and compare the tuned model's test metrics with its network's.")
    var baseline = true
    @Flag(name: .shortAndLong, help: "Print every epoch of the final training.")
    var verbose = false

    func run() throws {
        do { try automl() } catch let error as ValidationError { throw error } catch let error as CLIError { throw error } catch {
            throw CLIError("\(error)")
        }
    }

    private func automl() throws {
        let taskKind = try table.taskKind()
        guard timeBudget != nil || trials != nil else {
            throw ValidationError("give a --time-budget SECONDS (or --trials N) so the search knows when to stop")
        }
        let start = Date()
        let prepared = try AutoMLData.load(data, target: table.target, task: taskKind, testPath: table.test,
                                          testFraction: table.testFraction, seed: seed)
        for note in prepared.notes { print(note) }
        if let maxEpochs, maxEpochs < 1 { throw ValidationError("--max-epochs must be at least 1") }
        let space = AutoSearchSpace.defaults(for: prepared.train, timeBudget: timeBudget,
                                             models: models?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                                             maxEpochs: maxEpochs)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let workers = jobs ?? max(1, min(cores, 16))
        let automl = try AutoML(data: prepared, options: AutoMLOptions(
            timeBudget: timeBudget, maxTrials: trials, jobs: workers, seed: seed, studyName: study,
            validationFraction: valFraction, space: space, baseline: baseline, ensembleSize: ensemble, refit: refit))
        print("search: \(automl.searchTrain.count) training / \(automl.searchValidation.count) validation samples; "
            + "\(automl.metric.rawValue) (\(automl.direction.rawValue.lowercased())); "
            + "models: \(space.models.map { $0.uppercased() + "s" }.joined(separator: " and ")); "
            + "sampler auto, pruner Hyperband judging after epochs \(space.hyperbandRungs.map(String.init).joined(separator: ", ")) of \(space.maxEpochs) (η = \(AutoSearchSpace.hyperbandReductionFactor)); "
            + "\(workers) worker\(workers == 1 ? "" : "s")" + (workers > 1 ? " × 1 BLAS thread" : "")
            + (jobs == nil ? " (one per core)" : "") + "; "
            + (automl.ensembleSize > 1 ? "final model: up to \(automl.ensembleSize) networks averaged; " : "")
            + "space: \(space.distributions.names.sorted().joined(separator: ", "))")

        let storageURL = storage ?? defaultStorageURL
        let store = try openStorage(url: storageURL)
        let study = try automl.makeStudy(storage: store)
        // The baseline just enqueued (WAITING) has not run: it is not a trial to resume after.
        let existing = try study.trials().filter { $0.state != .waiting }.count
        print("study \"\(study.name)\" in \(storageURL)" + (existing > 0 ? ", resuming after \(existing) stored trials" : ""))
        fflush(stdout)  // seen before the search when stdout is a pipe or a batch job's log
        if let warmStartFrom {
            let source = try WarmStartSource(parsing: warmStartFrom).load(defaultStorage: store, open: openStorage(url:))
            print("warm start from \"\(source.name)\": " + (try automl.warmStart(study, from: source)).description)
        }

        let progress = AutoProgress(direction: automl.direction)
        // SIGINT/SIGTERM: running trials are stored FAIL "interrupted", the search ends,
        // the best configuration is not retrained, and the exit code is 130/143.
        let interrupts = SignalInterrupter { signo in
            FileHandle.standardError.write(Data((SignalInterrupter.stopping(signo) + "\n").utf8))
            automl.interrupt()
        }
        defer { interrupts.restore() }
        let resume = "run the same command again to resume study \"\(study.name)\""
        do {
            try automl.search(study) { _, trial in progress.finished(trial) }
        } catch {
            interrupts.exitIfInterrupted(resume: resume, error: error)
            throw error
        }
        let searchSeconds = Date().timeIntervalSince(start)
        let counts = Dictionary(grouping: try study.trials(), by: \.state).mapValues(\.count)
        print(String(format: "search: %.0f s, ", searchSeconds) + "\(progress.count) trials this run ("
            + TrialState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue.lowercased())" } }.joined(separator: ", ")
            + " in the study)" + (interrupts.received != nil ? " (interrupted; no final model)" : ""))
        interrupts.exitIfInterrupted(resume: resume)

        let best = try automl.bestTrial(of: study)
        let described = best.values?.first.map { String(format: "%@ %.4f", automl.metric.rawValue, $0) }
            ?? "not completed (furthest trial, last report \(best.intermediateCurve().last.map { String(format: "%.4f", $0.values[0]) } ?? "-"))"
        print("best: trial \(best.number), \(described)")
        print("params: " + best.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        // Networks not in memory (trials of an earlier run of this study) are trained
        // again as the search trained them: say so before the wait.
        let earlier: (Int) -> Void = { n in
            print("training \(n) network\(n == 1 ? "" : "s") of trials from an earlier run, as the search trained them…")
            fflush(stdout)
        }
        let announce: (Int) -> Void = refit ? { n in
            print("retraining \(n > 1 ? "\(n) configurations " : "")on all \(prepared.train.count) training samples for \(space.maxEpochs) epochs…")
            fflush(stdout)
        } : earlier
        let printing = NSLock()
        let members: [FrozenTrial]
        let model: AutoMLModel
        do {
            members = try automl.ensembleMembers(of: study, onTraining: earlier)
            if members.count > 1 {
                print("ensemble: trials " + members.map { t in
                    "\(t.number)" + (t.values?.first.map { String(format: " (%.4f)", $0) } ?? "")
                }.joined(separator: ", "))
                fflush(stdout)
            }
            model = try automl.finalModel(members, study: study, onTraining: announce) { k, m in
                guard verbose, m.epoch % max(1, space.maxEpochs / 20) == 0 || m.epoch == space.maxEpochs else { return }
                printing.lock(); defer { printing.unlock() }
                print((members.count > 1 ? "  member \(k)" : "") + String(format: "  epoch %3d  loss %.4f  %.1fs", m.epoch, m.trainLoss, m.seconds))
                fflush(stdout)
            }
        } catch {
            interrupts.exitIfInterrupted(resume: "training stopped, no model saved; " + resume,
                                         error: error is TrialInterrupted ? nil : error)
            throw error
        }
        interrupts.exitIfInterrupted(resume: "no model saved; " + resume)
        try automl.save(model, to: output)
        if let report {
            try HTMLReport.write(study: study, to: report, title: "hone auto \(data)")
            print("report \(report)")
        }
        print("model \(model.configuration.model.jsonString())")
        print(String(format: refit ? "retrained in %.0f s; saved %@" : "built in %.0f s; saved %@", model.seconds, output))

        // The default configuration's network, made the same way, for comparison.
        var reference: AutoMLModel?
        if baseline, let base = try automl.baselineTrial(of: study) {
            if members.map(\.number) == [base.number] {
                reference = model
            } else {
                do {
                    reference = try automl.finalModel([base], study: study, onTraining: { _ in
                        print("training the default configuration (trial \(base.number)) the same way…")
                        fflush(stdout)
                    })
                } catch {
                    interrupts.exitIfInterrupted(resume: "tuned model saved; " + resume, error: error is TrialInterrupted ? nil : error)
                    throw error
                }
            }
        }
        func metrics(_ t: AutoMLTestMetrics) -> String {
            [t.accuracy.map { String(format: "accuracy %.4f", $0) }, t.rmse.map { String(format: "rmse %.6g", $0) },
             t.r2.map { String(format: "r2 %.4f", $0) }].compactMap { $0 }.joined(separator: ", ")
        }
        if let reference {
            print("test (\(model.test.sampleCount) samples): default configuration (trial \(reference.trial.number)) \(metrics(reference.test)); "
                + "tuned (trial\(model.members.count > 1 ? "s" : "") \(model.members.map { String($0.number) }.joined(separator: ", "))) \(metrics(model.test))")
        }
        if let a = model.test.accuracy { print(String(format: "test accuracy %.4f (%d samples)", a, model.test.sampleCount)) }
        if let rmse = model.test.rmse { print(String(format: "test rmse %.6g", rmse)) }
        if let r2 = model.test.r2 { print(String(format: "test r2 %.4f", r2)) }
        print(String(format: "elapsed %.0f s", Date().timeIntervalSince(start)))
    }
}

/// One line per finished trial, on stderr: its state and value (or last report), whether
/// it is the best so far, and its parameters.
private final class AutoProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    private var best: Double?
    private(set) var count = 0

    private let direction: StudyDirection

    init(direction: StudyDirection) {
        self.direction = direction
    }

    func finished(_ trial: FrozenTrial) {
        lock.lock()
        count += 1
        let elapsed = Date().timeIntervalSince(started)
        var isBest = false
        if trial.state == .complete, let v = trial.values?.first, best.map({ direction.isBetter(v, than: $0) }) ?? true { best = v; isBest = true }
        lock.unlock()
        var line = String(format: "[%4.0fs] trial %d %@", elapsed, trial.number, trial.state.rawValue.lowercased())
        if let v = trial.values?.first { line += String(format: " %.4f", v) }
        else if let last = trial.intermediateCurve().last { line += String(format: " (epoch %d: %.4f)", last.step, last.values[0]) }
        if isBest { line += " best" }
        if trial.userAttrs[AutoML.baselineAttribute] == .bool(true) { line += " (default configuration)" }
        line += " {" + trial.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
        if let reason = trial.failReason { line += ": \(reason)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
