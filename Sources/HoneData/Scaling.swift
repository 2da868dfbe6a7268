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

    /// Throws `DataError` when mean and std differ in length.
    public init(mean: [Float], std: [Float]) throws {
        guard mean.count == std.count else {
            throw DataError("Standardizer: mean and std must have the same length, got \(mean.count) and \(std.count)")
        }
        self.mean = mean
        self.std = std
    }

    private enum CodingKeys: String, CodingKey { case mean, std }

    /// Decodes through `init(mean:std:)`, so a stored standardizer is checked too.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(mean: try c.decode([Float].self, forKey: .mean), std: try c.decode([Float].self, forKey: .std))
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

    /// Standardizes `features` (rows of `mean.count` values) in place. Throws `DataError`
    /// when `features` is not whole rows or `mean` and `std` (public, mutable) differ in
    /// length.
    public func apply(to features: inout [Float]) throws {
        let fc = mean.count
        guard std.count == fc else {
            throw DataError("Standardizer: mean and std must have the same length, got \(mean.count) and \(std.count)")
        }
        guard fc > 0 else { return }
        guard features.count % fc == 0 else {
            throw DataError("Standardizer: features must be whole rows of \(fc) values, got \(features.count) values")
        }
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
        try apply(to: &out.features)
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

    /// Throws `DataError` when minimum and maximum differ in length or low/high are not
    /// finite.
    public init(minimum: [Float], maximum: [Float], low: Float = 0, high: Float = 1) throws {
        guard minimum.count == maximum.count else {
            throw DataError("MinMaxScaler: minimum and maximum must have the same length, got \(minimum.count) and \(maximum.count)")
        }
        guard low.isFinite, high.isFinite else { throw DataError("MinMaxScaler: low and high must be finite, got \(low) and \(high)") }
        self.minimum = minimum
        self.maximum = maximum
        self.low = low
        self.high = high
    }

    /// Throws `DataError` when low or high is not finite.
    public init(fitting dataset: Dataset, low: Float = 0, high: Float = 1) throws {
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
        try self.init(minimum: lo, maximum: hi, low: low, high: high)
    }

    private enum CodingKeys: String, CodingKey { case minimum, maximum, low, high }

    /// Decodes through `init(minimum:maximum:low:high:)`, so a stored scaler is checked too.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(minimum: try c.decode([Float].self, forKey: .minimum), maximum: try c.decode([Float].self, forKey: .maximum),
                      low: try c.decode(Float.self, forKey: .low), high: try c.decode(Float.self, forKey: .high))
    }

    /// Scales `features` (rows of `minimum.count` values) in place. Throws `DataError`
    /// when `features` is not whole rows or `minimum` and `maximum` differ in length.
    public func apply(to features: inout [Float]) throws {
        let fc = minimum.count
        guard maximum.count == fc else {
            throw DataError("MinMaxScaler: minimum and maximum must have the same length, got \(minimum.count) and \(maximum.count)")
        }
        guard fc > 0 else { return }
        guard features.count % fc == 0 else {
            throw DataError("MinMaxScaler: features must be whole rows of \(fc) values, got \(features.count) values")
        }
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
        try apply(to: &out.features)
        return out
    }
}
