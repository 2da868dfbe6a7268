import Foundation
import HoneSearchProblems
import HoneTensor
import XCTest
@testable import HoneSearch

/// The test functions of bench/search, and the claim the benchmark rests on: model-based
/// samplers beat random search on them over fixed seeds.
final class BenchmarkProblemTests: XCTestCase {
    func testMinimaAreReachedAtTheMinimizers() {
        for p in BenchmarkProblem.standard {
            XCTAssertEqual(p(p.minimizer), p.minimum, accuracy: 1e-12, p.name)
            XCTAssertEqual(p.regret(p(p.minimizer)), 0, accuracy: 1e-12, p.name)
        }
        // Branin's other two minimisers.
        XCTAssertEqual(BenchmarkProblem.branin([-Double.pi, 12.275]), BenchmarkProblem.branin.minimum, accuracy: 1e-12)
        XCTAssertEqual(BenchmarkProblem.branin([3 * Double.pi, 2.475]), BenchmarkProblem.branin.minimum, accuracy: 1e-12)
    }

    /// No point of the box (published or shifted) is below the stated minimum, so regret is
    /// never negative; random points and small steps around the minimiser both checked.
    func testNoPointBeatsTheMinimumInEitherBox() {
        var rng = RandomGenerator(seed: 11)
        for base in BenchmarkProblem.standard {
            for p in [base, base.shifted()] {
                for _ in 0..<5000 {
                    let x = (0..<p.dimension).map { p.lower[$0] + rng.uniform() * (p.upper[$0] - p.lower[$0]) }
                    XCTAssertGreaterThanOrEqual(p(x), p.minimum - 1e-12, p.name)
                }
                for _ in 0..<500 {
                    let x = p.minimizer.map { $0 + 1e-3 * rng.normal() }
                    XCTAssertGreaterThanOrEqual(p(x), p.minimum - 1e-12, p.name)
                }
            }
        }
    }

    func testShiftedBoxMovesTheMinimizerOffCentre() throws {
        for base in BenchmarkProblem.standard {
            let p = base.shifted()
            XCTAssertEqual(p.name, base.name + "-shifted")
            XCTAssertEqual(try XCTUnwrap(BenchmarkProblem.named(p.name)).lower, p.lower)
            for j in 0..<p.dimension {
                XCTAssertEqual(p.upper[j] - p.lower[j], base.upper[j] - base.lower[j], accuracy: 1e-12)
                let relative = (p.minimizer[j] - p.lower[j]) / (p.upper[j] - p.lower[j])
                XCTAssertEqual(relative, j % 2 == 0 ? 0.15 : 0.85, accuracy: 1e-12, "\(p.name) x\(j)")
            }
        }
        XCTAssertNil(BenchmarkProblem.named("sphere"))
    }

    // MARK: Samplers against random search

    /// Median simple regret over `seeds` fresh studies of `evals` evaluations.
    private func medianRegret(_ make: () -> Sampler, _ p: BenchmarkProblem, seeds: ClosedRange<UInt64>, evals: Int) throws -> Double {
        var regrets: [Double] = []
        for seed in seeds {
            let study = try Study.create(sampler: make(), seed: seed)
            var best = Double.infinity
            for _ in 0..<evals {
                let t = try study.ask()
                let x = try p.parameterNames.indices.map { try t.suggestFloat(p.parameterNames[$0], p.lower[$0], p.upper[$0]) }
                let y = p(x)
                best = min(best, y)
                try study.tell(t, value: y)
            }
            regrets.append(p.regret(best))
        }
        return median(regrets)
    }

    func testGPAndAutoBeatRandomOnHartmann3() throws {
        let p = BenchmarkProblem.hartmann3
        let random = try medianRegret({ RandomSampler() }, p, seeds: 1...3, evals: 30)
        let gp = try medianRegret({ GPSampler() }, p, seeds: 1...3, evals: 30)
        let auto = try medianRegret({ AutoSampler() }, p, seeds: 1...3, evals: 30)
        print(String(format: "Hartmann3, 30 evaluations, median regret: random %.3g, gp %.3g, auto %.3g", random, gp, auto))
        // Seeds 1–3 (debug build): random 0.46, gp 1.0e-5, auto 2.1e-5.
        XCTAssertLessThan(gp, random / 100)
        XCTAssertLessThan(auto, random / 100)
    }

    func testAutoBeatsRandomOnRosenbrock4() throws {
        let p = BenchmarkProblem.rosenbrock4
        let random = try medianRegret({ RandomSampler() }, p, seeds: 1...3, evals: 40)
        let auto = try medianRegret({ AutoSampler() }, p, seeds: 1...3, evals: 40)
        print(String(format: "Rosenbrock-4, 40 evaluations, median regret: random %.4g, auto %.4g", random, auto))
        // Seeds 1–3: random 6117, auto 478.
        XCTAssertLessThan(auto, random / 5)
    }

    func testTPEBeatsRandomOnShiftedBranin() throws {
        let p = BenchmarkProblem.branin.shifted()
        let random = try medianRegret({ RandomSampler() }, p, seeds: 1...5, evals: 60)
        let tpe = try medianRegret({ TPESampler() }, p, seeds: 1...5, evals: 60)
        print(String(format: "Branin (shifted), 60 evaluations, median regret: random %.3g, tpe %.3g", random, tpe))
        XCTAssertLessThan(tpe, random)
    }
}
