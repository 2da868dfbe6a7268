// The median stopping rule (Golovin et al. 2017, "Google Vizier").

import Foundation

/// Stops a trial whose best value so far is strictly worse than the median of the
/// running averages of completed trials' reports up to the same step.
///
/// Reports of several folds at one step are averaged first. Nothing is pruned before
/// `nStartupTrials` trials have completed, before step `nWarmupSteps`, at steps off the
/// `intervalSteps` grid, or when fewer than `nMinTrials` completed trials reported by
/// that step. For multi-objective studies it judges objective `objective`.
///
/// Completed trials are digested once into prefix sums (incrementally, via
/// `StudyView.finishedTrials(from:)`), so a check costs O(completed trials × log steps).
public final class MedianPruner: Pruner, @unchecked Sendable {
    public let name = "median"
    public let nStartupTrials: Int
    public let nWarmupSteps: Int
    public let intervalSteps: Int
    public let nMinTrials: Int
    public let objective: Int

    /// A completed trial's curve: steps ascending and prefix sums of their values.
    private struct Curve { var steps: [Int]; var prefix: [Double] }
    private let lock = NSLock()
    private var curves: [Curve] = []
    private var digested = 0

    /// Throws `StudyError.invalidArgument` naming the first setting out of range.
    public init(nStartupTrials: Int = 5, nWarmupSteps: Int = 0, intervalSteps: Int = 1, nMinTrials: Int = 1, objective: Int = 0) throws {
        try SettingCheck.steps("MedianPruner", nStartupTrials: nStartupTrials, nWarmupSteps: nWarmupSteps,
                                intervalSteps: intervalSteps, nMinTrials: nMinTrials, objective: objective)
        self.nStartupTrials = nStartupTrials; self.nWarmupSteps = nWarmupSteps
        self.intervalSteps = intervalSteps; self.nMinTrials = nMinTrials; self.objective = objective
    }

    /// Fold-averaged value of `objective` per step, steps ascending.
    private func stepValues(_ t: FrozenTrial) -> [(step: Int, value: Double)] {
        var sums: [Int: (Double, Int)] = [:]
        for (k, v) in t.intermediateValues where objective < v.count {
            let (s, n) = sums[k.step] ?? (0, 0)
            sums[k.step] = (s + v[objective], n + 1)
        }
        return sums.keys.sorted().map { ($0, sums[$0]!.0 / Double(sums[$0]!.1)) }
    }

    private func digest(_ study: StudyView) throws {
        let new = try study.finishedTrials(from: digested)
        digested += new.count
        for t in new where t.state == .complete {
            let sv = stepValues(t)
            guard !sv.isEmpty else { continue }
            var prefix: [Double] = [], acc = 0.0
            for (_, v) in sv { acc += v; prefix.append(acc) }
            curves.append(Curve(steps: sv.map(\.step), prefix: prefix))
        }
    }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        guard objective < study.directions.count else {
            throw StudyError.invalidArgument("MedianPruner: objective \(objective) does not exist (the study has \(study.directions.count))")
        }
        let direction = study.directions[objective]
        let own = stepValues(trial).filter { $0.value.isFinite || $0.value.isInfinite }
        guard let step = own.last?.step, step >= nWarmupSteps, (step - nWarmupSteps) % intervalSteps == 0 else { return false }
        let best = own.map(\.value).reduce(direction == .minimize ? Double.infinity : -Double.infinity) {
            direction.isBetter($1, than: $0) ? $1 : $0
        }
        lock.lock(); defer { lock.unlock() }
        try digest(study)
        guard try study.completeTrialCount() >= nStartupTrials else { return false }
        var averages: [Double] = []
        averages.reserveCapacity(curves.count)
        for c in curves {
            let n = c.steps.partitionPoint { $0 > step }   // reports at steps ≤ step
            if n > 0 { averages.append(c.prefix[n - 1] / Double(n)) }
        }
        guard averages.count >= nMinTrials else { return false }
        averages.sort()
        let m = averages.count
        let median = m % 2 == 1 ? averages[m / 2] : (averages[m / 2 - 1] + averages[m / 2]) / 2
        return direction.isBetter(median, than: best)
    }
}
