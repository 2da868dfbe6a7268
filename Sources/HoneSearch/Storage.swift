// The persistence contract every backend (memory, SQLite, PostgreSQL) implements.

import Foundation

/// Where studies and trials live.
///
/// ## Concurrency and atomicity
///
/// One `Storage` instance is shared by every thread of a process, and several processes
/// (on one machine with SQLite, on many with PostgreSQL) may open the same study at once.
/// Every method is safe to call concurrently and is **atomic**: it takes effect entirely
/// or not at all, and is designed so a SQL backend implements it as **one transaction**.
/// In particular:
///
/// - `createTrial` and `startTrial` assign trial numbers. Numbers are **unique and dense
///   per study**: 0, 1, 2, … with no gap and no duplicate, whatever the number of
///   concurrent writers (e.g. a per-study counter row incremented in the same
///   transaction that inserts the trial).
/// - `startTrial` **claims** the WAITING trial with the lowest number, or creates a new
///   RUNNING trial when none waits. A WAITING trial is claimed by exactly one caller
///   (e.g. `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite).
/// - `updateTrial` checks that the trial is RUNNING and applies the update in the same
///   transaction; if another caller finished it first, it throws
///   `StorageError.trialNotRunning` and changes nothing. So a trial is finished once.
/// - `failStaleTrials` moves each stale trial to FAIL exactly once across all callers and
///   returns only the trials this call failed (so only one worker retries each).
///
/// ## Change sequence (incremental reads)
///
/// Each study has a **change sequence**: a counter that every write to one of its trials
/// increments, stamping the trial's `changeSeq` with the new value. It starts at 0 (the
/// first write gives 1). It must be **monotonic in commit order**: once a reader has seen
/// sequence number `s`, no write with a number ≤ `s` may commit later (taking the
/// per-study counter row's lock in each writing transaction gives this). Heartbeats do
/// **not** count as changes (they would wake every cache for nothing).
///
/// With it a study keeps an incremental cache: `trials(studyId:, states:, changedAfter:)`
/// returns only trials written since a known cursor. Because finished trials never change,
/// a sampler's cache of finished trials fed this way is exact.
///
/// ## Cost as a study grows (to 100,000 trials and beyond)
///
/// These calls are on the hot path of every ask/tell and must cost O(log n) in the number
/// of trials of the study plus the size of what they read or write — never a scan of the
/// history: `startTrial`, `createTrial`, `updateTrial`, `recordHeartbeat`,
/// `trial(id:)`, `trial(studyId:number:)`, `changeCursor`, `trialCount`, and `trials(…,
/// changedAfter:)` (proportional to the number of trials returned; index on
/// `(study, changeSeq)`). `failStaleTrials` is proportional to the number of RUNNING
/// trials (index on `(study, state)`). A full listing (`changedAfter: 0`) is O(n) and
/// meant for loading a study, CLI listings and exports, not for every ask.
///
/// ## Storing records (hints for SQL backends)
///
/// States as `TrialState.rawValue` ("RUNNING", …); directions as `StudyDirection.rawValue`;
/// a distribution as `Distribution.jsonText` (decode with `Distribution(jsonText:)`); a
/// param value either as its internal Double (`distribution.toInternal` /
/// `toExternal`, lossless for floats, ints below 2^53 and categorical indices) or as
/// tagged JSON (`ParamValue` is `Codable`); attributes as `JSONValue.jsonText`; dates
/// as seconds since 1970 (Double; millisecond precision is enough); intermediate values
/// one row per (trial, step, fold) with the vector as JSON or one row per component
/// (±infinity must survive). `FrozenTrial.apply(_:objectives:)`, `TrialDraft.validate`
/// and `TrialFinish.validate` hold the rules every backend must enforce: call them, so
/// all backends reject the same records with the same words.
///
/// ## Ordering
///
/// Lists of trials are ordered by trial number ascending; lists of studies by id ascending.
///
/// ## Errors
///
/// Throw `StorageError`: `.studyNotFound` / `.trialNotFound` for unknown ids,
/// `.trialNotRunning` for writes to a trial that is not RUNNING, `.invalidRecord` for
/// drafts and updates that break the rules below, `.backend` for database failures. A
/// backend retries transient conflicts itself ("database is locked", serialization
/// failures) with backoff; they never reach the caller while a retry can still succeed.
public protocol Storage: AnyObject, Sendable {
    /// Where the studies live: two storage objects with the same identity (two handles on
    /// one SQLite file, two connections to one PostgreSQL database) hold the same studies,
    /// so a study id names the same study in both. Default: this object (in-memory storage).
    var identity: String { get }

