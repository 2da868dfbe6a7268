import Foundation
import HoneSearch
import XCTest

final class HyperbandTests: XCTestCase {
    /// Table 1 of Li et al. 2018 (JMLR 18): the brackets of Hyperband for R = 81, η = 3,
    /// as (n_i, r_i) per rung, s = 4 … 0.
    static let paperTable: [[(Int, Double)]] = [
        [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        [(34, 3), (11, 9), (3, 27), (1, 81)],
        [(15, 9), (5, 27), (1, 81)],
        [(8, 27), (2, 81)],
        [(5, 81)],
    ]

    func testBracketTableMatchesThePaperForR81Eta3() throws {
        let table = try HyperbandBrackets(maxResource: 81, reductionFactor: 3)
        XCTAssertEqual(table.sMax, 4)
        XCTAssertEqual(table.brackets.map(\.s), [4, 3, 2, 1, 0])
        XCTAssertEqual(table.brackets.count, Self.paperTable.count)
        for (bracket, expected) in zip(table.brackets, Self.paperTable) {
            XCTAssertEqual(bracket.rungs.map(\.configurations), expected.map(\.0), "n_i of bracket s=\(bracket.s)")
            XCTAssertEqual(bracket.rungs.map(\.resource), expected.map(\.1), "r_i of bracket s=\(bracket.s)")
        }
        XCTAssertEqual(table.bracket(s: 3).configurations, 34)
    }

    func testBracketTableEdgeCases() throws {
        // R = 1: a single bracket, random search at full budget.
        let one = try HyperbandBrackets(maxResource: 1, reductionFactor: 3)
        XCTAssertEqual(one.sMax, 0)
        XCTAssertEqual(one.brackets.map { $0.rungs.map(\.configurations) }, [[1]])
        // R = 27, η = 3 (s_max = 3): bracket 3 = 27, 9, 3, 1 at 1, 3, 9, 27.
        let t = try HyperbandBrackets(maxResource: 27, reductionFactor: 3)
        XCTAssertEqual(t.sMax, 3)
        XCTAssertEqual(t.bracket(s: 3).rungs.map(\.configurations), [27, 9, 3, 1])
        XCTAssertEqual(t.bracket(s: 0).rungs.map(\.configurations), [4])
        // η = 2, R = 8: s_max = 3, n = ⌈4·2^s/(s+1)⌉ = 8, 6, 4, 4.
        let two = try HyperbandBrackets(maxResource: 8, reductionFactor: 2)
        XCTAssertEqual(two.brackets.map(\.configurations), [8, 6, 4, 4])
    }

    /// The synchronous scheduler evaluates exactly the table: every (bracket, rung) gets
    /// n_i jobs of resource r_i, and each bracket completes one configuration per rung-s slot.
    func testSchedulerRunsThePaperTable() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 3)
        let scheduler = try HyperbandScheduler(minResource: 1, maxResource: 81, reductionFactor: 3, iterations: 1)
        let jobs = Locked<[(trial: Int, resource: Double)]>([])
        try study.optimize(scheduler: scheduler) { trial, budget in
            let x = try trial.suggestFloat("x", 0, 1)
            jobs.mutate { $0.append((trial.number, budget.resource)) }
            return x / budget.resource + x      // better x stays better at every budget
        }
        let all = jobs.value
        for (position, expected) in Self.paperTable.enumerated() {
            let trialsOfBracket = Set(try study.trials().filter { scheduler.bracketIndex(ofTrial: $0.number) == position }.map(\.number))
            for (n, r) in expected {
                XCTAssertEqual(all.filter { trialsOfBracket.contains($0.trial) && $0.resource == r }.count, n,
                               "bracket \(position) rung r=\(r)")
            }
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 81 + 34 + 15 + 8 + 5)
        XCTAssertEqual(trials.filter { $0.state == .complete }.count, 1 + 1 + 1 + 2 + 5)
        XCTAssertEqual(trials.filter { $0.state == .pruned }.count, trials.count - 10)
        XCTAssertTrue(trials.allSatisfy { $0.state.isFinished })
    }

    func testSchedulerWithParallelWorkersRunsEveryJob() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 4)
        let scheduler = try HyperbandScheduler(minResource: 1, maxResource: 9, reductionFactor: 3, iterations: 2)
        let evaluations = Locked(0)
        try study.optimize(scheduler: scheduler, nJobs: 3) { trial, budget in
            let x = try trial.suggestFloat("x", 0, 1)
            evaluations.mutate { $0 += 1 }
            return x + 1 / budget.resource
        }
        // R = 9, η = 3: brackets (9,1)(3,3)(1,9) · (5,3)(1,9) · (3,9): 13 + 6 + 3 jobs per iteration.
        XCTAssertEqual(evaluations.value, 2 * (13 + 6 + 3))
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 2 * (9 + 5 + 3))
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete || $0.state == .pruned })
    }

    /// `stop()` ends a scheduled run as a timeout does: no job starts after it, paused
    /// trials are pruned, nothing is left running, and the call returns without an error.
    func testStopEndsTheScheduledRun() throws {
        let study = try Study.create(storage: InMemoryStorage(), seed: 6)
        let scheduler = try HyperbandScheduler(minResource: 1, maxResource: 81, reductionFactor: 3, iterations: 1)
        let jobs = Locked(0)
        try study.optimize(scheduler: scheduler) { trial, budget in
            let x = try trial.suggestFloat("x", 0, 1)
            jobs.mutate { $0 += 1 }
            if jobs.value == 10 { study.stop() }
            return x
        }
        XCTAssertEqual(jobs.value, 10, "no job after the stop")
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 10)
        XCTAssertTrue(trials.allSatisfy { $0.state == .pruned || $0.state == .complete }, "\(trials.map(\.state))")
    }

    func testPrunerFormAssignsBracketsInProportionAndNeverPrunesBracketZero() throws {
        let pruner = try HyperbandPruner(minResource: 1, maxResource: 27, reductionFactor: 3)
        // Brackets s = 3 … 0 have 27, 12, 6, 4 configurations.
        var counts = [Int: Int]()
        for n in 0..<49 { counts[pruner.bracket(ofTrial: n), default: 0] += 1 }
        XCTAssertEqual(counts, [3: 27, 2: 12, 1: 6, 0: 4])
        // Evenly interleaved: every prefix holds each bracket within one trial of its share
        // (so the never-pruning bracket 0 does not take 4 of the first 16 trials).
        var prefix = [Int: Int]()
        for n in 0..<98 {
            prefix[pruner.bracket(ofTrial: n), default: 0] += 1
            for (s, share) in [3: 27.0, 2: 12.0, 1: 6.0, 0: 4.0] {
                XCTAssertLessThan(abs(Double(prefix[s] ?? 0) - Double(n + 1) * share / 49), 1, "bracket \(s) after \(n + 1) trials")
            }
        }
        XCTAssertEqual(Set((0..<6).map { pruner.bracket(ofTrial: $0) }), [0, 1, 2, 3])

        let study = try Study.create(storage: InMemoryStorage(), pruner: pruner, seed: 5)
        try study.optimize({ t in
            let q = Double(t.number % 7)     // trial quality: lower is better
            for step in 1...27 {
                try t.report(q + 1 / Double(step), step: step)
                if try t.shouldPrune() { throw TrialPruned() }
            }
            return q
        }, nTrials: 40)
        for t in try study.trials() {
            let bracket = pruner.bracket(ofTrial: t.number)
            XCTAssertEqual(t.systemAttrs["hyperband.bracket"]?.intValue, bracket)
            if bracket == 0 { XCTAssertEqual(t.state, .complete, "bracket 0 never prunes (trial \(t.number))") }
            if t.state == .pruned {
                // Pruned exactly at a rung of its bracket: r·η^(s_max − s + k).
                let step = t.lastIntermediate!.key.step
                let rungs = (0..<4).map { k in Int(pow(3.0, Double(3 - bracket + k))) }
                XCTAssertTrue(rungs.contains(step), "trial \(t.number) of bracket \(bracket) pruned at step \(step)")
            }
        }
        XCTAssertGreaterThan(try study.trials(states: [.pruned]).count, 10)
    }

    func testAutoMaxResourceWaitsForTheFirstCompletedTrial() throws {
        let registry = AlgorithmRegistry()
        let pruner = try registry.pruner(spec: ["name": "hyperband", "max_resource": "auto"])
        XCTAssertTrue(pruner is AutoResourceHyperbandPruner)
        XCTAssertTrue(try registry.pruner(spec: "hyperband") is AutoResourceHyperbandPruner, "Optuna's default")
        let study = try Study.create(storage: InMemoryStorage(), sampler: RandomSampler(), pruner: pruner, seed: 1)
        var prunedBeforeAnyComplete = false
        try study.optimize({ trial in
            let x = try trial.suggestFloat("x", 0, 1)
            for step in 0..<9 {
                try trial.report(x + 1 / Double(step + 1), step: step)
                if try trial.shouldPrune() {
                    if try study.trials(states: [.complete]).isEmpty { prunedBeforeAnyComplete = true }
                    throw TrialPruned()
                }
            }
            return x
        }, nTrials: 40)
        XCTAssertFalse(prunedBeforeAnyComplete)
        let auto = try XCTUnwrap(pruner as? AutoResourceHyperbandPruner)
        XCTAssertEqual(try auto.pruner(study: study.view)?.maxResource, 9, "the first complete trial's last step + 1")
        XCTAssertGreaterThan(try study.trials(states: [.pruned]).count, 0)
    }
}
