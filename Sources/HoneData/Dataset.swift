// The in-memory data set: one contiguous Float32 buffer of features, row-major, and one
// contiguous buffer of targets. There are no per-sample objects, so a trainer gathers a
// mini-batch with one bulk copy per sample into buffers it reuses every step.

/// What a data set's samples are labelled with.
public enum Targets: Equatable, Sendable {
    /// Class indices in `0..<classCount`, one per sample. `classNames[i]`, when present,
    /// is the original label of class `i` (the CSV string, the integer as text, the
    /// Fashion-MNIST garment name).
    case classes(labels: [Int32], classCount: Int, classNames: [String]?)
    /// Real-valued targets, `outputCount` per sample, row-major.
    case regression(values: [Float], outputCount: Int)
}

/// Which kind of target a loader should produce.
public enum TaskKind: String, Equatable, Sendable, CaseIterable {
    case classification
    case regression
    /// Let the loader decide from the target values; each loader documents its rule.
    case auto
}

/// A supervised data set stored as contiguous row-major Float32 features plus targets.
///
/// Value semantics: `subset`, `shuffled` and the splits return new data sets; the
/// underlying arrays are copy-on-write, so passing a `Dataset` around copies nothing.
public struct Dataset: Equatable, Sendable {
    /// `count × featureCount` values, sample after sample.
    public var features: [Float]
    /// The shape of one sample, e.g. `[784]` for flat vectors or `[1, 28, 28]` for
    /// single-channel images; its product is `featureCount`.
    public var featureShape: [Int]
    public var targets: Targets
    /// Column names for tabular data (CSV), in feature order; nil when features are
    /// unnamed (images, arrays).
    public var featureNames: [String]?

