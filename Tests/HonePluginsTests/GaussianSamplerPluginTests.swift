// The example C sampler plugin (examples/plugins/gaussian_sampler.c), compiled here into
// a shared library, loaded through the same loader as libhone and the CLI, and held to
// the conformance suite of the built-in samplers.

import Foundation
import HonePlugins
import HoneSearch
import HoneSearchConformance
import XCTest

final class GaussianSamplerPluginTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Compiles a C file of examples/plugins into a .so in a temporary directory.
    static func buildPlugin(_ source: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hone-plugin-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let output = dir.appendingPathComponent(URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent + ".so").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-shared", "-fPIC",
                        "-I", root.appendingPathComponent("include").path, root.appendingPathComponent(source).path, "-o", output, "-lm"]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw APIError(.error, "cc failed on \(source)") }
        return output
    }

    static let gaussian: String = {
        let path = try! buildPlugin("examples/plugins/gaussian_sampler.c")
        _ = try! PluginLoader.shared.load(path: path)
        return path
    }()

    func testLoadsOnceAndRegistersTheSampler() throws {
        let path = Self.gaussian
        XCTAssertTrue(AlgorithmRegistry.shared.hasSampler("gaussian"))
        XCTAssertEqual(try PluginLoader.shared.load(path: path), PluginNames(), "a second load of the same path registers nothing")
    }

    func testConformance() {
        _ = Self.gaussian
        SamplerConformance.run { try! AlgorithmRegistry.shared.sampler("gaussian") }
    }

    func testOptionsAreChecked() {
        _ = Self.gaussian
        XCTAssertNoThrow(try AlgorithmRegistry.shared.sampler("gaussian", options: ["sigma": 0.05, "n_startup": 3]))
        XCTAssertThrowsError(try AlgorithmRegistry.shared.sampler("gaussian", options: ["sigma": 5])) {
            XCTAssertTrue("\($0)".contains("refused"), "\($0)")
        }
        XCTAssertThrowsError(try AlgorithmRegistry.shared.sampler("gaussian", options: ["sigmaa": 0.1]))
    }

    /// The local search must beat uniform sampling on a smooth bowl over fixed seeds: a
    /// sampler that ignored the best trial would not.
    func testConcentratesAroundTheBest() throws {
        _ = Self.gaussian
        func best(_ sampler: Sampler, seed: UInt64) throws -> Double {
            let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], sampler: sampler, seed: seed)
            try study.optimize({ t in
                let x: Double = try t.suggestFloat("x", -5, 5)
                let y: Double = try t.suggestFloat("y", -5, 5)
                let w: Double = Double(try t.suggestInt("w", 1, 1000, log: true))
                let dx: Double = x - 1.5, dy: Double = y + 2, dw: Double = log(w) - log(40.0)
                return dx * dx + dy * dy + dw * dw
            }, nTrials: 60)
            return try study.bestValue()
        }
        var wins = 0
        for seed: UInt64 in 0..<8 {
            let g = try best(AlgorithmRegistry.shared.sampler("gaussian", options: ["sigma": 0.1]), seed: seed)
            let r = try best(RandomSampler(), seed: seed)
            if g < r { wins += 1 }
        }
        XCTAssertGreaterThanOrEqual(wins, 6, "the Gaussian sampler beat random search on \(wins) of 8 seeds")
    }

    func testBrokenPluginsGiveClearErrors() throws {
        XCTAssertThrowsError(try PluginLoader.shared.load(path: "/nonexistent/plugin.so")) {
            XCTAssertEqual(($0 as? APIError)?.status, .notFound)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hone-plugin-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let notALibrary = dir.appendingPathComponent("text.so")
        try "not an ELF file".write(to: notALibrary, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PluginLoader.shared.load(path: notALibrary.path)) {
            XCTAssertEqual(($0 as? APIError)?.status, .io, "\($0)")
        }
    }
}

/// A pruner written in C (tests/plugins/above_pruner.c: prunes above a limit), held to the
/// pruners' conformance suite; its instances are destroyed with their studies.
final class NativePrunerPluginTests: XCTestCase {
    typealias LiveCount = @convention(c) () -> Int32

    static let library: String = {
        let path = try! GaussianSamplerPluginTests.buildPlugin("tests/plugins/above_pruner.c")
        _ = try! PluginLoader.shared.load(path: path)
        return path
    }()

    func testConformanceAndLifetime() throws {
        let path = Self.library
        PrunerConformance.run { try! AlgorithmRegistry.shared.pruner("test-above", options: ["limit": 2]) }
        let handle = try XCTUnwrap(dlopen(path, RTLD_NOW | RTLD_NOLOAD))
        let live = unsafeBitCast(try XCTUnwrap(dlsym(handle, "registrations_live_instances")), to: LiveCount.self)
        let before = live()
        var pruner: Pruner? = try AlgorithmRegistry.shared.pruner("test-above", options: ["limit": 2])
        XCTAssertEqual(live(), before + 1)
        do {
            let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], pruner: pruner!, seed: 1)
            try study.optimize({ t in
                try t.report(1, step: 0)
                return try t.suggestFloat("x", 0, 1)
            }, nTrials: 3)
        }
        pruner = nil
        XCTAssertNil(pruner)
        XCTAssertEqual(live(), before, "the C instance is destroyed with the last reference to its pruner")
        XCTAssertThrowsError(try AlgorithmRegistry.shared.pruner("test-above", options: ["refuse": true]))
    }

    /// The limit decides: trials whose reports exceed it are pruned, the others complete.
    func testPrunesAboveItsLimit() throws {
        _ = Self.library
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], sampler: RandomSampler(),
                                     pruner: try AlgorithmRegistry.shared.pruner("test-above", options: ["limit": 0.5]), seed: 2)
        try study.optimize({ t in
            let x = try t.suggestFloat("x", 0, 1)
            try t.report(x, step: 0)
            if try t.shouldPrune() { throw TrialPruned("above") }
            return x
        }, nTrials: 40)
        for t in try study.trials() {
            let x = try XCTUnwrap(t.params["x"]?.doubleValue)
            let anyCompleteBefore = try study.trials().contains { $0.number < t.number && $0.state == .complete }
            XCTAssertEqual(t.state, x > 0.5 && anyCompleteBefore ? .pruned : .complete, "trial \(t.number) x = \(x)")
        }
    }
}
