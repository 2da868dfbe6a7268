// Feature scaling fit on training data and applied unchanged to validation and test
// data, so no statistic of the held-out data leaks into training.

/// Per-feature standardization: `(x − mean) / std`, with mean and (population) standard
/// deviation computed on the data it was fit on.
///
/// A feature that is constant in the training data has std 0; dividing by it would give
/// infinities, so its scale is set to 1 (the feature is only centered), as scikit-learn
/// does.
public struct Standardizer: Equatable, Sendable, Codable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "Standardizer: mean and std lengths differ")
        self.mean = mean
        self.std = std
    }

    /// Fits mean and std of every feature of `dataset`. Sums run in Double, so millions
    /// of samples do not lose precision.
    public init(fitting dataset: Dataset) {
        let n = dataset.count, fc = dataset.featureCount
        var sum = [Double](repeating: 0, count: fc)
        var sumSquares = [Double](repeating: 0, count: fc)
        dataset.features.withUnsafeBufferPointer { x in
            // Two passes (mean, then squared deviations) avoid the cancellation of
            // E[x²] − E[x]² for features with a large offset.
            for r in 0..<n {
                for j in 0..<fc { sum[j] += Double(x[r * fc + j]) }
            }
            for j in 0..<fc { sum[j] /= Double(max(n, 1)) }
            for r in 0..<n {
                for j in 0..<fc {
                    let d = Double(x[r * fc + j]) - sum[j]
                    sumSquares[j] += d * d
                }
            }
        }
        mean = sum.map { Float($0) }
        std = sumSquares.map { s in
            let sd = (s / Double(max(n, 1))).squareRoot()
            return sd > 1e-12 ? Float(sd) : 1
        }
    }

    /// Standardizes `features` (rows of `mean.count` values) in place.
    public func apply(to features: inout [Float]) {
        let fc = mean.count
        guard fc > 0 else { return }
        precondition(features.count % fc == 0, "Standardizer: \(features.count) values are not whole rows of \(fc)")
        let inverse = std.map { 1 / $0 }
        features.withUnsafeMutableBufferPointer { x in
            for r in 0..<(x.count / fc) {
                for j in 0..<fc { x[r * fc + j] = (x[r * fc + j] - mean[j]) * inverse[j] }
            }
        }
    }

    /// A copy of `dataset` with standardized features; throws if its feature count
    /// differs from the one this standardizer was fit on.
    public func transform(_ dataset: Dataset) throws -> Dataset {
        guard dataset.featureCount == mean.count else {
            throw DataError("standardizer was fit on \(mean.count) features but the data set has \(dataset.featureCount)")
        }
        var out = dataset
        apply(to: &out.features)
        return out
    }
}

/// Per-feature min–max scaling to `[low, high]` (default `[0, 1]`) using the minimum and
/// maximum seen in the data it was fit on. Values outside that range in other data map
/// outside `[low, high]`; that is deliberate (clipping would hide a distribution shift).
/// A constant feature maps to `low`.
public struct MinMaxScaler: Equatable, Sendable, Codable {
    public var minimum: [Float]
    public var maximum: [Float]
    public var low: Float
    public var high: Float

    public init(minimum: [Float], maximum: [Float], low: Float = 0, high: Float = 1) {
        precondition(minimum.count == maximum.count, "MinMaxScaler: minimum and maximum lengths differ")
        self.minimum = minimum
        self.maximum = maximum
        self.low = low
        self.high = high
    }

    public init(fitting dataset: Dataset, low: Float = 0, high: Float = 1) {
        let n = dataset.count, fc = dataset.featureCount
        var lo = [Float](repeating: n > 0 ? .infinity : 0, count: fc)
        var hi = [Float](repeating: n > 0 ? -.infinity : 0, count: fc)
        dataset.features.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for j in 0..<fc {
                    let v = x[r * fc + j]
                    if v < lo[j] { lo[j] = v }
                    if v > hi[j] { hi[j] = v }
                }
            }
        }
        self.init(minimum: lo, maximum: hi, low: low, high: high)
    }

    public func apply(to features: inout [Float]) {
        let fc = minimum.count
        guard fc > 0 else { return }
        precondition(features.count % fc == 0, "MinMaxScaler: \(features.count) values are not whole rows of \(fc)")
        let scale = (0..<fc).map { j -> Float in
            let range = maximum[j] - minimum[j]
            return range > 0 ? (high - low) / range : 0
        }
        features.withUnsafeMutableBufferPointer { x in
            for r in 0..<(x.count / fc) {
                for j in 0..<fc { x[r * fc + j] = low + (x[r * fc + j] - minimum[j]) * scale[j] }
            }
        }
    }

    public func transform(_ dataset: Dataset) throws -> Dataset {
        guard dataset.featureCount == minimum.count else {
            throw DataError("min-max scaler was fit on \(minimum.count) features but the data set has \(dataset.featureCount)")
        }
        var out = dataset
        apply(to: &out.features)
        return out
    }
}
