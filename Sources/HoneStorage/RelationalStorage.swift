// The `Storage` contract (HoneSearch/Storage.swift) implemented in SQL, once for both
// SQLite and PostgreSQL (Schema.swift has the tables and why they look the way they do).
//
// Every protocol method is one transaction, so a crash between two calls leaves every
// earlier change durable and no later one half-applied. Atomicity between processes:
// - trial numbers come from the study's counter row (`UPDATE studies … RETURNING`), whose
//   row lock (PostgreSQL) or the database write lock (SQLite, BEGIN IMMEDIATE) serializes
//   allocation; the same UPDATE advances the change sequence, which is therefore ordered
//   by commit;
// - a WAITING trial is claimed with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, and
//   under the write lock on SQLite, so exactly one worker gets it;
// - updates re-read the trial's state under the same lock before writing, so a trial is
//   finished once and a late tell from a worker declared dead is refused.
// Lock order is always trial rows, then the study row, so PostgreSQL transactions do not
// deadlock with each other (and a deadlock would be retried anyway).
import Foundation
import HoneSearch

/// SQL-backed storage. Use `SQLiteStorage` or `PostgresStorage` (or `openStorage(url:)`).
///
/// One instance holds one connection and serializes calls on it with a lock; it is safe
/// to share between threads. Processes each open their own.
public class RelationalStorage: Storage, @unchecked Sendable {
    let database: SQLDatabase
    /// Storage.identity: the database file's real path, or the server and database.
    public let identity: String
    private let lock = NSLock()
    private let distributions = DistributionCodec()
    /// Objective counts by study id: directions never change, and every finish checks them.
    private var objectiveCounts: [Int64: Int] = [:]

    /// Wraps an open connection, creating or migrating the schema.
    init(database: SQLDatabase, identity: String) throws {
        self.database = database
        self.identity = identity
        do {
            try StorageSchema.migrate(database)
        } catch let error as DatabaseError {
            throw RelationalStorage.storageError(error)
        }
    }

    // MARK: Plumbing

    /// Runs `body` as one transaction while holding the connection, translating database
    /// failures into `StorageError.backend` with the engine's message and location.
    private func transaction<T>(_ mode: TransactionMode, _ body: (SQLDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try database.transaction(mode) { try body(database) }
        } catch let error as DatabaseError {
            throw RelationalStorage.storageError(error)
        }
    }

    static func storageError(_ error: DatabaseError) -> StorageError {
        .backend(error.description)
    }

    private static func seconds(_ date: Date) -> SQLValue { .real(date.timeIntervalSince1970) }
    private static func seconds(_ date: Date?) -> SQLValue { date.map(seconds) ?? .null }
    private static func date(_ row: SQLRow, _ column: Int) -> Date? {
        row.double(column).map { Date(timeIntervalSince1970: $0) }
    }

    // MARK: Studies

    private static let studyColumns = "study_id, name, directions, user_attrs, system_attrs, created_at"

    private static func study(_ row: SQLRow) throws -> StudyRecord {
        StudyRecord(id: row.int(0)!, name: row.string(1)!,
                    directions: try StoredJSON.decodeDirections(row.string(2)!),
                    userAttrs: try StoredJSON.decodeAttributes(row.string(3)!, field: "study user attributes"),
                    systemAttrs: try StoredJSON.decodeAttributes(row.string(4)!, field: "study system attributes"),
                    createdAt: date(row, 5)!)
    }

    public func createStudy(name: String, directions: [StudyDirection], now: Date) throws -> StudyRecord {
        guard !directions.isEmpty else { throw StorageError.invalidRecord("a study needs at least one direction") }
        return try transaction(.write) { db in
            if try !db.execute("SELECT 1 FROM studies WHERE name = ?", [.text(name)]).isEmpty {
                throw StorageError.studyAlreadyExists(name: name)
            }
            let rows = try db.execute(
                "INSERT INTO studies (name, directions, created_at) VALUES (?, ?, ?) RETURNING \(Self.studyColumns)",
                [.text(name), .text(StoredJSON.encode(directions: directions)), Self.seconds(now)])
            return try Self.study(rows[0])
        }
    }

