import Foundation
import HoneSearchConformance
import HoneTensor
import XCTest
@testable import HoneSearch

final class CMAESSamplerTests: XCTestCase {
    func testConformance() {
        SamplerConformance.run(options: .init(multiObjective: true, trials: 30)) { CMAESSampler() }
    }

    /// 10-D sphere with the optimum off-centre: CMA-ES must get close, far beyond what
    /// random search could.
    func testConvergesOnTenDimensionalSphere() throws {
        let d = 10
        let optimum = (0..<d).map { -3 + 0.7 * Double($0) }
        let study = try Study.create(sampler: CMAESSampler(populationSize: nil, restarts: false), seed: 1)
        try study.optimize({ t in
            var s = 0.0
            for i in 0..<d { let x = try t.suggestFloat("x\(i)", -5, 5); s += (x - optimum[i]) * (x - optimum[i]) }
            return s
        }, nTrials: 1500)
        print("10-D sphere, best after 1500 trials: \(try study.bestValue())")
        XCTAssertLessThan(try study.bestValue(), 1e-6)
    }

    /// Rotated, ill-conditioned (10⁴) ellipsoid in 5-D: needs the covariance adaptation.
    func testConvergesOnRotatedEllipsoid() throws {
        let d = 5
        var rng = RandomGenerator(seed: 99)
        // A random rotation: Gram–Schmidt on a Gaussian matrix.
        var q: [[Double]] = []
        for _ in 0..<d {
            var v = (0..<d).map { _ in rng.normal() }
            for u in q { let p = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }; v = zip(v, u).map { $0 - p * $1 } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            q.append(v.map { $0 / norm })
        }
        let rotation = q
        let study = try Study.create(sampler: CMAESSampler(populationSize: nil, restarts: false), seed: 2)
        try study.optimize({ t in
            let x = try (0..<d).map { try t.suggestFloat("x\($0)", -4, 6) - 1 }
            var s = 0.0
            for i in 0..<d {
                let z = zip(rotation[i], x).reduce(0) { $0 + $1.0 * $1.1 }
                s += pow(1e4, Double(i) / Double(d - 1)) * z * z
            }
            return s
        }, nTrials: 1200)
        print("5-D rotated ellipsoid, best after 1200 trials: \(try study.bestValue())")
        XCTAssertLessThan(try study.bestValue(), 1e-4)
    }

    func testBeatsRandomSearchOnBraninAndHartmann6() throws {
        for (problem, trials) in [(ContinuousBenchmark.branin, 100), (.hartmann6, 150)] {
            let seeds: [UInt64] = [1, 2, 3, 4, 5]
            let cma = try seeds.map { try regret(problem, CMAESSampler(), $0, trials) }
            let random = try seeds.map { try regret(problem, RandomSampler(), $0, trials) }
            print("\(problem.bounds.count)-D regret after \(trials) trials: CMA-ES \(cma.sorted()), random \(random.sorted())")
            XCTAssertLessThan(medianOf(cma), medianOf(random))
        }
    }

    func testIntegerAndLogDimensions() throws {
        // Five seeds and the median: one seed's run depends on the last bits of LAPACK's
        // eigenvectors, which differ between OpenBLAS kernels.
        var bests: [Double] = []
        var exact = 0
        for seed: UInt64 in 1...5 {
            let study = try Study.create(sampler: CMAESSampler(), seed: seed)
            try study.optimize({ t in
                let n = try t.suggestInt("n", -20, 20)
                let k = try t.suggestInt("k", 1, 1024, log: true)
                let lr = try t.suggestFloat("lr", 1e-6, 1, log: true)
                return pow(Double(n - 7), 2) + pow(log2(Double(k)) - 5, 2) + pow(log10(lr) + 4, 2)
            }, nTrials: 200)
            let best = try study.bestTrial()
            bests.append(best.value!)
            if best.params["n"] == .int(7) && best.params["k"] == .int(32) { exact += 1 }
            for t in try study.trials() {
                XCTAssertTrue((-20...20).contains(t.params["n"]!.intValue!))
                XCTAssertTrue((1...1024).contains(t.params["k"]!.intValue!))
            }
        }
        print("CMA-ES integer/log: best values \(bests.sorted()), exact integers in \(exact) of 5")
        XCTAssertGreaterThanOrEqual(exact, 3)
        XCTAssertLessThan(medianOf(bests), 0.01)
    }

