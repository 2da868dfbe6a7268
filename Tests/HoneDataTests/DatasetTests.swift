import XCTest
import HoneData

final class DatasetTests: XCTestCase {
    func sample() throws -> Dataset {
        // 4 samples × 3 features; feature value = 10 × sample + feature.
        try Dataset(features: (0..<4).flatMap { s in (0..<3).map { Float(10 * s + $0) } },
                    featureShape: [3], targets: .classes(labels: [0, 1, 2, 1], classCount: 3, classNames: ["a", "b", "c"]))
    }

    func testCountsAndAccessors() throws {
        let d = try sample()
        XCTAssertEqual(d.count, 4)
        XCTAssertEqual(d.featureCount, 3)
        XCTAssertEqual(d.classCount, 3)
        XCTAssertEqual(d.outputCount, 3)
        XCTAssertEqual(d.classCounts, [1, 2, 1])
        XCTAssertTrue(d.isClassification)
        let r = try Dataset(features: [1, 2, 3, 4], featureShape: [1], targets: .regression(values: [1, 2, 3, 4, 5, 6, 7, 8], outputCount: 2))
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(r.outputCount, 2)
        XCTAssertNil(r.classCounts)
    }

    func testImageShapedFeatures() throws {
        let d = try Dataset(features: [Float](repeating: 0.5, count: 2 * 12), featureShape: [1, 3, 4],
                            targets: .classes(labels: [0, 1], classCount: 2, classNames: nil))
        XCTAssertEqual(d.featureCount, 12)
    }

    func testInitRejectsInconsistentPieces() {
        assertDataError(try Dataset(features: [1, 2, 3], featureShape: [2], targets: .classes(labels: [0, 1], classCount: 2, classNames: nil)),
                        contains: ["shape mismatch", "2 samples", "[2]", "needs 4 feature values, got 3"])
        assertDataError(try Dataset(features: [1, 2], featureShape: [1], targets: .classes(labels: [0, 2], classCount: 2, classNames: nil)),
                        contains: ["label 2 of sample 1 is outside 0..<2"])
        assertDataError(try Dataset(features: [1], featureShape: [1], targets: .classes(labels: [0], classCount: 2, classNames: ["x"])),
                        contains: ["1 class names given for 2 classes"])
        assertDataError(try Dataset(features: [1, 2, 3], featureShape: [1], targets: .regression(values: [1, 2, 3], outputCount: 2)),
                        contains: ["3 target values are not a whole number of rows of 2"])
        assertDataError(try Dataset(features: [1, 2], featureShape: [2], targets: .classes(labels: [0], classCount: 1, classNames: nil), featureNames: ["a"]),
                        contains: ["1 feature names given for 2 features"])
    }

    func testSubsetKeepsRowsTogether() throws {
        let d = try sample()
        let s = d.subset(indices: [3, 0, 3])
        XCTAssertEqual(s.features, [30, 31, 32, 0, 1, 2, 30, 31, 32])
        XCTAssertEqual(s.labels, [1, 0, 1])
        XCTAssertEqual(s.classNames, ["a", "b", "c"])
        let r = try Dataset(features: [1, 2, 3], featureShape: [1], targets: .regression(values: [10, 11, 20, 21, 30, 31], outputCount: 2))
        XCTAssertEqual(r.subset(indices: [2, 1]).targets, .regression(values: [30, 31, 20, 21], outputCount: 2))
    }

    func testGatherBatchWritesIntoCallerBuffers() throws {
        let d = try sample()
        var features = [Float](repeating: -1, count: 2 * 3)
        var labels = [Int32](repeating: -1, count: 2)
        let order = [0, 1, 2, 3]
        features.withUnsafeMutableBufferPointer { f in
            labels.withUnsafeMutableBufferPointer { l in
                d.gatherBatch(indices: order[2..<4], into: f.baseAddress!, labels: l.baseAddress!)
            }
        }
        XCTAssertEqual(features, [20, 21, 22, 30, 31, 32])
        XCTAssertEqual(labels, [2, 1])

        let r = try Dataset(features: [1, 2, 3], featureShape: [1], targets: .regression(values: [10, 11, 20, 21, 30, 31], outputCount: 2))
        var rf = [Float](repeating: 0, count: 2), rt = [Float](repeating: 0, count: 4)
        let idx = [2, 0]
        idx.withUnsafeBufferPointer { i in
            rf.withUnsafeMutableBufferPointer { f in
                rt.withUnsafeMutableBufferPointer { t in
                    r.gatherBatch(indices: i, into: f.baseAddress!, targets: t.baseAddress!)
                }
            }
        }
        XCTAssertEqual(rf, [3, 1])
        XCTAssertEqual(rt, [30, 31, 10, 11])
    }
}
