import Foundation
import HoneSearch
import HoneSearchConformance
import XCTest

final class ASHATests: XCTestCase {
    /// Li et al. 2020: a configuration is promoted as soon as it is in the top 1/η of the
    /// rung *so far*. Here trial 0 reaches every rung while trial 1 is still running and
    /// has not reached rung 0: it is promoted at once, rung after rung.
    func testPromotesWithoutWaitingForTheRungToFill() throws {
        let pruner = try ASHAPruner(minResource: 1, reductionFactor: 3, maxResource: 27)
        let study = try Study.create(storage: InMemoryStorage(), pruner: pruner, seed: 1)
        let first = try study.ask(), second = try study.ask()
        try second.report(5.0, step: 0)                  // running, before rung 0
        for step in 1...27 {
            try first.report(1.0 / Double(step), step: step)
            XCTAssertFalse(try first.shouldPrune(), "step \(step): the rung has one arrival, which is its top 1/η")
        }
        XCTAssertEqual(try study.tell(first, value: 1.0 / 27).state, .complete)
        XCTAssertEqual(try study.view.runningTrials().map(\.number), [second.number], "the other trial never reached a rung")
        try study.tell(second, state: .fail)
    }

    /// With η = 3 the k-th arrival at a rung is promoted iff it ranks within the top
    /// max(1, ⌊k/3⌋) of the arrivals so far: decisions are made on arrival, never revisited.
    func testPromotionRuleOnArrival() throws {
        let pruner = try ASHAPruner(minResource: 1, reductionFactor: 3)
        let study = try Study.create(storage: InMemoryStorage(), pruner: pruner, seed: 1)
        let rungZeroLosses: [Double] = [5, 4, 6, 1, 7, 8, 3, 9, 0.5]
        var arrivals: [Double] = []
        var decisions: [Bool] = []
        for loss in rungZeroLosses {
            let t = try study.ask()
            try t.report(loss, step: 1)
            arrivals.append(loss)
            let keep = max(1, arrivals.count / 3)
            let rank = arrivals.sorted().firstIndex(of: loss)!
            let prune = try t.shouldPrune()
            XCTAssertEqual(prune, rank >= keep, "arrival \(arrivals.count) with loss \(loss)")
            decisions.append(!prune)
            try study.tell(t, state: prune ? .pruned : .complete, values: prune ? nil : [loss])
        }
        // Promoted on arrival: 5 (alone), 4 (the best of 2), 1 (the best of 4), 3 (the 7th
        // arrival keeps the top 2 of {5,4,6,1,7,8,3} = {1,3}) and 0.5 (the best of 9).
        XCTAssertEqual(decisions, [true, true, false, true, false, false, true, false, true])
    }

    func testPrunedTrialsStopAtRungsOnly() throws {
        let pruner = try ASHAPruner(minResource: 2, reductionFactor: 2, maxResource: 16)
        XCTAssertEqual((0..<4).map(pruner.rungResource), [2, 4, 8, 16])
        let study = try Study.create(storage: InMemoryStorage(), pruner: pruner, seed: 1)
        try study.optimize({ t in
            let q = Double((t.number * 7) % 10)
            for step in 1...16 {
                try t.report(q + 1 / Double(step), step: step)
                if try t.shouldPrune() { throw TrialPruned() }
            }
            return q
        }, nTrials: 20)
        for t in try study.trials(states: [.pruned]) {
            XCTAssertTrue([2, 4, 8].contains(t.lastIntermediate!.key.step), "pruned at \(t.lastIntermediate!.key)")
        }
        XCTAssertGreaterThan(try study.trials(states: [.pruned]).count, 5)
    }

    func testMultiObjectiveRankingOnVectorReports() throws {
        let pruner = try ASHAPruner(minResource: 1, reductionFactor: 2)
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize, .maximize], pruner: pruner, seed: 1)
        // A = (1, 1) alone is kept; B = (3, 0) is dominated by A (keep ⌊2/2⌋ = 1): pruned;
        // C = (0.5, 2) dominates both: kept; D = (2, 0.5) falls in the third front of
        // {C} ≻ {A} ≻ {D} ≻ {B} and the rung keeps ⌊4/2⌋ = 2: pruned.
        let reports: [[Double]] = [[1, 1], [3, 0], [0.5, 2], [2, 0.5]]
        var pruned: [Bool] = []
        for r in reports {
            let t = try study.ask()
            try t.report(r, step: 1)
            pruned.append(try t.shouldPrune())
            try study.tell(t, values: r)
        }
        XCTAssertEqual(pruned, [false, true, false, true])
    }

    func testConformance() {
        PrunerConformance.run(options: .init(multiObjective: true)) { try! ASHAPruner(minResource: 1, reductionFactor: 3) }
        PrunerConformance.run(options: .init(multiObjective: true)) { try! HyperbandPruner(minResource: 1, maxResource: 9) }
    }
}

final class ASHASchedulerTests: XCTestCase {
    /// Algorithm 2 of Li et al. 2020: the first promotion comes as soon as rung 0 holds η
    /// results — after 3 of the 9 configurations, where synchronous SH would wait for all 9 —
    /// and configurations left paused are promoted later when worse ones join their rung.
    func testPromotesWithoutWaitingForTheRungToFill() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 1)
        let scheduler = try ASHAScheduler(minResource: 1, maxResource: 9, reductionFactor: 3)
        XCTAssertEqual(scheduler.rungResources, [1, 3, 9])
        let losses: [Double] = [5, 3, 4, 9, 8, 7, 1, 6, 2]      // per trial number, at every budget
        let jobs = Locked<[String]>([])
        try study.optimize(scheduler: scheduler, nTrials: 9) { trial, budget in
            jobs.mutate { $0.append("\(trial.number)@\(Int(budget.resource))") }
            return losses[trial.number] + 1 / budget.resource
        }
        XCTAssertEqual(Array(jobs.value.prefix(4)), ["0@1", "1@1", "2@1", "1@3"], "promotion after the 3rd arrival")
        // Trial 2 (loss 4) was not in the top 1/3 of {5, 3, 4}; after 6 arrivals the top 2 of
        // rung 0 are {3, 4}, so it is promoted then, without having been re-run.
        XCTAssertTrue(jobs.value.contains("2@3"))
        let s = Set(jobs.value)
        XCTAssertTrue(s.contains("6@9") || s.contains("1@9"))
        let completed = try study.trials(states: [.complete])
        XCTAssertFalse(completed.isEmpty)
        XCTAssertTrue(completed.allSatisfy { $0.lastIntermediate?.key.step == 9 })
        XCTAssertTrue(try study.trials().allSatisfy { $0.state.isFinished })
        // Every trial's jobs ran at increasing budgets, each budget once.
        for n in 0..<9 {
            let budgets = jobs.value.filter { $0.hasPrefix("\(n)@") }.map { Int($0.split(separator: "@")[1])! }
            XCTAssertEqual(budgets, budgets.sorted()); XCTAssertEqual(Set(budgets).count, budgets.count)
        }
    }

    func testParallelWorkersFinish() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 2)
        try study.optimize(scheduler: try ASHAScheduler(minResource: 1, maxResource: 27, reductionFactor: 3), nTrials: 40, nJobs: 3) { trial, budget in
            try trial.suggestFloat("x", 0, 1) + 1 / budget.resource
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 40)
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete || $0.state == .pruned })
        XCTAssertGreaterThan(try study.trials(states: [.complete]).count, 0)
    }
}