    public func study(named name: String) throws -> StudyRecord? {
        try transaction(.read) { db in
            try db.execute("SELECT \(Self.studyColumns) FROM studies WHERE name = ?", [.text(name)]).first.map(Self.study)
        }
    }

    public func study(id: Int64) throws -> StudyRecord? {
        try transaction(.read) { db in
            try db.execute("SELECT \(Self.studyColumns) FROM studies WHERE study_id = ?", [.integer(id)]).first.map(Self.study)
        }
    }

    public func allStudies() throws -> [StudyRecord] {
        try transaction(.read) { db in
            try db.execute("SELECT \(Self.studyColumns) FROM studies ORDER BY study_id").map(Self.study)
        }
    }

    public func deleteStudy(id: Int64) throws {
        try transaction(.write) { db in
            // Trials, params and reports go with it (ON DELETE CASCADE).
            if try db.execute("DELETE FROM studies WHERE study_id = ? RETURNING study_id", [.integer(id)]).isEmpty {
                throw StorageError.studyNotFound("with id \(id)")
            }
        }
    }

    public func setStudyAttributes(studyId: Int64, user: [String: JSONValue], system: [String: JSONValue]) throws {
        try transaction(.write) { db in
            let lockSuffix = db.dialect == .postgres ? " FOR UPDATE" : ""
            guard let row = try db.execute("SELECT user_attrs, system_attrs FROM studies WHERE study_id = ?\(lockSuffix)",
                                           [.integer(studyId)]).first else {
                throw StorageError.studyNotFound("with id \(studyId)")
            }
            let merged = try Self.merge(row, user: user, system: system, what: "study")
            try db.execute("UPDATE studies SET user_attrs = ?, system_attrs = ? WHERE study_id = ?",
                           [.text(merged.user), .text(merged.system), .integer(studyId)])
        }
    }

    /// Stored (user, system) attribute texts in `row` columns 0 and 1 with `user` and
    /// `system` merged in key by key.
    private static func merge(_ row: SQLRow, user: [String: JSONValue], system: [String: JSONValue],
                              what: String) throws -> (user: String, system: String) {
        func merged(_ column: Int, _ changes: [String: JSONValue], _ field: String) throws -> String {
            if changes.isEmpty { return row.string(column)! }
            var attributes = try StoredJSON.decodeAttributes(row.string(column)!, field: field)
            for (key, value) in changes { attributes[key] = value }
            return try StoredJSON.encode(attributes: attributes)
        }
        return (try merged(0, user, "\(what) user attributes"), try merged(1, system, "\(what) system attributes"))
    }

    /// The study's number of objectives (cached; directions never change).
    private func objectiveCount(_ db: SQLDatabase, studyId: Int64) throws -> Int {
        if let count = objectiveCounts[studyId] { return count }
        guard let text = try db.execute("SELECT directions FROM studies WHERE study_id = ?", [.integer(studyId)]).first?.string(0) else {
            throw StorageError.studyNotFound("with id \(studyId)")
        }
        let count = try StoredJSON.decodeDirections(text).count
        objectiveCounts[studyId] = count
        return count
    }

    // MARK: Trial writes

    private static let trialColumns = """
        trial_id, study_id, number, state, objective_values, user_attrs, system_attrs,
        started_at, finished_at, heartbeat_at, worker_id, fail_reason, changed_seq
        """

    /// Advances the study's change sequence and returns the new value. Called in every
    /// transaction that changes a trial, after the trial rows are locked.
    private func nextChange(_ db: SQLDatabase, studyId: Int64) throws -> Int64 {
        guard let seq = try db.execute("UPDATE studies SET change_counter = change_counter + 1 WHERE study_id = ? RETURNING change_counter",
                                       [.integer(studyId)]).first?.int(0) else {
            throw StorageError.studyNotFound("with id \(studyId)")
        }
        return seq
    }

