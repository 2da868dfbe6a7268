import XCTest
import HoneData

final class SplitTests: XCTestCase {
    /// 1000 samples in three unbalanced classes (600 / 300 / 100); feature = index, so a
    /// subset's features reveal which samples it holds.
    func unbalanced() throws -> Dataset {
        let labels: [Int32] = (0..<1000).map { $0 < 600 ? 0 : ($0 < 900 ? 1 : 2) }
        return try Dataset(features: (0..<1000).map(Float.init), featureShape: [1],
                           targets: .classes(labels: labels, classCount: 3, classNames: nil))
    }

    func testStratifiedSplitKeepsClassProportionsExactly() throws {
        let d = try unbalanced()
        let (train, validation) = try d.trainValidationSplit(validationFraction: 0.2, stratified: true, seed: 7)
        XCTAssertEqual(validation.classCounts, [120, 60, 20])
        XCTAssertEqual(train.classCounts, [480, 240, 80])
        // Together they are the original samples, each once.
        XCTAssertEqual((train.features + validation.features).sorted(), d.features)
    }

    func testStratifiedSplitApportionsRemaindersToTheExactTotal() throws {
        // 7 / 7 / 7 samples, 30% → round(6.3) = 6 held out; shares 2.1 each → 2, 2, 2.
        let labels: [Int32] = (0..<21).map { Int32($0 % 3) }
        let d = try Dataset(features: (0..<21).map(Float.init), featureShape: [1], targets: .classes(labels: labels, classCount: 3, classNames: nil))
        let split = try d.trainValidationIndices(validationFraction: 0.3, seed: 1)
        XCTAssertEqual(split.validation.count, 6)
        XCTAssertEqual(d.subset(indices: split.validation).classCounts, [2, 2, 2])
        // Classes of 5 / 3 / 2 samples, 70% → 7 held out; shares 3.5, 2.1, 1.4 → 4, 2, 1.
        let uneven = try Dataset(features: [Float](repeating: 0, count: 10), featureShape: [1],
                                 targets: .classes(labels: [0, 0, 0, 0, 0, 1, 1, 1, 2, 2], classCount: 3, classNames: nil))
        XCTAssertEqual(try uneven.trainValidationSplit(validationFraction: 0.7, seed: 1).validation.classCounts, [4, 2, 1])
        // Four singleton classes, 3 held out: ties go to the lower class index.
        let singles = try Dataset(features: [0, 0, 0, 0], featureShape: [1], targets: .classes(labels: [0, 1, 2, 3], classCount: 4, classNames: nil))
        XCTAssertEqual(try singles.trainValidationSplit(validationFraction: 0.75, seed: 1).validation.classCounts, [1, 1, 1, 0])
    }

    func testUnstratifiedSplitSizes() throws {
        let d = try unbalanced()
        let split = try d.trainValidationIndices(validationFraction: 0.25, stratified: false, seed: 3)
        XCTAssertEqual(split.validation.count, 250)
        XCTAssertEqual(split.train.count, 750)
        XCTAssertEqual(Set(split.train).union(split.validation), Set(0..<1000))
        XCTAssertEqual(split.train, split.train.sorted())
    }

    func testSameSeedSameSplitDifferentSeedDifferentSplit() throws {
        let d = try unbalanced()
        for stratified in [true, false] {
            let a = try d.trainValidationIndices(validationFraction: 0.1, stratified: stratified, seed: 42)
            let b = try d.trainValidationIndices(validationFraction: 0.1, stratified: stratified, seed: 42)
            let c = try d.trainValidationIndices(validationFraction: 0.1, stratified: stratified, seed: 43)
            XCTAssertEqual(a, b)
            XCTAssertNotEqual(a.validation, c.validation)
            let f1 = try d.kFoldIndices(k: 5, stratified: stratified, seed: 42)
            let f2 = try d.kFoldIndices(k: 5, stratified: stratified, seed: 42)
            let f3 = try d.kFoldIndices(k: 5, stratified: stratified, seed: 43)
            XCTAssertEqual(f1, f2)
            XCTAssertNotEqual(f1, f3)
        }
        XCTAssertEqual(d.shuffled(seed: 5), d.shuffled(seed: 5))
        XCTAssertNotEqual(d.shuffled(seed: 5).features, d.shuffled(seed: 6).features)
        XCTAssertEqual(d.shuffled(seed: 5).features.sorted(), d.features)
    }

    func testKFoldPartitionsEveryIndexExactlyOnce() throws {
        let d = try unbalanced()
        for stratified in [true, false] {
            for k in [2, 3, 7, 10] {
                let folds = try d.kFoldIndices(k: k, stratified: stratified, seed: UInt64(k))
                XCTAssertEqual(folds.count, k)
                var seen = [Int](repeating: 0, count: d.count)
                for fold in folds {
                    for i in fold.validation { seen[i] += 1 }
                    // train is exactly the complement of validation
                    XCTAssertEqual(Set(fold.train).union(fold.validation).count, d.count)
                    XCTAssertTrue(Set(fold.train).isDisjoint(with: fold.validation))
                }
                XCTAssertEqual(seen, [Int](repeating: 1, count: d.count), "k = \(k), stratified = \(stratified)")
                let sizes = folds.map(\.validation.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
            }
        }
    }

    func testStratifiedKFoldBalancesClassesInEveryFold() throws {
        let d = try unbalanced()
        for (train, validation) in try d.kFold(k: 10, stratified: true, seed: 11) {
            XCTAssertEqual(validation.classCounts, [60, 30, 10])
            XCTAssertEqual(train.classCounts, [540, 270, 90])
        }
        // 5 folds of a 7-sample class: each fold gets 1 or 2.
        let labels: [Int32] = (0..<17).map { $0 < 7 ? 0 : 1 }
        let small = try Dataset(features: [Float](repeating: 0, count: 17), featureShape: [1], targets: .classes(labels: labels, classCount: 2, classNames: nil))
        for fold in try small.kFold(k: 5, seed: 2) {
            XCTAssertTrue((1...2).contains(fold.validation.classCounts![0]))
        }
    }

    func testRegressionIgnoresStratification() throws {
        let d = try Synthetic.regression(count: 50, seed: 1)
        let split = try d.trainValidationIndices(validationFraction: 0.2, stratified: true, seed: 9)
        XCTAssertEqual(split.validation.count, 10)
        XCTAssertEqual(try d.kFold(k: 5, seed: 9).map(\.validation.count), [10, 10, 10, 10, 10])
    }

    func testBadSplitArguments() throws {
        let d = try unbalanced()
        assertDataError(try d.trainValidationIndices(validationFraction: 0, seed: 1), contains: ["between 0 and 1", "got 0.0"])
        assertDataError(try d.trainValidationIndices(validationFraction: 1.5, seed: 1), contains: ["between 0 and 1"])
        assertDataError(try d.subset(indices: [0, 1]).trainValidationIndices(validationFraction: 0.1, seed: 1),
                        contains: ["leaves 0 for validation"])
        assertDataError(try d.kFold(k: 1, seed: 1), contains: ["k ≥ 2, got 1"])
        assertDataError(try d.subset(indices: [0, 1, 2]).kFold(k: 4, seed: 1), contains: ["k = 4 needs at least 4 samples, got 3"])
    }
}
