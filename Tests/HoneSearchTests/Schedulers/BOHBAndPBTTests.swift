import Foundation
import HoneSearch
import HoneSearchConformance
import HoneTensor
import XCTest

final class BOHBTests: XCTestCase {
    func testModelBudgetIsTheLargestWithEnoughPoints() {
        func obs(_ budget: Int, _ n: Int) -> [BOHBSampler.Observation] {
            (0..<n).map { _ in .init(params: [:], budget: budget, loss: 0) }
        }
        let all = obs(1, 9) + obs(3, 4) + obs(9, 1)
        XCTAssertEqual(BOHBSampler.modelBudget(all, needed: 4), 3)
        XCTAssertEqual(BOHBSampler.modelBudget(all, needed: 5), 1)
        XCTAssertNil(BOHBSampler.modelBudget(all, needed: 10))
    }

    /// Once a budget has enough observations, model-based proposals concentrate where the
    /// good configurations were (here the loss is |x − 0.2| + |y − 0.7| at every budget).
    func testProposalsConcentrateNearGoodConfigurations() throws {
        let sampler = try BOHBSampler(randomFraction: 0)
        let study = try Study.create(storage: InMemoryStorage(), sampler: sampler, seed: 21)
        let loss: @Sendable (Double, Double) -> Double = { abs($0 - 0.2) + abs($1 - 0.7) }
        // 30 random configurations (the model is not ready yet: no budget has d + 3 points).
        for _ in 0..<30 {
            let t = try study.ask()
            let x = try t.suggestFloat("x", 0, 1), y = try t.suggestFloat("y", 0, 1)
            try t.report(loss(x, y), step: 1)
            try study.tell(t, value: loss(x, y))
        }
        var proposals: [Double] = []
        for _ in 0..<20 {
            let t = try study.ask()
            let x = try t.suggestFloat("x", 0, 1), y = try t.suggestFloat("y", 0, 1)
            proposals.append(loss(x, y))
            try study.tell(t, value: loss(x, y))
        }
        let randomMean = 0.5 * ((0.2 * 0.2 + 0.8 * 0.8) + (0.7 * 0.7 + 0.3 * 0.3))   // E|x−a| for uniform x
        let proposalMean = proposals.reduce(0, +) / Double(proposals.count)
        XCTAssertLessThan(proposalMean, 0.6 * randomMean, "BOHB proposals are no better than random (\(proposalMean) vs \(randomMean))")
    }

    func testBOHBWithHyperbandRunsAndModelsCategoricalsAndInts() throws {
        let bohb = try BOHB(minResource: 1, maxResource: 9, reductionFactor: 3, iterations: 2)
        let study = try Study.create(storage: InMemoryStorage(), sampler: bohb.sampler, seed: 5)
        try study.optimize(scheduler: bohb.scheduler) { (trial: Trial, budget: Budget) -> Double in
            let kind: String = try trial.suggestCategorical("kind", ["a", "b", "c"])
            let width: Int = try trial.suggestInt("width", 1, 64, log: true)
            let lr: Double = try trial.suggestFloat("lr", 1e-4, 1, log: true)
            let kindLoss: Double = kind == "b" ? 0 : 1
            let widthLoss: Double = abs(Double(width) - 16) / 16
            return kindLoss + abs(log10(lr) + 2) + widthLoss + 1 / budget.resource
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 2 * (9 + 5 + 3))
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete || $0.state == .pruned })
    }

    func testSamplerConformance() {
        SamplerConformance.run { try! BOHBSampler() }
    }
}

final class PBTPlanTests: XCTestCase {
    func testBottomExploitsTopAndOthersContinue() throws {
        let pbt = try PopulationBasedTraining(populationSize: 5, generations: 2, stepsPerGeneration: 3,
                                          truncation: 0.2, resampleProbability: 0)
        let dists: [String: Distribution] = ["lr": .float(1e-4, 1, log: true), "width": .int(8, 256), "act": .categorical([.string("relu"), .string("tanh")])]
        let last = (0..<5).map { m in
            (trial: 10 + m, score: [0.5, 0.9, 0.1, 0.7, 0.3][m],
             params: ["lr": ParamValue.float(0.01 * Double(m + 1)), "width": .int(100), "act": .string("relu")], distributions: dists)
        }
        var rng = RandomGenerator(seed: 1)
        let plan = pbt.plan(generation: 1, last: last, direction: .maximize, rng: &rng)
        XCTAssertEqual(plan.map(\.segment.startStep), [3, 3, 3, 3, 3])
        XCTAssertEqual(plan.map(\.segment.endStep), [6, 6, 6, 6, 6])
        // Member 2 (score 0.1) is the bottom 20 %: it copies member 1 (0.9), the top 20 %.
        XCTAssertEqual(plan[2].segment.exploitedMember, 1)
        XCTAssertEqual(plan[2].segment.parentTrial, 11)
        let lrRatio = plan[2].params["lr"]!.doubleValue! / 0.02
        XCTAssertTrue(abs(lrRatio - 0.8) < 1e-9 || abs(lrRatio - 1.2) < 1e-9, "\(lrRatio)")
        XCTAssertTrue([80, 120].contains(plan[2].params["width"]!.intValue!))
        XCTAssertEqual(plan[2].params["act"], .string("relu"), "categoricals are only resampled")
        for m in [0, 1, 3, 4] {
            XCTAssertNil(plan[m].segment.exploitedMember)
            XCTAssertEqual(plan[m].segment.parentTrial, 10 + m)
            XCTAssertEqual(plan[m].params, last[m].params)
        }
    }