    /// Allocates the study's next trial number and change sequence in one statement.
    private func nextNumber(_ db: SQLDatabase, studyId: Int64) throws -> (number: Int64, seq: Int64) {
        guard let row = try db.execute(
            "UPDATE studies SET next_trial_number = next_trial_number + 1, change_counter = change_counter + 1 WHERE study_id = ? RETURNING next_trial_number - 1, change_counter",
            [.integer(studyId)]).first else {
            throw StorageError.studyNotFound("with id \(studyId)")
        }
        return (row.int(0)!, row.int(1)!)
    }

    private func insert(_ db: SQLDatabase, params: [TrialParam], trialId: Int64) throws {
        for param in params {
            try db.execute("INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?)",
                           [.integer(trialId), .text(param.name), .text(StoredJSON.encode(param: param.value)),
                            .text(distributions.encode(param.distribution))])
        }
    }

    private func upsert(_ db: SQLDatabase, reports: [IntermediateKey: [Double]], trialId: Int64) throws {
        for (key, values) in reports {
            try db.execute(
                "INSERT INTO trial_intermediate_values (trial_id, step, fold, value) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step, fold) DO UPDATE SET value = excluded.value",
                [.integer(trialId), .integer(Int64(key.step)), .integer(Int64(key.fold)), .text(StoredJSON.encode(values: values))])
        }
    }

    public func createTrial(studyId: Int64, draft: TrialDraft) throws -> FrozenTrial {
        try transaction(.write) { db in
            try draft.validate(objectives: try objectiveCount(db, studyId: studyId))
            let (number, seq) = try nextNumber(db, studyId: studyId)
            let rows = try db.execute(
                """
                INSERT INTO trials (study_id, number, state, objective_values, user_attrs, system_attrs,
                                    started_at, finished_at, heartbeat_at, worker_id, fail_reason, changed_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING \(Self.trialColumns)
                """,
                [.integer(studyId), .integer(number), .text(draft.state.rawValue),
                 .optional(draft.values.map(StoredJSON.encode(values:))),
                 .text(try StoredJSON.encode(attributes: draft.userAttrs)), .text(try StoredJSON.encode(attributes: draft.systemAttrs)),
                 Self.seconds(draft.startedAt), Self.seconds(draft.finishedAt), Self.seconds(draft.heartbeatAt),
                 .optional(draft.workerId), .optional(draft.failReason), .integer(seq)])
            var trial = try trialRecord(rows[0])
            try insert(db, params: draft.params, trialId: trial.id)
            try upsert(db, reports: draft.intermediateValues, trialId: trial.id)
            for param in draft.params {
                trial.params[param.name] = param.value
                trial.distributions[param.name] = param.distribution
            }
            trial.intermediateValues = draft.intermediateValues
            return trial
        }
    }

    public func startTrial(studyId: Int64, _ start: TrialStart) throws -> FrozenTrial {
        try transaction(.write) { db in
            let heartbeat: SQLValue = start.heartbeat ? Self.seconds(start.now) : .null
            if let waiting = try db.execute(
                "SELECT trial_id FROM trials WHERE study_id = ? AND state = 'WAITING' ORDER BY number LIMIT 1\(db.dialect.claimLockSuffix)",
                [.integer(studyId)]).first?.int(0) {
                let seq = try nextChange(db, studyId: studyId)
                let rows = try db.execute(
                    "UPDATE trials SET state = 'RUNNING', started_at = ?, worker_id = ?, heartbeat_at = ?, changed_seq = ? WHERE trial_id = ? RETURNING \(Self.trialColumns)",
                    [Self.seconds(start.now), .optional(start.workerId), heartbeat, .integer(seq), .integer(waiting)])
                var trial = try trialRecord(rows[0])
                try loadDetails(db, into: &trial)
                return trial
            }
            switch db.dialect {
            case .sqlite:
                let (number, seq) = try nextNumber(db, studyId: studyId)
                let rows = try db.execute(
                    "INSERT INTO trials (study_id, number, state, started_at, worker_id, heartbeat_at, changed_seq) VALUES (?, ?, 'RUNNING', ?, ?, ?, ?) RETURNING \(Self.trialColumns)",
                    [.integer(studyId), .integer(number), Self.seconds(start.now), .optional(start.workerId), heartbeat, .integer(seq)])
                return try trialRecord(rows[0])
            case .postgres:
                // Number allocation and insert in one statement: one round trip fewer.
                let rows = try db.execute(
                    """
                    WITH counter AS (
                        UPDATE studies SET next_trial_number = next_trial_number + 1, change_counter = change_counter + 1
                        WHERE study_id = ? RETURNING study_id, next_trial_number - 1 AS number, change_counter)
                    INSERT INTO trials (study_id, number, state, started_at, worker_id, heartbeat_at, changed_seq)
                    SELECT study_id, number, 'RUNNING', ?::double precision, ?::text, ?::double precision, change_counter FROM counter
                    RETURNING \(Self.trialColumns)
                    """,
                    [.integer(studyId), Self.seconds(start.now), .optional(start.workerId), heartbeat])
                guard let row = rows.first else { throw StorageError.studyNotFound("with id \(studyId)") }
                return try trialRecord(row)
            }
        }
    }

