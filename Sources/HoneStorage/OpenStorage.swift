// Storage URL → backend.
import HoneSearch

/// Opens the storage a URL names: `memory:` (a new, empty in-process storage),
/// `sqlite:///abs/path.db` or `sqlite:relative.db`, `postgresql://user@host:port/db`.
/// Unknown schemes and malformed URLs throw `StorageError.invalidURL` listing the
/// accepted forms; a database that cannot be opened throws `StorageError.backend`.
public func openStorage(url: String) throws -> Storage {
    let parsed: StorageURL
    do {
        parsed = try StorageURL(parsing: url)
    } catch let error as StorageURLError {
        throw StorageError.invalidURL(error.message)
    }
    switch parsed {
    case .memory: return InMemoryStorage()
    case .sqlite(let path): return try SQLiteStorage(path: path)
    case .postgres(let url): return try PostgresStorage(url: url)
    }
}
