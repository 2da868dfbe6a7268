// Parameter importance by functional ANOVA on a random forest (Hutter, Hoos & Leyton-Brown
// 2014, "An Efficient Approach for Assessing Hyperparameter Importance"); the behaviour
// follows Optuna's FanovaImportanceEvaluator.

import Foundation
import HoneSearch
import HoneTensor

/// Ranks a study's parameters by how much of the objective's variance each explains alone.
///
/// A random forest (bootstrap samples, a random subset of features per split) is fitted to
/// the COMPLETE trials, parameters encoded as in `ParameterDomain`: floats and ints on their
/// unit axis (log parameters in log space), categoricals by subsets of choices, a missing
/// conditional parameter as a value of its own. Each tree is a partition of the space into
/// boxes, so its marginal predictions are exact sums over boxes; a parameter's main effect
/// is the variance of its one-parameter marginal divided by the tree's total variance. The
/// fractions are averaged over trees and normalised to sum to 1.
///
/// On the same trials the raw fractions (`FANOVAModel.mainEffects`) agree with Optuna 5.0's
/// FanovaImportanceEvaluator to about 0.01, except where this departs from it on purpose:
/// Optuna keeps only parameters every trial has (the intersection search space), so a
/// conditional parameter is never ranked; it one-hot encodes categoricals, integrating
/// over impossible combinations of the columns (here categorical splits keep the measure
/// on real choices); it measures log parameters on their linear range (here in log space,
/// as they were sampled); and it does not normalise. Forest defaults match Optuna's (64
/// trees, depth 64, bootstrap samples).
public struct FANOVAImportance: Sendable {
    public var seed: UInt64
    public var trees: Int
    public var maxDepth: Int
    /// Share of the parameters considered at each split (at least one).
    public var featureFraction: Double

    public init(seed: UInt64 = 0, trees: Int = 64, maxDepth: Int = 64, featureFraction: Double = 0.7) {
        self.seed = seed; self.trees = trees; self.maxDepth = maxDepth; self.featureFraction = featureFraction
    }

    /// Each varying parameter's importance, most important first, summing to 1 (all 0 when
    /// the objective is constant, since then no parameter explains anything).
    public func evaluate(trials: [FrozenTrial], objective: Int = 0) throws -> [(name: String, importance: Double)] {
        try fit(trials: trials, objective: objective).importances
    }

    /// Fits the forest and decomposes its variance; the model also gives marginals for plots.
    public func fit(trials: [FrozenTrial], objective: Int = 0) throws -> FANOVAModel {
        guard trees >= 1 else { throw ImportanceError.invalidSetting("trees must be at least 1, got \(trees)") }
        guard maxDepth >= 1 else { throw ImportanceError.invalidSetting("maxDepth must be at least 1, got \(maxDepth)") }
        guard featureFraction > 0 && featureFraction <= 1 else {
            throw ImportanceError.invalidSetting("featureFraction must be in (0, 1], got \(featureFraction)")
        }
        guard objective >= 0 else { throw ImportanceError.objectiveOutOfRange(objective: objective, objectives: 0) }
        let complete = trials.filter { $0.state == .complete && $0.values != nil }
        if let first = complete.first, let values = first.values, objective >= values.count {
            throw ImportanceError.objectiveOutOfRange(objective: objective, objectives: values.count)
        }
        let usable = complete.filter { t in objective < t.values!.count && t.values![objective].isFinite }
        guard usable.count >= 2 else { throw ImportanceError.notEnoughTrials(found: usable.count, needed: 2) }

        let domains = try ParameterDomain.domains(of: usable).filter(\.varies)
        guard !domains.isEmpty else { throw ImportanceError.noVaryingParameters }
        let d = domains.count
        var x = [Double](); x.reserveCapacity(usable.count * d)
        for t in usable { for domain in domains { x.append(domain.encode(t.params[domain.name])) } }
        let y = usable.map { $0.values![objective] }
        let specs = domains.map { FeatureSpec(categoryCount: $0.categoryCount) }
        let settings = TreeSettings(maxDepth: maxDepth, minSamplesSplit: 2,
                                    featuresPerSplit: max(1, Int((featureFraction * Double(d)).rounded(.up))))
        let n = usable.count
        // Trees are independent, each with its own derived stream, so fitting them on
        // several threads gives the same forest as fitting them one by one.
        let slots = UnsafeMutableBufferPointer<(TreePartition, [Double])?>.allocate(capacity: trees)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        DispatchQueue.concurrentPerform(iterations: trees) { index in
            var rng = RandomGenerator.derived(seed: seed, 0x66616E6F7661, UInt64(index))   // "fanova"
            let samples = (0..<n).map { _ in rng.int(below: n) }
            let tree = RegressionTree.fit(x: x, y: y, features: specs, samples: samples, settings: settings, rng: &rng)
            let partition = TreePartition(tree: tree, domains: domains)
            slots[index] = (partition, (0..<d).map { partition.mainEffectVariance(of: $0) })
        }
        let fitted = slots.map { $0! }
        return FANOVAModel(domains: domains, partitions: fitted.map(\.0), mainEffectVariances: fitted.map(\.1),
                           trials: usable, objective: objective)
    }
}

