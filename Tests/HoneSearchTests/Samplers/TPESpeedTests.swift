import Foundation
import XCTest
@testable import HoneSearch

/// Time per ask as the history grows: catches anything quadratic in the number of trials.
/// (Debug build; the release figures for the benchmark come from bench/search.)
final class TPESpeedTests: XCTestCase {
    func testAskTimeGrowsAtMostLinearly() throws {
        let study = try Study.create(sampler: TPESampler(), seed: 1)
        func timeAsks(_ n: Int) throws -> Double {
            let start = Date()
            for _ in 0..<n { let t = try study.ask(); try study.tell(t, value: try hartmann6Objective(t)) }
            return Date().timeIntervalSince(start) / Double(n)
        }
        _ = try timeAsks(100)
        let at100 = try timeAsks(20)
        _ = try timeAsks(180)
        let at300 = try timeAsks(20)
        print(String(format: "TPE (6-D, debug build) time per ask+tell: %.2f ms at 100 trials, %.2f ms at 300", at100 * 1e3, at300 * 1e3))
        // Linear work triples from 100 to 300 trials; quadratic would be ×9.
        XCTAssertLessThan(at300, at100 * 6)
    }
}
