import Foundation
import HoneSearch
import XCTest
@testable import HoneReport

/// The budget from the issue: exporting 10k trials takes well under a second. Timed here
/// in whatever build runs the tests (debug included) with a loose bound that catches
/// anything worse than linear; release builds are about 5x faster than debug.
final class ExportSpeedTests: XCTestCase {
    func testTenThousandTrials() {
        let study = StudyRecord(id: 1, name: "big", directions: [.minimize], createdAt: ExportFixtures.start)
        let trials = (0..<10_000).map { n -> FrozenTrial in
            let x = Double(n)
            var reports: [IntermediateKey: [Double]] = [:]
            for step in 1...10 { reports[IntermediateKey(step: step)] = [1 / (x + Double(step))] }
            return FrozenTrial(id: Int64(n), studyId: 1, number: n, state: n % 7 == 0 ? .pruned : .complete,
                               values: [x.squareRoot() / 3],
                               params: ["lr": .float(1e-4 * (x + 1)), "width": .int(n % 512), "act": .string(n % 2 == 0 ? "relu" : "tanh"),
                                        "dropout": .float(x / 10_001), "layers": .int(n % 5)],
                               intermediateValues: reports, userAttrs: ["epoch_seconds": .number(x / 7)],
                               startedAt: ExportFixtures.start.addingTimeInterval(x), finishedAt: ExportFixtures.start.addingTimeInterval(x + 0.5),
                               workerId: "host:1:\(n % 2)")
        }
        // CPU time, not wall time: other jobs on a shared machine must not fail this test.
        func time(_ label: String, _ work: () -> Int) -> Double {
            let t0 = clock()
            let size = work()
            let seconds = Double(clock() - t0) / Double(CLOCKS_PER_SEC)
            print("export of 10k trials, \(label): \(String(format: "%.3f", seconds)) s CPU, \(size) bytes")
            return seconds
        }
        let csv = time("CSV") { TrialCSV(study: study, trials: trials).text.utf8.count }
        let jsonl = time("JSON Lines") { TrialJSONLines.render(trials: trials).utf8.count }
        let layout = TensorBoardExport.Layout(study: study, trials: trials)
        let events = time("TensorBoard events in memory") { trials.reduce(0) { $0 + TensorBoardExport.events(for: $1, layout: layout).count } }
        XCTAssertLessThan(csv, 10)
        XCTAssertLessThan(jsonl, 10)
        XCTAssertLessThan(events, 10)
    }
}
