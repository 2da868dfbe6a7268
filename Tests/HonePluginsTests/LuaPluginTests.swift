// The example Lua plugin (examples/plugins/local_rules.lua) through the shared loader: its
// sampler held to the samplers' conformance suite, its early-stopping rule used by a study.

import Foundation
import HonePlugins
import HoneSearch
import HoneSearchConformance
import XCTest

final class LuaPluginTests: XCTestCase {
    static let loaded: PluginNames = {
        let path = GaussianSamplerPluginTests.root.appendingPathComponent("examples/plugins/local_rules.lua").path
        return try! PluginLoader.shared.load(path: path)
    }()

    func testRegistersItsRules() {
        _ = Self.loaded
        XCTAssertTrue(AlgorithmRegistry.shared.hasSampler("lua-local"))
        XCTAssertTrue(AlgorithmRegistry.shared.hasPruner("lua-worse-than-best"))
    }

    func testSamplerConformance() {
        _ = Self.loaded
        SamplerConformance.run(options: .init(multiObjective: false)) { try! AlgorithmRegistry.shared.sampler("lua-local") }
    }

    func testStoppingRulePrunesBadTrials() throws {
        _ = Self.loaded
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], sampler: RandomSampler(),
                                     pruner: try AlgorithmRegistry.shared.pruner("lua-worse-than-best"), seed: 5)
        try study.optimize({ t in
            let x = try t.suggestFloat("x", 0, 10)
            try t.report(x, step: 0)
            if try t.shouldPrune() { throw TrialPruned("worse than best") }
            return x
        }, nTrials: 30)
        let trials = try study.trials()
        let pruned = trials.filter { $0.state == .pruned }
        XCTAssertFalse(pruned.isEmpty)
        // Every pruned trial's value was worse than 2·best + 1 of the trials finished before it.
        for t in pruned {
            let earlier = trials.filter { $0.number < t.number && $0.state == .complete }.compactMap(\.value)
            guard let best = earlier.min(), let reported = t.intermediateValues.values.first?.first else { XCTFail("trial \(t.number)"); continue }
            XCTAssertGreaterThan(reported, 2 * abs(best) + 1)
        }
    }
}
