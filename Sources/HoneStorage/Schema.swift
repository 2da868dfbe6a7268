// The relational schema shared by the SQLite and PostgreSQL backends, and its migrations.
//
// The schema carries a version (table `schema_version`, one row). Each migration is an
// ordered list of statements that moves the schema from version N-1 to N; opening a
// database applies every missing migration in one transaction, so a database is never
// left half-migrated. A database whose version is newer than this code knows is refused
// untouched: an older Hone must not write rows a newer one would misread.
//
// Layout and why:
// - studies.next_trial_number is the per-study counter from which trial numbers are
//   allocated (UPDATE … RETURNING under the row lock). Reading MAX(number) instead would
//   race between processes and cost more as the study grows.
// - trials are looked up on the hot path only by primary key or through the index
//   (study_id, state, number): claiming the oldest WAITING trial, listing RUNNING ones for
//   heartbeat checks, or counting. Nothing on the ask/tell path scans the whole history.
// - trials.changed_seq is stamped from studies.change_counter whenever a trial changes
//   (the Storage protocol's change sequence), so a reader can fetch only trials changed
//   since its last read (index (study_id, changed_seq)) and cache the rest; finished
//   trials never change again. Heartbeats are not changes.
// - Params and intermediate values live in their own tables keyed by trial, so reporting
//   one step or suggesting one parameter is one small INSERT, not a rewrite of the trial.
// - Values that may be non-finite or vector-valued are JSON arrays (see StoredJSON.swift).
// - Times are seconds since 1970 as floats, identical in both engines.

/// One step of the schema's history.
struct SchemaMigration {
    /// The schema version after this migration.
    let version: Int
    let statements: [String]
}

enum StorageSchema {
    /// The newest schema version this code reads and writes.
    static let currentVersion = 1

    static func migrations(for dialect: SQLDialect) -> [SchemaMigration] {
        let t = ColumnTypes(dialect)
        return [
            SchemaMigration(version: 1, statements: [
                """
                CREATE TABLE studies (
                    study_id \(t.primaryKey),
                    name TEXT NOT NULL UNIQUE,
                    directions TEXT NOT NULL,
                    user_attrs TEXT NOT NULL DEFAULT '{}',
                    system_attrs TEXT NOT NULL DEFAULT '{}',
                    created_at \(t.real) NOT NULL,
                    next_trial_number \(t.integer) NOT NULL DEFAULT 0,
                    change_counter \(t.integer) NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE trials (
                    trial_id \(t.primaryKey),
                    study_id \(t.integer) NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
                    number \(t.integer) NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')),
                    objective_values TEXT,
                    user_attrs TEXT NOT NULL DEFAULT '{}',
                    system_attrs TEXT NOT NULL DEFAULT '{}',
                    started_at \(t.real),
                    finished_at \(t.real),
                    heartbeat_at \(t.real),
                    worker_id TEXT,
                    fail_reason TEXT,
                    changed_seq \(t.integer) NOT NULL,
                    UNIQUE (study_id, number)
                )
                """,
                "CREATE INDEX trials_by_state ON trials (study_id, state, number)",
                "CREATE INDEX trials_by_change ON trials (study_id, changed_seq)",
                """
                CREATE TABLE trial_params (
                    trial_id \(t.integer) NOT NULL REFERENCES trials(trial_id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    distribution TEXT NOT NULL,
                    PRIMARY KEY (trial_id, name)
                )
                """,
                """
                CREATE TABLE trial_intermediate_values (
                    trial_id \(t.integer) NOT NULL REFERENCES trials(trial_id) ON DELETE CASCADE,
                    step \(t.integer) NOT NULL,
                    fold \(t.integer) NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (trial_id, step, fold)
                )
                """,
            ]),
        ]
    }

    /// Brings `database` to `currentVersion`, creating the schema in an empty database.
    /// Throws `.schemaTooNew` without touching anything if the database is newer.
    static func migrate(_ database: SQLDatabase) throws {
        let migrations = migrations(for: database.dialect)
        precondition(migrations.last?.version == currentVersion, "migration list must end at currentVersion")
        try database.transaction(.write) {
            if database.dialect == .postgres {
                // Many workers may open a fresh database at once; PostgreSQL's
                // CREATE TABLE IF NOT EXISTS is not safe against that, so migrations
                // take a transaction-scoped advisory lock (released at COMMIT).
                try database.execute("SELECT pg_advisory_xact_lock(7236911)")
            }
            try database.execute("CREATE TABLE IF NOT EXISTS schema_version (version \(ColumnTypes(database.dialect).integer) NOT NULL)")
            let stored = try database.execute("SELECT version FROM schema_version")
            let version: Int
            if let row = stored.first, let value = row.int(0) {
                version = Int(value)
            } else {
                version = 0
                try database.execute("INSERT INTO schema_version (version) VALUES (0)")
            }
            if version > currentVersion {
                throw DatabaseError(.schemaTooNew, location: database.location,
                                    message: "the database has schema version \(version), but this Hone only knows versions up to \(currentVersion); upgrade Hone to use it (nothing was changed)")
            }
            for migration in migrations where migration.version > version {
                for statement in migration.statements { try database.execute(statement) }
                try database.execute("UPDATE schema_version SET version = ?", [.integer(Int64(migration.version))])
            }
        }
    }

    /// The version stored in `database`, or 0 for a database without Hone's schema.
    static func storedVersion(_ database: SQLDatabase) throws -> Int {
        try database.transaction(.read) {
            let exists: Bool
            switch database.dialect {
            case .sqlite:
                exists = try !database.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").isEmpty
            case .postgres:
                exists = try database.execute("SELECT to_regclass('schema_version') IS NOT NULL").first?.int(0) == 1
            }
            guard exists else { return 0 }
            return Int(try database.execute("SELECT version FROM schema_version").first?.int(0) ?? 0)
        }
    }
}

/// Column types spelled for each engine.
private struct ColumnTypes {
    let primaryKey: String
    let integer: String
    let real: String

    init(_ dialect: SQLDialect) {
        switch dialect {
        case .sqlite:
            // AUTOINCREMENT: ids of deleted studies/trials are never reused, so a stale
            // handle can never address someone else's trial.
            primaryKey = "INTEGER PRIMARY KEY AUTOINCREMENT"
            integer = "INTEGER"
            real = "REAL"
        case .postgres:
            primaryKey = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            integer = "BIGINT"
            real = "DOUBLE PRECISION"
        }
    }
}
