import Foundation
import HoneSearchConformance
import XCTest
@testable import HoneSearch

/// Every sampler of samplers-a through the shared conformance suite.
final class SamplersAConformanceTests: XCTestCase {
    func testSobol() { SamplerConformance.run { SobolSampler() } }
    func testTPEMultivariate() { SamplerConformance.run { TPESampler() } }
    func testTPEUnivariateRandomStartup() {
        SamplerConformance.run { TPESampler(nStartupTrials: 5, multivariate: false, startup: .random) }
    }
    func testAuto() { SamplerConformance.run { AutoSampler() } }

    /// A grid over every name the suite asks for. Skipped: "same seed … different seed:
    /// different" — a grid is the same for every seed by design.
    func testGrid() {
        var values: [String: [ParamValue]] = [:]
        for (name, d) in SamplerConformance.everyKind {
            switch d {
            case .float(let f): values[name] = f.step != nil ? [.float(0.3), .float(0.7)] : [.float(f.low), .float(f.high)]
            case .int(let i): values[name] = [.int(i.low), .int(i.high)]
            case .categorical(let c): values[name] = Array(c.choices.prefix(2))
            case .fixed(let v): values[name] = [v]
            }
        }
        for (name, v) in values { values[name] = v.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        values["layers"] = [1, 2, 3]
        for i in 0..<3 { values["width_\(i)"] = [4, 64] }
        values["optimizer"] = ["sgd", "adam"]; values["momentum"] = [0.5]; values["beta1"] = [0.9]
        values["x"] = [0.5, 0.75]; values["n"] = [1, 8]; values["act"] = ["relu", "gelu"]
        values["k"] = [1, 4]; values["c"] = [1, 3]; values["y"] = [0.25]
        let checks = Set(SamplerConformance.checks.map(\.name).filter { !$0.hasPrefix("same seed") })
        SamplerConformance.run(only: checks) { try! GridSampler(values) }
    }
}

final class DeterministicTPEConformanceTests: XCTestCase {
    func testTPEDeterministicParallel() {
        SamplerConformance.run {
            var o = TPESampler.Options()
            o.deterministicParallelism = 4
            return TPESampler(options: o)
        }
    }
}
