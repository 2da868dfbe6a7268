import HoneSearch
import HoneSearchConformance
import XCTest

final class SamplerConformanceTests: XCTestCase {
    func testRandomSampler() { SamplerConformance.run { RandomSampler() } }
}

final class PrunerConformanceTests: XCTestCase {
    func testNopPruner() { PrunerConformance.run(options: .init(multiObjective: true)) { NopPruner() } }
    func testMedianPruner() { PrunerConformance.run(options: .init(multiObjective: true)) { try! MedianPruner(nStartupTrials: 3) } }
}