    /// N = 3 with truncation 0.5: top and bottom are two members each, so the middle one is
    /// in both. It used to be able to draw itself as the member to copy (a "copy" of its own
    /// checkpoint, explored as if exploited); it must copy the best member instead.
    func testNoMemberExploitsItself() throws {
        let pbt = try PopulationBasedTraining(populationSize: 3, generations: 2, stepsPerGeneration: 1, truncation: 0.5, resampleProbability: 0)
        let dists: [String: Distribution] = ["lr": .float(1e-4, 1, log: true)]
        let last = (0..<3).map { m in
            (trial: m, score: [0.5, 0.9, 0.1][m], params: ["lr": ParamValue.float(0.1)], distributions: dists)
        }
        for seed: UInt64 in 0..<40 {
            var rng = RandomGenerator(seed: seed)
            for step in pbt.plan(generation: 1, last: last, direction: .maximize, rng: &rng) {
                if let source = step.segment.exploitedMember {
                    XCTAssertNotEqual(source, step.segment.member, "seed \(seed)")
                    if step.segment.member == 0 { XCTAssertEqual(source, 1, "the only other top member") }
                }
            }
        }
    }

    func testExploreStaysInsideDistributions() throws {
        let pbt = try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 1, truncation: 0.5, resampleProbability: 0.5)
        let dists: [String: Distribution] = ["lr": .float(0.1, 1), "n": .int(1, 3), "c": .categorical([.int(1), .int(2)])]
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<200 {
            let out = pbt.explore(["lr": .float(1), "n": .int(3), "c": .int(1)], distributions: dists, rng: &rng)
            for (k, v) in out { XCTAssertTrue(dists[k]!.contains(v), "\(k) = \(v)") }
        }
    }

    func testPBTRunStoresSegmentsAsTrials() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 2)
        let pbt = try PopulationBasedTraining(populationSize: 4, generations: 3, stepsPerGeneration: 2, truncation: 0.25)
        // A "model" whose score grows with steps at a rate set by its hyperparameter.
        try study.optimize(pbt: pbt) { trial, segment in
            let rate = try trial.suggestFloat("rate", 0.01, 1, log: true)
            return Double(segment.endStep) * rate
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 12)
        XCTAssertEqual(trials.compactMap { $0.systemAttrs["pbt.generation"]?.intValue }.sorted(), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        XCTAssertTrue(trials.allSatisfy { $0.state == .complete })
        XCTAssertThrowsError(try Study.create(storage: InMemoryStorage(), directions: [.minimize, .minimize], seed: 1)
            .optimize(pbt: pbt) { _, _ in 0 })
    }
}

final class PBTFailureTests: XCTestCase {
    /// Two members fail in one generation while the bottom holds one: both must exploit
    /// (before, the second continued from its failed segment, which left no checkpoint).
    func testEveryFailedMemberExploits() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 4)
        let pbt = try PopulationBasedTraining(populationSize: 4, generations: 2, stepsPerGeneration: 1, truncation: 0.25)
        try study.optimize(pbt: pbt) { trial, segment in
            _ = try trial.suggestFloat("lr", 0.1, 1)
            if segment.generation == 0 && segment.member >= 2 { throw MissingCheckpoint(trial: -1) }
            return Double(segment.member)
        }
        let next = try study.trials().filter { $0.systemAttrs["pbt.generation"]?.intValue == 1 }
        for t in next where t.systemAttrs["pbt.member"]!.intValue! >= 2 {
            let source = t.systemAttrs["pbt.exploited_member"]?.intValue
            XCTAssertNotNil(source, "failed member \(t.systemAttrs["pbt.member"]!) exploits")
            XCTAssertEqual(source, 1, "the best member that did not fail")
        }
    }

    /// A failing segment fails its trial only; the member scores worst and exploits next.
    func testFailingSegmentFailsItsTrialOnly() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 2)
        let pbt = try PopulationBasedTraining(populationSize: 3, generations: 2, stepsPerGeneration: 1, truncation: 0.34)
        struct Boom: Error {}
        try study.optimize(pbt: pbt) { trial, segment in
            let rate = try trial.suggestFloat("rate", 0.01, 1, log: true)
            if segment.generation == 0 && segment.member == 1 { throw Boom() }
            return rate
        }
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 6)
        XCTAssertEqual(trials.filter { $0.state == .fail }.map { $0.systemAttrs["pbt.member"]?.intValue }, [1])
        let next = trials.first { $0.systemAttrs["pbt.generation"]?.intValue == 1 && $0.systemAttrs["pbt.member"]?.intValue == 1 }!
        XCTAssertNotNil(next.systemAttrs["pbt.exploited_member"], "the failed member exploits a better one")
        XCTAssertEqual(next.state, .complete)
    }
}
