// A study as TensorBoard runs: one run directory per trial, so the Scalars dashboard
// overlays the learning curves of all trials and the HParams dashboard tabulates them.

import Foundation
import HoneSearch
#if canImport(Glibc)
import Glibc
#endif

public struct ExportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writes `DIRECTORY/<study>/trial-<number>/events.out.tfevents.<start>.hone` for every
/// trial that has started (WAITING trials have nothing to show). Each file holds, in order:
///
/// - the file version record (`brain.Event:2`);
/// - at step 0, the hyperparameters: an HParams session (start info, and end info for
///   finished trials) and a Markdown table under the text tag `trial`;
/// - a scalar per intermediate report, at the report's step: tag `intermediate/value`
///   (`intermediate/value_<k>` per objective when there are several;
///   `intermediate/fold_<f>/…` when the study reports folds);
/// - the trial's value(s) under `objective/value` (`objective/value_<k>`), at the last
///   reported step (0 without reports), so they line up with the curves.
///
/// Wall times are the trial's own start (hyperparameters, reports) and finish (values),
/// so exporting the same study twice gives byte-identical files. Scalars are 32-bit
/// floats, as TensorBoard stores them.
public enum TensorBoardExport {
    public static let intermediateTagPrefix = "intermediate/"
    public static let objectiveTagPrefix = "objective/"
    public static let textTag = "trial"

    /// Writes the run directories; returns the paths of the files written, by trial number.
    @discardableResult
    public static func write(study: StudyRecord, trials: [FrozenTrial], to directory: String) throws -> [String] {
        let studyDirectory = URL(fileURLWithPath: directory).appendingPathComponent(directoryName(study.name))
        let layout = Layout(study: study, trials: trials)
        var written: [String] = []
        for trial in trials.sorted(by: { $0.number < $1.number }) where trial.state != .waiting {
            let run = studyDirectory.appendingPathComponent("trial-\(trial.number)")
            let file = run.appendingPathComponent(fileName(for: trial))
            do {
                try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            } catch {
                throw ExportError("cannot write \(file.path): \(error.localizedDescription)")
            }
            try writeFile(file.path, events(for: trial, layout: layout))
            written.append(file.path)
        }
        return written
    }

    /// What decides the tags: the same for every trial of a study, so runs line up.
    struct Layout {
        var objectives: Int
        var folds: Bool

        init(study: StudyRecord, trials: [FrozenTrial]) {
            objectives = objectiveCount(study: study, trials: trials)
            folds = trials.contains { $0.intermediateValues.keys.contains { $0.fold != 0 } }
        }

        func intermediateTag(fold: Int, objective: Int) -> String {
            TensorBoardExport.intermediateTagPrefix + (folds ? "fold_\(fold)/" : "") + valueName(objective)
        }

        func objectiveTag(_ objective: Int) -> String { TensorBoardExport.objectiveTagPrefix + valueName(objective) }

        private func valueName(_ objective: Int) -> String { objectives == 1 ? "value" : "value_\(objective)" }
    }

    /// The TFRecord bytes of one trial's event file.
    static func events(for trial: FrozenTrial, layout: Layout) -> [UInt8] {
        let start = startTime(of: trial)
        let end = trial.finishedAt?.timeIntervalSince1970 ?? start
        var file = TFRecordWriter()
        file.append(record: TensorBoardEvent.fileVersionEvent(wallTime: start))

        var header: [SummaryValue] = [.sessionStart(hparams: trial.params, startTime: start),
                                      .text(tag: textTag, markdown: markdown(trial))]
        if let status = sessionStatus(trial.state) { header.append(.sessionEnd(status: status, endTime: end)) }
        file.append(record: TensorBoardEvent.summaryEvent(wallTime: start, step: 0, values: header))

        // One event per report key, in (step, fold) order: steps never go backwards, so
        // TensorBoard's out-of-order purge never discards any of them.
        let keys = trial.intermediateValues.keys.sorted()
        for key in keys {
            let values = trial.intermediateValues[key]!
            let scalars = values.prefix(layout.objectives).enumerated().map { k, x in
                SummaryValue.scalar(tag: layout.intermediateTag(fold: key.fold, objective: k), value: Float(x))
            }
            file.append(record: TensorBoardEvent.summaryEvent(wallTime: start, step: Int64(key.step), values: scalars))
        }
        if let values = trial.values, !values.isEmpty {
            let scalars = values.prefix(layout.objectives).enumerated().map { k, x in
                SummaryValue.scalar(tag: layout.objectiveTag(k), value: Float(x))
            }
            let step = Int64(max(0, keys.last?.step ?? 0))
            file.append(record: TensorBoardEvent.summaryEvent(wallTime: end, step: step, values: scalars))
        }
        return file.bytes
    }

    /// `events.out.tfevents.<start seconds>.hone`: TensorBoard finds event files by the
    /// `tfevents` in their name; the rest only has to be stable for the same trial, so that
    /// exporting again overwrites the file instead of adding a second copy of the data.
    static func fileName(for trial: FrozenTrial) -> String {
        let seconds = startTime(of: trial)
        let whole = seconds.isFinite && abs(seconds) < 9e15 ? Int64(seconds.rounded(.down)) : 0
        return "events.out.tfevents.\(whole).hone"
    }

    /// A study name as one path component: path separators and control characters become
    /// `_`, and `.`/`..`/empty names get a prefix, so no name escapes the output directory.
    public static func directoryName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar == "/" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : scalar
        }))
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "_" + cleaned : cleaned
    }

    /// Plain open/write/close: Data.write syncs every file to disk, which for ten thousand
    /// small run files costs more than everything else in the export together.
    private static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ExportError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    private static func startTime(of trial: FrozenTrial) -> Double {
        (trial.startedAt ?? trial.finishedAt)?.timeIntervalSince1970 ?? 0
    }

    /// TensorBoard has no status for a run stopped early on purpose: pruned is "unknown".
    private static func sessionStatus(_ state: TrialState) -> SessionStatus? {
        switch state {
        case .complete: return .success
        case .fail: return .failure
        case .pruned: return .unknown
        case .running, .waiting: return nil
        }
    }

    private static func markdown(_ trial: FrozenTrial) -> String {
        func cell(_ text: String) -> String {
            // Foundation's replacingOccurrences costs microseconds even with nothing to replace.
            guard text.utf8.contains(where: { $0 == 0x7C || $0 == 0x0A || $0 == 0x0D }) else { return text }
            return text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r", with: " ")
                .replacingOccurrences(of: "\n", with: " ")
        }
        var lines = ["**Trial \(trial.number)**: \(trial.state.rawValue)"]
        if let values = trial.values { lines += ["", "value: " + values.map(ExportText.number).joined(separator: ", ")] }
        if let reason = trial.failReason { lines += ["", "fail reason: " + cell(reason)] }
        if !trial.params.isEmpty {
            lines += ["", "| parameter | value |", "| --- | --- |"]
            for (name, value) in trial.sortedParams {
                lines.append("| \(cell(name)) | \(cell(ExportText.param(value))) |")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// At file scope, where `write` is the C function and not `TensorBoardExport.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