    public func updateTrial(id: Int64, _ update: TrialUpdate) throws {
        try transaction(.write) { db in
            let lockSuffix = db.dialect == .postgres ? " FOR UPDATE" : ""
            guard let row = try db.execute(
                "SELECT study_id, number, state, user_attrs, system_attrs FROM trials WHERE trial_id = ?\(lockSuffix)",
                [.integer(id)]).first else {
                throw StorageError.trialNotFound("with id \(id)")
            }
            if update.isEmpty { return }
            let studyId = row.int(0)!
            let number = Int(row.int(1)!)
            let state = TrialState(rawValue: row.string(2)!) ?? .fail
            guard state == .running else { throw StorageError.trialNotRunning(trialNumber: number, state: state) }
            try update.finish?.validate(objectives: try objectiveCount(db, studyId: studyId))

            try addParams(db, update.params, trialId: id, number: number)
            try upsert(db, reports: update.intermediateValues, trialId: id)

            var assignments: [String] = []
            var values: [SQLValue] = []
            if !update.userAttrs.isEmpty || !update.systemAttrs.isEmpty {
                let merged = try Self.merge(SQLRow(Array(row.values[3...4])), user: update.userAttrs, system: update.systemAttrs, what: "trial")
                assignments += ["user_attrs = ?", "system_attrs = ?"]
                values += [.text(merged.user), .text(merged.system)]
            }
            if let heartbeat = update.heartbeatAt {
                assignments.append("heartbeat_at = ?")
                values.append(Self.seconds(heartbeat))
            }
            if let finish = update.finish {
                assignments += ["state = ?", "objective_values = ?", "fail_reason = ?", "finished_at = ?"]
                values += [.text(finish.state.rawValue), .optional(finish.values.map(StoredJSON.encode(values:))),
                           .optional(finish.failReason), Self.seconds(finish.at)]
            }
            // The column list depends only on which parts the update has: at most a few
            // dozen distinct statements, all cached.
            switch db.dialect {
            case .sqlite:
                assignments.append("changed_seq = ?")
                values.append(.integer(try nextChange(db, studyId: studyId)))
                values.append(.integer(id))
                try db.execute("UPDATE trials SET \(assignments.joined(separator: ", ")) WHERE trial_id = ?", values)
            case .postgres:
                // One round trip instead of two: the change sequence is advanced in the
                // same statement (the trial row is already locked, so the lock order
                // trial → study holds).
                assignments.append("changed_seq = (SELECT change_counter FROM seq)")
                try db.execute(
                    "WITH seq AS (UPDATE studies SET change_counter = change_counter + 1 WHERE study_id = ? RETURNING change_counter) UPDATE trials SET \(assignments.joined(separator: ", ")) WHERE trial_id = ?",
                    [.integer(studyId)] + values + [.integer(id)])
            }
        }
    }

