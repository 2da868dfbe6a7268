// Small seeded data sets with known structure, for tests and quick experiments: a
// classifier that cannot separate two moons, or a regressor that cannot fit a line, is
// broken, and the answer does not depend on any file being installed.
//
// Samples are interleaved by class (sample i belongs to class i mod k), so any prefix
// is roughly balanced.

import Foundation
import HoneTensor

public enum Synthetic {
    /// The most feature values (count × featureCount) one synthetic data set may have
    /// (1 GB of Float32): more would only exhaust memory.
    public static let maxValues = 1 << 28
    /// The most classes (or centers): labels are Int32 and a model has an output per class.
    public static let maxClasses = 1 << 20

    /// Refuses sizes no data set can have, naming the argument (HoneData is compiled with
    /// -Ounchecked in release builds, where `precondition` is not evaluated; a negative
    /// count or zero classes would otherwise reach a range or a division).
    static func checkSizes(_ what: String, count: Int, featureCount: Int, classes: (name: String, value: Int)? = nil) throws {
        guard count >= 0 else { throw DataError("\(what): count must be ≥ 0, got \(count)") }
        guard featureCount >= 1 else { throw DataError("\(what): featureCount must be ≥ 1, got \(featureCount)") }
        let (values, overflow) = count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, values <= maxValues else {
            throw DataError("\(what): count × featureCount must be ≤ \(maxValues), got \(count) × \(featureCount)")
        }
        if let (name, k) = classes, !(1...maxClasses).contains(k) {
            throw DataError("\(what): \(name) must be in 1...\(maxClasses), got \(k)")
        }
    }

    static func checkFinite(_ what: String, _ name: String, _ x: Double) throws {
        guard x.isFinite else { throw DataError("\(what): \(name) must be a finite number, got \(x)") }
    }

    /// `classes` interleaved spiral arms in the plane (the CS231n toy problem). Arm c
    /// starts at the origin and winds `turns` times outwards; Gaussian noise of standard
    /// deviation `noise` is added to both coordinates. Radius runs from 0 to 1.
    public static func spirals(count: Int, classes: Int = 2, turns: Double = 1, noise: Double = 0.02, seed: UInt64) throws -> Dataset {
        try checkSizes("spirals", count: count, featureCount: 2, classes: ("classes", classes))
        try checkFinite("spirals", "turns", turns)
        try checkFinite("spirals", "noise", noise)
        var rng = RandomGenerator(seed: seed)
        var x = [Float](), y = [Int32]()
        x.reserveCapacity(2 * count)
        let perClass = max(1, (count + classes - 1) / classes)
        for i in 0..<count {
            let c = i % classes, j = i / classes
            let r = Double(j) / Double(max(perClass - 1, 1))
            let angle = 2 * Double.pi * (turns * r + Double(c) / Double(classes))
            x.append(Float(r * cos(angle) + noise * rng.normal()))
            x.append(Float(r * sin(angle) + noise * rng.normal()))
            y.append(Int32(c))
        }
        return Dataset(unchecked: x, featureShape: [2], targets: .classes(labels: y, classCount: classes, classNames: nil))
    }

    /// Two interleaving half circles (scikit-learn's `make_moons`): class 0 on the upper
    /// arc of the unit circle, class 1 on a lower arc shifted by (1, 0.5), points evenly
    /// spaced along each arc plus Gaussian noise of standard deviation `noise`.
    public static func moons(count: Int, noise: Double = 0.1, seed: UInt64) throws -> Dataset {
        try checkSizes("moons", count: count, featureCount: 2)
        try checkFinite("moons", "noise", noise)
        var rng = RandomGenerator(seed: seed)
        var x = [Float](), y = [Int32]()
        x.reserveCapacity(2 * count)
        let perClass = max(1, (count + 1) / 2)
        for i in 0..<count {
            let c = i % 2, j = i / 2
            let t = Double.pi * Double(j) / Double(max(perClass - 1, 1))
            let (px, py) = c == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
            x.append(Float(px + noise * rng.normal()))
            x.append(Float(py + noise * rng.normal()))
            y.append(Int32(c))
        }
        return Dataset(unchecked: x, featureShape: [2], targets: .classes(labels: y, classCount: 2, classNames: nil))
    }

