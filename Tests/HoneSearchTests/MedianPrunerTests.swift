import HoneSearch
import XCTest

final class MedianPrunerTests: XCTestCase {
    /// Runs `curves.count` trials to completion, reporting each curve, on a minimize study.
    private func study(_ pruner: MedianPruner, completed curves: [[Double]], direction: StudyDirection = .minimize) throws -> Study {
        let st = try Study.create(directions: [direction], pruner: pruner, seed: 1)
        for c in curves {
            let t = try st.ask()
            for (step, v) in c.enumerated() { try t.report(v, step: step) }
            try st.tell(t, value: c.last!)
        }
        return st
    }

    func testPrunesWhenTheBestSoFarIsWorseThanTheMedianAtTheSameStep() throws {
        // Reports at step 1: 1, 2, 3 → median 2 (Optuna's rule; the running averages
        // Vizier's rule uses would give 2.5 and keep a trial at 2.4).
        let st = try study(try MedianPruner(nStartupTrials: 3), completed: [[2, 1, 0.5], [3, 2, 1], [4, 3, 2]])
        let bad = try st.ask()
        try bad.report(5, step: 0)
        XCTAssertTrue(try bad.shouldPrune(), "5 at step 0 is worse than the median 3")
        let behind = try st.ask()
        try behind.report(3.5, step: 0)
        try behind.report(2.4, step: 1)
        XCTAssertTrue(try behind.shouldPrune(), "best so far 2.4 is worse than the median 2 at step 1")
        let good = try st.ask()
        try good.report(1.5, step: 0)
        XCTAssertFalse(try good.shouldPrune(), "1.5 beats the median 3 at step 0")
        try good.report(2.2, step: 1)
        XCTAssertFalse(try good.shouldPrune(), "judged by its best so far (1.5), not its last report (2.2 > 2)")
        let borderline = try st.ask()
        try borderline.report(2, step: 1)
        XCTAssertFalse(try borderline.shouldPrune(), "equal to the median is not strictly worse")
    }

    func testMaximizeDirection() throws {
        let st = try study(try MedianPruner(nStartupTrials: 2), completed: [[0.5, 0.8], [0.6, 0.9]], direction: .maximize)
        let t = try st.ask()
        try t.report(0.1, step: 0)
        XCTAssertTrue(try t.shouldPrune())
        let u = try st.ask()
        try u.report(0.7, step: 0)
        XCTAssertFalse(try u.shouldPrune())
    }

    func testNeverPrunesDuringStartupWarmupOrOffInterval() throws {
        let curves: [[Double]] = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]
        XCTAssertFalse(try { () throws -> Bool in
            let st = try study(try MedianPruner(nStartupTrials: 4), completed: curves)
            let t = try st.ask(); try t.report(100, step: 3); return try t.shouldPrune()
        }(), "only 3 of 4 startup trials completed")
        let st = try study(try MedianPruner(nStartupTrials: 1, nWarmupSteps: 2, intervalSteps: 2), completed: curves)
        let t = try st.ask()
        for (step, expected) in [(0, false), (1, false), (2, true), (3, false)] {
            try t.report(100, step: step)
            XCTAssertEqual(try t.shouldPrune(), expected, "step \(step)")
        }
    }

    func testFoldsAreAveragedAndNMinTrials() throws {
        let st = try study(try MedianPruner(nStartupTrials: 1, nMinTrials: 2), completed: [[1, 1]])
        let t = try st.ask()
        try t.report(5, step: 0)
        XCTAssertFalse(try t.shouldPrune(), "one completed trial is fewer than nMinTrials = 2")
        let st2 = try study(try MedianPruner(nStartupTrials: 1), completed: [[2]])
        let u = try st2.ask()
        try u.report(1, step: 0, fold: 0)
        try u.report(4, step: 0, fold: 1)   // fold mean 2.5 > 2
        XCTAssertTrue(try u.shouldPrune())
    }
}
