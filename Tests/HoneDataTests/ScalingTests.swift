import XCTest
import HoneData

final class ScalingTests: XCTestCase {
    func testStandardizerFitsTrainAndAppliesToOthers() throws {
        // Feature 0: 1, 2, 3, 4 (mean 2.5, std √1.25); feature 1: constant 7.
        let train = try Dataset(features: [1, 7, 2, 7, 3, 7, 4, 7], featureShape: [2],
                                targets: .regression(values: [0, 0, 0, 0], outputCount: 1))
        let s = Standardizer(fitting: train)
        XCTAssertEqual(s.mean, [2.5, 7])
        XCTAssertEqual(s.std[0], Float(1.25.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(s.std[1], 1, "a constant feature gets scale 1, not a division by zero")
        let z = try s.transform(train)
        let column0 = stride(from: 0, to: 8, by: 2).map { z.features[$0] }
        XCTAssertEqual(column0.reduce(0, +), 0, accuracy: 1e-6)
        XCTAssertEqual(column0.map { $0 * $0 }.reduce(0, +) / 4, 1, accuracy: 1e-5)
        XCTAssertEqual(z.features[1], 0)
        XCTAssertFalse(z.features.contains { !$0.isFinite })

        // Test data is scaled with the training statistics, not its own.
        let test = try Dataset(features: [2.5, 9], featureShape: [2], targets: .regression(values: [0], outputCount: 1))
        XCTAssertEqual(try s.transform(test).features, [0, 2])
        let wrong = try Dataset(features: [1], featureShape: [1], targets: .regression(values: [0], outputCount: 1))
        assertDataError(try s.transform(wrong), contains: ["fit on 2 features", "has 1"])
    }

    func testStandardizerIsAccurateWithLargeOffsets() throws {
        let values: [Float] = (0..<1000).map { 1e6 + Float($0 % 2) }  // mean 1e6 + 0.5, std 0.5
        let d = try Dataset(features: values, featureShape: [1], targets: .regression(values: values, outputCount: 1))
        let s = Standardizer(fitting: d)
        XCTAssertEqual(s.std[0], 0.5, accuracy: 1e-4)
    }

    func testMinMaxScaler() throws {
        let train = try Dataset(features: [0, 5, 10, 5, 5, 5], featureShape: [2], targets: .regression(values: [0, 0, 0], outputCount: 1))
        let m = try MinMaxScaler(fitting: train)
        XCTAssertEqual(m.minimum, [0, 5])
        XCTAssertEqual(m.maximum, [10, 5])
        XCTAssertEqual(try m.transform(train).features, [0, 0, 1, 0, 0.5, 0])
        let other = try Dataset(features: [20, 6], featureShape: [2], targets: .regression(values: [0], outputCount: 1))
        XCTAssertEqual(try m.transform(other).features, [2, 0], "out-of-range values are not clipped; constant features map to low")
        let symmetric = try MinMaxScaler(fitting: train, low: -1, high: 1)
        XCTAssertEqual(try symmetric.transform(train).features, [-1, -1, 1, -1, 0, -1])
    }
}
