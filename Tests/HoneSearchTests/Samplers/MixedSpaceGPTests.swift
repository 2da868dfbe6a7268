import Foundation
import XCTest
@testable import HoneSearch
import HoneTensor

/// The GP on mixed (categorical, integer) and conditional spaces (MixedSpaceGP.swift).
final class MixedSpaceGPTests: XCTestCase {
    /// The overlap kernel's gradient in its lengthscales (and the rest) is the finite difference.
    func testMarginalLikelihoodGradientWithCategoricalsMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 6)
        let n = 18, d = 3
        // Two numeric coordinates, one categorical with 3 values (and −1: inactive).
        var x: [Double] = []
        for _ in 0..<n { x += [rng.uniform(), rng.uniform(), Double(rng.int(below: 4) - 1)] }
        let y = (0..<n).map { i in sin(4 * x[i * d]) + x[i * d + 1] + (x[i * d + 2] == 1 ? 0.7 : 0) }
        let theta = [log(0.6), log(0.9), log(1.3), 0.2, log(0.03)]
        var g = [Double](repeating: 0, count: 5), scratch = g
        let f0 = GaussianProcess.negativeLogPosterior(theta, inputs: x, targets: y, dimension: d, categoricalStart: 2,
                                                      noiseFloor: 1e-6, gradient: &g)
        XCTAssertTrue(f0.isFinite)
        XCTAssertNotEqual(g[2], 0, "the categorical lengthscale has a gradient")
        for j in 0..<5 {
            var up = theta, down = theta
            up[j] += 1e-6; down[j] -= 1e-6
            let fu = GaussianProcess.negativeLogPosterior(up, inputs: x, targets: y, dimension: d, categoricalStart: 2,
                                                          noiseFloor: 1e-6, gradient: &scratch)
            let fd = GaussianProcess.negativeLogPosterior(down, inputs: x, targets: y, dimension: d, categoricalStart: 2,
                                                          noiseFloor: 1e-6, gradient: &scratch)
            XCTAssertEqual(g[j], (fu - fd) / 2e-6, accuracy: 1e-4 * max(1, abs(g[j])), "component \(j)")
        }
    }

    /// Categories are compared by overlap only: the posterior at a category is the same
    /// whatever index the other categories have, and the mean's gradient ignores them.
    func testOverlapKernelIgnoresTheOrderOfChoices() throws {
        let theta = GPHyperparameters(logLengthscales: [log(0.5), log(0.7)], logSignalVariance: 0, logNoiseExcess: log(1e-4))
        let targets = [0.3, -0.2, 1.0]
        let a = try XCTUnwrap(GaussianProcess(inputs: [0.2, 0, 0.5, 1, 0.8, 2], targets: targets, dimension: 2,
                                              hyperparameters: theta, noiseFloor: 1e-10, categoricalStart: 1))
        // Relabel the categories 1 ↔ 2: nothing changes for a query at category 0.
        let b = try XCTUnwrap(GaussianProcess(inputs: [0.2, 0, 0.5, 2, 0.8, 1], targets: targets, dimension: 2,
                                              hyperparameters: theta, noiseFloor: 1e-10, categoricalStart: 1))
        let pa = a.predict([0.4, 0]), pb = b.predict([0.4, 0])
        XCTAssertEqual(pa.mean, pb.mean, accuracy: 1e-12)
        XCTAssertEqual(pa.variance, pb.variance, accuracy: 1e-12)
        var g = [0.0, 0.0], gv = [0.0, 0.0]
        let w = GaussianProcess.Workspace(count: 3)
        _ = [0.4, 0.0].withUnsafeBufferPointer { q in
            g.withUnsafeMutableBufferPointer { mg in gv.withUnsafeMutableBufferPointer { vg in
                a.predict(q, workspace: w, meanGradient: mg, varianceGradient: vg)
            } }
        }
        XCTAssertEqual(g[1], 0); XCTAssertEqual(gv[1], 0)
        XCTAssertNotEqual(g[0], 0)
    }

    /// Branches are read off the trials; the family chooses its branches (two for svm, split
    /// by a nested kernel choice), a categorical shared by branches stays free.
    func testBranchesOfAConditionalSpace() {
        let space = SearchSpace([
            "family": .categorical(["mlp", "svm"]), "lr": .float(1e-4, 1, log: true),
            "C": .float(1e-3, 1e3, log: true), "kernel": .categorical(["rbf", "poly"]), "degree": .int(2, 5),
            "opt": .categorical(["adam", "sgd"]),
        ])
        let e = MixedSpaceEncoding(space: space)
        let trials: [[String: ParamValue]] = [
            ["family": "mlp", "lr": .float(0.01), "opt": "adam"],
            ["family": "mlp", "lr": .float(0.1), "opt": "sgd"],
            ["family": "svm", "C": .float(1), "kernel": "rbf", "opt": "adam"],
            ["family": "svm", "C": .float(10), "kernel": "poly", "degree": .int(3), "opt": "sgd"],
        ]
        let points = trials.map { e.encode($0, allowInactive: true)! }
        let branches = SpaceBranch.branches(of: points, encoding: e)
        XCTAssertEqual(branches.count, 3)   // mlp; svm with rbf; svm with poly
        func allowed(_ b: SpaceBranch, _ name: String) -> [ParamValue] {
            let k = e.categorical.firstIndex { $0.name == name }!
            return b.allowed[k].map { e.categorical[k].distribution.choices[$0] }
        }
        let mlp = branches[0], poly = branches[2]
        XCTAssertEqual(allowed(mlp, "family"), ["mlp"])
        XCTAssertEqual(allowed(poly, "family"), ["svm"])
        XCTAssertEqual(allowed(poly, "kernel"), ["poly"])
        XCTAssertEqual(allowed(mlp, "opt"), ["adam", "sgd"])
        // Decoding a point of the mlp branch gives only the mlp parameters.
        let decoded = e.decode(points[0].x, active: mlp.active)
        XCTAssertEqual(Set(decoded.keys), ["family", "lr", "opt"])
        XCTAssertEqual(decoded["family"], "mlp")
        XCTAssertEqual(decoded["opt"], "adam")
    }

    /// Integer neighbours are the adjacent admissible values, on linear and log scales.
    func testNeighbourCellsOfIntegers() {
        let e = MixedSpaceEncoding(space: SearchSpace(["n": .int(1, 10), "w": .int(8, 512, log: true), "x": .float(0, 1)]))
        let names = e.numeric.map(\.name)
        var x = [Double](repeating: 0.5, count: e.dimension)
        let n = names.firstIndex(of: "n")!, w = names.firstIndex(of: "w")!, c = names.firstIndex(of: "x")!
        x[n] = e.numeric[n].distribution.toUnit(4)
        x[w] = e.numeric[w].distribution.toUnit(100)
        XCTAssertEqual(e.neighbourCells(x, n).map { e.numeric[n].distribution.fromUnit($0) }, [3, 5])
        XCTAssertEqual(e.neighbourCells(x, w).map { e.numeric[w].distribution.fromUnit($0) }, [99, 101])
        XCTAssertTrue(e.neighbourCells(x, c).isEmpty)
        x[n] = e.numeric[n].distribution.toUnit(1)
        XCTAssertEqual(e.neighbourCells(x, n).map { e.numeric[n].distribution.fromUnit($0) }, [2])
    }

    /// A conditional objective: the branch with the optimum is found and refined, and every
    /// proposal of the model is a whole, consistent branch.
    func testConditionalSpaceFindsTheRightBranch() throws {
        var o = GPSampler.Options(); o.conditional = true; o.startupTrials = 8
        let study = try Study.create(sampler: GPSampler(options: o), seed: 3)
        try study.optimize({ t in
            switch try t.suggestCategorical("family", ["a", "b", "c"]) {
            case "a": return 1 + pow(try t.suggestFloat("a_x", 0, 1) - 0.3, 2)
            case "b":
                let x = try t.suggestFloat("b_x", 0, 1), n = try t.suggestInt("b_n", 1, 20)
                return pow(x - 0.7, 2) + 0.01 * pow(Double(n - 13), 2)
            default: return 2 + (try t.suggestFloat("c_x", 0, 1))
            }
        }, nTrials: 45)
        let best = try study.bestTrial()
        XCTAssertEqual(best.params["family"], "b")
        XCTAssertLessThan(best.value!, 0.01, "best \(best.params)")
        XCTAssertEqual(best.params["b_n"], .int(13))
        // After the startup the family's branch is proposed most of the time: every odd trial
        // but a few; the even ones go to the other branches once the search stagnates
        // (`branchTurnsOnStagnation`), so half of all.
        let late = try study.trials().filter { $0.number >= 25 }
        XCTAssertGreaterThanOrEqual(late.filter { $0.params["family"] == "b" }.count, late.count / 2)
        let odd = late.filter { $0.number % 2 == 1 }
        XCTAssertGreaterThan(odd.filter { $0.params["family"] == "b" }.count, 3 * odd.count / 4)
    }

    /// A trap (`branchTurnsOnStagnation`): family "easy" is resolved in a few trials to its
    /// floor 0.075; family "ridge" is better (0.070) only on a thin ridge that random points
    /// miss. Once the search stagnates, the even-numbered trials go to the branch other than
    /// the incumbent's; without the option no trial does.
    func testStagnationTurnsToTheOtherBranches() throws {
        func run(_ turns: Bool) throws -> [FrozenTrial] {
            var o = GPSampler.Options(); o.conditional = true; o.startupTrials = 8; o.branchTurnsOnStagnation = turns
            let study = try Study.create(sampler: GPSampler(options: o), seed: 5)
            try study.optimize({ t in
                if try t.suggestCategorical("family", ["easy", "ridge"]) == "easy" {
                    return 0.075 + 0.02 * pow(try t.suggestFloat("e_x", 0, 1) - 0.5, 2)
                }
                let x = try t.suggestFloat("r_x", 0, 1), y = try t.suggestFloat("r_y", 0, 1)
                return 0.07 + 3 * pow(x + y - 1, 2) + 0.05 * pow(x - 0.3, 2)
            }, nTrials: 50)
            return try study.trials()
        }
        let trials = try run(true)
        let turns = trials.filter { $0.systemAttrs["gp.mode"] == .string("branch-turn") }
        XCTAssertFalse(turns.isEmpty, "no branch turn in 50 trials")
        for t in turns {
            XCTAssertEqual(t.number % 2, 0)
            let incumbent = try XCTUnwrap(trials.filter { $0.number < t.number && $0.value != nil }.min { $0.value! < $1.value! })
            XCTAssertNotEqual(t.params["family"], incumbent.params["family"], "trial \(t.number) stayed in the incumbent's branch")
        }
        XCTAssertTrue(try run(false).allSatisfy { $0.systemAttrs["gp.mode"] != .string("branch-turn") })
    }

    /// A branch whose turns the pruner keeps stopping gets no more of them
    /// (`branchTurnWindow`): with noisy values the incumbent's branch soon stagnates, and
    /// without the window every second trial went on to the hopeless branch — as in `hone
    /// auto`'s image searches, where Hyperband stopped turn after turn into the MLP branches.
    func testBranchTurnsStopWhereThePrunerStopsThem() throws {
        func turns(window: Int?) throws -> (hopeless: Int, all: Int) {
            var o = GPSampler.Options(); o.conditional = true; o.startupTrials = 8; o.branchTurnWindow = window
            let study = try Study.create(sampler: GPSampler(options: o), seed: 4)
            try study.optimize({ t in
                // Noise from the trial number: the same study repeats exactly.
                var rng = RandomGenerator.derived(seed: 11, UInt64(t.number))
                let noise = 0.02 * (rng.uniform() - 0.5)
                if try t.suggestCategorical("family", ["good", "hopeless"]) == "good" {
                    return pow(try t.suggestFloat("g_x", 0, 1) - 0.4, 2) + noise
                }
                _ = try t.suggestFloat("h_x", 0, 1)
                _ = try t.suggestFloat("h_y", 0, 1)
                // The random start's trials complete (so the branch is modelled); later a
                // pruner stops such a far worse network after its first epoch.
                guard t.number >= 8 else { return 1 + noise }
                try t.report(1 + noise, step: 1)
                throw TrialPruned()
            }, nTrials: 60)
            let turns = try study.trials().filter { $0.systemAttrs["gp.mode"] == .string("branch-turn") }
            return (turns.filter { $0.params["family"] == "hopeless" }.count, turns.count)
        }
        let bounded = try turns(window: 3), unbounded = try turns(window: nil)
        XCTAssertGreaterThan(unbounded.hopeless, 12, "the case does not stagnate: \(unbounded) turns without a window")
        XCTAssertLessThanOrEqual(bounded.hopeless, 4, "\(bounded) turns with a window of 3, \(unbounded) without")
    }

    /// A failed region is not proposed again and again.
    func testFailedTrialsAreAvoided() throws {
        let study = try Study.create(sampler: GPSampler(startupTrials: 6), seed: 2)
        try study.optimize({ t in
            let x = try t.suggestFloat("x", 0, 1), y = try t.suggestFloat("y", 0, 1)
            // The model's optimum would be in the corner x, y > 0.8, which fails.
            if x > 0.8 && y > 0.8 { throw StudyError.invalidArgument("diverged") }
            return -(x + y)
        }, nTrials: 40, catchErrors: true)
        let failed = try study.trials().filter { $0.state == .fail }.count
        XCTAssertLessThan(failed, 12, "\(failed) of 40 trials failed")
        XCTAssertLessThan(try study.bestValue(), -1.5)
    }
}
