// Synthetic data sets and scalers refuse bad arguments with DataError naming them (they
// were `precondition`s, not evaluated in the -Ounchecked release build).

import HoneData
import XCTest

final class ArgumentCheckTests: XCTestCase {
    private func refused<T>(_ parts: String..., file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? DataError else { return XCTFail("expected DataError, got \(error)", file: file, line: line) }
            for p in parts where !e.message.contains(p) { XCTFail("\"\(e.message)\" lacks \"\(p)\"", file: file, line: line) }
        }
    }

    func testSynthetic() throws {
        refused("spirals", "count", "got -1") { try Synthetic.spirals(count: -1, seed: 0) }
        refused("spirals", "classes", "got 0") { try Synthetic.spirals(count: 10, classes: 0, seed: 0) }
        refused("spirals", "turns") { try Synthetic.spirals(count: 10, turns: .infinity, seed: 0) }
        refused("moons", "count", "got -5") { try Synthetic.moons(count: -5, seed: 0) }
        refused("moons", "count × featureCount") { try Synthetic.moons(count: Int.max, seed: 0) }
        refused("moons", "noise", "nan") { try Synthetic.moons(count: 4, noise: .nan, seed: 0) }
        refused("blobs", "centers", "got 0") { try Synthetic.blobs(count: 10, centers: 0, seed: 0) }
        refused("blobs", "featureCount", "got 0") { try Synthetic.blobs(count: 10, featureCount: 0, seed: 0) }
        refused("blobs", "count × featureCount") { try Synthetic.blobs(count: 10, centers: 1 << 20, featureCount: 1 << 10, seed: 0) }
        refused("regression", "featureCount", "got 0") { try Synthetic.regression(count: 10, featureCount: 0, seed: 0) }
        refused("regression", "friedman1", "featureCount ≥ 5", "got 4") { try Synthetic.regression(count: 10, featureCount: 4, function: .friedman1, seed: 0) }
        XCTAssertEqual(try Synthetic.spirals(count: 0, classes: 1, seed: 0).count, 0)
    }

    func testScalers() throws {
        refused("Standardizer", "mean and std", "2 and 1") { try Standardizer(mean: [0, 0], std: [1]) }
        refused("MinMaxScaler", "minimum and maximum", "1 and 2") { try MinMaxScaler(minimum: [0], maximum: [1, 2]) }
        refused("MinMaxScaler", "low and high") { try MinMaxScaler(minimum: [0], maximum: [1], low: -.infinity) }
        refused("Standardizer", "mean and std") {
            try JSONDecoder().decode(Standardizer.self, from: Data(#"{"mean": [0, 1], "std": [1]}"#.utf8))
        }
        refused("MinMaxScaler", "minimum and maximum") {
            try JSONDecoder().decode(MinMaxScaler.self, from: Data(#"{"minimum": [0], "maximum": [], "low": 0, "high": 1}"#.utf8))
        }
        var s = try Standardizer(mean: [0, 0], std: [1, 1])
        var rows: [Float] = [1, 2, 3]
        refused("Standardizer", "whole rows of 2", "got 3") { try s.apply(to: &rows) }
        s.std = [1]
        var two: [Float] = [1, 2]
        refused("Standardizer", "mean and std") { try s.apply(to: &two) }
        let m = try MinMaxScaler(minimum: [0, 0], maximum: [1, 1])
        refused("MinMaxScaler", "whole rows of 2") { try m.apply(to: &rows) }
        // Round trip of a good one.
        let decoded = try JSONDecoder().decode(Standardizer.self, from: try JSONEncoder().encode(try Standardizer(mean: [1], std: [2])))
        XCTAssertEqual(decoded, try Standardizer(mean: [1], std: [2]))
    }
}
