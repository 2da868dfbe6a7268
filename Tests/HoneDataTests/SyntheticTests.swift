import XCTest
import HoneData

final class SyntheticTests: XCTestCase {
    func testSeededAndShaped() throws {
        XCTAssertEqual(try Synthetic.moons(count: 100, seed: 1), try Synthetic.moons(count: 100, seed: 1))
        XCTAssertNotEqual(try Synthetic.moons(count: 100, seed: 1), try Synthetic.moons(count: 100, seed: 2))
        let s = try Synthetic.spirals(count: 301, classes: 3, seed: 4)
        XCTAssertEqual(s.count, 301)
        XCTAssertEqual(s.featureShape, [2])
        XCTAssertEqual(s.classCounts, [101, 100, 100])
        let b = try Synthetic.blobs(count: 90, centers: 3, featureCount: 5, seed: 2)
        XCTAssertEqual(b.features.count, 450)
        XCTAssertEqual(b.classCounts, [30, 30, 30])
    }

    func testNoiseFreeGeometry() throws {
        // Without noise every spiral point lies at radius ≤ 1 and the two moons lie on their arcs.
        let s = try Synthetic.spirals(count: 200, classes: 2, noise: 0, seed: 1)
        for i in 0..<s.count {
            let (x, y) = (s.features[2 * i], s.features[2 * i + 1])
            XCTAssertLessThanOrEqual(x * x + y * y, 1 + 1e-5)
        }
        let m = try Synthetic.moons(count: 100, noise: 0, seed: 1)
        for i in 0..<m.count {
            let (x, y) = (m.features[2 * i], m.features[2 * i + 1])
            let (cx, cy): (Float, Float) = m.labels![i] == 0 ? (0, 0) : (1, 0.5)
            XCTAssertEqual((x - cx) * (x - cx) + (y - cy) * (y - cy), 1, accuracy: 1e-5)
        }
    }

    func testBlobsAreSeparatedByTheirCenters() throws {
        // With a small spread every sample is nearest to its own class mean.
        let b = try Synthetic.blobs(count: 300, centers: 3, featureCount: 2, spread: 0.1, seed: 9)
        var means = [[Float]](repeating: [0, 0], count: 3)
        for i in 0..<b.count {
            let c = Int(b.labels![i])
            means[c][0] += b.features[2 * i] / 100
            means[c][1] += b.features[2 * i + 1] / 100
        }
        for i in 0..<b.count {
            let d = means.map { pow($0[0] - b.features[2 * i], 2) + pow($0[1] - b.features[2 * i + 1], 2) }
            XCTAssertEqual(d.firstIndex(of: d.min()!), Int(b.labels![i]))
        }
    }

    func testRegressionFunctions() throws {
        // Noise-free linear data is exactly affine: y(x) − y(0) is proportional to x.
        let lin = try Synthetic.regression(count: 50, featureCount: 1, function: .linear, noise: 0, seed: 3)
        guard case let .regression(y, 1) = lin.targets else { return XCTFail("expected one regression output") }
        let slope = (y[1] - y[0]) / (lin.features[1] - lin.features[0])
        for i in 2..<50 {
            XCTAssertEqual(y[i], y[0] + slope * (lin.features[i] - lin.features[0]), accuracy: 1e-4)
        }
        let sine = try Synthetic.regression(count: 20, featureCount: 1, function: .sine, noise: 0, seed: 3)
        guard case let .regression(ys, _) = sine.targets else { return XCTFail() }
        for i in 0..<20 { XCTAssertEqual(ys[i], sin(2 * .pi * sine.features[i]), accuracy: 1e-5) }
        let friedman = try Synthetic.regression(count: 200, featureCount: 7, function: .friedman1, noise: 0, seed: 3)
        XCTAssertEqual(friedman.featureCount, 7)
        XCTAssertTrue(friedman.features.allSatisfy { (0..<1).contains($0) })
        guard case let .regression(yf, _) = friedman.targets else { return XCTFail() }
        XCTAssertTrue(yf.allSatisfy { (-0.01...30).contains($0) }, "Friedman #1 lies in [0, 30] without noise")
        // Noise has the requested scale.
        let noisy = try Synthetic.regression(count: 4000, featureCount: 1, function: .linear, noise: 0.5, seed: 3)
        guard case let .regression(yn, _) = noisy.targets else { return XCTFail() }
        let clean = try Synthetic.regression(count: 4000, featureCount: 1, function: .linear, noise: 0, seed: 3)
        guard case let .regression(yc, _) = clean.targets else { return XCTFail() }
        XCTAssertEqual(clean.features, noisy.features, "noise draws follow the feature draws, so features match")
        let residual = zip(yn, yc).map { Double($0 - $1) }
        let std = (residual.map { $0 * $0 }.reduce(0, +) / 4000).squareRoot()
        XCTAssertEqual(std, 0.5, accuracy: 0.03)
    }
}
