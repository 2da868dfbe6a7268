// Row-level operations on the relational schema (Schema.swift), written once for SQLite
// and PostgreSQL. Each method that changes state is exactly one transaction, so a crash
// between two calls leaves every earlier change durable and no later one half-applied.
//
// This layer speaks in rows whose structured fields (values, params, attributes) are
// JSON text; the Storage conformance above it converts them to HoneSearch's types.
import Foundation

/// Trial states as stored in the `trials.state` column.
enum StoredTrialState: String, CaseIterable, Sendable {
    case waiting = "WAITING"
    case running = "RUNNING"
    case complete = "COMPLETE"
    case pruned = "PRUNED"
    case fail = "FAIL"

    var isFinished: Bool { self == .complete || self == .pruned || self == .fail }
}

struct StudyRow: Sendable {
    var id: Int64
    var name: String
    /// JSON array of direction names.
    var directions: String
    var userAttrs: String
    var systemAttrs: String
    var createdAt: Double
}

struct TrialRow: Sendable {
    struct Param: Sendable, Equatable {
        var name: String
        /// JSON of the value as HoneSearch encodes it.
        var value: String
        /// JSON of the distribution the value was drawn from.
        var distribution: String
    }

    struct Intermediate: Sendable, Equatable {
        var step: Int64
        var fold: Int64
        /// JSON array of doubles (one per objective).
        var value: String
    }

    var id: Int64
    var studyID: Int64
    var number: Int64
    var state: StoredTrialState
    /// JSON array of objective values, or nil while unfinished or when failed.
    var values: String?
    /// JSON object of the parameters fixed by enqueueTrial, or nil.
    var enqueuedParams: String?
    var userAttrs: String
    var systemAttrs: String
    var createdAt: Double
    var startedAt: Double?
    var completedAt: Double?
    var workerID: String?
    var heartbeatAt: Double?
    var failureReason: String?
    /// The study's change counter when this trial last changed (see Schema.swift).
    var changedSeq: Int64
    var params: [Param] = []
    var intermediates: [Intermediate] = []
}

/// Why a row-level operation was refused, in terms the Storage layer maps to its errors.
enum StoreFailure: Error, Equatable {
    case studyExists(String)
    case noSuchStudy(String)
    case noSuchStudyID(Int64)
    case noSuchTrial(Int64)
    /// The trial is finished (or waiting) and may not be changed as asked.
    case trialNotRunning(id: Int64, number: Int64, state: StoredTrialState)
}

/// Serializes access to one connection (connections are not thread-safe) and implements
/// every storage operation as SQL. Safe to share between threads.
final class RelationalStore: @unchecked Sendable {
    let database: SQLDatabase
    private let lock = NSLock()
    private let clock: @Sendable () -> Double

    /// Wraps an open connection, creating or migrating the schema.
    init(database: SQLDatabase, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.database = database
        self.clock = clock
        try StorageSchema.migrate(database)
    }

