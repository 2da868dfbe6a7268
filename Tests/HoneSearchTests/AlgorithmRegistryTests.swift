import XCTest
@testable import HoneSearch

final class AlgorithmRegistryTests: XCTestCase {
    func testBuiltInsByNameAndSpec() throws {
        let r = AlgorithmRegistry()
        XCTAssertEqual(try r.sampler("tpe").name, TPESampler().name)
        XCTAssertTrue(try r.sampler(spec: ["name": "cmaes", "population_size": 8]) is CMAESSampler)
        XCTAssertTrue(try r.pruner(spec: ["name": "hyperband", "max_resource": 27]) is HyperbandPruner)
        XCTAssertTrue(try r.pruner(spec: "none") is NopPruner)
    }

    func testGridByNameRunsEveryPointOnceAndStops() throws {
        let r = AlgorithmRegistry()
        let sampler = try r.sampler(spec: ["name": "grid", "search_space": ["x": [0.5, 1, 2], "c": ["a", "b"]]])
        let study = try Study.create(sampler: sampler, seed: 3)
        try study.optimize({ t in
            try t.suggestFloat("x", 0, 4) + (try t.suggestCategorical("c", ["a", "b"]) == "a" ? 0 : 10)
        }, nTrials: 100)
        let trials = try study.trials()
        XCTAssertEqual(trials.count, 6)
        XCTAssertEqual(Set(trials.map { "\($0.params["x"]!)\($0.params["c"]!)" }).count, 6)
        XCTAssertThrowsError(try r.sampler("grid")) { XCTAssertTrue("\($0)".contains("search_space"), "\($0)") }
        XCTAssertThrowsError(try r.sampler(spec: ["name": "grid", "search_space": ["x": 3]])) {
            XCTAssertTrue("\($0)".contains("search_space[\"x\"]"), "\($0)")
        }
        XCTAssertThrowsError(try r.sampler(spec: ["name": "grid", "search_space": ["x": [1, 1]]])) {
            XCTAssertTrue("\($0)".contains("duplicate"), "\($0)")
        }
    }

    func testErrorsNameWhatIsWrong() {
        let r = AlgorithmRegistry()
        XCTAssertThrowsError(try r.sampler("tpee")) { XCTAssertTrue("\($0)".contains("unknown sampler 'tpee'"), "\($0)") }
        XCTAssertThrowsError(try r.sampler("tpe", options: ["n_startup": 3])) {
            XCTAssertTrue("\($0)".contains("\"n_startup\""), "\($0)")
        }
        XCTAssertThrowsError(try r.sampler("tpe", options: ["n_startup_trials": "ten"])) {
            XCTAssertTrue("\($0)".contains("n_startup_trials") && "\($0)".contains("integer"), "\($0)")
        }
        XCTAssertThrowsError(try r.sampler("tpe", options: ["bandwidths": "wide"])) {
            XCTAssertTrue("\($0)".contains("bandwidths") && "\($0)".contains("per_side"), "\($0)")
        }
        XCTAssertEqual((try r.sampler("tpe", options: ["bandwidths": "per_side"]) as? TPESampler)?.options.bandwidths, .perSide)
        XCTAssertThrowsError(try r.pruner("asha")) { XCTAssertTrue("\($0)".contains("max_resource"), "\($0)") }   // hyperband alone is "auto"
        XCTAssertThrowsError(try r.pruner(spec: ["max_resource": 3])) { XCTAssertTrue("\($0)".contains("\"name\""), "\($0)") }
        XCTAssertThrowsError(try r.sampler("random", options: ["seed": 1])) { XCTAssertTrue("\($0)".contains("takes none"), "\($0)") }
    }

