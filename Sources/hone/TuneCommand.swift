// `hone tune SCRIPT.lua`: runs a Lua study script with a progress display.
//
// The script's study { … } decides the study; --storage, --trials, --jobs, --seed and
// --timeout override it. Ctrl-C (SIGINT) or SIGTERM stops cleanly: the Lua of running
// trials is interrupted (those trials are stored as FAIL, "interrupted"), no new trial
// starts, everything finished stays stored, and the command exits with 130 (SIGINT) or 143
// (SIGTERM); a second signal exits at once. Running it again resumes the study.

import ArgumentParser
import Dispatch
import Foundation
import HoneScript
import HoneSearch
import HoneTuning

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Run a Lua study script (see scripts/).",
        discussion: """
        Ctrl-C (SIGINT) or SIGTERM stops the study: running trials are stored as FAIL "interrupted", \
        no new trial starts, and the exit code is 130 (SIGINT) or 143 (SIGTERM); a second signal \
        exits at once. Run the same command again to resume the study.
        """)

    @Argument(help: ArgumentHelp("The study script.", valueName: "script.lua"))
    var script: String

    @Option(help: ArgumentHelp("Storage URL (default: the script's, else hone.db in the current directory).", valueName: "url"))
    var storage: String?

    @Option(help: "Number of trials (overrides the script).")
    var trials: Int?

    @Option(help: "Worker threads, each with its own Lua state (overrides the script).")
    var jobs: Int?

    @Option(help: "Study seed (overrides the script).")
    var seed: UInt64?

    @Option(help: "Stop starting trials after this many seconds (overrides the script).")
    var timeout: Double?

    @Option(name: .customLong("max-samples"), help: "Use at most this many samples of each data set part (quick runs).")
    var maxSamples: Int?

    @Option(name: .customLong("max-epochs"), help: "Train at most this many epochs per fit (quick runs).")
    var maxEpochs: Int?

    @Option(name: .customLong("allow-read"), help: ArgumentHelp("Another directory the script may read (repeatable).", valueName: "dir"))
    var readable: [String] = []

    @Option(name: .customLong("warm-start-from"),
            help: ArgumentHelp("Seed the study with the finished trials of another study (default storage: this study's).", valueName: "study[@url]"))
    var warmStartFrom: String?

    @Flag(name: .shortAndLong, help: "Print a line for every finished trial.")
    var verbose = false

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        try plugins.load(verbose: verbose)
        var options = StudyScriptOptions(storage: storage, trials: trials, jobs: jobs, seed: seed, timeout: timeout,
                                         budget: TrainingBudget(maxSamples: maxSamples, maxEpochs: maxEpochs),
                                         readableDirectories: readable)
        options.defaultStorage = defaultStorageURL
        do {
            options.warmStart = try warmStartFrom.map(WarmStartSource.init(parsing:))
        } catch {
            throw ValidationError("--warm-start-from: \(error)")
        }
        let studyScript: StudyScript
        let study: Study
        do {
            studyScript = try StudyScript(path: script, options: options)
            study = try studyScript.openStudy()
        } catch {
            throw CLIError("\(error)")
        }
        let config = studyScript.configuration
        let progress = TuneProgress(study: study, total: config.trials, timeout: config.timeout, verbose: verbose)
        progress.start(storage: config.storage ?? options.defaultStorage, jobs: config.jobs)
        if let source = config.warmStart, let summary = studyScript.warmStartSummary {
            progress.note("warm start from \"\(source.study)\": \(summary.description)")
        }

        let interrupts = SignalInterrupter { signo in
            progress.note(SignalInterrupter.stopping(signo))
            studyScript.interrupt()
        }
        defer { interrupts.restore() }
        let resume = "run the same command again to resume study \"\(study.name)\""
        do {
            try studyScript.run(study: study) { study, trial in progress.finished(trial) }
        } catch {
            progress.end()
            interrupts.exitIfInterrupted(resume: resume, error: error)
            throw CLIError("\(error)")
        }
        progress.end()
        progress.summary(interrupted: interrupts.received != nil)
        interrupts.exitIfInterrupted(resume: resume)
    }
}

