import Foundation
import HoneSearch
import XCTest

/// Ask+tell overhead as a study grows. The full measurement (100,000 trials) runs when
/// HONE_BENCH=1, best in release: `HONE_BENCH=1 swift test -c release --filter PerformanceTests`.
/// The default run is a quick debug-mode check that the cost does not grow with the history.
final class PerformanceTests: XCTestCase {
    private func askTell(_ st: Study, _ n: Int) throws -> TimeInterval {
        let t0 = Date()
        for _ in 0..<n {
            let t = try st.ask()
            let x = try t.suggestFloat("x", -1, 1)
            let k = try t.suggestInt("k", 1, 100, log: true)
            let c = try t.suggestCategorical("c", ["a", "b", "c"])
            try st.tell(t, value: x + Double(k) + (c == "a" ? 1 : 0))
        }
        return Date().timeIntervalSince(t0)
    }

    func testAskTellCostStaysFlat() throws {
        let bench = ProcessInfo.processInfo.environment["HONE_BENCH"] == "1"
        let total = bench ? 100_000 : 8_000, window = bench ? 2_000 : 500
        let st = try Study.create(seed: 1)
        _ = try askTell(st, window)   // warm-up
        // The machine is shared: the fastest of three windows is the cost, not the noise.
        let early = try (0..<3).map { _ in try askTell(st, window) }.min()!
        _ = try askTell(st, total - 7 * window)
        let late = try (0..<3).map { _ in try askTell(st, window) }.min()!
        XCTAssertEqual(try st.trialCount(), total)
        // Reading the history after all that catches up once, then costs nothing.
        let r0 = Date()
        XCTAssertEqual(try st.view.completeTrialCount(), total)
        let catchUp = Date().timeIntervalSince(r0)
        let r1 = Date()
        _ = try st.bestTrial()
        let reread = Date().timeIntervalSince(r1)
        let msg = String(format: "ask+tell: %.0f/s near the start, %.0f/s near %d trials (ratio %.2f); history catch-up %.3f s, re-read %.6f s",
                         Double(window) / early, Double(window) / late, total, late / early, catchUp, reread)
        print(msg)
        XCTAssertLessThan(late / early, bench ? 1.5 : 3.0, msg)
    }
}
