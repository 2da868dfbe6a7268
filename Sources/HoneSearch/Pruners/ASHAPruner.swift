// Asynchronous successive halving (ASHA): Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur,
// Hardt, Recht, Talwalkar, "A System for Massively Parallel Hyperparameter Tuning",
// MLSys 2020, Algorithm 2.
//
// ASHA's rungs are resources r·η^(s+k), k = 0, 1, …; a configuration that reaches rung k
// is promoted to rung k+1 as soon as it is in the top 1/η of the configurations that have
// reached rung k *so far* — nobody waits for a rung to fill, so parallel workers never
// idle. In Hone's define-by-run form a trial reports as it trains; at the report where
// it first reaches a rung, "promote" means "keep training" and "not promoted" means
// "stop now" (the trial is pruned). The first trial to reach a rung is always promoted
// (it is the top 1 of 1), which is exactly the paper's behaviour when the rung holds
// fewer than η configurations.

import Foundation

/// Asynchronous successive halving as a pruner. Works with any sampler and `optimize`
/// with any `nJobs`; call `trial.shouldPrune()` after every report. Budgets are the
/// report steps: epochs, or units of data (e.g. step = ⌈fraction · maxResource⌉).
///
/// - `minResource` r: the resource of rung 0 (before rung 0 nothing is pruned).
/// - `reductionFactor` η ≥ 2: the top 1/η of each rung is promoted.
/// - `minEarlyStoppingRate` s: rung k sits at r·η^(s+k) (s > 0 starts later; Hyperband's
///   brackets are ASHAs with different s).
/// - `maxResource` R: no rung at or beyond R (a trial that got there finishes); nil: none.
/// - `bootstrapCount`: a rung promotes nobody until this many trials reached it (0: the
///   paper's rule, promote from the first arrival).
///
/// Multi-objective studies rank a rung by non-dominated sorting, then crowding distance
/// (`RungRanking`): "the top 1/η" are the first ⌊n/η⌋ in that order.
public final class ASHAPruner: Pruner, @unchecked Sendable {
    public let name: String
    public let minResource: Int
    public let reductionFactor: Int
    public let minEarlyStoppingRate: Int
    public let maxResource: Int?
    public let bootstrapCount: Int
    /// Which trials compete with `trial` (Hyperband restricts a rung to one bracket).
    let competes: @Sendable (_ trialNumber: Int, _ other: Int) -> Bool

    private let lock = NSLock()
    /// Rung values of finished trials by rung resource, digested incrementally from
    /// `StudyView.finishedTrials(from:)` so a check does not re-read the whole history.
    private var finishedRungValues: [Int: [(number: Int, values: [Double])]] = [:]
    private var digested = 0

    private func digest(_ study: StudyView) throws {
        let new = try study.finishedTrials(from: digested)
        digested += new.count
        for t in new where t.state == .complete || t.state == .pruned {
            let curve = t.foldAveragedCurve()
            guard let last = curve.last?.step, let top = highestRung(reachedBy: last) else { continue }
            for k in 0...top {
                let r = rungResource(k)
                if let v = Self.rungValue(curve, resource: r) { finishedRungValues[r, default: []].append((t.number, v)) }
            }
        }
    }

    public convenience init(minResource: Int = 1, reductionFactor: Int = 3, minEarlyStoppingRate: Int = 0,
                            maxResource: Int? = nil, bootstrapCount: Int = 0) throws {
        try self.init(name: "asha", minResource: minResource, reductionFactor: reductionFactor,
                  minEarlyStoppingRate: minEarlyStoppingRate, maxResource: maxResource,
                  bootstrapCount: bootstrapCount, competes: { _, _ in true })
    }

