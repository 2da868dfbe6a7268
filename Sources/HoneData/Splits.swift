// Seeded shuffles, train/validation splits and k-fold cross-validation.
//
// Every split is computed first as index lists (cheap, and what a trainer that wants to
// avoid copying a large data set can use directly), then materialized with `subset`.
// All randomness comes from `RandomGenerator(seed:)`, so the same seed gives the same
// split on every machine and Swift version.

import HoneTensor

/// Train/validation index lists. Both are sorted ascending, so a subset keeps the
/// original sample order (the trainer reshuffles every epoch anyway).
public struct SplitIndices: Equatable, Sendable {
    public var train: [Int]
    public var validation: [Int]
}

extension Dataset {
    /// The same samples in a seeded random order.
    public func shuffled(seed: UInt64) -> Dataset {
        var rng = RandomGenerator(seed: seed)
        return subset(indices: rng.permutation(count))
    }

    /// Splits sample indices into train and validation parts.
    ///
    /// - Parameters:
    ///   - validationFraction: share of samples held out, in (0, 1). The validation part
    ///     gets `round(count × fraction)` samples, and both parts get at least one.
    ///   - stratified: for classification, hold out the same fraction of every class
    ///     (largest-remainder rounding, so totals stay exact). Ignored for regression,
    ///     where there are no classes to balance — the split is then a plain random one.
    public func trainValidationIndices(validationFraction: Double, stratified: Bool = true, seed: UInt64) throws -> SplitIndices {
        let n = count
        guard validationFraction > 0, validationFraction < 1 else {
            throw DataError("validation fraction must be between 0 and 1 (exclusive), got \(validationFraction)")
        }
        let validationCount = Int((Double(n) * validationFraction).rounded())
        guard validationCount >= 1, validationCount <= n - 1 else {
            throw DataError("a validation fraction of \(validationFraction) of \(n) samples leaves \(validationCount) for validation and \(n - validationCount) for training; both need at least one")
        }
        var rng = RandomGenerator(seed: seed)
        var validation: [Int]
        if stratified, case let .classes(labels, classCount, _) = targets {
            let byClass = Self.indicesByClass(labels: labels, classCount: classCount)
            let quotas = Self.apportion(total: validationCount, weights: byClass.map(\.count))
            validation = []
            validation.reserveCapacity(validationCount)
            for (c, var members) in byClass.enumerated() {
                rng.shuffle(&members)
                validation.append(contentsOf: members.prefix(quotas[c]))
            }
        } else {
            validation = Array(rng.permutation(n).prefix(validationCount))
        }
        validation.sort()
        var isValidation = [Bool](repeating: false, count: n)
        for i in validation { isValidation[i] = true }
        let train = (0..<n).filter { !isValidation[$0] }
        return SplitIndices(train: train, validation: validation)
    }

    /// A train/validation split as two data sets; see `trainValidationIndices`.
    public func trainValidationSplit(validationFraction: Double, stratified: Bool = true, seed: UInt64) throws -> (train: Dataset, validation: Dataset) {
        let split = try trainValidationIndices(validationFraction: validationFraction, stratified: stratified, seed: seed)
        return (subset(indices: split.train), subset(indices: split.validation))
    }

    /// Index lists for k-fold cross-validation: fold `f`'s validation part is one of `k`
    /// disjoint groups that together cover every sample exactly once, and its train part
    /// is everything else. Group sizes differ by at most one.
    ///
    /// Stratified (classification only; ignored for regression): each class is shuffled,
    /// the classes are laid end to end, and samples are dealt to folds round-robin, so
    /// every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ samples of class c.
    public func kFoldIndices(k: Int, stratified: Bool = true, seed: UInt64) throws -> [SplitIndices] {
        let n = count
        guard k >= 2 else { throw DataError("k-fold needs k ≥ 2, got \(k)") }
        guard k <= n else { throw DataError("k-fold with k = \(k) needs at least \(k) samples, got \(n)") }
        var rng = RandomGenerator(seed: seed)
        var order: [Int]
        if stratified, case let .classes(labels, classCount, _) = targets {
            order = []
            order.reserveCapacity(n)
            for var members in Self.indicesByClass(labels: labels, classCount: classCount) {
                rng.shuffle(&members)
                order.append(contentsOf: members)
            }
        } else {
            order = rng.permutation(n)
        }
        var fold = [Int](repeating: 0, count: n)
        if stratified, isClassification {
            for (position, i) in order.enumerated() { fold[i] = position % k }
        } else {
            // Contiguous chunks of the permutation; the first n % k folds get one more.
            let base = n / k, extra = n % k
            var position = 0
            for f in 0..<k {
                let size = base + (f < extra ? 1 : 0)
                for i in order[position..<(position + size)] { fold[i] = f }
                position += size
            }
        }
        return (0..<k).map { f in
            var split = SplitIndices(train: [], validation: [])
            for i in 0..<n {
                if fold[i] == f { split.validation.append(i) } else { split.train.append(i) }
            }
            return split
        }
    }

    /// k-fold cross-validation as data sets; see `kFoldIndices`.
    public func kFold(k: Int, stratified: Bool = true, seed: UInt64) throws -> [(train: Dataset, validation: Dataset)] {
        try kFoldIndices(k: k, stratified: stratified, seed: seed).map {
            (subset(indices: $0.train), subset(indices: $0.validation))
        }
    }

    /// Sample indices of each class, ascending.
    static func indicesByClass(labels: [Int32], classCount: Int) -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
        return byClass
    }

    /// Splits `total` into integer parts proportional to `weights` (Hamilton's
    /// largest-remainder method; ties go to the lower index), never exceeding a weight.
    static func apportion(total: Int, weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return weights.map { _ in 0 } }
        var parts = weights.map { $0 * total / sum }
        let remainders = weights.enumerated().map { (index: $0.offset, rest: $0.element * total % sum) }
        var left = total - parts.reduce(0, +)
        for r in remainders.sorted(by: { $0.rest != $1.rest ? $0.rest > $1.rest : $0.index < $1.index }) where left > 0 {
            if parts[r.index] < weights[r.index] {
                parts[r.index] += 1
                left -= 1
            }
        }
        return parts
    }
}
