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
        XCTAssertThrowsError(try r.pruner("hyperband")) { XCTAssertTrue("\($0)".contains("max_resource"), "\($0)") }
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
}
