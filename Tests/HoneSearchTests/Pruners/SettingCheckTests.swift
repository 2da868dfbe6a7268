// Every sampler, pruner and scheduler initializer that took its settings on trust (a
// `precondition`, not evaluated in the -Ounchecked release build) now throws
// StudyError.invalidArgument naming the setting, the bound and the value.

import XCTest
@testable import HoneSearch

final class SettingCheckTests: XCTestCase {
    /// `body` throws StudyError.invalidArgument whose message holds every one of `parts`.
    private func refused<T>(_ parts: String..., file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case StudyError.invalidArgument(let message)? = error as? StudyError else {
                return XCTFail("expected StudyError.invalidArgument, got \(error)", file: file, line: line)
            }
            for p in parts where !message.contains(p) { XCTFail("\"\(message)\" lacks \"\(p)\"", file: file, line: line) }
        }
    }

    func testStepPruners() throws {
        refused("MedianPruner", "nStartupTrials", "≥ 0", "got -1") { try MedianPruner(nStartupTrials: -1) }
        refused("MedianPruner", "nWarmupSteps", "got -2") { try MedianPruner(nWarmupSteps: -2) }
        refused("MedianPruner", "intervalSteps", "≥ 1", "got 0") { try MedianPruner(intervalSteps: 0) }
        refused("MedianPruner", "nMinTrials", "got 0") { try MedianPruner(nMinTrials: 0) }
        refused("MedianPruner", "objective", "got -1") { try MedianPruner(objective: -1) }
        refused("PercentilePruner", "percentile", "[0, 100]", "got 101") { try PercentilePruner(percentile: 101) }
        refused("PercentilePruner", "percentile", "nan") { try PercentilePruner(percentile: .nan) }
        refused("PercentilePruner", "intervalSteps") { try PercentilePruner(percentile: 50, intervalSteps: 0) }
        refused("ThresholdPruner", "lower, upper or both") { try ThresholdPruner() }
        refused("ThresholdPruner", "lower must be ≤ upper", "2.0", "1.0") { try ThresholdPruner(lower: 2, upper: 1) }
        refused("ThresholdPruner", "upper", "nan") { try ThresholdPruner(upper: .nan) }
        refused("ThresholdPruner", "nWarmupSteps") { try ThresholdPruner(lower: 0, nWarmupSteps: -1) }
        refused("PatiencePruner", "patience", "got -1") { try PatiencePruner(patience: -1) }
        refused("PatiencePruner", "minDelta", "got -0.5") { try PatiencePruner(patience: 1, minDelta: -0.5) }
        refused("PatiencePruner", "minDelta", "nan") { try PatiencePruner(patience: 1, minDelta: .nan) }
        refused("PatiencePruner", "objective") { try PatiencePruner(patience: 1, objective: -1) }
        // The bounds themselves are allowed.
        XCTAssertNoThrow(try MedianPruner(nStartupTrials: 0, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1))
        XCTAssertNoThrow(try PercentilePruner(percentile: 0))
        XCTAssertNoThrow(try PercentilePruner(percentile: 100))
        XCTAssertNoThrow(try ThresholdPruner(lower: 1, upper: 1))
        XCTAssertNoThrow(try PatiencePruner(patience: 0, minDelta: 0))
    }

    func testBudgetPruners() throws {
        refused("Hyperband", "minResource", "got 0") { try HyperbandPruner(minResource: 0, maxResource: 9) }
        refused("Hyperband", "maxResource", "got 2") { try HyperbandPruner(minResource: 3, maxResource: 2) }
        refused("Hyperband", "reductionFactor", "≥ 2", "got 1") { try HyperbandPruner(maxResource: 9, reductionFactor: 1) }
        refused("Hyperband", "bootstrapCount") { try HyperbandPruner(maxResource: 9, bootstrapCount: -1) }
        refused("Hyperband", "maxResource / minResource") { try HyperbandPruner(maxResource: Int.max) }
        refused("ASHA", "minResource", "got 0") { try ASHAPruner(minResource: 0) }
        refused("ASHA", "reductionFactor", "got 0") { try ASHAPruner(reductionFactor: 0) }
        refused("ASHA", "minEarlyStoppingRate") { try ASHAPruner(minEarlyStoppingRate: -1) }
        refused("ASHA", "bootstrapCount") { try ASHAPruner(bootstrapCount: -1) }
        refused("ASHA", "maxResource", "minResource (4)", "got 3") { try ASHAPruner(minResource: 4, maxResource: 3) }
        refused("Hyperband", "maxResource / minResource", "got 0.5") { try HyperbandBrackets(maxResource: 0.5) }
        refused("Hyperband", "maxResource / minResource", "inf") { try HyperbandBrackets(maxResource: .infinity) }
        refused("Hyperband", "maxResource / minResource", "nan") { try HyperbandBrackets(maxResource: .nan) }
        refused("Hyperband", "reductionFactor", "got 1") { try HyperbandBrackets(maxResource: 9, reductionFactor: 1) }
        XCTAssertNoThrow(try HyperbandPruner(minResource: 1, maxResource: 1, reductionFactor: 2))
        XCTAssertEqual(try HyperbandBrackets(maxResource: HyperbandBrackets.maxRatio, reductionFactor: 2).sMax, 19)
    }

    func testSchedulers() throws {
        refused("hyperband", "minResource", "got 0.0") { try HyperbandScheduler(minResource: 0, maxResource: 9) }
        refused("hyperband", "maxResource", "nan") { try HyperbandScheduler(maxResource: .nan) }
        refused("hyperband", "maxResource", "inf") { try HyperbandScheduler(maxResource: .infinity) }
        refused("hyperband", "reductionFactor") { try HyperbandScheduler(maxResource: 9, reductionFactor: 1) }
        refused("hyperband", "iterations", "got 0") { try HyperbandScheduler(maxResource: 9, iterations: 0) }
        refused("ASHA", "minResource") { try ASHAScheduler(minResource: -1, maxResource: 9) }
        refused("ASHA", "maxResource") { try ASHAScheduler(minResource: 2, maxResource: 1) }
        refused("ASHA", "reductionFactor") { try ASHAScheduler(maxResource: 9, reductionFactor: 1) }
        refused("ASHA", "maxResource", "inf") { try ASHAScheduler(maxResource: .infinity) }
        refused("successive halving", "configurations", "got 0") { try SuccessiveHalvingScheduler(configurations: 0, maxResource: 9) }
        refused("successive halving", "minResource") { try SuccessiveHalvingScheduler(configurations: 9, minResource: 0, maxResource: 9) }
        refused("successive halving", "reductionFactor") { try SuccessiveHalvingScheduler(configurations: 9, maxResource: 9, reductionFactor: 1) }
        refused("bohb", "maxResource") { try BOHB(minResource: 3, maxResource: 1) }
        refused("BOHB", "randomFraction", "got 2.0") { try BOHBSampler(randomFraction: 2) }
        refused("BOHB", "topFraction") { try BOHBSampler(topFraction: 1) }
        refused("BOHB", "candidates", "got 0") { try BOHBSampler(candidates: 0) }
        refused("BOHB", "bandwidthFactor") { try BOHBSampler(bandwidthFactor: 0) }
        refused("BOHB", "minBandwidth") { try BOHBSampler(minBandwidth: -1) }
        refused("BOHB", "minPoints") { try BOHBSampler(minPoints: 0) }
        refused("PBT", "populationSize", "≥ 2", "got 1") { try PopulationBasedTraining(populationSize: 1, generations: 1, stepsPerGeneration: 1) }
        refused("PBT", "generations") { try PopulationBasedTraining(populationSize: 2, generations: 0, stepsPerGeneration: 1) }
        refused("PBT", "stepsPerGeneration") { try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 0) }
        refused("PBT", "truncation", "(0, 0.5]", "got 0.6") { try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 1, truncation: 0.6) }
        refused("PBT", "perturbFactors") { try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 1, perturbFactors: []) }
        refused("PBT", "perturbFactors") { try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 1, perturbFactors: [-1]) }
        refused("PBT", "resampleProbability") { try PopulationBasedTraining(populationSize: 2, generations: 1, stepsPerGeneration: 1, resampleProbability: 1.5) }
    }

    func testNSGAII() throws {
        refused("NSGA-II", "populationSize", "got 1") { try NSGAIISampler(populationSize: 1) }
        var o = NSGAIISampler.Options()
        o.crossoverProbability = 1.5
        refused("NSGA-II", "crossoverProbability") { try NSGAIISampler(options: o) }
        o = NSGAIISampler.Options(); o.mutationProbability = -0.1
        refused("NSGA-II", "mutationProbability") { try NSGAIISampler(options: o) }
        o = NSGAIISampler.Options(); o.mutationEta = .nan
        refused("NSGA-II", "mutationEta") { try NSGAIISampler(options: o) }
        o = NSGAIISampler.Options(); o.crossover = .sbx(eta: -1)
        refused("NSGA-II", "crossover eta") { try NSGAIISampler(options: o) }
        o = NSGAIISampler.Options(); o.deterministicParallelism = 0
        refused("NSGA-II", "deterministicParallelism") { try NSGAIISampler(options: o) }
        XCTAssertNoThrow(try NSGAIISampler(populationSize: 2))
    }

    /// The registry (what C, Lua, Python and the CLI use) reports its own option names.
    func testRegistryNamesTheOption() throws {
        refused("pruner 'patience'", "min_delta") { try AlgorithmRegistry.shared.pruner("patience", options: ["patience": 2, "min_delta": -1]) }
        refused("ThresholdPruner", "lower must be ≤ upper") { try AlgorithmRegistry.shared.pruner("threshold", options: ["lower": 2, "upper": 1]) }
        refused("sampler 'nsga2'", "population_size") { try AlgorithmRegistry.shared.sampler("nsga2", options: ["population_size": 1]) }
    }
}