    /// Adds the params of an update the trial does not have yet. A name already set must
    /// come with the same distribution and value (then it is a no-op); a new value must
    /// lie in its distribution. The insert is tried first and the stored param read only
    /// when the name exists, so the common case costs one statement per param. Any
    /// conflict throws, and the transaction's rollback undoes the inserts before it.
    private func addParams(_ db: SQLDatabase, _ params: [TrialParam], trialId: Int64, number: Int) throws {
        for param in params where !param.distribution.contains(param.value) {
            throw StorageError.paramConflict(trialNumber: number, name: param.name,
                                             detail: "\(param.value) is not in \(param.distribution)")
        }
        for param in params {
            let inserted = try db.execute(
                "INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, name) DO NOTHING RETURNING trial_id",
                [.integer(trialId), .text(param.name), .text(StoredJSON.encode(param: param.value)),
                 .text(distributions.encode(param.distribution))])
            if !inserted.isEmpty { continue }
            let existing = try db.execute("SELECT value, distribution FROM trial_params WHERE trial_id = ? AND name = ?",
                                          [.integer(trialId), .text(param.name)])[0]
            let value = try StoredJSON.decodeParam(existing.string(0)!)
            let distribution = try distributions.decode(existing.string(1)!)
            if value != param.value || distribution != param.distribution {
                throw StorageError.paramConflict(trialNumber: number, name: param.name,
                    detail: "already set to \(value) from \(distribution), cannot set \(param.value) from \(param.distribution)")
            }
        }
    }

    public func recordHeartbeat(trialIds: [Int64], now: Date) throws {
        guard !trialIds.isEmpty else { return }
        try transaction(.write) { db in
            for id in trialIds {
                try db.execute("UPDATE trials SET heartbeat_at = ? WHERE trial_id = ? AND state = 'RUNNING'",
                               [Self.seconds(now), .integer(id)])
            }
        }
    }

    public func failStaleTrials(studyId: Int64, heartbeatBefore: Date, now: Date) throws -> [FrozenTrial] {
        try transaction(.write) { db in
            // Trials another worker is failing (or finishing) right now are skipped on
            // PostgreSQL rather than waited for: that worker handles them.
            let lockSuffix = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let stale = try db.execute(
                "SELECT trial_id, heartbeat_at FROM trials WHERE study_id = ? AND state = 'RUNNING' AND heartbeat_at < ? ORDER BY number\(lockSuffix)",
                [.integer(studyId), Self.seconds(heartbeatBefore)])
            var failed: [FrozenTrial] = []
            for row in stale {
                let last = Self.date(row, 1)!
                let reason = "stale heartbeat: the worker's last heartbeat was at \(last) and none came by \(heartbeatBefore); presumed dead"
                let seq = try nextChange(db, studyId: studyId)
                let rows = try db.execute(
                    "UPDATE trials SET state = 'FAIL', fail_reason = ?, finished_at = ?, changed_seq = ? WHERE trial_id = ? RETURNING \(Self.trialColumns)",
                    [.text(reason), Self.seconds(now), .integer(seq), row[0]])
                var trial = try trialRecord(rows[0])
                try loadDetails(db, into: &trial)
                failed.append(trial)
            }
            return failed
        }
    }

    // MARK: Reads

    private func trialRecord(_ row: SQLRow) throws -> FrozenTrial {
        guard let state = TrialState(rawValue: row.string(3)!) else { throw StoredJSON.corrupt("trial state", row.string(3)!) }
        return FrozenTrial(
            id: row.int(0)!, studyId: row.int(1)!, number: Int(row.int(2)!), state: state,
            values: try row.string(4).map { try StoredJSON.decodeValues($0, field: "objective values") },
            userAttrs: try StoredJSON.decodeAttributes(row.string(5)!, field: "trial user attributes"),
            systemAttrs: try StoredJSON.decodeAttributes(row.string(6)!, field: "trial system attributes"),
            startedAt: Self.date(row, 7), finishedAt: Self.date(row, 8), heartbeatAt: Self.date(row, 9),
            workerId: row.string(10), failReason: row.string(11), changeSeq: row.int(12)!)
    }

