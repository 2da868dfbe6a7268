// ASHA as a budget scheduler: Algorithm 2 of Li et al. 2020 ("A System for Massively
// Parallel Hyperparameter Tuning", MLSys), with paused configurations.
//
//     get_job():
//       for k = K−1 … 0:  candidates = top_k(rung k, ⌊|rung k|/η⌋) not yet promoted
//                         if candidates ≠ ∅: promote the best one to rung k+1
//       otherwise: a new configuration at rung 0
//
// Unlike `ASHAPruner` (stop-or-continue at each rung, decided on arrival), a configuration
// that is not in the top 1/η when it arrives stays paused and may be promoted later, when
// enough worse configurations have joined its rung. No worker ever waits for a rung.

import Foundation

public final class ASHAScheduler: BudgetScheduler, @unchecked Sendable {
    public let name = "asha"
    public let minResource: Double
    public let maxResource: Double
    public let reductionFactor: Int
    /// Resources of rungs 0 … K−1: r·η^k ≤ R.
    public let rungResources: [Double]

    /// rungs[k]: trial → result at rung k (nil: failed there).
    private var rungs: [[Int: [Double]?]]
    private var promoted: [Set<Int>]
    private var rungOf: [Int: Int] = [:]
    private var inFlight = 0
    private var startsClosed = false
    private var pendingStart = false

    /// Throws `StudyError.invalidArgument` unless 0 < minResource ≤ maxResource (finite)
    /// and reductionFactor ≥ 2.
    public init(minResource: Double = 1, maxResource: Double, reductionFactor: Int = 3) throws {
        try SettingCheck.resources("ASHA", minResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor)
        self.minResource = minResource; self.maxResource = maxResource; self.reductionFactor = reductionFactor
        var resources: [Double] = [], r = minResource
        while r <= maxResource * (1 + 1e-12) { resources.append(r); r *= Double(reductionFactor) }
        rungResources = resources
        rungs = Array(repeating: [:], count: resources.count)
        promoted = Array(repeating: [], count: resources.count)
    }

    private func budget(_ k: Int) -> Budget { Budget(resource: rungResources[k], maxResource: maxResource) }

    public func nextJob(study: StudyView) throws -> SchedulerJob {
        for k in stride(from: rungResources.count - 2, through: 0, by: -1) {
            let entries = rungs[k].compactMap { e in e.value.map { (trial: e.key, values: $0) } }.sorted { $0.trial < $1.trial }
            guard !entries.isEmpty else { continue }
            let order = RungRanking.order(entries.map(\.values), tieBreak: entries.map(\.trial), directions: study.directions)
            let top = order.prefix(rungs[k].count / reductionFactor).map { entries[$0].trial }
            if let candidate = top.first(where: { !promoted[k].contains($0) }) {
                promoted[k].insert(candidate)
                rungOf[candidate] = k + 1
                inFlight += 1
                return .resume(trialNumber: candidate, budget: budget(k + 1))
            }
        }
        if !startsClosed {
            inFlight += 1
            pendingStart = true
            return .start(bracket: 0, budget: budget(0))
        }
        return inFlight > 0 ? .wait : .finished
    }

    public func trialAssigned(study: StudyView, trialNumber: Int, bracket: Int) throws {
        pendingStart = false
        rungOf[trialNumber] = 0
    }

    public func jobFinished(study: StudyView, trialNumber: Int, budget: Budget, values: [Double]?) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        inFlight -= 1
        guard let k = rungOf[trialNumber] else { return [] }
        rungs[k][trialNumber] = .some(values)
        // The top rung is the end of a configuration's schedule.
        if k == rungResources.count - 1, values != nil { return [(trialNumber, .complete)] }
        return []
    }

    /// After the last new configuration, nothing below the top rung can be promoted any
    /// more once the running jobs are done; paused configurations are pruned then by the
    /// run (they are still paused when it ends).
    public func noMoreConfigurations(study: StudyView) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        startsClosed = true
        if pendingStart { inFlight -= 1; pendingStart = false }
        return []
    }
}
