// Noisy evaluations: k-fold cross-validation and repeated seeds as one objective value.
//
// Reports are keyed by (step, fold). Pruners average the folds reported at a step, so
// with folds trained one after another they judge fold 0's learning curve epoch by epoch,
// then, after each further fold, the running mean of the folds done so far at the final
// epoch. With `foldPruning: .pairedTest(…)` each finished fold is also compared, fold by
// fold, with the best completed trial on the same folds (PairedFoldPruner), which tells a
// worse configuration apart in fewer folds than a running mean can. Samplers see the mean (the trial's value); mean, standard deviation and the
// per-fold values are stored as user attributes `cv.mean`, `cv.std`, `cv.values`.

import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor

/// Mean and standard deviation over folds or repeats.
public struct VariabilitySummary: Equatable, Sendable {
    public var values: [Double]
    public var mean: Double { values.reduce(0, +) / Double(values.count) }
    /// Population standard deviation (NumPy's default, as scikit-learn reports CV scores).
    public var standardDeviation: Double {
        let m = mean
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }

    func store(on trial: Trial, prefix: String) throws {
        try trial.setUserAttribute("\(prefix).mean", .number(mean))
        try trial.setUserAttribute("\(prefix).std", .number(standardDeviation))
        try trial.setUserAttribute("\(prefix).values", .array(values.map(JSONValue.number)))
    }
}

/// How a k-fold evaluation decides, between folds, whether to go on.
public enum FoldPruning: Sendable {
    /// The study's pruner only (per epoch, and once more after each fold).
    case studyPruner
    /// The study's pruner, plus after each fold a paired test of the finished folds against
    /// the best completed trial's scores on the same folds (see `PairedFoldPruner`).
    case pairedTest(PairedFoldPruner)
}

extension Trial {
    /// k-fold cross-validation of `description` under `config` on `data`, reporting
    /// `metric` per (epoch, fold) and pruning across folds (see the file comment). Returns
    /// the mean over folds (use it as the objective's value); stores mean and std.
    /// Throws `TrialPruned` when a pruner stops the trial (later folds are not run).
    ///
    /// The folds are drawn from `splitSeed`; by default from `config.seed`, or, with
    /// `.pairedTest`, from a seed fixed for the study, so that every trial sees the same
    /// folds even when each trial's training seed differs. The fold assignment's
    /// fingerprint is stored as system attribute `cv.splits`, and paired tests only pair
    /// trials whose fingerprints agree.
    ///
    /// `beforeEpoch` runs before each epoch's report (e.g. a script host's interrupt and
    /// time-limit check); an error it throws stops training and is rethrown.
    public func crossValidate(_ description: ModelDescription, config: TrainerConfig, data: Dataset, folds k: Int,
                              metric: Metric = .validationAccuracy, foldPruning: FoldPruning = .studyPruner,
                              splitSeed: UInt64? = nil, beforeEpoch: (() throws -> Void)? = nil) throws -> VariabilitySummary {
        try checkDirection(of: metric)
        let seed: UInt64
        if let splitSeed { seed = splitSeed }
        else if case .pairedTest = foldPruning { var r = RandomGenerator.derived(seed: study.seed, stableHash("cv.splits")); seed = r.next() }
        else { seed = config.seed }
        let splits = try data.kFoldIndices(k: k, stratified: config.stratifiedSplit, seed: seed)
        setSystemAttribute(PairedFoldPruner.splitsAttribute, .string(Self.fingerprint(of: splits, sampleCount: data.count)))
        var pruned: String?
        var failure: Error?
        let cv = try withUnsafeMutablePointer(to: &pruned) { p in
            try withUnsafeMutablePointer(to: &failure) { f in
                var epochPruned = false
                var callbacks: [Int: (EpochMetrics) -> TrainingAction] = [:]
                let result = try withUnsafeMutablePointer(to: &epochPruned) { e in
                    try Trainer.crossValidate(description, config: config, data: data, folds: k, splits: splits, afterFold: { fold in
                        self.afterFold(fold.fold, of: k, foldPruning: foldPruning, pruned: p, failure: f)
                    }, onEpoch: { fold, m in
                        do { try beforeEpoch?() } catch { f.pointee = error; return .stop }
                        if callbacks[fold] == nil { callbacks[fold] = self.epochCallback(metric: metric, fold: fold, pruned: e, failure: f) }
                        return callbacks[fold]!(m)
                    })
                }
                if epochPruned, p.pointee == nil { p.pointee = "pruned in fold \(result.folds.count - 1) of \(k)" }
                return result
            }
        }
        if let failure { throw failure }
        if let pruned { throw TrialPruned(pruned) }
        let summary = VariabilitySummary(values: try cv.folds.map { fold in
            guard let v = fold.value(of: metric) else { throw TuningError.missingMetric(metric, epoch: fold.training.lastEpoch?.epoch ?? 0) }
            return v
        })
        try summary.store(on: self, prefix: "cv")
        return summary
    }

