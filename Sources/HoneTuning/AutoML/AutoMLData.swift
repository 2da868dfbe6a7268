// The data of an AutoML run: train and test parts, the task inferred from the target, and
// the scaling that makes tabular data trainable without the user choosing it.
//
// Tabular features come in arbitrary units, so they are standardized with statistics of
// the training rows only (nothing of the test rows leaks in). Regression targets are
// standardized too, so one learning-rate range suits every target's scale; metrics are
// reported back in the target's own units.

import Foundation
import HoneData
import HoneNN

/// Train and test data prepared for `AutoML`, and what was inferred about them.
public struct AutoMLData: Sendable {
    /// Where the data came from (a data set name or a file).
    public var name: String
    /// Training data (tabular: standardized features; regression: standardized targets).
    public var train: Dataset
    /// Test data, scaled with the training data's statistics.
    public var test: Dataset
    /// Classification or regression (never `.auto`).
    public var task: TrainingTask
    /// Samples are images ([channels, height, width]): CNNs are searched too.
    public var isImage: Bool
    /// The feature standardization applied to tabular data (nil for images).
    public var featureScaler: Standardizer?
    /// Regression: target = mean + std · model output.
    public var targetMean: Float?
    public var targetStd: Float?
    /// What was inferred and why, one sentence each, for people.
    public var notes: [String]

    /// Most distinct integer values for which a numeric target is taken as class labels
    /// when the task is inferred. Fewer than `CSV.autoClassLimit`: a count-like target
    /// with dozens of values (ages, ratings out of 100) is better fit as a regression.
    public static let classificationLimit = 20

    /// Wraps data already split and scaled by the caller (e.g. through the C API).
    public init(name: String, train: Dataset, test: Dataset, notes: [String] = []) throws {
        guard train.count > 0, test.count > 0 else { throw TuningError.invalidArgument("AutoML needs non-empty train and test data (got \(train.count) and \(test.count) samples)") }
        guard train.featureShape == test.featureShape else {
            throw TuningError.invalidArgument("train samples have shape \(train.featureShape) but test samples \(test.featureShape)")
        }
        guard train.isClassification == test.isClassification else {
            throw TuningError.invalidArgument("train and test data disagree on the task (one has class labels, the other real-valued targets)")
        }
        self.name = name
        self.train = train
        self.test = test
        task = train.isClassification ? .classification : .regression
        isImage = train.featureShape.count == 3
        self.notes = notes
    }

    /// `source` (a data set name or a file) with the CLI's --target, --test and --task:
    /// `load(_:testFraction:seed:)` of their DataSpec.
    public static func load(_ source: String, target: String? = nil, task: TrainingTask = .auto,
                            testPath: String? = nil, testFraction: Double = 0.2, seed: UInt64 = 0) throws -> AutoMLData {
        try load(try DataSpec.forCommandLine(data: source, target: target, test: testPath, task: task),
                 testFraction: testFraction, seed: seed)
    }

    /// The data of `spec`: a named data set with its own test split, or a file or
    /// generated data of which `testFraction` of the rows (stratified for classification,
    /// seeded by `seed`) are held out for testing unless the spec names a test file — the
    /// same split `hone train` makes. A CSV target's task, when `.auto`, is inferred by
    /// `inferTask`'s rule (not the CSV loader's): count-like columns are regressions here.
    // Unoptimized: Swift 6.3.1's CopyPropagation pass crashes the compiler on this
    // function in release builds ("Found outside of lifetime use"); it only loads files.
    @_optimize(none)
    public static func load(_ spec: DataSpec, testFraction: Double = 0.2, seed: UInt64 = 0) throws -> AutoMLData {
        var spec = spec
        var notes: [String] = []
        if case let .csv(path, target, _) = spec.source {
            let asked = spec.task
            let inferred = try resolveTask(asked == .auto ? .auto : asked == .classification ? .classification : .regression,
                                           csv: path, target: target)
            spec.task = inferred.kind
            notes.append(inferred.note)
        }
        let parts = try trainAndTest(spec, testFraction: testFraction, seed: seed)
        if case let .named(source, _) = spec.source {
            var data = try AutoMLData(name: source, train: parts.train, test: parts.test)
            data.notes.append("data set '\(source)': \(parts.train.count) training and \(parts.test.count) test samples of shape \(parts.train.featureShape)")
            data.notes.append("task: \(data.task.rawValue)" + (parts.train.classCount.map { " (\($0) classes)" } ?? ""))
            if data.isImage { data.notes.append("input: images \(parts.train.featureShape)") }
            return data
        }
        return try tabular(name: parts.name, train: parts.train, test: parts.test, notes: notes + [parts.note])
    }