    /// Runs `body` in one transaction while holding the connection.
    private func transaction<T>(_ mode: TransactionMode, _ body: (SQLDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try database.transaction(mode) { try body(database) }
    }

    // MARK: Studies

    private static let studyColumns = "study_id, name, directions, user_attrs, system_attrs, created_at"

    private static func study(_ row: SQLRow) -> StudyRow {
        StudyRow(id: row.int(0)!, name: row.string(1)!, directions: row.string(2)!,
                 userAttrs: row.string(3)!, systemAttrs: row.string(4)!, createdAt: row.double(5)!)
    }

    func createStudy(name: String, directions: String, userAttrs: String = "{}", systemAttrs: String = "{}") throws -> StudyRow {
        try transaction(.write) { db in
            if try !db.execute("SELECT 1 FROM studies WHERE name = ?", [.text(name)]).isEmpty {
                throw StoreFailure.studyExists(name)
            }
            let rows = try db.execute(
                "INSERT INTO studies (name, directions, user_attrs, system_attrs, created_at) VALUES (?, ?, ?, ?, ?) RETURNING \(Self.studyColumns)",
                [.text(name), .text(directions), .text(userAttrs), .text(systemAttrs), .real(clock())])
            return Self.study(rows[0])
        }
    }

    func study(named name: String) throws -> StudyRow? {
        try transaction(.read) { db in
            try db.execute("SELECT \(Self.studyColumns) FROM studies WHERE name = ?", [.text(name)]).first.map(Self.study)
        }
    }

    func study(id: Int64) throws -> StudyRow? {
        try transaction(.read) { db in
            try db.execute("SELECT \(Self.studyColumns) FROM studies WHERE study_id = ?", [.integer(id)]).first.map(Self.study)
        }
    }

    /// Every study with its trial count per state, ordered by creation.
    func allStudies() throws -> [(study: StudyRow, counts: [StoredTrialState: Int])] {
        try transaction(.read) { db in
            let studies = try db.execute("SELECT \(Self.studyColumns) FROM studies ORDER BY study_id").map(Self.study)
            var counts: [Int64: [StoredTrialState: Int]] = [:]
            for row in try db.execute("SELECT study_id, state, count(*) FROM trials GROUP BY study_id, state") {
                if let state = StoredTrialState(rawValue: row.string(1)!) {
                    counts[row.int(0)!, default: [:]][state] = Int(row.int(2)!)
                }
            }
            return studies.map { ($0, counts[$0.id] ?? [:]) }
        }
    }

    /// Deletes a study with all its trials (ON DELETE CASCADE); false if there was none.
    @discardableResult
    func deleteStudy(named name: String) throws -> Bool {
        try transaction(.write) { db in
            !(try db.execute("DELETE FROM studies WHERE name = ? RETURNING study_id", [.text(name)]).isEmpty)
        }
    }

    /// Sets one key of the study's user or system attributes (`value` is JSON).
    func setStudyAttribute(studyID: Int64, key: String, value: String, system: Bool) throws {
        let column = system ? "system_attrs" : "user_attrs"
        try transaction(.write) { db in
            guard let current = try db.execute("SELECT \(column) FROM studies WHERE study_id = ?", [.integer(studyID)]).first?.string(0) else {
                throw StoreFailure.noSuchStudyID(studyID)
            }
            let updated = try JSONObjectText.setting(key, to: value, in: current)
            try db.execute("UPDATE studies SET \(column) = ? WHERE study_id = ?", [.text(updated), .integer(studyID)])
        }
    }

    // MARK: Creating and claiming trials

    private static let trialColumns = """
        trial_id, study_id, number, state, objective_values, enqueued_params, user_attrs, system_attrs,
        created_at, started_at, completed_at, worker_id, heartbeat_at, failure_reason, changed_seq
        """

    private static func trial(_ row: SQLRow) -> TrialRow {
        TrialRow(id: row.int(0)!, studyID: row.int(1)!, number: row.int(2)!,
                 state: StoredTrialState(rawValue: row.string(3)!) ?? .fail,
                 values: row.string(4), enqueuedParams: row.string(5),
                 userAttrs: row.string(6)!, systemAttrs: row.string(7)!, createdAt: row.double(8)!,
                 startedAt: row.double(9), completedAt: row.double(10), workerID: row.string(11),
                 heartbeatAt: row.double(12), failureReason: row.string(13), changedSeq: row.int(14)!)
    }

    /// Advances the study's change counter and returns the new value; called inside every
    /// write transaction that changes a trial. It also takes the study row's lock in
    /// PostgreSQL, which orders the counter by commit order.
    private func nextChange(_ db: SQLDatabase, studyID: Int64) throws -> Int64 {
        guard let seq = try db.execute("UPDATE studies SET change_counter = change_counter + 1 WHERE study_id = ? RETURNING change_counter",
                                       [.integer(studyID)]).first?.int(0) else {
            throw StoreFailure.noSuchStudyID(studyID)
        }
        return seq
    }

    /// Creates a trial numbered from the study's counter: RUNNING for `worker`, or
    /// WAITING with `enqueuedParams` when enqueued.
    func createTrial(studyID: Int64, state: StoredTrialState, enqueuedParams: String? = nil,
                     userAttrs: String = "{}", systemAttrs: String = "{}", workerID: String? = nil) throws -> TrialRow {
        precondition(state == .running || state == .waiting, "new trials are RUNNING or WAITING")
        return try transaction(.write) { db in
            guard let counter = try db.execute(
                "UPDATE studies SET next_trial_number = next_trial_number + 1, change_counter = change_counter + 1 WHERE study_id = ? RETURNING next_trial_number - 1, change_counter",
                [.integer(studyID)]).first else {
                throw StoreFailure.noSuchStudyID(studyID)
            }
            let now = clock()
            let running = state == .running
            let rows = try db.execute(
                """
                INSERT INTO trials (study_id, number, state, enqueued_params, user_attrs, system_attrs,
                                    created_at, started_at, worker_id, heartbeat_at, changed_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING \(Self.trialColumns)
                """,
                [.integer(studyID), counter[0], .text(state.rawValue), .optional(enqueuedParams), .text(userAttrs), .text(systemAttrs),
                 .real(now), running ? .real(now) : .null, running ? .optional(workerID) : .null, running ? .real(now) : .null, counter[1]])
            return Self.trial(rows[0])
        }
    }

    /// Atomically takes the oldest WAITING trial of the study and marks it RUNNING for
    /// `workerID`; nil when none waits. Two workers never get the same trial: SQLite holds
    /// the write lock for the whole transaction, PostgreSQL locks the row and lets others
    /// skip it.
    func claimWaitingTrial(studyID: Int64, workerID: String?) throws -> TrialRow? {
        try transaction(.write) { db in
            guard let id = try db.execute(
                "SELECT trial_id FROM trials WHERE study_id = ? AND state = 'WAITING' ORDER BY number LIMIT 1\(db.dialect.claimLockSuffix)",
                [.integer(studyID)]).first?.int(0) else { return nil }
            let seq = try nextChange(db, studyID: studyID)
            let now = clock()
            let rows = try db.execute(
                "UPDATE trials SET state = 'RUNNING', started_at = ?, worker_id = ?, heartbeat_at = ?, changed_seq = ? WHERE trial_id = ? RETURNING \(Self.trialColumns)",
                [.real(now), .optional(workerID), .real(now), .integer(seq), .integer(id)])
            var trial = Self.trial(rows[0])
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    // MARK: Changing running trials

    /// Locks the trial row (PostgreSQL) and checks it may be changed.
    private func runningTrial(_ db: SQLDatabase, _ trialID: Int64, allowWaiting: Bool = false) throws -> (studyID: Int64, number: Int64) {
        let lockSuffix = db.dialect == .postgres ? " FOR UPDATE" : ""
        guard let row = try db.execute("SELECT study_id, number, state FROM trials WHERE trial_id = ?\(lockSuffix)", [.integer(trialID)]).first else {
            throw StoreFailure.noSuchTrial(trialID)
        }
        let state = StoredTrialState(rawValue: row.string(2)!) ?? .fail
        guard state == .running || (allowWaiting && state == .waiting) else {
            throw StoreFailure.trialNotRunning(id: trialID, number: row.int(1)!, state: state)
        }
        return (row.int(0)!, row.int(1)!)
    }

    /// Records the value a running trial drew for parameter `name`.
    func setParam(trialID: Int64, _ param: TrialRow.Param) throws {
        try setParams(trialID: trialID, [param])
    }

    /// Records several parameters of a running trial in one transaction.
    func setParams(trialID: Int64, _ params: [TrialRow.Param]) throws {
        try transaction(.write) { db in
            let trial = try runningTrial(db, trialID)
            for param in params {
                try db.execute(
                    "INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value, distribution = excluded.distribution",
                    [.integer(trialID), .text(param.name), .text(param.value), .text(param.distribution)])
            }
            try touch(db, trialID: trialID, studyID: trial.studyID)
        }
    }

    /// Records (or replaces) the intermediate value at (step, fold) of a running trial.
    func setIntermediate(trialID: Int64, _ value: TrialRow.Intermediate) throws {
        try transaction(.write) { db in
            let trial = try runningTrial(db, trialID)
            try db.execute(
                "INSERT INTO trial_intermediate_values (trial_id, step, fold, value) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step, fold) DO UPDATE SET value = excluded.value",
                [.integer(trialID), .integer(value.step), .integer(value.fold), .text(value.value)])
            try touch(db, trialID: trialID, studyID: trial.studyID)
        }
    }

    /// Sets one key of a trial's user or system attributes (`value` is JSON). Allowed on
    /// running and waiting trials.
    func setTrialAttribute(trialID: Int64, key: String, value: String, system: Bool) throws {
        let column = system ? "system_attrs" : "user_attrs"
        try transaction(.write) { db in
            let trial = try runningTrial(db, trialID, allowWaiting: true)
            let current = try db.execute("SELECT \(column) FROM trials WHERE trial_id = ?", [.integer(trialID)])[0].string(0)!
            let updated = try JSONObjectText.setting(key, to: value, in: current)
            try db.execute("UPDATE trials SET \(column) = ? WHERE trial_id = ?", [.text(updated), .integer(trialID)])
            try touch(db, trialID: trialID, studyID: trial.studyID)
        }
    }

    private func touch(_ db: SQLDatabase, trialID: Int64, studyID: Int64) throws {
        let seq = try nextChange(db, studyID: studyID)
        try db.execute("UPDATE trials SET changed_seq = ? WHERE trial_id = ?", [.integer(seq), .integer(trialID)])
    }

    /// Moves a running trial to COMPLETE, PRUNED or FAIL with its values (JSON array) and,
    /// for failures, the reason; optionally records final params in the same transaction.
    func finishTrial(trialID: Int64, state: StoredTrialState, values: String?, primaryValue: Double?,
                     failureReason: String?, params: [TrialRow.Param] = []) throws -> TrialRow {
        precondition(state.isFinished, "finishTrial needs a finished state")
        return try transaction(.write) { db in
            let trial = try runningTrial(db, trialID)
            for param in params {
                try db.execute(
                    "INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value, distribution = excluded.distribution",
                    [.integer(trialID), .text(param.name), .text(param.value), .text(param.distribution)])
            }
            let seq = try nextChange(db, studyID: trial.studyID)
            let rows = try db.execute(
                """
                UPDATE trials SET state = ?, objective_values = ?, primary_value = ?, failure_reason = ?,
                                  completed_at = ?, changed_seq = ?
                WHERE trial_id = ? RETURNING \(Self.trialColumns)
                """,
                [.text(state.rawValue), .optional(values), primaryValue.flatMap { $0.isFinite ? SQLValue.real($0) : nil } ?? .null,
                 .optional(failureReason), .real(clock()), .integer(seq), .integer(trialID)])
            return Self.trial(rows[0])
        }
    }

    /// Records that the worker running `trialID` is alive. Does not advance the change
    /// counter: a heartbeat changes nothing a sampler reads. False if the trial is no
    /// longer running (e.g. it was declared dead and failed): the worker should stop.
    func heartbeat(trialID: Int64) throws -> Bool {
        try transaction(.write) { db in
            !(try db.execute("UPDATE trials SET heartbeat_at = ? WHERE trial_id = ? AND state = 'RUNNING' RETURNING trial_id",
                             [.real(clock()), .integer(trialID)]).isEmpty)
        }
    }

    /// Marks FAIL every RUNNING trial of the study whose last heartbeat is older than
    /// `gracePeriod` seconds, and returns them. Uses the (study_id, state, …) index: only
    /// running trials are read.
    func failStaleTrials(studyID: Int64, gracePeriod: Double) throws -> [TrialRow] {
        try transaction(.write) { db in
            let now = clock()
            let lockSuffix = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let stale = try db.execute(
                "SELECT trial_id, heartbeat_at FROM trials WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_at < ?\(lockSuffix)",
                [.integer(studyID), .real(now - gracePeriod)])
            var failed: [TrialRow] = []
            for row in stale {
                let seq = try nextChange(db, studyID: studyID)
                let last = row.double(1)!
                let reason = "worker stopped sending heartbeats (last \(String(format: "%.0f", now - last)) s ago; grace period \(String(format: "%g", gracePeriod)) s)"
                let rows = try db.execute(
                    "UPDATE trials SET state = 'FAIL', failure_reason = ?, completed_at = ?, changed_seq = ? WHERE trial_id = ? RETURNING \(Self.trialColumns)",
                    [.text(reason), .real(now), .integer(seq), row[0]])
                var trial = Self.trial(rows[0])
                try loadDetails(db, into: &trial)
                failed.append(trial)
            }
            return failed
        }
    }

    // MARK: Reading trials

    func trial(id: Int64) throws -> TrialRow? {
        try transaction(.read) { db in
            guard var trial = try db.execute("SELECT \(Self.trialColumns) FROM trials WHERE trial_id = ?", [.integer(id)]).first.map(Self.trial) else {
                return nil
            }
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    func trial(studyID: Int64, number: Int64) throws -> TrialRow? {
        try transaction(.read) { db in
            guard var trial = try db.execute("SELECT \(Self.trialColumns) FROM trials WHERE study_id = ? AND number = ?",
                                             [.integer(studyID), .integer(number)]).first.map(Self.trial) else {
                return nil
            }
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    /// Trials of the study that changed after `changedAfter` (0: all), ordered by number,
    /// optionally only in `states`, with the study's change counter at the time of the read.
    /// Readers that cache finished trials pass the counter back next time and get only
    /// what changed, which keeps repeated reads of a growing study cheap.
    func trials(studyID: Int64, states: Set<StoredTrialState>? = nil, changedAfter: Int64 = 0) throws -> (trials: [TrialRow], counter: Int64) {
        try transaction(.read) { db in
            guard let counter = try db.execute("SELECT change_counter FROM studies WHERE study_id = ?", [.integer(studyID)]).first?.int(0) else {
                throw StoreFailure.noSuchStudyID(studyID)
            }
            var condition = "t.study_id = ?"
            var parameters: [SQLValue] = [.integer(studyID)]
            if changedAfter > 0 {
                condition += " AND t.changed_seq > ?"
                parameters.append(.integer(changedAfter))
            }
            if let states {
                condition += " AND t.state IN (\(states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))"
            }
            var trials = try db.execute("SELECT \(Self.trialColumns) FROM trials t WHERE \(condition) ORDER BY t.number", parameters).map(Self.trial)
            try loadDetails(db, into: &trials, where: condition, parameters)
            return (trials, counter)
        }
    }

    /// Number of trials of the study, optionally only in `states` (an index-only count).
    func trialCount(studyID: Int64, states: Set<StoredTrialState>? = nil) throws -> Int {
        try transaction(.read) { db in
            var sql = "SELECT count(*) FROM trials WHERE study_id = ?"
            if let states {
                sql += " AND state IN (\(states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))"
            }
            return Int(try db.execute(sql, [.integer(studyID)])[0].int(0)!)
        }
    }

    /// The complete trial with the lowest (or highest) first objective, by index.
    func bestTrial(studyID: Int64, maximize: Bool) throws -> TrialRow? {
        try transaction(.read) { db in
            let order = maximize ? "DESC" : "ASC"
            guard var trial = try db.execute(
                "SELECT \(Self.trialColumns) FROM trials WHERE study_id = ? AND state = 'COMPLETE' AND primary_value IS NOT NULL ORDER BY primary_value \(order), number LIMIT 1",
                [.integer(studyID)]).first.map(Self.trial) else { return nil }
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    private func loadDetails(_ db: SQLDatabase, into trial: inout TrialRow) throws {
        var one = [trial]
        try loadDetails(db, into: &one, where: "t.trial_id = ?", [.integer(trial.id)])
        trial = one[0]
    }

    /// Fills params and intermediate values of `trials`, which must be exactly the trials
    /// matching `condition` (on `trials t`), with two queries whatever their number. The
    /// condition is a constant per call site, so the statements stay in the cache.
    private func loadDetails(_ db: SQLDatabase, into trials: inout [TrialRow], where condition: String, _ parameters: [SQLValue]) throws {
        guard !trials.isEmpty else { return }
        var position: [Int64: Int] = [:]
        for (index, trial) in trials.enumerated() { position[trial.id] = index }
        for row in try db.execute(
            "SELECT p.trial_id, p.name, p.value, p.distribution FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE \(condition) ORDER BY p.trial_id, p.name",
            parameters) {
            guard let index = position[row.int(0)!] else { continue }
            trials[index].params.append(.init(name: row.string(1)!, value: row.string(2)!, distribution: row.string(3)!))
        }
        for row in try db.execute(
            "SELECT v.trial_id, v.step, v.fold, v.value FROM trial_intermediate_values v JOIN trials t ON t.trial_id = v.trial_id WHERE \(condition) ORDER BY v.trial_id, v.step, v.fold",
            parameters) {
            guard let index = position[row.int(0)!] else { continue }
            trials[index].intermediates.append(.init(step: row.int(1)!, fold: row.int(2)!, value: row.string(3)!))
        }
    }
}

/// Edits of JSON object text (the attribute columns) without knowing the value types.
enum JSONObjectText {
    /// `object` with `key` set to the JSON value `value`.
    static func setting(_ key: String, to value: String, in object: String) throws -> String {
        var dictionary = (try JSONSerialization.jsonObject(with: Data(object.utf8)) as? [String: Any]) ?? [:]
        dictionary[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        let data = try JSONSerialization.data(withJSONObject: dictionary, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }
}