    /// Between folds: marks fold `fold` finished (pruners judging finished folds count it
    /// from now on), asks the study's pruner and, with `.pairedTest`, the paired test.
    private func afterFold(_ fold: Int, of k: Int, foldPruning: FoldPruning, pruned: UnsafeMutablePointer<String?>,
                           failure: UnsafeMutablePointer<Error?>) -> TrainingAction {
        do {
            setSystemAttribute(PairedFoldPruner.completedFoldsAttribute, .number(Double(fold + 1)))
            if try shouldPrune() {
                pruned.pointee = "pruned after fold \(fold) of \(k)"
                return .stop
            }
            if case .pairedTest(let test) = foldPruning, try test.shouldPrune(study: study.view, trial: frozen()) {
                pruned.pointee = "pruned after fold \(fold) of \(k): significantly worse than the best trial on the same folds (paired t-test, α = \(test.alpha))"
                return .stop
            }
            return .proceed
        } catch {
            failure.pointee = error
            return .stop
        }
    }

    /// FNV-1a over the fold of every sample: equal fingerprints mean equal fold assignments
    /// (up to a 64-bit hash collision).
    static func fingerprint(of splits: [SplitIndices], sampleCount: Int) -> String {
        var fold = [Int](repeating: -1, count: sampleCount)
        for (f, split) in splits.enumerated() { for i in split.validation { fold[i] = f } }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ x: Int) {
            var v = UInt64(bitPattern: Int64(x))
            for _ in 0..<8 { h ^= v & 0xff; h = h &* 0x100_0000_01b3; v >>= 8 }
        }
        mix(splits.count); mix(sampleCount)
        for f in fold { mix(f) }
        return "k\(splits.count)-n\(sampleCount)-" + String(h, radix: 16)
    }

    /// Evaluates `body` once per seed (repeat r gets `seeds[r]` and reports as fold r),
    /// between pruner checks after each repeat on the running mean, and returns mean and
    /// std over repeats (stored as `repeats.mean`, `repeats.std`, `repeats.values`).
    /// `body(seed, repeat)` returns the repeat's value; it may itself report per epoch with
    /// `fold: repeat` (e.g. through `Trainer.fit(…, trial:, fold: repeat)`).
    public func repeatedSeeds(_ seeds: [UInt64], step: Int, _ body: (_ seed: UInt64, _ repeat: Int) throws -> Double) throws -> VariabilitySummary {
        guard !seeds.isEmpty else { throw TuningError.invalidArgument("repeatedSeeds needs at least one seed") }
        var values: [Double] = []
        for (r, seed) in seeds.enumerated() {
            let v = try body(seed, r)
            values.append(v)
            try report(v, step: step, fold: r)
            setSystemAttribute(PairedFoldPruner.completedFoldsAttribute, .number(Double(r + 1)))
            if r < seeds.count - 1, try shouldPrune() { throw TrialPruned("pruned after repeat \(r) of \(seeds.count)") }
        }
        let summary = VariabilitySummary(values: values)
        try summary.store(on: self, prefix: "repeats")
        return summary
    }
}