    /// IPOP: on a multimodal function (Rastrigin) the run restarts with larger populations.
    func testRestartsDoubleThePopulation() throws {
        var options = CMAESSampler.Options()
        options.functionTolerance = 1e-6   // stagnate sooner, to see restarts within the budget
        let study = try Study.create(sampler: CMAESSampler(options: options), seed: 5)
        try study.optimize({ t in
            var s = 20.0
            for i in 0..<2 {
                let x = try t.suggestFloat("x\(i)", -5.12, 5.12)
                s += x * x - 10 * cos(2 * Double.pi * x)
            }
            return s
        }, nTrials: 600)
        let restarts = Set(try study.trials().compactMap { $0.systemAttrs[CMAESSampler.restartKey]?.intValue })
        XCTAssertGreaterThanOrEqual(restarts.count, 2, "restarts seen: \(restarts.sorted())")
        // Every finished generation of restart r has exactly λ₀·2^r trials (nJobs = 1).
        let lambda0 = 4 + Int(3 * log(2.0))
        var sizes: [Int: [Int: Int]] = [:]
        for t in try study.trials() {
            // The first trial has no space to sample jointly yet: it is random and untagged.
            guard let r = t.systemAttrs[CMAESSampler.restartKey]?.intValue,
                  let g = t.systemAttrs[CMAESSampler.generationKey]?.intValue else { XCTAssertEqual(t.number, 0); continue }
            sizes[r, default: [:]][g, default: 0] += 1
        }
        print("generation sizes by restart:", sizes.keys.sorted().map { r in (r, sizes[r]!.keys.sorted().map { sizes[r]![$0]! }) })
        for (r, gens) in sizes {
            for (g, count) in gens where gens[g + 1] != nil {
                XCTAssertEqual(count, lambda0 << r, "restart \(r) generation \(g)")
            }
        }
    }

    /// The state is rebuilt from the trials' tags: a study continued by a fresh sampler
    /// (another process) proposes exactly what one uninterrupted run proposes.
    func testStateSurvivesAProcessRestart() throws {
        func objective(_ t: Trial) throws -> Double {
            var s = 0.0
            for i in 0..<3 { let x = try t.suggestFloat("x\(i)", -2, 2); s += (x - 0.5) * (x - 0.5) }
            return s
        }
        let whole = try Study.create(sampler: CMAESSampler(), seed: 8)
        try whole.optimize(objective, nTrials: 60)

        let storage = InMemoryStorage()
        let first = try Study.create(name: "s", storage: storage, sampler: CMAESSampler(), seed: 8)
        try first.optimize(objective, nTrials: 35)
        let second = try Study.load(name: "s", storage: storage, sampler: CMAESSampler(), seed: 8)
        try second.optimize(objective, nTrials: 25)
        XCTAssertEqual(try second.trials().map(\.params), try whole.trials().map(\.params))
    }

    func testParallelWorkersStayInBounds() throws {
        let study = try Study.create(sampler: CMAESSampler(), seed: 6)
        try study.optimize({ t in
            let x: Double = try t.suggestFloat("x", 0, 1) - 0.99
            let y: Double = try t.suggestFloat("y", -1, 0) + 0.99
            return x * x + y * y
        }, nTrials: 120, nJobs: 4)
        for t in try study.trials() {
            XCTAssertEqual(t.state, .complete)
            XCTAssertTrue((0...1).contains(t.params["x"]!.doubleValue!) && (-1...0).contains(t.params["y"]!.doubleValue!))
        }
        XCTAssertLessThan(try study.bestValue(), 1e-3)
    }

    /// Deterministic parallel mode: two seeded runs with four workers and randomly varying
    /// trial durations suggest exactly the same parameters for every trial number.
    func testDeterministicParallelModeRepeatsWithFourWorkers() throws {
        func run() throws -> [Int: [String: ParamValue]] {
            var o = CMAESSampler.Options()
            o.deterministicParallelism = 4
            let sampler = CMAESSampler(options: o)
            let study = try Study.create(sampler: sampler, seed: 21)
            try study.optimize({ t in
                usleep(UInt32.random(in: 0...3000))   // timing noise only; values stay seeded
                let x0: Double = try t.suggestFloat("x0", -5, 10)
                let x1: Double = try t.suggestFloat("x1", 0, 15)
                return ContinuousBenchmark.branin.f([x0, x1])
            }, nTrials: 60, nJobs: 4)
            return Dictionary(uniqueKeysWithValues: try study.trials().map { ($0.number, $0.params) })
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.count, 60)
        XCTAssertEqual(a, b)
    }

    private func regret(_ problem: ContinuousBenchmark, _ sampler: Sampler, _ seed: UInt64, _ trials: Int) throws -> Double {
        let study = try Study.create(sampler: sampler, seed: seed)
        try study.optimize({ t in
            problem.f(try problem.bounds.enumerated().map { i, b in try t.suggestFloat("x\(i)", b.0, b.1) })
        }, nTrials: trials)
        return try study.bestValue() - problem.minimum
    }
}
