// The spec layer's data description: one reader of "which data" for every front end —
// hone_dataset_load's name and options (C, and Python through it), Lua's hone.dataset,
// and `hone train` / `hone auto`'s --data, --target, --test, --test-fraction and --task
// flags (converted to the same JSON) — with one spelling of every key, one set of
// defaults and one set of limits.
//
//   {"name": "fashion-mnist"}                          a registered data set (train + test)
//   {"name": "table.csv", "target": "label",           a CSV file; "test": a CSV test file
//    "test": "held-out.csv", "task": "auto"}
//   {"name": "x.npy", "labels": "y.npy"}               NPY features and labels
//   {"synthetic": "spirals" | "moons" | "blobs",       generated, seeded
//    "count": 1000, "classes": 2, "seed": 0}
//   every form: "max_samples" (an evenly spaced subset of each part)

import Foundation
import HoneData
import HoneNN
import HoneSearch

public struct DataSpec: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A built-in or plugin data set; `options` are a plugin's own keys, passed through.
        case named(String, options: [String: JSONValue])
        case csv(path: String, target: String, test: String?)
        case npy(features: String, labels: String)
        case synthetic(kind: String, count: Int, classes: Int?, seed: UInt64)
    }

    public var source: Source
    /// What the targets are (CSV and NPY files; `.auto` lets the loader decide).
    public var task: TaskKind = .auto
    /// At most this many samples of each part, evenly spaced (named data sets are often
    /// sorted by class, so a prefix would not do).
    public var maxSamples: Int?

    public static let syntheticKinds = ["spirals", "moons", "blobs"]
    /// Keys Lua spelt otherwise before 0.4.0, accepted with a deprecation message.
    public static let oldSpellings = ["csv": "name", "test_csv": "test"]

    public init(source: Source, task: TaskKind = .auto, maxSamples: Int? = nil) {
        self.source = source; self.task = task; self.maxSamples = maxSamples
    }

    /// The command line's --data, --target, --test and --task as a spec (`hone train`,
    /// `hone auto`): the same keys as the C and Lua descriptions, so the same checks.
    public static func forCommandLine(data: String, target: String?, test: String?, task: TrainingTask) throws -> DataSpec {
        var fields: [String: JSONValue] = ["name": .string(data), "task": .string(task.rawValue)]
        if let target { fields["target"] = .string(target) }
        if let test { fields["test"] = .string(test) }
        return try read(AlgorithmOptions(fields, context: "--data \(data)"))
    }

    /// Reads a description from `o` and checks that no key is left over (a plugin data
    /// set takes every key but "name", "task" and "max_samples" as its own options).
    /// `resolve` turns a file path as given into the one to open (Lua: relative to the
    /// script, inside its sandbox).
    public static func read(_ o: AlgorithmOptions, resolve: (String) throws -> String = { $0 }) throws -> DataSpec {
        func invalid(_ message: String) -> StudyError { .invalidArgument("\(o.context): \(message)") }
        let name = try o.string("name")
        let maxSamples = try o.int("max_samples", min: 1, max: Int.max)
        var task = TaskKind.auto
        if let t = try o.string("task") {
            guard let k = TaskKind(rawValue: t) else {
                throw invalid("\"task\" must be \"classification\", \"regression\" or \"auto\", got \"\(t)\"")
            }
            task = k
        }
        if let name, Datasets.registeredLoader(name) != nil {
            // A plugin's loader takes every other key as its own, as it comes (it may use
            // "seed" or "target" in its own way).
            var own = o.values
            for key in ["name", "task", "max_samples"] { own[key] = nil }
            return DataSpec(source: .named(name, options: own), task: task, maxSamples: maxSamples)
        }
        let synthetic = try o.string("synthetic")
        let target = try o.string("target"), test = try o.string("test"), labels = try o.string("labels")
        let count = try o.int("count", min: 1, max: 50_000_000), classes = try o.int("classes", min: 2, max: 1 << 20)
        let seed = try o.int("seed", min: 0, max: Int(JSONValue.exactIntegerLimit))
        func unused(_ keys: [(String, Any?)], by what: String) throws {
            if let (key, _) = keys.first(where: { $0.1 != nil }) { throw invalid("\"\(key)\" is not an option of \(what)") }
        }
        let source: Source
        switch (name, synthetic) {
        case (_?, _?):
            throw invalid("give \"name\" (a data set or file) or \"synthetic\", not both")
        case (nil, nil):
            throw invalid("\"name\" (a data set: \(Datasets.names.joined(separator: ", ")); or a .csv or .npy file) or \"synthetic\" (\(syntheticKinds.joined(separator: ", "))) is required")
        case (nil, let kind?):
            guard syntheticKinds.contains(kind) else {
                throw invalid("unknown synthetic data set '\(kind)' (known: \(syntheticKinds.joined(separator: ", ")))")
            }
            try unused([("target", target), ("test", test), ("labels", labels)], by: "synthetic data")
            if kind == "moons", classes != nil { throw invalid("moons has two classes; \"classes\" is for spirals and blobs") }
            source = .synthetic(kind: kind, count: count ?? 1000, classes: classes, seed: UInt64(seed ?? 0))
        case (let name?, nil):
            try unused([("count", count), ("classes", classes), ("seed", seed)], by: "a named data set or file (they are for \"synthetic\")")
            let lower = name.lowercased()
            if Datasets.names.contains(lower) {
                try unused([("target", target), ("test", test), ("labels", labels)], by: "data set '\(name)' (it has its own test part)")
                source = .named(lower, options: [:])
            } else if lower.hasSuffix(".csv") {
                guard let target else { throw invalid("\(name) is a CSV file: name its label column with \"target\"") }
                try unused([("labels", labels)], by: "a CSV file (\"labels\" is for .npy features)")
                source = .csv(path: try resolve(name), target: target, test: try test.map(resolve))
            } else if lower.hasSuffix(".npy") {
                guard let labels else { throw invalid("\(name) is an NPY file of features: name the labels file with \"labels\"") }
                try unused([("target", target), ("test", test)], by: "NPY files")
                source = .npy(features: try resolve(name), labels: try resolve(labels))
            } else if FileManager.default.fileExists(atPath: try resolve(name)) {
                throw invalid("\(name): unknown file type (expected .csv or .npy)")
            } else {
                throw DataError.notFound("no data set named '\(name)' (known: \(Datasets.names.joined(separator: ", "))) and no such .csv or .npy file")
            }
        }
        try o.checkAllUsed()
        return DataSpec(source: source, task: task, maxSamples: maxSamples)
    }

    /// The data set's name, file or generator, for people.
    public var displayName: String {
        switch source {
        case let .named(name, _): return name
        case let .csv(path, _, _): return path
        case let .npy(features, _): return features
        case let .synthetic(kind, _, _, _): return kind
        }
    }

    /// One part ("train" or "test"; nil when the source has no test part). A plugin's
    /// loader is asked for that part only.
    public func load(part: String) throws -> Dataset? {
        if case .named(let name, let options) = source, let plugin = Datasets.registeredLoader(name) {
            var o = options
            o["part"] = .string(part)
            let data = try plugin(JSONValue.object(o).jsonText)
            return maxSamples.map { Self.evenlySpaced(data, $0) } ?? data
        }
        let both = try load()
        return part == "test" ? both.test : both.train
    }

    /// The training part and, where the source has one, the test part.
    public func load() throws -> (train: Dataset, test: Dataset?) {
        var train: Dataset, test: Dataset?
        switch source {
        case .named(let name, let options):
            if let plugin = Datasets.registeredLoader(name) {
                func part(_ p: String) throws -> Dataset {
                    var o = options
                    o["part"] = .string(p)
                    return try plugin(JSONValue.object(o).jsonText)
                }
                (train, test) = (try part("train"), try part("test"))
            } else {
                (train, test) = try Datasets.load(name: name)
            }
            if task != .auto, (task == .classification) != train.isClassification {
                throw StudyError.invalidArgument("data: task \(task.rawValue) does not match data set '\(name)', which is \(train.isClassification ? "classification" : "regression")")
            }
        case .csv(let path, let target, let testPath):
            try Self.requireFile(path)
            train = try CSV.loadDataset(path: path, target: target, task: task)
            if let testPath {
                try Self.requireFile(testPath)
                test = try CSV.loadDataset(path: testPath, target: target, task: train.isClassification ? .classification : .regression,
                                           classNames: train.classNames)
            }
        case .npy(let features, let labels):
            try Self.requireFile(features)
            try Self.requireFile(labels)
            train = try NPY.loadDataset(features: features, targets: labels, task: task)
        case .synthetic(let kind, let count, let classes, let seed):
            switch kind {
            case "spirals": train = try Synthetic.spirals(count: count, classes: classes ?? 2, seed: seed)
            case "moons": train = try Synthetic.moons(count: count, seed: seed)
            default: train = try Synthetic.blobs(count: count, centers: classes ?? 3, seed: seed)
            }
        }
        if let cap = maxSamples {
            train = Self.evenlySpaced(train, cap)
            test = test.map { Self.evenlySpaced($0, cap) }
        }
        return (train, test)
    }

    /// Every k-th sample, at most `cap`.
    static func evenlySpaced(_ data: Dataset, _ cap: Int) -> Dataset {
        guard data.count > cap else { return data }
        return data.subset(indices: (0..<cap).map { Int((Double($0) * Double(data.count) / Double(cap)).rounded(.down)) })
    }

    private static func requireFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.notFound("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw StudyError.invalidArgument("\(path) is a directory, not a file") }
    }
}