    func testRegistrationRules() throws {
        let r = AlgorithmRegistry()
        try r.registerSampler("mine") { _ in RandomSampler() }
        XCTAssertTrue(r.samplerNames.contains("mine"))
        XCTAssertThrowsError(try r.registerSampler("mine") { _ in RandomSampler() })
        XCTAssertNoThrow(try r.registerSampler("mine", replace: true) { _ in RandomSampler() })
        XCTAssertThrowsError(try r.registerSampler("tpe", replace: true) { _ in RandomSampler() })
        XCTAssertThrowsError(try r.registerPruner("bad name!") { _ in NopPruner() })
        XCTAssertFalse(AlgorithmRegistry().hasSampler("mine"), "registries are independent")
    }

    func testEverySchedulerByNameRunsThroughTheOneOptimize() throws {
        let r = AlgorithmRegistry()
        XCTAssertEqual(r.schedulerNames, ["asha", "async_pbt", "bohb", "hyperband", "pbt", "successive_halving"])
        let specs: [(JSONValue, Int)] = [
            (["name": "successive_halving", "n_configurations": 9, "max_resource": 9], 9),
            (["name": "hyperband", "max_resource": 9, "iterations": 1], 12),   // 17 configurations; nTrials 12 ends it
            (["name": "asha", "max_resource": 9], 12),
            (["name": "pbt", "population_size": 3, "generations": 2, "steps_per_generation": 2, "explored": ["x"]], 6),
            (["name": "async_pbt", "population_size": 3, "total_steps": 4, "steps_per_ready": 2], 6),
        ]
        for (spec, expectedTrials) in specs {
            let study = try Study.create(storage: InMemoryStorage(), sampler: RandomSampler(), seed: 3)
            let finished = LockedCount()
            try study.optimize({ trial in
                let x = try trial.suggestFloat("x", 0, 1)
                let work = try XCTUnwrap(trial.work, "\(spec.jsonText)")
                XCTAssertLessThan(work.start, work.budget)
                XCTAssertLessThanOrEqual(work.budget, work.maxBudget)
                return [x + 1 / work.budget]
            }, scheduler: try r.scheduler(spec: spec), nTrials: 12, callbacks: [{ _, _ in finished.add() }])
            let trials = try study.trials()
            XCTAssertEqual(trials.count, expectedTrials, "\(spec.jsonText)")
            XCTAssertTrue(trials.allSatisfy(\.state.isFinished), "\(spec.jsonText)")
            XCTAssertEqual(finished.value, trials.count, "a callback per finished trial: \(spec.jsonText)")
        }
    }

    func testSchedulerOptionsAndTheBOHBSamplerRule() throws {
        let r = AlgorithmRegistry()
        XCTAssertThrowsError(try r.scheduler(spec: "hyperband")) { XCTAssertTrue("\($0)".contains("scheduler 'hyperband' needs \"max_resource\""), "\($0)") }
        XCTAssertThrowsError(try r.scheduler(spec: ["name": "pbt", "population_size": 4, "generations": 2, "steps_per_generation": 1,
                                                    "explored": [1]])) { XCTAssertTrue("\($0)".contains("\"explored\""), "\($0)") }
        XCTAssertThrowsError(try r.scheduler(spec: ["name": "pbt", "population_size": 1, "generations": 2, "steps_per_generation": 1]))
        XCTAssertEqual(try AlgorithmRegistry.samplerSpec(sampler: nil, scheduler: nil), "auto")
        XCTAssertEqual(try AlgorithmRegistry.samplerSpec(sampler: nil, scheduler: ["name": "bohb", "max_resource": 9]), "bohb")
        XCTAssertEqual(try AlgorithmRegistry.samplerSpec(sampler: "tpe", scheduler: ["name": "hyperband", "max_resource": 9]), "tpe")
        XCTAssertThrowsError(try AlgorithmRegistry.samplerSpec(sampler: "tpe", scheduler: "bohb"))
        XCTAssertNoThrow(try r.sampler(spec: ["name": "bohb", "n_candidates": 16, "random_fraction": 0.5]))
    }
}

private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
