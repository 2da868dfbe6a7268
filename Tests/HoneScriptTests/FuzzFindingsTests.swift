import Foundation
import HoneSearch
import HoneScript
import XCTest

/// Inputs the fuzzers of bench/fuzz (or writing their harnesses) found to crash the
/// process; each is now an error naming what is wrong. The inputs are also in
/// bench/fuzz/corpus/, replayed by HoneFuzzTests.
final class FuzzFindingsTests: XCTestCase {
    private func write(_ source: String) throws -> String {
        let path = try makeScratchDirectory(self).appendingPathComponent("study.lua").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Int(memory_mb * 2^20) trapped for memory_mb = 1e300 or math.huge.
    func testHugeOrNegativeMemoryLimitIsAnError() throws {
        for value in ["1e300", "math.huge", "-1", "-math.huge", "2e6"] {
            let path = try write("study { name = 's', limits = { memory_mb = \(value) } }\nfunction objective(t) return 1 end\n")
            XCTAssertThrowsError(try StudyScript(path: path), value) { error in
                XCTAssertContains("\(error)", "memory_mb")
                XCTAssertContains("\(error)", "must be a number of megabytes in [0, 1048576]")
            }
        }
        let path = try write("study { name = 's', limits = { memory_mb = 8 } }\nfunction objective(t) return 1 end\n")
        XCTAssertEqual(try StudyScript(path: path).configuration.limits.memoryBytes, 8 << 20)
    }

    /// A custom sampler returning a whole float beyond Int's range for an integer
    /// parameter trapped in Int(x); now the trial fails naming the value.
    func testSamplerReturningAHugeIntegerFailsTheTrial() throws {
        let path = try write("""
            hone.sampler("huge", function(space, trials) return { n = 1e300 } end)
            study { trials = 2, sampler = "huge" }
            function objective(trial) return trial:suggest_int("n", 0, 10) end
            """)
        let trials = try StudyScript(path: path).run().trials().sorted { $0.number < $1.number }
        XCTAssertEqual(trials.map(\.state), [.fail, .fail])
        XCTAssertContains(trials.first?.failReason, "sampler 'huge' returned for 'n' 1e+300, which is not in")
    }
}
