import Foundation
import XCTest
@testable import HoneSearch

final class SobolSamplerTests: XCTestCase {
    /// The first 16 points of the unscrambled 5-D sequence in Gray-code order, as published
    /// with the Joe–Kuo numbers (the values scipy.stats.qmc.Sobol(scramble=False),
    /// TensorFlow's sobol_sample and Optuna's QMC tests list).
    static let published: [[Double]] = [
        [0, 0, 0, 0, 0],
        [0.5, 0.5, 0.5, 0.5, 0.5],
        [0.75, 0.25, 0.25, 0.25, 0.75],
        [0.25, 0.75, 0.75, 0.75, 0.25],
        [0.375, 0.375, 0.625, 0.875, 0.375],
        [0.875, 0.875, 0.125, 0.375, 0.875],
        [0.625, 0.125, 0.875, 0.625, 0.625],
        [0.125, 0.625, 0.375, 0.125, 0.125],
        [0.1875, 0.3125, 0.9375, 0.4375, 0.5625],
        [0.6875, 0.8125, 0.4375, 0.9375, 0.0625],
        [0.9375, 0.0625, 0.6875, 0.1875, 0.3125],
        [0.4375, 0.5625, 0.1875, 0.6875, 0.8125],
        [0.3125, 0.1875, 0.3125, 0.5625, 0.9375],
        [0.8125, 0.6875, 0.8125, 0.0625, 0.4375],
        [0.5625, 0.4375, 0.0625, 0.8125, 0.1875],
        [0.0625, 0.9375, 0.5625, 0.3125, 0.6875],
    ]

    func testFirstPointsMatchPublishedSequence() {
        let s = SobolSequence(dimensions: 5)
        for (i, expected) in Self.published.enumerated() {
            XCTAssertEqual(s.point(i), expected, "point \(i)")
        }
    }

    func testDirectionTableIsWellFormed() {
        XCTAssertGreaterThanOrEqual(SobolSequence.maxDimensions, 64)
        for (r, row) in JoeKuoDirectionNumbers.rows.enumerated() {
            let s = Int(row[0]), a = row[1]
            XCTAssertEqual(row.count, 2 + s, "dimension \(r + 2): wrong number of m values")
            XCTAssertLessThan(a, s > 1 ? UInt32(1) << UInt32(s - 1) : 1, "dimension \(r + 2): a too large")
            for i in 0..<s {
                let m = row[2 + i]
                XCTAssertEqual(m & 1, 1, "dimension \(r + 2): m_\(i + 1) = \(m) is even")
                XCTAssertLessThan(m, UInt32(1) << UInt32(i + 1), "dimension \(r + 2): m_\(i + 1) = \(m) ≥ 2^\(i + 1)")
            }
            if r > 0 { XCTAssertGreaterThanOrEqual(s, Int(JoeKuoDirectionNumbers.rows[r - 1][0])) }
        }
    }

    /// Each coordinate of the first 2^m points puts exactly one point in every interval
    /// [k/2^m, (k+1)/2^m), scrambled or not; and the 2-D projections of dimensions (1, 2)
    /// form a (0, m, 2)-net (one point per elementary box of area 2^-m).
    func testStratification() {
        for seed: UInt64? in [nil, 7] {
            let s = SobolSequence(dimensions: SobolSequence.maxDimensions, scrambleSeed: seed)
            let m = 10, n = 1 << m
            for d in 0..<s.dimensions {
                var hit = [Bool](repeating: false, count: n)
                for i in 0..<n { hit[Int(s.coordinate(i, dimension: d) * Double(n))] = true }
                XCTAssertTrue(hit.allSatisfy { $0 }, "dimension \(d + 1) (seed \(String(describing: seed))) is not stratified")
            }
            for split in 0...m {
                var boxes = Set<Int>()
                for i in 0..<n {
                    let a = Int(s.coordinate(i, dimension: 0) * Double(1 << split))
                    let b = Int(s.coordinate(i, dimension: 1) * Double(1 << (m - split)))
                    boxes.insert(a << 20 | b)
                }
                XCTAssertEqual(boxes.count, n, "dims 1–2 not a (0,\(m),2)-net for boxes 2^-\(split) × 2^-\(m - split)")
            }
        }
    }