    public func trial(id: Int64) throws -> FrozenTrial? {
        try transaction(.read) { db in
            guard let row = try db.execute("SELECT \(Self.trialColumns) FROM trials WHERE trial_id = ?", [.integer(id)]).first else {
                return nil
            }
            var trial = try trialRecord(row)
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    public func trial(studyId: Int64, number: Int) throws -> FrozenTrial? {
        try transaction(.read) { db in
            guard let row = try db.execute("SELECT \(Self.trialColumns) FROM trials WHERE study_id = ? AND number = ?",
                                           [.integer(studyId), .integer(Int64(number))]).first else {
                return nil
            }
            var trial = try trialRecord(row)
            try loadDetails(db, into: &trial)
            return trial
        }
    }

    public func trials(studyId: Int64, states: Set<TrialState>?, changedAfter: Int64) throws -> TrialChanges {
        try transaction(.read) { db in
            // Read the cursor first, in the same snapshot as the trials, so every change
            // up to it is in the answer.
            let cursor = try changeCounter(db, studyId: studyId)
            if changedAfter >= cursor { return TrialChanges(trials: [], cursor: cursor) }
            var condition = "t.study_id = ?"
            var parameters: [SQLValue] = [.integer(studyId)]
            if changedAfter > 0 {
                condition += " AND t.changed_seq > ?"
                parameters.append(.integer(changedAfter))
            }
            if let states {
                condition += " AND t.state IN (\(Self.stateList(states)))"
            }
            var trials = try db.execute("SELECT \(Self.trialColumns) FROM trials t WHERE \(condition) ORDER BY t.number", parameters)
                .map(trialRecord)
            try loadDetails(db, into: &trials, where: condition, parameters)
            return TrialChanges(trials: trials, cursor: cursor)
        }
    }

    public func trialCount(studyId: Int64, states: Set<TrialState>?) throws -> Int {
        try transaction(.read) { db in
            _ = try changeCounter(db, studyId: studyId)  // unknown study → studyNotFound
            var sql = "SELECT count(*) FROM trials WHERE study_id = ?"
            if let states { sql += " AND state IN (\(Self.stateList(states)))" }
            return Int(try db.execute(sql, [.integer(studyId)])[0].int(0)!)
        }
    }

    public func changeCursor(studyId: Int64) throws -> Int64 {
        try transaction(.read) { db in try changeCounter(db, studyId: studyId) }
    }

    private func changeCounter(_ db: SQLDatabase, studyId: Int64) throws -> Int64 {
        guard let counter = try db.execute("SELECT change_counter FROM studies WHERE study_id = ?", [.integer(studyId)]).first?.int(0) else {
            throw StorageError.studyNotFound("with id \(studyId)")
        }
        return counter
    }

    /// States as a SQL literal list. Built from the enum's fixed raw values, never from
    /// input, and sorted so each set maps to one cached statement.
    private static func stateList(_ states: Set<TrialState>) -> String {
        states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
    }

    private func loadDetails(_ db: SQLDatabase, into trial: inout FrozenTrial) throws {
        var one = [trial]
        try loadDetails(db, into: &one, where: "t.trial_id = ?", [.integer(trial.id)])
        trial = one[0]
    }

    /// Fills params and reports of `trials`, which must be exactly the trials matching
    /// `condition` (on `trials t`), with two queries whatever their number.
    private func loadDetails(_ db: SQLDatabase, into trials: inout [FrozenTrial], where condition: String, _ parameters: [SQLValue]) throws {
        guard !trials.isEmpty else { return }
        var position: [Int64: Int] = [:]
        position.reserveCapacity(trials.count)
        for (index, trial) in trials.enumerated() { position[trial.id] = index }
        for row in try db.execute(
            "SELECT p.trial_id, p.name, p.value, p.distribution FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE \(condition)",
            parameters) {
            guard let index = position[row.int(0)!] else { continue }
            let name = row.string(1)!
            trials[index].params[name] = try StoredJSON.decodeParam(row.string(2)!)
            trials[index].distributions[name] = try distributions.decode(row.string(3)!)
        }
        for row in try db.execute(
            "SELECT v.trial_id, v.step, v.fold, v.value FROM trial_intermediate_values v JOIN trials t ON t.trial_id = v.trial_id WHERE \(condition)",
            parameters) {
            guard let index = position[row.int(0)!] else { continue }
            let key = IntermediateKey(step: Int(row.int(1)!), fold: Int(row.int(2)!))
            trials[index].intermediateValues[key] = try StoredJSON.decodeValues(row.string(3)!, field: "intermediate value")
        }
    }
}