    /// Isotropic Gaussian blobs (scikit-learn's `make_blobs`): `centers` centers drawn
    /// uniformly from [-10, 10]^featureCount, each sample drawn around its class's
    /// center with standard deviation `spread`.
    public static func blobs(count: Int, centers: Int = 3, featureCount: Int = 2, spread: Double = 1, seed: UInt64) throws -> Dataset {
        try checkSizes("blobs", count: count, featureCount: featureCount, classes: ("centers (its classes)", centers))
        try checkSizes("blobs", count: centers, featureCount: featureCount)   // the centers themselves
        try checkFinite("blobs", "spread", spread)
        var rng = RandomGenerator(seed: seed)
        let middle = (0..<(centers * featureCount)).map { _ in rng.uniform(-10, 10) }
        var x = [Float](), y = [Int32]()
        x.reserveCapacity(count * featureCount)
        for i in 0..<count {
            let c = i % centers
            for j in 0..<featureCount { x.append(Float(middle[c * featureCount + j] + spread * rng.normal())) }
            y.append(Int32(c))
        }
        return Dataset(unchecked: x, featureShape: [featureCount], targets: .classes(labels: y, classCount: centers, classNames: nil))
    }

    /// Which function `regression` samples.
    public enum RegressionFunction: Sendable {
        /// `y = w·x + b`, with w ~ N(0, 1) per feature and b ~ N(0, 1) drawn from the
        /// seed; x uniform in [-1, 1]^featureCount.
        case linear
        /// `y = sin(2π x₀) + 0.5 x₁ …`: a smooth nonlinear function of the first feature
        /// plus a linear term in the others (each weighted 0.5); x uniform in [-1, 1].
        case sine
        /// Friedman #1 (Friedman 1991): `y = 10 sin(π x₀ x₁) + 20 (x₂ − 0.5)² + 10 x₃ + 5 x₄`,
        /// x uniform in [0, 1]^featureCount (featureCount ≥ 5; the rest are noise
        /// features that do not affect y).
        case friedman1
    }

    /// A regression problem `y = f(x) + ε`, ε ~ N(0, noise²), one output.
    public static func regression(count: Int, featureCount: Int = 1, function: RegressionFunction = .linear,
                                  noise: Double = 0.1, seed: UInt64) throws -> Dataset {
        try checkSizes("regression", count: count, featureCount: featureCount)
        guard function != .friedman1 || featureCount >= 5 else {
            throw DataError("regression: friedman1 needs featureCount ≥ 5, got \(featureCount)")
        }
        try checkFinite("regression", "noise", noise)
        var rng = RandomGenerator(seed: seed)
        let weights = (0...featureCount).map { _ in rng.normal() }  // last one is the bias
        var x = [Double](repeating: 0, count: featureCount)
        var features = [Float](), values = [Float]()
        features.reserveCapacity(count * featureCount)
        values.reserveCapacity(count)
        for _ in 0..<count {
            for j in 0..<featureCount {
                x[j] = function == .friedman1 ? rng.uniform() : rng.uniform(-1, 1)
                features.append(Float(x[j]))
            }
            let clean: Double
            switch function {
            case .linear:
                clean = zip(weights, x).reduce(weights[featureCount]) { $0 + $1.0 * $1.1 }
            case .sine:
                clean = sin(2 * Double.pi * x[0]) + x.dropFirst().reduce(0) { $0 + 0.5 * $1 }
            case .friedman1:
                let wave: Double = 10 * sin(Double.pi * x[0] * x[1])
                let bowl: Double = 20 * (x[2] - 0.5) * (x[2] - 0.5)
                clean = wave + bowl + 10 * x[3] + 5 * x[4]
            }
            values.append(Float(clean + noise * rng.normal()))
        }
        return Dataset(unchecked: features, featureShape: [featureCount], targets: .regression(values: values, outputCount: 1))
    }
}
