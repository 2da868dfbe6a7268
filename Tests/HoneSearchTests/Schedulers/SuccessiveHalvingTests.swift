import Foundation
import HoneSearch
import XCTest

final class SuccessiveHalvingTests: XCTestCase {
    /// A synthetic learning curve whose ranking changes between budgets: loss(b) = a + c/b.
    static func loss(_ a: Double, _ c: Double, _ budget: Double) -> Double { a + c / budget }

    /// Runs SH on n configurations, recording every job's (trial, resource, loss).
    func runSH(n: Int, eta: Int, maxResource: Double, nJobs: Int) throws -> (Study, [(trial: Int, resource: Double, loss: Double)]) {
        let study = try Study.create(storage: InMemoryStorage(), seed: 11)
        let scheduler = try SuccessiveHalvingScheduler(configurations: n, minResource: 1, maxResource: maxResource, reductionFactor: eta)
        let jobs = Locked<[(trial: Int, resource: Double, loss: Double)]>([])
        try study.optimize(scheduler: scheduler, nJobs: nJobs) { trial, budget in
            let a = try trial.suggestFloat("a", 0, 1), c = try trial.suggestFloat("c", 0, 4)
            let l = Self.loss(a, c, budget.resource)
            jobs.mutate { $0.append((trial.number, budget.resource, l)) }
            return l
        }
        return (study, jobs.value)
    }

    func testKeepsTheTopOneOverEtaAtEachRung() throws {
        for nJobs in [1, 3] {
            let (study, jobs) = try runSH(n: 27, eta: 3, maxResource: 27, nJobs: nJobs)
            let rungs: [Double] = [1, 3, 9, 27]
            XCTAssertEqual(rungs.map { r in jobs.filter { $0.resource == r }.count }, [27, 9, 3, 1], "nJobs=\(nJobs)")
            for (i, r) in rungs.dropLast().enumerated() {
                let here = jobs.filter { $0.resource == r }.sorted { $0.loss < $1.loss }
                let expectedKept = Set(here.prefix(here.count / 3).map(\.trial))
                let promoted = Set(jobs.filter { $0.resource == rungs[i + 1] }.map(\.trial))
                XCTAssertEqual(promoted, expectedKept, "rung \(i) (r=\(r)) with nJobs=\(nJobs)")
            }
            // Everyone not promoted is PRUNED with its last report; the winner COMPLETEs.
            let winner = jobs.first { $0.resource == 27 }!
            for t in try study.trials() {
                if t.number == winner.trial {
                    XCTAssertEqual(t.state, .complete)
                    XCTAssertEqual(t.value!, winner.loss, accuracy: 1e-12)
                } else {
                    XCTAssertEqual(t.state, .pruned, "trial \(t.number)")
                    let last = jobs.filter { $0.trial == t.number }.max { $0.resource < $1.resource }!
                    XCTAssertEqual(t.value!, last.loss, accuracy: 1e-12)
                    XCTAssertEqual(t.lastIntermediate?.key.step, Int(last.resource))
                }
            }
        }
    }

    /// The rung decision uses the rung's values, not earlier ones: with crossing curves the
    /// configuration best at r = 1 may lose at r = 3.
    func testRanksEachRungOnItsOwnBudget() throws {
        let (_, jobs) = try runSH(n: 9, eta: 3, maxResource: 9, nJobs: 1)
        let atThree = jobs.filter { $0.resource == 3 }.sorted { $0.loss < $1.loss }
        let atNine = jobs.filter { $0.resource == 9 }
        XCTAssertEqual(atNine.map(\.trial), [atThree[0].trial])
    }

    func testTrialLimitClosesTheBracketWithWhatItHas() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 2)
        let scheduler = try SuccessiveHalvingScheduler(configurations: 27, minResource: 1, maxResource: 27, reductionFactor: 3)
        try study.optimize(scheduler: scheduler, nTrials: 6) { trial, budget in
            try trial.suggestFloat("x", 0, 1) + 1 / budget.resource
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 6)
        XCTAssertTrue(trials.allSatisfy { $0.state.isFinished })
        XCTAssertEqual(trials.filter { $0.state == .complete }.count, 1)
    }

    func testFailingObjectiveRanksLastAndTheRunGoesOn() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 2)
        let scheduler = try SuccessiveHalvingScheduler(configurations: 9, minResource: 1, maxResource: 9, reductionFactor: 3)
        struct Boom: Error {}
        try study.optimize(scheduler: scheduler) { trial, budget in
            if trial.number == 0 { throw Boom() }     // would be the best otherwise
            return Double(trial.number) + 1 / budget.resource
        }
        XCTAssertEqual(try study.trial(number: 0)?.state, .fail)
        XCTAssertEqual(try study.bestTrial().number, 1)
    }

    func testMultiObjectiveRungsRankByNonDominatedSorting() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize, .minimize], seed: 8)
        let scheduler = try SuccessiveHalvingScheduler(configurations: 9, minResource: 1, maxResource: 3, reductionFactor: 3)
        // Trials 0–2 lie on the front (x, 1−x); the others are dominated by trial 1.
        try study.optimize(scheduler: scheduler) { (trial: Trial, _: Budget) -> [Double] in
            let x = Double(trial.number)
            if trial.number < 3 { return [x / 2, 1 - x / 2] }
            return [0.6 + x / 100, 0.6]
        }
        XCTAssertEqual(Set(try study.trials(states: [.complete]).map(\.number)), [0, 1, 2])
    }
}

final class RungRankingTests: XCTestCase {
    func testNonDominatedFrontsAndCrowding() {
        let points: [[Double]] = [[0, 1], [1, 0], [0.5, 0.5], [0.6, 0.6], [0.2, 0.9], [2, 2]]
        let fronts = RungRanking.nonDominatedFronts(points, directions: [.minimize, .minimize])
        XCTAssertEqual(fronts.map { Set($0) }, [[0, 1, 2, 4], [3], [5]])
        // In the first front the boundary points come first (infinite crowding distance),
        let order = RungRanking.order(points, tieBreak: Array(points.indices), directions: [.minimize, .minimize])
        XCTAssertEqual(Array(order.prefix(2)).sorted(), [0, 1])
        XCTAssertEqual(Array(order.suffix(2)), [3, 5])
        let d = RungRanking.crowdingDistances([[0, 1], [0.2, 0.9], [0.5, 0.5], [1, 0]])
        XCTAssertEqual(d[0], .infinity); XCTAssertEqual(d[3], .infinity)
        // Neighbour gaps over each objective's range (both ranges are 1):
        // point 1: (0.5 − 0) + (1 − 0.5) = 1.0; point 2: (1 − 0.2) + (0.9 − 0) = 1.7.
        XCTAssertEqual(d[1], 1.0, accuracy: 1e-12)
        XCTAssertEqual(d[2], 1.7, accuracy: 1e-12)
    }

    func testSingleObjectiveOrderRespectsDirectionAndTies() {
        XCTAssertEqual(RungRanking.order([[3], [1], [2], [1]], tieBreak: [0, 1, 2, 3], directions: [.minimize]), [1, 3, 2, 0])
        XCTAssertEqual(RungRanking.order([[3], [1], [2]], tieBreak: [0, 1, 2], directions: [.maximize]), [0, 2, 1])
    }
}
