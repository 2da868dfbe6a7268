// Optuna JournalStorage files (`hone import-optuna`): replaying any text either gives
// studies whose trials Hone's storage accepts, or an error that names the problem.
import HoneSearch
import HoneStorage

enum OptunaJournalFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            let studies = try OptunaImport.journalStudies(text: text)
            let storage = InMemoryStorage()
            for (i, study) in studies.enumerated() {
                try expect(!study.directions.isEmpty, "a study without directions")
                do {
                    try OptunaImport.store(study, into: storage, as: "s\(i)")
                } catch let error as StorageError {
                    // A replayed trial the storage refuses (e.g. values on a RUNNING trial) is
                    // an input error with a message, not a crash.
                    try expect(!"\(error)".isEmpty, "an empty storage error")
                }
            }
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error)
        }
    }
}
