// The data-set registry: names the CLI, Lua scripts, the C API and plugins share.

import Foundation

/// Named data sets, so the CLI, Lua scripts and the C API can say `"fashion-mnist"`.
///
/// Loaded data sets are cached for the life of the process: a study runs many trials in
/// one process, each asking for the same data, and decoding Fashion-MNIST again would
/// cost about half a second and another 220 MB per trial. `Dataset` is a value type with
/// copy-on-write storage, so every caller gets the same buffers and none can change
/// another's copy.
public enum Datasets {
    /// Names `load(name:)` knows (built-in and registered).
    public static var names: [String] { (Array(loaders.keys) + registered.names).sorted() }

    /// A loader a plugin registers: given its options as a JSON object text (always with
    /// "part": "train" or "test"), it returns that part of the data set.
    public typealias RegisteredLoader = @Sendable (_ optionsJSON: String) throws -> Dataset

    private final class Registered: @unchecked Sendable {
        let lock = NSLock()
        var loaders: [String: RegisteredLoader] = [:]
        var names: [String] { lock.lock(); defer { lock.unlock() }; return Array(loaders.keys) }
        subscript(name: String) -> RegisteredLoader? { lock.lock(); defer { lock.unlock() }; return loaders[name] }
    }

    private static let registered = Registered()

    /// Adds a named data set (plugins). Names are matched case-insensitively; built-in and
    /// already registered names cannot be replaced.
    public static func register(name: String, loader: @escaping RegisteredLoader) throws {
        let key = name.lowercased()
        guard !key.isEmpty else { throw DataError("a data set name must not be empty") }
        guard loaders[key] == nil else { throw DataError("data set '\(name)' is built in and cannot be replaced") }
        registered.lock.lock(); defer { registered.lock.unlock() }
        guard registered.loaders[key] == nil else { throw DataError("data set '\(name)' is already registered") }
        registered.loaders[key] = loader
    }

    /// The registered loader of `name`, if a plugin registered one.
    public static func registeredLoader(_ name: String) -> RegisteredLoader? { registered[name.lowercased()] }

    /// Each loader returns the data set and the key it was loaded under (the directory,
    /// so that changing HONE_FASHION_MNIST_DIR is noticed).
    private static let loaders: [String: @Sendable () -> (key: String, load: () throws -> (train: Dataset, test: Dataset))] = [
        "fashion-mnist": {
            let directory = FashionMNIST.directory
            return ("fashion-mnist@" + directory, { try FashionMNIST.load(directory: directory) })
        },
    ]

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [String: (train: Dataset, test: Dataset)] = [:]
    }

    private static let cache = Cache()

    /// The train and test parts of a named data set (matched case-insensitively).
    /// Thread-safe; concurrent first calls load once.
    public static func load(name: String) throws -> (train: Dataset, test: Dataset) {
        // Plugins cache what they want themselves: their data may change between calls.
        if let plugin = registeredLoader(name) {
            return (try plugin(#"{"part":"train"}"#), try plugin(#"{"part":"test"}"#))
        }
        guard let loader = loaders[name.lowercased()] else {
            throw DataError("unknown data set '\(name)'; known data sets: \(names.joined(separator: ", ")) (or give a .csv file)")
        }
        let (key, load) = loader()
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let hit = cache.entries[key] { return hit }
        let loaded = try load()
        cache.entries[key] = loaded
        return loaded
    }

    /// Drops cached data sets (to give their memory back once a study is done).
    public static func clearCache() {
        cache.lock.lock()
        cache.entries.removeAll()
        cache.lock.unlock()
    }
}
