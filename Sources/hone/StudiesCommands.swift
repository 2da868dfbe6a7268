// `hone studies`, `hone trials STUDY`, `hone best STUDY`, `hone delete STUDY`: looking at
// and cleaning up what a storage holds, without writing code.
//
// All take --storage URL (default: hone.db in the current directory). They never create a
// database: pointing them at a SQLite file that does not exist is an error, not a new
// empty file.

import ArgumentParser
import Foundation
import HoneSearch
import HoneStorage

// MARK: Shared options and helpers

struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("storage"), help: ArgumentHelp(
        "Storage URL: sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:relative.db or postgresql://user@host:port/db.",
        valueName: "url"))
    var url: String = defaultStorageURL

    /// Opens the storage for reading what is there.
    func open() throws -> Storage {
        let parsed: StorageURL
        do {
            parsed = try StorageURL(parsing: url)
        } catch {
            throw CLIError("\(error)")
        }
        switch parsed {
        case .memory:
            throw CLIError("--storage memory: holds nothing between runs; give the URL of a SQLite file or a PostgreSQL database")
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no study database at \(path) (give another with --storage URL)")
            }
        case .postgres:
            break
        }
        do {
            return try openStorage(url: url)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The study named `name`, or an error listing the studies there are.
    func study(named name: String, in storage: Storage) throws -> StudyRecord {
        if let study = try storage.study(named: name) { return study }
        let names = try storage.allStudies().map(\.name)
        let known = names.isEmpty ? "it holds no studies" : "its studies: " + names.joined(separator: ", ")
        throw CLIError("no study named \"\(name)\" in \(url) (\(known))")
    }
}

/// hone.db in the working directory, spelled as an absolute URL (shown in messages and
/// passed on to study scripts).
var defaultStorageURL: String {
    StorageURL.sqlite(path: FileManager.default.currentDirectoryPath + "/hone.db").url
}

/// A failure to report as "Error: message" without the usage text (which is for
/// mistakes in the command line itself).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Rows of text printed as an aligned table, CSV (RFC 4180) or, by the commands that
/// support it, JSON.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .csv:
            return ([header] + rows).map { $0.map(TextTable.csvField).joined(separator: ",") }.joined(separator: "\n")
        case .table, .json:
            var widths = header.map(\.count)
            for row in rows {
                for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
            }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { column, cell in
                    column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            return ([line(header)] + rows.map(line)).joined(separator: "\n")
        }
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Numbers for people: 6 significant digits in tables; full precision elsewhere.
func shortNumber(_ value: Double) -> String {
    value.isFinite ? String(format: "%.6g", value) : "\(value)"
}

func valueText(_ values: [Double]?, full: Bool) -> String {
    guard let values else { return "" }
    return values.map { full ? "\($0)" : shortNumber($0) }.joined(separator: " ")
}

func paramText(_ value: ParamValue?, full: Bool) -> String {
    switch value {
    case nil: return ""
    case .float(let x)?: return full ? "\(x)" : shortNumber(x)
    case .int(let i)?: return "\(i)"
    case .string(let s)?: return s
    case .bool(let b)?: return b ? "true" : "false"
    case .null?: return "null"
    }
}

/// UTC ISO 8601 time: to the second in tables, to the millisecond in CSV and JSON.
func timeText(_ date: Date?, full: Bool = false) -> String {
    guard let date else { return "" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = full ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    return formatter.string(from: date)
}

func printJSON(_ value: JSONValue) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    print(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self))
}

func jsonNumbers(_ values: [Double]?) -> JSONValue {
    values.map { .array($0.map(JSONValue.number)) } ?? .null
}

func jsonTime(_ date: Date?) -> JSONValue {
    date.map { .string(timeText($0, full: true)) } ?? .null
}