/// The status line and per-trial lines, on stderr (results go to stdout).
private final class TuneProgress: @unchecked Sendable {
    private let study: Study
    private let total: Int?
    private let timeout: Double?
    private let verbose: Bool
    private let lock = NSLock()
    private let started = Date()
    private var done = 0
    private var counts: [TrialState: Int] = [:]
    private var best: FrozenTrial?
    private let interactive = isatty(STDERR_FILENO) != 0
    private var timer: DispatchSourceTimer?

    init(study: Study, total: Int?, timeout: Double?, verbose: Bool) {
        self.study = study
        self.total = total
        self.timeout = timeout
        self.verbose = verbose
    }

    func start(storage: String, jobs: Int) {
        let existing = (try? study.trialCount()) ?? 0
        let what = total.map { "\($0) trials" } ?? "trials until stopped"
        write("study \"\(study.name)\" (\(study.directions.map(\.rawValue).joined(separator: ", ").lowercased())) in \(storage): "
            + "\(what) on \(jobs) worker\(jobs == 1 ? "" : "s")" + (existing > 0 ? ", resuming after \(existing) stored trials" : "") + "\n")
        guard interactive else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
        self.timer = timer
    }

    func finished(_ trial: FrozenTrial) {
        lock.lock()
        done += 1
        counts[trial.state, default: 0] += 1
        if trial.state == .complete, let value = trial.values?.first, study.directions.count == 1 {
            if best?.values?.first.map({ study.directions[0].isBetter(value, than: $0) }) ?? true { best = trial }
        }
        lock.unlock()
        if verbose { write(clearLine + describe(trial) + "\n") }
        redraw()
    }

    func note(_ message: String) { write(clearLine + message + "\n") }

    func end() {
        timer?.cancel()
        timer = nil
        if interactive { write(clearLine) }
    }

    func summary(interrupted: Bool) {
        let states = TrialState.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue.lowercased())" } }
        print("\(done) trials in \(Self.duration(Date().timeIntervalSince(started)))\(interrupted ? " (interrupted)" : ""): "
            + (states.isEmpty ? "none" : states.joined(separator: ", ")))
        if study.directions.count > 1 {
            let front = (try? study.paretoFront()) ?? []
            print("Pareto front: \(front.count) trials" + front.prefix(10).map { "\n  trial \($0.number): \($0.values ?? []) \(Self.params($0))" }.joined())
        } else if let best = try? study.bestTrial() {
            print("best: trial \(best.number), value \(best.values?.first.map { Self.number($0) } ?? "-")")
            print("params: \(Self.params(best))")
            if !best.userAttrs.isEmpty {
                print("user attributes: " + best.userAttrs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            }
        }
    }

    private func redraw() {
        guard interactive else { return }
        lock.lock()
        let elapsed = Date().timeIntervalSince(started)
        var line = "[\(done)\(total.map { "/\($0)" } ?? "")]"
        if let best, let value = best.values?.first { line += " best \(Self.number(value)) (trial \(best.number))" }
        line += " | \(Self.duration(elapsed)) elapsed"
        var remaining: Double?
        if let total, done > 0, total > done { remaining = elapsed / Double(done) * Double(total - done) }
        if let timeout { remaining = min(remaining ?? .infinity, max(0, timeout - elapsed)) }
        if let remaining, remaining.isFinite { line += ", ETA \(Self.duration(remaining))" }
        lock.unlock()
        write(clearLine + line)
    }

    private func describe(_ trial: FrozenTrial) -> String {
        var line = "trial \(trial.number) \(trial.state.rawValue)"
        if let values = trial.values { line += " " + values.map(Self.number).joined(separator: ", ") }
        line += " \(Self.params(trial))"
        if let started = trial.startedAt, let finished = trial.finishedAt {
            line += " (\(Self.duration(finished.timeIntervalSince(started))))"
        }
        if let reason = trial.failReason { line += ": \(reason)" }
        return line
    }

    private var clearLine: String { interactive ? "\r\u{1B}[K" : "" }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func params(_ trial: FrozenTrial) -> String {
        "{" + trial.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }

    static func number(_ x: Double) -> String { String(format: "%.6g", x) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