    // MARK: Studies

    /// Creates a study. Names are unique: when `name` exists this throws
    /// `StorageError.studyAlreadyExists` and changes nothing (callers implement
    /// create-or-load by catching it and loading). `directions` is non-empty.
    func createStudy(name: String, directions: [StudyDirection], now: Date) throws -> StudyRecord

    /// The study with this name, or nil.
    func study(named name: String) throws -> StudyRecord?

    /// The study with this id, or nil.
    func study(id: Int64) throws -> StudyRecord?

    /// Every study, ordered by id.
    func allStudies() throws -> [StudyRecord]

    /// Deletes the study and all its trials. Throws `.studyNotFound` when absent.
    func deleteStudy(id: Int64) throws

    /// Merges attributes into the study's (key by key; existing keys are overwritten).
    func setStudyAttributes(studyId: Int64, user: [String: JSONValue], system: [String: JSONValue]) throws

    // MARK: Trial writes

    /// Creates a trial from a draft with the next number of the study, in one transaction.
    /// Rules (else `.invalidRecord`): a COMPLETE draft has `values`; a RUNNING or WAITING
    /// draft has no `finishedAt`; param names are unique. Used for enqueued (WAITING)
    /// trials, copies between studies and retries. Returns the stored trial.
    func createTrial(studyId: Int64, draft: TrialDraft) throws -> FrozenTrial

    /// Starts a trial for a worker, atomically: claims the WAITING trial with the lowest
    /// number (keeping its params and attributes) or, when none waits, creates a RUNNING
    /// trial with the next number. Either way the trial becomes RUNNING with
    /// `startedAt = start.now`, `workerId = start.workerId` and, when `start.heartbeat`,
    /// `heartbeatAt = start.now`. Returns the trial as stored.
    func startTrial(studyId: Int64, _ start: TrialStart) throws -> FrozenTrial

    /// Applies an update to a RUNNING trial in one transaction (see `TrialUpdate`); throws
    /// `.trialNotRunning` (changing nothing) when the trial is in any other state. A finish
    /// to COMPLETE needs one finite value per objective of the study (`.invalidRecord`
    /// otherwise). An empty update is a no-op that still checks the trial exists.
    func updateTrial(id: Int64, _ update: TrialUpdate) throws

    /// Sets `heartbeatAt = now` on those of the given trials that are RUNNING (others are
    /// ignored, so a heartbeat racing with a tell is harmless). Does not bump the change
    /// sequence. One cheap statement for all trials of a worker.
    func recordHeartbeat(trialIds: [Int64], now: Date) throws

    /// Atomically moves every RUNNING trial of the study whose `heartbeatAt` is non-nil and
    /// earlier than `heartbeatBefore` to FAIL, with `finishedAt = now` and a `failReason`
    /// saying the heartbeat went stale. Returns the trials this call failed (as stored
    /// after the change), ordered by number; concurrent callers never both get one trial.
    func failStaleTrials(studyId: Int64, heartbeatBefore: Date, now: Date) throws -> [FrozenTrial]

    // MARK: Reads

    /// The trial with this storage-wide id, or nil.
    func trial(id: Int64) throws -> FrozenTrial?

    /// The trial with this number in the study, or nil.
    func trial(studyId: Int64, number: Int) throws -> FrozenTrial?

    /// Trials of the study whose `changeSeq > changedAfter` and whose state is in `states`
    /// (all states when nil), ordered by number, with the cursor to pass next time.
    /// `changedAfter: 0` lists everything. Throws `.studyNotFound` for an unknown study.
    func trials(studyId: Int64, states: Set<TrialState>?, changedAfter: Int64) throws -> TrialChanges

    /// How many trials of the study are in `states` (all when nil). Cheap (an index or a
    /// maintained counter), so "stop after N complete trials" checks cost nothing.
    func trialCount(studyId: Int64, states: Set<TrialState>?) throws -> Int

    /// The study's current change sequence number: when it equals a cache's cursor,
    /// nothing changed and the cache is up to date.
    func changeCursor(studyId: Int64) throws -> Int64
}

extension Storage {
    public var identity: String { "memory:" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16) }

    /// Every trial of the study, ordered by number (a full read: not for the hot path).
    public func allTrials(studyId: Int64, states: Set<TrialState>? = nil) throws -> [FrozenTrial] {
        try trials(studyId: studyId, states: states, changedAfter: 0).trials
    }
}