    /// The train and test parts of `spec`, unscaled: its own test part when it has one,
    /// else `testFraction` of the samples held out (stratified for classification; the
    /// seed offset is `hone train`'s and `hone auto`'s, so both hold out the same rows).
    /// Also a name for the data and a sentence saying how it was split.
    public static func trainAndTest(_ spec: DataSpec, testFraction: Double, seed: UInt64) throws
        -> (train: Dataset, test: Dataset, name: String, note: String)
    {
        let (full, test) = try spec.load()
        let name = spec.displayName
        if let test, case let .csv(path, _, testPath?) = spec.source {
            return (full, test, name, "\(full.count) training rows from \(path), \(test.count) test rows from \(testPath)")
        }
        if let test { return (full, test, name, "\(full.count) training and \(test.count) test samples") }
        guard testFraction > 0, testFraction < 1 else {
            throw TuningError.invalidArgument("test fraction must be in (0, 1), got \(testFraction)")
        }
        let split = try full.trainValidationSplit(validationFraction: testFraction, stratified: true, seed: seed &+ 0x7E57)
        let percent = Int((testFraction * 100).rounded())
        return (split.train, split.validation, name,
                "\(full.count) rows, \(full.featureCount) features: \(split.train.count) for training, \(split.validation.count) held out for testing (\(percent)%\(full.isClassification ? ", stratified" : ""))")
    }

    /// The loader's task for `task` (inferred from the CSV's target when `.auto`) and a
    /// sentence saying which and why.
    private static func resolveTask(_ task: TrainingTask, csv: String, target: String) throws -> (kind: TaskKind, note: String) {
        switch task {
        case .classification: return (.classification, "task: classification (as asked)")
        case .regression: return (.regression, "task: regression (as asked)")
        case .auto:
            let inferred = try inferTask(csv: csv, target: target)
            return (inferred.0, "task: \(inferred.0.rawValue) (inferred: \(inferred.1))")
        }
    }

    /// Scales tabular train/test data: standardized features, and for regression
    /// standardized targets (statistics of `train` only).
    public static func tabular(name: String, train: Dataset, test: Dataset, notes: [String] = []) throws -> AutoMLData {
        let scaler = Standardizer(fitting: train)
        var data = try AutoMLData(name: name, train: try scaler.transform(train), test: try scaler.transform(test), notes: notes)
        data.isImage = false
        data.featureScaler = scaler
        if case let .regression(values, outputs) = train.targets {
            guard outputs == 1 else { throw TuningError.invalidArgument("AutoML fits one regression target, the data has \(outputs)") }
            let n = Double(values.count)
            let mean = values.reduce(0.0) { $0 + Double($1) } / n
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
            let std = variance > 1e-24 ? variance.squareRoot() : 1
            data.targetMean = Float(mean)
            data.targetStd = Float(std)
            data.train.targets = .regression(values: values.map { Float((Double($0) - mean) / std) }, outputCount: 1)
            if case let .regression(testValues, _) = test.targets {
                data.test.targets = .regression(values: testValues.map { Float((Double($0) - mean) / std) }, outputCount: 1)
            }
        }
        return data
    }

    /// Classification or regression for a CSV target column, and why: a target with any
    /// value that is not a number is a class label; a numeric target whose values are all
    /// integers with at most `classificationLimit` distinct values is one too; anything
    /// else is a regression target.
    public static func inferTask(csv path: String, target: String) throws -> (TaskKind, String) {
        let numeric: Dataset
        do {
            numeric = try CSV.loadDataset(path: path, target: target, task: .regression)
        } catch {
            // Only a non-numeric target makes the regression parse fail where a
            // classification parse succeeds; any other problem shows up again below.
            let labelled = try CSV.loadDataset(path: path, target: target, task: .classification)
            return (.classification, "column '\(target)' has non-numeric values, \(labelled.classCount ?? 0) distinct")
        }
        guard case let .regression(values, _) = numeric.targets else { return (.regression, "numeric target") }
        let distinct = Set(values)
        if values.allSatisfy({ $0 == $0.rounded() }) && distinct.count <= classificationLimit {
            return (.classification, "column '\(target)' has \(distinct.count) distinct integer values")
        }
        let kind = values.allSatisfy { $0 == $0.rounded() } ? "\(distinct.count) distinct integer values (more than \(classificationLimit))"
            : "real values (\(distinct.count) distinct)"
        return (.regression, "column '\(target)' has \(kind)")
    }

    /// Converts a regression error measured on standardized targets to the target's units.
    func targetUnits(_ standardizedRMSE: Double) -> Double { standardizedRMSE * Double(targetStd ?? 1) }
}
