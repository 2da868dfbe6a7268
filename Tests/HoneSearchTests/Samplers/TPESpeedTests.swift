import Foundation
import XCTest
@testable import HoneSearch

/// Time per ask as the history grows: catches anything quadratic in the number of trials.
/// (Debug build; the release figures for the benchmark come from bench/search.)
final class TPESpeedTests: XCTestCase {
    func testAskTimeGrowsAtMostLinearly() throws {
        let study = try Study.create(sampler: TPESampler(), seed: 1)
        func timeAsks(_ n: Int) throws -> Double {
            // Thread CPU time, so other processes on a shared machine do not skew the ratio.
            let start = threadCPUTime()
            for _ in 0..<n { let t = try study.ask(); try study.tell(t, value: try hartmann6Objective(t)) }
            return (threadCPUTime() - start) / Double(n)
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

func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
