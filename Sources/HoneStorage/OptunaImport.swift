// Studies from Optuna's storages into a Hone storage (`hone import-optuna`, Python's
// hone.import_optuna_study): an Optuna RDB SQLite file (the schema of
// optuna/storages/_rdb/models.py) or a JournalStorage file (the operations of
// optuna/storages/journal/_storage.py, replayed). Each study keeps its name, directions,
// attributes and trials: states, values, parameters with their distributions (Optuna's
// internal values turned back into choices), intermediate values, attributes, datetimes.
// The journal export that goes the other way is HoneReport's OptunaJournal.

import Foundation
import HoneSearch

public struct ImportedStudy: Sendable {
    public var name: String
    public var directions: [StudyDirection]
    public var userAttrs: [String: JSONValue] = [:]
    public var systemAttrs: [String: JSONValue] = [:]
    public var trials: [TrialDraft] = []
}

public enum OptunaImport {
    /// The studies of the Optuna storage at `path` (an RDB SQLite file or a journal file).
    public static func studies(path: String) throws -> [ImportedStudy] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StorageError.invalidURL("import-optuna: cannot read \(path)")
        }
        let head = handle.readData(ofLength: 16)
        handle.closeFile()
        if head.starts(with: Data("SQLite format 3".utf8)) { return try fromRDB(path: path) }
        return try journalStudies(text: try String(contentsOfFile: path, encoding: .utf8), path: path)
    }

    /// Writes `study` into `storage` under `name` (default: its own); refuses an existing name.
    @discardableResult
    public static func store(_ study: ImportedStudy, into storage: Storage, as name: String? = nil) throws -> StudyRecord {
        let record = try storage.createStudy(name: name ?? study.name, directions: study.directions, now: Date())
        try storage.setStudyAttributes(studyId: record.id, user: study.userAttrs, system: study.systemAttrs)
        for draft in study.trials { _ = try storage.createTrial(studyId: record.id, draft: draft) }
        return record
    }

    // MARK: Distributions and values

    /// Optuna's `json_to_distribution` (also its pre-3.0 names).
    static func distribution(_ text: String) throws -> Distribution {
        guard case .object(let o) = try JSONValue(jsonText: text), let name = o["name"]?.stringValue,
              case .object(let a)? = o["attributes"] else { throw bad("distribution \(text.prefix(120))") }
        func num(_ k: String) throws -> Double {
            guard let x = a[k]?.numberValue else { throw bad("distribution \(name) without \(k)") }
            return x
        }
        let log = a["log"]?.boolValue ?? false
        switch name {
        case "FloatDistribution":
            return .float(try num("low"), try num("high"), log: log, step: a["step"]?.numberValue)
        case "UniformDistribution": return .float(try num("low"), try num("high"))
        case "LogUniformDistribution": return .float(try num("low"), try num("high"), log: true)
        case "DiscreteUniformDistribution": return .float(try num("low"), try num("high"), step: try num("q"))
        case "IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution":
            return .int(Int(try num("low")), Int(try num("high")), log: log || name == "IntLogUniformDistribution",
                        step: Int(a["step"]?.numberValue ?? 1))
        case "CategoricalDistribution":
            guard case .array(let choices)? = a["choices"] else { throw bad("categorical distribution without choices") }
            return .categorical(choices.map { ParamValue(json: $0) ?? .string($0.jsonText) })
        default: throw bad("unknown distribution \(name)")
        }
    }

    /// Optuna's internal value (the choice index for categoricals) as Hone's value.
    static func param(_ name: String, internal x: Double, _ d: Distribution) throws -> TrialParam {
        let value: ParamValue
        switch d {
        case .categorical(let c):
            guard x >= 0, Int(x) < c.choices.count else { throw bad("parameter \(name): choice index \(x) out of range") }
            value = c.choices[Int(x)]
        case .int: value = .int(Int(x))
        default: value = .float(x)
        }
        return TrialParam(name: name, distribution: d, value: value)
    }

    static func state(_ text: String) throws -> TrialState {
        guard let s = TrialState(rawValue: text.uppercased()) else { throw bad("trial state \(text)") }
        return s
    }

    // Made once: a formatter costs tens of microseconds to create, and every trial has two dates.
    private static let isoFractional: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    private static let iso = ISO8601DateFormatter()
    private static let localTimes: [DateFormatter] = ["yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "yyyy-MM-dd'T'HH:mm:ss"].map { format in
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = format
        return f
    }

    static func date(_ text: String?) -> Date? {
        guard var t = text, !t.isEmpty else { return nil }
        // "2026-01-31 12:00:00.123456" (RDB, naive local time as Optuna stores it) or
        // "2026-01-31T12:00:00.123456+00:00" (journal).
        t = t.replacingOccurrences(of: " ", with: "T")
        if let d = isoFractional.date(from: t) ?? iso.date(from: t) { return d }
        // No offset: local time.
        return localTimes.lazy.compactMap { $0.date(from: t) }.first
    }

    private static func bad(_ what: String) -> StorageError { .invalidRecord("import-optuna: \(what)") }

    // MARK: RDB

    static func fromRDB(path: String) throws -> [ImportedStudy] {
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        func rows(_ sql: String, _ p: [SQLValue] = []) throws -> [SQLRow] { try db.execute(sql, p) }
        var out: [ImportedStudy] = []
        for s in try rows("SELECT study_id, study_name FROM studies ORDER BY study_id") {
            guard let sid = s.int(0), let name = s.string(1) else { continue }
            let directions = try rows("SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective", [.integer(sid)])
                .map { $0.string(0) == "MAXIMIZE" ? StudyDirection.maximize : .minimize }
            var study = ImportedStudy(name: name, directions: directions.isEmpty ? [.minimize] : directions)
            for a in try rows("SELECT key, value_json FROM study_user_attributes WHERE study_id = ?", [.integer(sid)]) {
                study.userAttrs[a.string(0) ?? ""] = try JSONValue(jsonText: a.string(1) ?? "null")
            }
            for a in try rows("SELECT key, value_json FROM study_system_attributes WHERE study_id = ?", [.integer(sid)]) {
                study.systemAttrs[a.string(0) ?? ""] = try JSONValue(jsonText: a.string(1) ?? "null")
            }
            for t in try rows("SELECT trial_id, state, datetime_start, datetime_complete FROM trials WHERE study_id = ? ORDER BY number",
                              [.integer(sid)]) {
                guard let tid = t.int(0) else { continue }
                let id: [SQLValue] = [.integer(tid)]
                var draft = TrialDraft(state: try state(t.string(1) ?? ""), startedAt: date(t.string(2)), finishedAt: date(t.string(3)))
                draft.params = try rows("SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id = ? ORDER BY param_id", id)
                    .map { try param($0.string(0) ?? "", internal: $0.double(1) ?? 0, try distribution($0.string(2) ?? "")) }
                let values = try rows("SELECT value, value_type FROM trial_values WHERE trial_id = ? ORDER BY objective", id)
                    .map { r -> Double in
                        switch r.string(1) { case "INF_POS": return .infinity; case "INF_NEG": return -.infinity; default: return r.double(0) ?? .nan }
                    }
                draft.values = values.isEmpty ? nil : values
                for r in try rows("SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE trial_id = ?", id) {
                    let v: Double
                    switch r.string(2) { case "INF_POS": v = .infinity; case "INF_NEG": v = -.infinity; case "NAN": v = .nan; default: v = r.double(1) ?? .nan }
                    draft.intermediateValues[IntermediateKey(step: Int(r.int(0) ?? 0), fold: 0)] = [v]
                }
                for a in try rows("SELECT key, value_json FROM trial_user_attributes WHERE trial_id = ?", id) {
                    draft.userAttrs[a.string(0) ?? ""] = try JSONValue(jsonText: a.string(1) ?? "null")
                }
                for a in try rows("SELECT key, value_json FROM trial_system_attributes WHERE trial_id = ?", id) {
                    draft.systemAttrs[a.string(0) ?? ""] = try JSONValue(jsonText: a.string(1) ?? "null")
                }
                study.trials.append(draft)
            }
            out.append(study)
        }
        return out
    }

    // MARK: Journal

    /// Python's json writes NaN, Infinity and -Infinity as bare tokens; Hone's JSON reader
    /// takes them as the strings "NaN", "Infinity", "-Infinity". Quotes them outside strings.
    static func quotingNonFinite(_ line: String) -> String {
        var out = "", inString = false, escaped = false
        var rest = Substring(line)
        while let c = rest.first {
            if inString {
                out.append(c); rest = rest.dropFirst()
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true; out.append(c); rest = rest.dropFirst(); continue }
            if let token = ["-Infinity", "Infinity", "NaN"].first(where: { rest.hasPrefix($0) }) {
                out += "\"" + token + "\""; rest = rest.dropFirst(token.count); continue
            }
            out.append(c); rest = rest.dropFirst()
        }
        return out
    }

    /// The studies a journal's text replays to (`path` only names it in errors).
    public static func journalStudies(text: String, path: String = "journal") throws -> [ImportedStudy] {
        var studies: [Int: ImportedStudy] = [:]
        var nextStudy = 0
        var trials: [(study: Int, draft: TrialDraft)] = []   // trial id = index
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard case .object(let log) = try? JSONValue(jsonText: quotingNonFinite(String(line))), let op = log["op_code"]?.intValue else {
                throw bad("\(path):\(n + 1) is not an Optuna journal line")
            }
            func int(_ k: String) -> Int? { log[k]?.intValue }
            func trialIndex() -> Int? { int("trial_id").flatMap { $0 < trials.count ? $0 : nil } }
            func number(_ v: JSONValue?) -> Double? {
                switch v { case .number(let x)?: return x; case .string(let s)?: return Double(s) ?? (s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : .nan); default: return nil }
            }
            func attrs(_ v: JSONValue?) -> [String: JSONValue] { if case .object(let o)? = v { return o }; return [:] }
            switch op {
            case 0:   // CREATE_STUDY
                guard let name = log["study_name"]?.stringValue, case .array(let d)? = log["directions"] else { throw bad("\(path):\(n + 1): study") }
                if studies.values.contains(where: { $0.name == name }) { continue }
                studies[nextStudy] = ImportedStudy(name: name, directions: d.map { $0.intValue == 2 ? .maximize : .minimize })
                nextStudy += 1
            case 1: studies[int("study_id") ?? -1] = nil   // DELETE_STUDY
            case 2, 3:   // SET_STUDY_USER_ATTR / SYSTEM_ATTR
                guard let sid = int("study_id"), studies[sid] != nil else { continue }
                for (k, v) in attrs(log[op == 2 ? "user_attr" : "system_attr"]) {
                    if op == 2 { studies[sid]!.userAttrs[k] = v } else { studies[sid]!.systemAttrs[k] = v }
                }
            case 4:   // CREATE_TRIAL
                guard let sid = int("study_id") else { continue }
                var draft = TrialDraft(state: .running)
                if let s = int("state") { draft.state = [.running, .complete, .pruned, .fail, .waiting][min(max(s, 0), 4)] }
                draft.startedAt = date(log["datetime_start"]?.stringValue)
                draft.finishedAt = date(log["datetime_complete"]?.stringValue)
                if case .array(let vs)? = log["values"] { draft.values = vs.compactMap(number) }
                else if let v = number(log["value"]) { draft.values = [v] }
                let distributions = try attrs(log["distributions"]).mapValues { try distribution($0.stringValue ?? "") }
                draft.params = try attrs(log["params"]).sorted { $0.key < $1.key }.compactMap { name, v in
                    guard let d = distributions[name], let x = number(v) else { return nil }
                    return try param(name, internal: x, d)
                }
                for (k, v) in attrs(log["intermediate_values"]) {
                    if let step = Int(k), let x = number(v) { draft.intermediateValues[IntermediateKey(step: step, fold: 0)] = [x] }
                }
                draft.userAttrs = attrs(log["user_attrs"]); draft.systemAttrs = attrs(log["system_attrs"])
                trials.append((sid, draft))
            case 5:   // SET_TRIAL_PARAM
                guard let i = trialIndex(), let name = log["param_name"]?.stringValue, let x = number(log["param_value_internal"]) else { continue }
                let p = try param(name, internal: x, try distribution(log["distribution"]?.stringValue ?? ""))
                trials[i].draft.params.removeAll { $0.name == name }
                trials[i].draft.params.append(p)
            case 6:   // SET_TRIAL_STATE_VALUES
                guard let i = trialIndex(), let s = int("state") else { continue }
                trials[i].draft.state = [.running, .complete, .pruned, .fail, .waiting][min(max(s, 0), 4)]
                if case .array(let vs)? = log["values"] { trials[i].draft.values = vs.compactMap(number) }
                if let d = date(log["datetime_start"]?.stringValue) { trials[i].draft.startedAt = d }
                if let d = date(log["datetime_complete"]?.stringValue) { trials[i].draft.finishedAt = d }
            case 7:   // SET_TRIAL_INTERMEDIATE_VALUE
                guard let i = trialIndex(), let step = int("step"), let x = number(log["intermediate_value"]) else { continue }
                trials[i].draft.intermediateValues[IntermediateKey(step: step, fold: 0)] = [x]
            case 8, 9:   // SET_TRIAL_USER_ATTR / SYSTEM_ATTR
                guard let i = trialIndex() else { continue }
                for (k, v) in attrs(log[op == 8 ? "user_attr" : "system_attr"]) {
                    if op == 8 { trials[i].draft.userAttrs[k] = v } else { trials[i].draft.systemAttrs[k] = v }
                }
            default: continue   // DISCARD_TRIALS and later operations: nothing to keep
            }
        }
        for (sid, draft) in trials where studies[sid] != nil { studies[sid]!.trials.append(draft) }
        return studies.keys.sorted().map { studies[$0]! }
    }
}
