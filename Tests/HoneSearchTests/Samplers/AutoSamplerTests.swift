import Foundation
import XCTest
@testable import HoneSearch

final class AutoSamplerTests: XCTestCase {
    private func observed(_ space: [String: Distribution], conditional: Bool = false) -> AutoSampler.ObservedSpace {
        var o = AutoSampler.ObservedSpace()
        o.space = SearchSpace(space); o.conditional = conditional; o.finishedTrials = 5
        return o
    }

    func testRuleTable() {
        let numeric2: [String: Distribution] = ["x": .float(0, 1), "n": .int(1, 10)]
        XCTAssertEqual(AutoSampler.decide(AutoSampler.ObservedSpace(), objectives: 1, budget: 100).algorithm, .sobol)
        XCTAssertEqual(AutoSampler.decide(observed(numeric2), objectives: 2, budget: 100).algorithm, .nsga2)
        XCTAssertEqual(AutoSampler.decide(observed(numeric2), objectives: 1, budget: 100).algorithm, .gp)
        XCTAssertEqual(AutoSampler.decide(observed(numeric2), objectives: 1, budget: nil).algorithm, .gp)
        XCTAssertEqual(AutoSampler.decide(observed(numeric2), objectives: 1, budget: 5000).algorithm, .cmaes)
        XCTAssertEqual(AutoSampler.decide(observed(numeric2, conditional: true), objectives: 1, budget: 100).algorithm, .tpe)
        var withCat = numeric2; withCat["act"] = .categorical(["relu", "tanh"])
        XCTAssertEqual(AutoSampler.decide(observed(withCat), objectives: 1, budget: 100).algorithm, .tpe)
        let wide = Dictionary(uniqueKeysWithValues: (0..<30).map { ("x\($0)", Distribution.float(0, 1)) })
        XCTAssertEqual(AutoSampler.decide(observed(wide), objectives: 1, budget: 100).algorithm, .cmaes)
        XCTAssertEqual(AutoSampler.decide(observed(["x": .float(0, 1)]), objectives: 1, budget: 5000).algorithm, .tpe)
    }

    /// Records its choice and reason; falls back (and says so) when an algorithm is missing.
    func testRecordsChoiceAndFallsBack() throws {
        let study = try runStudy(AutoSampler(budget: 40, factory: { a in a == .gp ? nil : AutoSampler.builtIn(a) }),
                                 seed: 1, nTrials: 40, braninObjective)
        let attr = try XCTUnwrap(try study.systemAttributes()[AutoSampler.studyAttribute])
        guard case .object(let o) = attr else { return XCTFail("\(attr)") }
        XCTAssertEqual(o["algorithm"], "tpe")
        XCTAssertTrue(o["reason"]?.stringValue?.contains("gp is not available") == true, "\(o)")
        let trials = try study.trials()
        XCTAssertEqual(trials[0].systemAttrs[AutoSampler.trialAttribute], "sobol")
        XCTAssertEqual(trials[39].systemAttrs[AutoSampler.trialAttribute], "tpe")
        XCTAssertLessThan(try study.bestValue() - TestFunctions.braninMinimum, 0.5)
    }

    /// A discovered branch switches the choice to TPE.
    func testSwitchesToTPEWhenSpaceTurnsConditional() throws {
        let picked = Box()
        let sampler = AutoSampler(budget: 30, factory: { a in
            a == .gp ? PickRecorder(name: "gp-stand-in", box: picked) : AutoSampler.builtIn(a)
        })
        let study = try runStudy(sampler, seed: 2, nTrials: 30) { t in
            let x = try t.suggestFloat("x", 0, 1)
            if t.number >= 10 { return x + (try t.suggestFloat("y", 0, 1)) }
            return x
        }
        guard case .object(let o)? = try study.systemAttributes()[AutoSampler.studyAttribute] else { return XCTFail() }
        XCTAssertEqual(o["algorithm"], "tpe")
        XCTAssertGreaterThan(picked.count, 0, "GP was chosen while the space was one numeric dimension")
        XCTAssertEqual(try study.trials().last?.systemAttrs[AutoSampler.trialAttribute], "tpe")
    }

    /// Numeric space: once a quadratic model can be fitted, three of every four trials go to
    /// the trust region, and the refinement shows in the result.
    func testHandsThreeOfFourTrialsToTheTrustRegion() throws {
        let study = try runStudy(AutoSampler(budget: 40), seed: 4, nTrials: 40, braninObjective)
        let trials = try study.trials()
        for t in trials where t.number >= 12 {
            XCTAssertEqual(t.systemAttrs[AutoSampler.trialAttribute], t.number % 4 == 0 ? "gp" : "trust-region", "trial \(t.number)")
        }
        XCTAssertTrue(trials.contains { $0.systemAttrs[TrustRegionSampler.radiusAttribute] != nil })
        XCTAssertLessThan(try study.bestValue() - TestFunctions.braninMinimum, 1e-6)
    }

    func testSameSeedSameSuggestions() throws {
        func params(_ seed: UInt64) throws -> [[String: ParamValue]] {
            try runStudy(AutoSampler(), seed: seed, nTrials: 25, braninObjective).trials().map(\.params)
        }
        XCTAssertEqual(try params(3), try params(3))
    }
}

final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// Stands in for a sampler of another branch: random values, counts its uses.
final class PickRecorder: Sampler, @unchecked Sendable {
    let name: String
    let box: Box
    let random = RandomSampler()
    init(name: String, box: Box) { self.name = name; self.box = box }
    func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        box.add()
        return try random.sampleIndependent(study: study, trial: trial, name: name, distribution: distribution)
    }
}
