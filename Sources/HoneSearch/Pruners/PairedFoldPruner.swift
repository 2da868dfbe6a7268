// Paired fold test for k-fold cross-validation: stop a trial once its finished folds are
// significantly worse than the best completed trial's scores on the same folds.
//
// Fold-to-fold variation (an easy fold vs a hard one) is usually larger than the gap
// between two configurations, so comparing running means across folds (median, percentile)
// needs many folds to tell a bad configuration apart. Pairing removes that variation: on
// fold f both trials saw the same training and validation samples, so the difference
// d_f = score(trial, f) − score(best, f) (oriented so that d_f > 0 means the trial did
// better) carries only the configurations' difference plus noise. A one-sided paired t-test
// on the d_f then asks whether the trial is worse with confidence 1 − α.
//
// The pairing is only valid when both trials used identical splits. Trials tagged with a
// split fingerprint (system attribute `cv.splits`, written by HoneTuning's cross-validation)
// are compared only with trials carrying the same fingerprint; untagged trials (folds
// reported by hand) only with untagged ones.

import Foundation

/// Prunes a trial when the upper one-sided (1 − α) confidence bound of its mean per-fold
/// difference to the best completed trial is below zero:
///
///     d̄ + t_{1−α, n−1} · s_d / √n < 0
///
/// with n ≥ `minFolds` finished folds in common, d̄ and s_d the mean and sample standard
/// deviation of the differences. With few folds the t quantile is large (t_{0.95,2} = 2.92),
/// so the test stays conservative; only a trial that is worse on every fold by more than
/// the folds' disagreement is stopped.
///
/// A fold's score is its report at its largest step. A fold of the running trial counts as
/// finished when a later fold has reported, or when the system attribute
/// `cv.completed_folds` (set by the evaluation loop after each fold) says so. Folds whose
/// difference is not finite (a diverged run) are left to other rules.
public final class PairedFoldPruner: Pruner, @unchecked Sendable {
    public let name = "paired_fold"
    /// One-sided significance level of "worse than the best".
    public let alpha: Double
    /// Finished folds in common with the best trial before the test may prune (≥ 2: the
    /// t-test needs one degree of freedom).
    public let minFolds: Int
    /// Which objective to judge in a multi-objective study.
    public let objective: Int

    /// System attribute: how many folds of the trial have finished.
    public static let completedFoldsAttribute = "cv.completed_folds"
    /// System attribute: a fingerprint of the fold assignment (see the file comment).
    public static let splitsAttribute = "cv.splits"

    private struct Best { var value: Double; var number: Int; var scores: [Int: Double] }
    private let lock = NSLock()
    /// Best completed trial per split fingerprint ("" for untagged trials), digested once.
    private var best: [String: Best] = [:]
    private var digested = 0

    public init(alpha: Double = 0.05, minFolds: Int = 3, objective: Int = 0) throws {
        guard alpha > 0, alpha < 0.5 else {
            throw StudyError.invalidArgument("PairedFoldPruner: alpha must be in (0, 0.5), got \(alpha)")
        }
        guard minFolds >= 2 else {
            throw StudyError.invalidArgument("PairedFoldPruner: minFolds must be at least 2 (the paired t-test needs n − 1 ≥ 1), got \(minFolds)")
        }
        guard objective >= 0 else {
            throw StudyError.invalidArgument("PairedFoldPruner: objective must be ≥ 0, got \(objective)")
        }
        self.alpha = alpha; self.minFolds = minFolds; self.objective = objective
    }

    /// The scores of the trial's finished folds: fold → report at the fold's largest step.
    /// Every fold of a finished trial counts; of a running one, see the type comment.
    public func finishedFoldScores(_ trial: FrozenTrial) -> [Int: Double] {
        var last: [Int: (step: Int, value: Double)] = [:]
        for (key, values) in trial.intermediateValues where objective < values.count {
            if let l = last[key.fold], l.step >= key.step { continue }
            last[key.fold] = (key.step, values[objective])
        }
        guard trial.state == .running else { return last.mapValues(\.value) }
        let highestFold = last.keys.max() ?? -1
        let declared = trial.systemAttrs[Self.completedFoldsAttribute]?.intValue ?? 0
        return last.filter { $0.key < highestFold || $0.key < declared }.mapValues(\.value)
    }

    private static func fingerprint(_ trial: FrozenTrial) -> String {
        trial.systemAttrs[splitsAttribute]?.stringValue ?? ""
    }

    private func digest(_ study: StudyView, direction: StudyDirection) throws {
        let new = try study.finishedTrials(from: digested)
        digested += new.count
        for t in new where t.state == .complete {
            guard let values = t.values, objective < values.count, values[objective].isFinite else { continue }
            let scores = finishedFoldScores(t)
            guard !scores.isEmpty else { continue }
            let key = Self.fingerprint(t)
            if let b = best[key], !direction.isBetter(values[objective], than: b.value) { continue }
            best[key] = Best(value: values[objective], number: t.number, scores: scores)
        }
    }

    /// The per-fold differences of `trial` to the best comparable completed trial (positive
    /// = `trial` better), in fold order; nil when there is no comparable trial.
    public func differences(study: StudyView, trial: FrozenTrial) throws -> (bestTrial: Int, differences: [Double])? {
        guard objective < study.directions.count else {
            throw StudyError.invalidArgument("PairedFoldPruner: objective \(objective) does not exist (the study has \(study.directions.count))")
        }
        let direction = study.directions[objective]
        let own = finishedFoldScores(trial)
        guard own.count >= minFolds else { return nil }
        lock.lock()
        try digest(study, direction: direction)
        let reference = best[Self.fingerprint(trial)]
        lock.unlock()
        guard let reference, reference.number != trial.number else { return nil }
        let diffs: [Double] = own.keys.sorted().compactMap { fold in
            guard let mine = own[fold], let theirs = reference.scores[fold] else { return nil }
            let d = direction == .maximize ? mine - theirs : theirs - mine
            return d.isFinite ? d : nil
        }
        return (reference.number, diffs)
    }

    /// The upper one-sided (1 − α) confidence bound of the mean difference; nil with fewer
    /// than `minFolds` differences.
    public func upperConfidenceBound(_ differences: [Double]) -> Double? {
        let n = differences.count
        guard n >= minFolds else { return nil }
        let mean = differences.reduce(0, +) / Double(n)
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let t = StudentT.quantile(1 - alpha, degreesOfFreedom: Double(n - 1))
        return mean + t * (variance / Double(n)).squareRoot()
    }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        guard let (_, diffs) = try differences(study: study, trial: trial),
              let bound = upperConfidenceBound(diffs) else { return false }
        return bound < 0
    }
}