    func testScramblingIsSeededAndMovesTheOrigin() {
        let a = SobolSequence(dimensions: 8, scrambleSeed: 1), b = SobolSequence(dimensions: 8, scrambleSeed: 1)
        let c = SobolSequence(dimensions: 8, scrambleSeed: 2)
        XCTAssertEqual(a.point(0), b.point(0))
        XCTAssertEqual(a.point(123), b.point(123))
        XCTAssertNotEqual(a.point(5), c.point(5))
        XCTAssertNotEqual(a.point(0), [Double](repeating: 0, count: 8))
    }

    func testUnscrambledSamplerGivesSequenceValues() throws {
        let study = try runStudy(SobolSampler(scramble: false), seed: 0, nTrials: 8) { t in
            _ = try t.suggestFloat("a", 0, 1)
            _ = try t.suggestFloat("b", 0, 1)
            return 0
        }
        let trials = try study.trials()
        for t in trials {
            XCTAssertEqual(t.params["a"]?.doubleValue, Self.published[t.number][0], "trial \(t.number)")
            XCTAssertEqual(t.params["b"]?.doubleValue, Self.published[t.number][1], "trial \(t.number)")
        }
        XCTAssertEqual(try study.systemAttributes()[SobolSampler.dimensionsAttribute], ["a", "b"])
    }

    /// Log, int, step and categorical dimensions: values valid, and over 2^k trials every
    /// int and category appears equally often (Sobol's stratification survives the map).
    func testMappedDimensionsAreValidAndBalanced() throws {
        let study = try runStudy(SobolSampler(), seed: 3, nTrials: 64) { t in
            let lr = try t.suggestFloat("lr", 1e-5, 1e-1, log: true)
            let k = try t.suggestInt("k", 1, 4)
            let w = try t.suggestInt("width", 16, 1024, log: true)
            let p = try t.suggestFloat("p", 0, 0.5, step: 0.125)
            let act = try t.suggestCategorical("act", ["relu", "tanh", "gelu", "silu"])
            XCTAssertTrue(lr >= 1e-5 && lr <= 1e-1 && (16...1024).contains(w))
            XCTAssertTrue(["relu", "tanh", "gelu", "silu"].contains(act))
            XCTAssertEqual(p, (p / 0.125).rounded() * 0.125)
            return Double(k)
        }
        let trials = try study.trials()
        var kCounts: [Int: Int] = [:], actCounts: [String: Int] = [:]
        var lowDecade = 0
        for t in trials {
            kCounts[t.params["k"]!.intValue!, default: 0] += 1
            actCounts[t.params["act"]!.stringValue!, default: 0] += 1
            if t.params["lr"]!.doubleValue! < 1e-4 { lowDecade += 1 }
        }
        XCTAssertEqual(kCounts, [1: 16, 2: 16, 3: 16, 4: 16])
        XCTAssertEqual(actCounts, ["relu": 16, "tanh": 16, "gelu": 16, "silu": 16])
        XCTAssertEqual(lowDecade, 16, "log scale: a quarter of the points in the first of four decades")
    }

    func testSameSeedSameSuggestions() throws {
        func params(_ seed: UInt64) throws -> [[String: ParamValue]] {
            try runStudy(SobolSampler(), seed: seed, nTrials: 10, braninObjective).trials().map(\.params)
        }
        XCTAssertEqual(try params(11), try params(11))
        XCTAssertNotEqual(try params(11), try params(12))
    }
}

final class SobolParallelTests: XCTestCase {
    /// A trial's point depends only on its number: four workers, two runs, same values.
    func testFourWorkersSameValuesPerTrialNumber() throws {
        func run() throws -> [Int: [String: ParamValue]] {
            let study = try runStudy(SobolSampler(), seed: 8, nTrials: 32, nJobs: 4) { t in
                usleep(UInt32.random(in: 0...1000))
                return try braninObjective(t)
            }
            return Dictionary(uniqueKeysWithValues: try study.trials().map { ($0.number, $0.params) })
        }
        XCTAssertEqual(try run(), try run())
    }
}