    init(name: String, minResource: Int, reductionFactor: Int, minEarlyStoppingRate: Int, maxResource: Int?,
         bootstrapCount: Int, competes: @escaping @Sendable (Int, Int) -> Bool) throws {
        try SettingCheck.require(minResource >= 1, "ASHA", "minResource", "≥ 1", got: minResource)
        try SettingCheck.require(reductionFactor >= 2, "ASHA", "reductionFactor", "≥ 2", got: reductionFactor)
        try SettingCheck.require(minEarlyStoppingRate >= 0, "ASHA", "minEarlyStoppingRate", "≥ 0", got: minEarlyStoppingRate)
        try SettingCheck.require(bootstrapCount >= 0, "ASHA", "bootstrapCount", "≥ 0", got: bootstrapCount)
        if let r = maxResource { try SettingCheck.require(r >= minResource, "ASHA", "maxResource", "≥ minResource (\(minResource))", got: r) }
        self.name = name; self.minResource = minResource; self.reductionFactor = reductionFactor
        self.minEarlyStoppingRate = minEarlyStoppingRate; self.maxResource = maxResource
        self.bootstrapCount = bootstrapCount; self.competes = competes
    }

    /// The resource of rung k: r·η^(s+k).
    public func rungResource(_ k: Int) -> Int {
        var r = minResource
        for _ in 0..<(minEarlyStoppingRate + k) { r = r.multipliedReportingOverflow(by: reductionFactor).overflow ? Int.max : r * reductionFactor }
        return r
    }

    /// The rungs a trial whose latest step is `step` has reached: the highest k with
    /// r_k ≤ step (and r_k < maxResource), or nil before rung 0.
    func highestRung(reachedBy step: Int) -> Int? {
        var k = -1
        while true {
            let r = rungResource(k + 1)
            if r > step { break }
            if let R = maxResource, r >= R { break }
            k += 1
            if r == Int.max { break }
        }
        return k >= 0 ? k : nil
    }

    /// A trial's value at rung k: its fold-averaged report at the first step ≥ r_k (so it
    /// depends on the reports only, and asking twice gives the same answer).
    static func rungValue(_ curve: [(step: Int, values: [Double])], resource: Int) -> [Double]? {
        curve.first { $0.step >= resource }?.values
    }

    public func shouldPrune(study: StudyView, trial: FrozenTrial) throws -> Bool {
        let curve = trial.foldAveragedCurve()
        guard let latest = curve.last, let k = highestRung(reachedBy: latest.step) else { return false }
        let resource = rungResource(k)
        // Decide only at the report that first reached rung k: once promoted, a trial stays
        // promoted (ASHA never demotes), so later reports below rung k+1 change nothing.
        guard let firstAtRung = curve.first(where: { $0.step >= resource }), firstAtRung.step == latest.step else { return false }
        let mine = latest.values

        // Everybody that reached rung k: finished trials (COMPLETE or PRUNED, digested once)
        // and running ones (pending trials of other workers count: their rung value is known).
        var values: [[Double]] = [], numbers: [Int] = []
        var seen: Set<Int> = [trial.number]
        let finished: [(number: Int, values: [Double])]
        lock.lock()
        do { try digest(study) } catch { lock.unlock(); throw error }
        finished = finishedRungValues[resource] ?? []
        lock.unlock()
        for (n, v) in finished where competes(trial.number, n) && v.count == mine.count && seen.insert(n).inserted {
            values.append(v); numbers.append(n)
        }
        for t in try study.runningTrials() where competes(trial.number, t.number) && seen.insert(t.number).inserted {
            if let v = Self.rungValue(t.foldAveragedCurve(), resource: resource), v.count == mine.count {
                values.append(v); numbers.append(t.number)
            }
        }
        values.append(mine); numbers.append(trial.number)
        if values.count < bootstrapCount { return true }
        let promotable = max(1, values.count / reductionFactor)
        let order = RungRanking.order(values, tieBreak: numbers, directions: study.directions)
        let myRank = order.firstIndex(of: values.count - 1)!
        return myRank >= promotable
    }
}