/// A trial as JSON: everything stored about it.
func trialJSON(_ trial: FrozenTrial) -> JSONValue {
    var params: [String: JSONValue] = [:]
    for (name, value) in trial.params { params[name] = JSONValue(value) }
    let reports: [JSONValue] = trial.intermediateValues.keys.sorted().map { key in
        .object(["step": .number(Double(key.step)), "fold": .number(Double(key.fold)),
                 "values": jsonNumbers(trial.intermediateValues[key])])
    }
    return .object([
        "number": .number(Double(trial.number)),
        "state": .string(trial.state.rawValue),
        "values": jsonNumbers(trial.values),
        "params": .object(params),
        "intermediate_values": .array(reports),
        "user_attrs": .object(trial.userAttrs),
        "system_attrs": .object(trial.systemAttrs),
        "started_at": jsonTime(trial.startedAt),
        "finished_at": jsonTime(trial.finishedAt),
        "duration_s": trial.duration.map(JSONValue.number) ?? .null,
        "worker_id": trial.workerId.map(JSONValue.string) ?? .null,
        "fail_reason": trial.failReason.map(JSONValue.string) ?? .null,
    ])
}

/// The COMPLETE trials of a study that are best: the single best trial (earliest on ties)
/// for one objective, the Pareto front for several.
func bestTrials(of study: StudyRecord, in storage: Storage) throws -> [FrozenTrial] {
    let complete = try storage.allTrials(studyId: study.id, states: [.complete])
    if study.directions.count == 1 {
        let direction = study.directions[0]
        var best: FrozenTrial?
        for trial in complete {
            guard let value = trial.values?.first else { continue }
            if let current = best?.values?.first, !direction.isBetter(value, than: current) { continue }
            best = trial
        }
        return best.map { [$0] } ?? []
    }
    return ParetoFront.nonDominated(complete, directions: study.directions)
}

// MARK: hone studies

struct StudiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studies",
        abstract: "List the studies in a storage, with trial counts and best values.",
        discussion: """
        Examples:
          hone studies
          hone studies --storage postgresql://hone@db.lab:5432/hone --format csv
        """)

    @OptionGroup var storage: StorageOptions
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table

    func run() throws {
        let store = try storage.open()
        var table = TextTable(header: ["name", "directions", "trials", "complete", "pruned", "fail", "running", "waiting", "best", "created"])
        var objects: [JSONValue] = []
        for study in try store.allStudies() {
            var counts: [TrialState: Int] = [:]
            for state in TrialState.allCases { counts[state] = try store.trialCount(studyId: study.id, states: [state]) }
            let total = counts.values.reduce(0, +)
            let best = try bestTrials(of: study, in: store)
            let bestText = study.directions.count == 1
                ? valueText(best.first?.values, full: format != .table)
                : "\(best.count) on the Pareto front"
            table.rows.append([study.name, study.directions.map { $0.rawValue.lowercased() }.joined(separator: ","),
                               "\(total)", "\(counts[.complete]!)", "\(counts[.pruned]!)", "\(counts[.fail]!)",
                               "\(counts[.running]!)", "\(counts[.waiting]!)", bestText, timeText(study.createdAt)])
            var countObject: [String: JSONValue] = [:]
            for (state, count) in counts { countObject[state.rawValue.lowercased()] = .number(Double(count)) }
            objects.append(.object([
                "name": .string(study.name),
                "directions": .array(study.directions.map { .string($0.rawValue.lowercased()) }),
                "trials": .number(Double(total)),
                "counts": .object(countObject),
                "best_values": study.directions.count == 1 ? jsonNumbers(best.first?.values) : .array(best.map { jsonNumbers($0.values) }),
                "created_at": jsonTime(study.createdAt),
                "user_attrs": .object(study.userAttrs),
            ]))
        }
        if format == .json {
            printJSON(.array(objects))
        } else if table.rows.isEmpty && format == .table {
            print("no studies in \(storage.url)")
        } else {
            print(table.render(format))
        }
    }
}

// MARK: hone trials

struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "List the trials of a study: state, values, parameters, timing, worker.",
        discussion: """
        Examples:
          hone trials mlp
          hone trials mlp --state complete --format csv > mlp.csv
          hone trials mlp --format json
        """)

    @Argument(help: "The study's name.") var study: String
    @OptionGroup var storage: StorageOptions
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table
    @Option(help: "Only trials in this state (running, complete, pruned, fail, waiting).") var state: String?

    func run() throws {
        let store = try storage.open()
        let record = try storage.study(named: study, in: store)
        var states: Set<TrialState>?
        if let state {
            guard let parsed = TrialState(rawValue: state.uppercased()) else {
                throw CLIError("--state: '\(state)' is not one of \(TrialState.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
            }
            states = [parsed]
        }
        let trials = try store.allTrials(studyId: record.id, states: states)
        if format == .json {
            printJSON(.array(trials.map(trialJSON)))
            return
        }
        let full = format == .csv
        // One column per parameter seen in any trial; conditional parameters leave blanks.
        let paramNames = Set(trials.flatMap(\.params.keys)).sorted()
        let valueColumns = record.directions.count == 1 ? ["value"] : record.directions.indices.map { "value\($0)" }
        var table = TextTable(header: ["number", "state"] + valueColumns + paramNames.map { "params_" + $0 }
                                  + ["started", "duration_s", "worker", "fail_reason"])
        for trial in trials {
            let values = valueColumns.indices.map { index in
                trial.values.flatMap { index < $0.count ? (full ? "\($0[index])" : shortNumber($0[index])) : nil } ?? ""
            }
            table.rows.append(["\(trial.number)", trial.state.rawValue] + values
                              + paramNames.map { paramText(trial.params[$0], full: full) }
                              + [timeText(trial.startedAt, full: full), trial.duration.map { String(format: "%.3f", $0) } ?? "",
                                 trial.workerId ?? "", trial.failReason ?? ""])
        }
        if table.rows.isEmpty && format == .table {
            print("study \"\(study)\" has no trials" + (state.map { " in state \($0)" } ?? ""))
        } else {
            print(table.render(format))
        }
    }
}

// MARK: hone best

struct BestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best",
        abstract: "Show the best trial of a study (the Pareto front for several objectives).",
        discussion: """
        Examples:
          hone best mlp
          hone best mlp --format json
        """)

    @Argument(help: "The study's name.") var study: String
    @OptionGroup var storage: StorageOptions
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table

    func run() throws {
        let store = try storage.open()
        let record = try storage.study(named: study, in: store)
        let best = try bestTrials(of: record, in: store)
        guard !best.isEmpty else {
            throw CLIError("study \"\(study)\" has no completed trial yet")
        }
        switch format {
        case .json:
            printJSON(record.directions.count == 1 ? trialJSON(best[0]) : .array(best.map(trialJSON)))
        case .csv:
            let names = Set(best.flatMap(\.params.keys)).sorted()
            var table = TextTable(header: ["number"] + record.directions.indices.map { "value\($0)" } + names.map { "params_" + $0 })
            for trial in best {
                table.rows.append(["\(trial.number)"] + (trial.values ?? []).map { "\($0)" } + names.map { paramText(trial.params[$0], full: true) })
            }
            if record.directions.count == 1 { table.header[1] = "value" }
            print(table.render(.csv))
        case .table:
            if record.directions.count > 1 {
                print("Pareto front of \"\(study)\" (\(record.directions.map { $0.rawValue.lowercased() }.joined(separator: ", "))): \(best.count) trial(s)")
            }
            for trial in best {
                print("trial \(trial.number): value \(valueText(trial.values, full: true))")
                for (name, value) in trial.sortedParams {
                    print("  \(name) = \(paramText(value, full: true))")
                }
            }
        }
    }
}

// MARK: hone delete

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a study and all its trials.",
        discussion: """
        Example:
          hone delete old-experiment --storage sqlite:runs.db
        """)

    @Argument(help: "The study's name.") var study: String
    @OptionGroup var storage: StorageOptions

    func run() throws {
        let store = try storage.open()
        let record = try storage.study(named: study, in: store)
        let count = try store.trialCount(studyId: record.id, states: nil)
        try store.deleteStudy(id: record.id)
        print("deleted study \"\(study)\" and its \(count) trial(s)")
    }
}
