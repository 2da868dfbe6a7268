import Foundation
import XCTest
@testable import HoneSearch

final class GridSamplerTests: XCTestCase {
    func testStableOrderLastNameFastest() throws {
        let g = try GridSampler(["b": [1, 2, 3], "a": ["x", "y"]])
        XCTAssertEqual(g.size, 6)
        XCTAssertEqual((0..<6).map { g.point($0)["a"]! }, ["x", "x", "x", "y", "y", "y"])
        XCTAssertEqual((0..<6).map { g.point($0)["b"]! }, [1, 2, 3, 1, 2, 3])
    }

    /// Four workers, no trial limit: the grid stops the study, and every point of the
    /// product runs exactly once among the grid's trials.
    func testEveryPointExactlyOnceWithFourWorkers() throws {
        let lrs: [ParamValue] = [.float(1e-3), .float(1e-2), .float(1e-1)]
        let grid = try GridSampler(["lr": lrs, "layers": [1, 2, 3, 4], "act": ["relu", "tanh"]])
        for limit in [grid.size, nil] as [Int?] {
            let study = try Study.create(sampler: grid, seed: 1)
            try study.optimize({ t in
                let lr = try t.suggestFloat("lr", 1e-4, 1)
                let layers = try t.suggestInt("layers", 1, 8)
                let act = try t.suggestCategorical("act", ["relu", "tanh", "gelu"])
                return lr * Double(layers) + (act == "relu" ? 0 : 1)
            }, nTrials: limit, nJobs: 4, catchErrors: false)
            let trials = try study.trials().filter { $0.systemAttrs[GridSampler.overflowAttribute] == nil }
            var seen: [[String: ParamValue]: Int] = [:]
            for t in trials { seen[t.params, default: 0] += 1 }
            XCTAssertEqual(seen.count, grid.size, "limit \(String(describing: limit))")
            XCTAssertTrue(seen.values.allSatisfy { $0 == 1 }, "a point ran twice: \(seen.filter { $0.value > 1 })")
            let all = Set((0..<grid.size).map { grid.point($0) })
            XCTAssertEqual(Set(seen.keys), all)
            if limit != nil { XCTAssertEqual(try study.trials().count, grid.size) }
        }
    }

    func testUnknownNameAndValueOutsideDistributionAreNamed() throws {
        let grid = try GridSampler(["x": [0.5, 2.0]])
        let study = try Study.create(sampler: grid, seed: 0)
        let t = try study.ask()
        XCTAssertThrowsError(try t.suggestFloat("y", 0, 1)) { XCTAssertTrue("\($0)".contains("\"y\"")) }
        let t2 = try study.ask()
        XCTAssertThrowsError(try t2.suggestFloat("x", 0, 1)) { XCTAssertTrue("\($0)".contains("2.0")) }
        XCTAssertThrowsError(try GridSampler(["x": []]))
        XCTAssertThrowsError(try GridSampler(["x": [1, 1]]))
    }
}