/// A fitted forest and its variance decomposition.
public struct FANOVAModel {
    let domains: [ParameterDomain]
    let partitions: [TreePartition]
    /// The COMPLETE trials the forest was fitted to.
    public let trials: [FrozenTrial]
    public let objective: Int
    /// Per parameter (name order): the mean over trees of main-effect variance ÷ total
    /// variance, and its standard deviation. Not normalised: their sum is the share of the
    /// variance that main effects explain (the rest is interactions).
    public let mainEffects: [(name: String, fraction: Double, std: Double)]

    /// `mainEffectVariances[tree][feature]`: the variance of each feature's marginal in each tree.
    init(domains: [ParameterDomain], partitions: [TreePartition], mainEffectVariances: [[Double]], trials: [FrozenTrial], objective: Int) {
        self.domains = domains; self.partitions = partitions; self.trials = trials; self.objective = objective
        let varying = partitions.indices.filter { partitions[$0].variance > 0 }
        mainEffects = domains.indices.map { f in
            let fractions = varying.map { min(1, mainEffectVariances[$0][f] / partitions[$0].variance) }
            guard !fractions.isEmpty else { return (domains[f].name, 0, 0) }
            let mean = fractions.reduce(0, +) / Double(fractions.count)
            let variance = fractions.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(fractions.count)
            return (domains[f].name, mean, variance.squareRoot())
        }
    }

    /// The parameters the forest was fitted on, in name order.
    public var parameterNames: [String] { domains.map(\.name) }

    /// Main effects normalised to sum to 1, most important first (ties by name).
    public var importances: [(name: String, importance: Double)] {
        let total = mainEffects.reduce(0) { $0 + $1.fraction }
        return mainEffects.map { ($0.name, total > 0 ? $0.fraction / total : 0) }
            .sorted { $0.importance != $1.importance ? $0.importance > $1.importance : $0.name < $1.name }
    }

    /// The forest's mean prediction over a grid of two parameters, the others integrated
    /// out. Numeric axes are `resolution` cell centres of the parameter's range (log
    /// parameters spaced in log space), categorical axes its choices. `values[i][j]` is at
    /// (`xs[i]`, `ys[j]`).
    public func pairMarginal(_ first: String, _ second: String, resolution: Int = 40) throws -> PairMarginal {
        guard let a = domains.firstIndex(where: { $0.name == first }) else {
            throw ImportanceError.invalidSetting("no parameter \"\(first)\" in the model (it has \(parameterNames.joined(separator: ", ")))")
        }
        guard let b = domains.firstIndex(where: { $0.name == second }), b != a else {
            throw ImportanceError.invalidSetting("no second parameter \"\(second)\" in the model (it has \(parameterNames.joined(separator: ", ")))")
        }
        guard resolution >= 2 else { throw ImportanceError.invalidSetting("resolution must be at least 2, got \(resolution)") }
        let na = partitions[0].gridCount(a, resolution), nb = partitions[0].gridCount(b, resolution)
        var sum = [Double](repeating: 0, count: na * nb)
        for partition in partitions {
            let grid = partition.pairMarginal(a, b, resolution: resolution)
            for k in sum.indices { sum[k] += grid[k] }
        }
        let scale = 1 / Double(partitions.count)
        func axis(_ f: Int, _ count: Int) -> [PairMarginal.AxisPoint] {
            if case .categorical(let choices) = domains[f].kind { return choices.map { .category($0) } }
            return (0..<count).map { .number(domains[f].value(atUnit: (Double($0) + 0.5) / Double(count))) }
        }
        return PairMarginal(xs: axis(a, na), ys: axis(b, nb),
                            values: (0..<na).map { i in (0..<nb).map { j in sum[i * nb + j] * scale } })
    }
}

/// A two-parameter marginal of the forest on a grid.
public struct PairMarginal {
    public enum AxisPoint: Hashable { case number(Double), category(ParamValue) }
    public let xs: [AxisPoint]
    public let ys: [AxisPoint]
    public let values: [[Double]]
}