    /// Creates a data set after checking that the pieces agree: feature buffer size,
    /// shape, label range, class-name count, feature-name count.
    public init(features: [Float], featureShape: [Int], targets: Targets, featureNames: [String]? = nil) throws {
        guard featureShape.allSatisfy({ $0 >= 0 }) else {
            throw DataError("feature shape \(featureShape) has a negative dimension")
        }
        let featureCount = featureShape.reduce(1, *)
        let count: Int
        switch targets {
        case let .classes(labels, classCount, classNames):
            count = labels.count
            guard classCount >= 1 else {
                throw DataError("classCount must be at least 1, got \(classCount)")
            }
            if let classNames, classNames.count != classCount {
                throw DataError("\(classNames.count) class names given for \(classCount) classes")
            }
            if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
                throw DataError("label \(labels[bad]) of sample \(bad) is outside 0..<\(classCount)")
            }
        case let .regression(values, outputCount):
            guard outputCount >= 1 else {
                throw DataError("outputCount must be at least 1, got \(outputCount)")
            }
            guard values.count % outputCount == 0 else {
                throw DataError("\(values.count) target values are not a whole number of rows of \(outputCount)")
            }
            count = values.count / outputCount
        }
        guard features.count == count * featureCount else {
            throw DataError("shape mismatch: \(count) samples × feature shape \(featureShape) needs \(count * featureCount) feature values, got \(features.count)")
        }
        if let featureNames, featureNames.count != featureCount {
            throw DataError("\(featureNames.count) feature names given for \(featureCount) features")
        }
        self.init(unchecked: features, featureShape: featureShape, targets: targets, featureNames: featureNames)
    }

    /// For producers inside HoneData that construct consistent pieces by design.
    init(unchecked features: [Float], featureShape: [Int], targets: Targets, featureNames: [String]? = nil) {
        self.features = features
        self.featureShape = featureShape
        self.targets = targets
        self.featureNames = featureNames
    }

    /// Number of samples.
    public var count: Int {
        switch targets {
        case let .classes(labels, _, _): return labels.count
        case let .regression(values, outputCount): return values.count / outputCount
        }
    }

    /// Values per sample (product of `featureShape`).
    public var featureCount: Int { featureShape.reduce(1, *) }

    public var isClassification: Bool {
        if case .classes = targets { return true }
        return false
    }

    /// Number of classes for classification, nil for regression.
    public var classCount: Int? {
        if case let .classes(_, classCount, _) = targets { return classCount }
        return nil
    }

    /// Class labels for classification, nil for regression.
    public var labels: [Int32]? {
        if case let .classes(labels, _, _) = targets { return labels }
        return nil
    }

    public var classNames: [String]? {
        if case let .classes(_, _, names) = targets { return names }
        return nil
    }

    /// Targets per sample as the trainer's output layer sees them: `classCount` for
    /// classification (one logit per class), `outputCount` for regression.
    public var outputCount: Int {
        switch targets {
        case let .classes(_, classCount, _): return classCount
        case let .regression(_, outputCount): return outputCount
        }
    }

    /// Samples per class (classification only).
    public var classCounts: [Int]? {
        guard case let .classes(labels, classCount, _) = targets else { return nil }
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order (repeats allowed). Out-of-range indices
    /// are a programming error and trap.
    public func subset<C: Collection>(indices: C) -> Dataset where C.Element == Int {
        let n = count, fc = featureCount, m = indices.count
        for i in indices where i < 0 || i >= n {
            fatalError("Dataset.subset: index \(i) is outside 0..<\(n)")
        }
        var newFeatures = [Float](repeating: 0, count: m * fc)
        newFeatures.withUnsafeMutableBufferPointer { dst in
            features.withUnsafeBufferPointer { src in
                guard fc > 0 else { return }
                var row = 0
                for i in indices {
                    (dst.baseAddress! + row * fc).update(from: src.baseAddress! + i * fc, count: fc)
                    row += 1
                }
            }
        }
        let newTargets: Targets
        switch targets {
        case let .classes(labels, classCount, names):
            newTargets = .classes(labels: indices.map { labels[$0] }, classCount: classCount, classNames: names)
        case let .regression(values, k):
            var out = [Float]()
            out.reserveCapacity(m * k)
            for i in indices { out.append(contentsOf: values[(i * k)..<(i * k + k)]) }
            newTargets = .regression(values: out, outputCount: k)
        }
        return Dataset(unchecked: newFeatures, featureShape: featureShape, targets: newTargets, featureNames: featureNames)
    }

    // MARK: Batch gathering

    /// Copies the features of the samples at `indices` into `featuresOut`
    /// (`indices.count × featureCount` floats, row-major) and their class labels into
    /// `labelsOut` (`indices.count` values). Allocates nothing: the trainer passes the
    /// same buffers every step. Traps on regression data or an out-of-range index.
    public func gatherBatch(indices: UnsafeBufferPointer<Int>,
                            into featuresOut: UnsafeMutablePointer<Float>,
                            labels labelsOut: UnsafeMutablePointer<Int32>) {
        guard case let .classes(labels, _, _) = targets else {
            fatalError("Dataset.gatherBatch(labels:) called on a regression data set; use targets:")
        }
        gatherFeatures(indices: indices, into: featuresOut)
        labels.withUnsafeBufferPointer { src in
            for (row, i) in indices.enumerated() { labelsOut[row] = src[i] }
        }
    }

    /// Copies the features of the samples at `indices` into `featuresOut` and their
    /// regression targets into `targetsOut` (`indices.count × outputCount` floats).
    /// Allocates nothing. Traps on classification data or an out-of-range index.
    public func gatherBatch(indices: UnsafeBufferPointer<Int>,
                            into featuresOut: UnsafeMutablePointer<Float>,
                            targets targetsOut: UnsafeMutablePointer<Float>) {
        guard case let .regression(values, k) = targets else {
            fatalError("Dataset.gatherBatch(targets:) called on a classification data set; use labels:")
        }
        gatherFeatures(indices: indices, into: featuresOut)
        values.withUnsafeBufferPointer { src in
            for (row, i) in indices.enumerated() {
                (targetsOut + row * k).update(from: src.baseAddress! + i * k, count: k)
            }
        }
    }

    /// `ArraySlice` convenience for the classification gather (e.g. one batch of an
    /// epoch's permutation).
    public func gatherBatch(indices: ArraySlice<Int>,
                            into featuresOut: UnsafeMutablePointer<Float>,
                            labels labelsOut: UnsafeMutablePointer<Int32>) {
        indices.withUnsafeBufferPointer { gatherBatch(indices: $0, into: featuresOut, labels: labelsOut) }
    }

    /// `ArraySlice` convenience for the regression gather.
    public func gatherBatch(indices: ArraySlice<Int>,
                            into featuresOut: UnsafeMutablePointer<Float>,
                            targets targetsOut: UnsafeMutablePointer<Float>) {
        indices.withUnsafeBufferPointer { gatherBatch(indices: $0, into: featuresOut, targets: targetsOut) }
    }

    /// Copies the feature rows at `indices` into `out`, one bulk copy per sample. The
    /// index check is one comparison per row, negligible next to the row copy, and it
    /// stays in release builds (where -Ounchecked removes array bounds checks).
    public func gatherFeatures(indices: UnsafeBufferPointer<Int>, into out: UnsafeMutablePointer<Float>) {
        let n = count, fc = featureCount
        for i in indices where i < 0 || i >= n {
            fatalError("Dataset.gatherBatch: index \(i) is outside 0..<\(n)")
        }
        features.withUnsafeBufferPointer { src in
            guard fc > 0, let base = src.baseAddress else { return }
            for (row, i) in indices.enumerated() {
                (out + row * fc).update(from: base + i * fc, count: fc)
            }
        }
    }
}
