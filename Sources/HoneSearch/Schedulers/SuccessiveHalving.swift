// Synchronous successive halving: Jamieson & Talwalkar, "Non-stochastic Best Arm
// Identification and Hyperparameter Optimization", AISTATS 2016; in the form of the inner
// loop of Hyperband (Li et al. 2018, Algorithm 1, lines 3–9):
//
//     for i = 0 … s:  evaluate every configuration of T with resource r_i
//                     T ← top_k(T, ⌊n_i/η⌋)
//
// The asynchronous variant, which does not wait for rungs to fill, is `ASHAPruner`.

import Foundation

/// One bracket of synchronous successive halving: a state machine that hands out jobs
/// (start a configuration at rung 0, resume a promoted one at rung i) and decides a rung
/// once every configuration of it has a result. Shared by `SuccessiveHalvingScheduler`,
/// `HyperbandScheduler` and BOHB.
public struct SuccessiveHalvingBracket: Sendable {
    public let rungs: [HyperbandBrackets.Rung]
    public let reductionFactor: Int
    public let maxResource: Double
    /// Trials in each rung, in the order they entered it.
    public private(set) var members: [[Int]]
    /// Results at each rung: nil for a trial that failed or pruned itself.
    public private(set) var results: [[Int: [Double]?]]
    /// Configurations started at rung 0.
    public private(set) var started = 0
    /// Rung 0 takes no more configurations (its target becomes `started`).
    public private(set) var closed = false
    private var promotionQueue: [(trial: Int, rung: Int)] = []
    public private(set) var isFinished = false

    /// `rungs[i]` = (n_i, r_i) with r_i in the same units as `maxResource`.
    public init(rungs: [HyperbandBrackets.Rung], reductionFactor: Int, maxResource: Double) {
        // The schedulers build rungs from checked settings (n ≥ 1, r ≤ R), so this holds;
        // checked in every build because rung 0 is read unguarded below.
        invariant(!rungs.isEmpty && rungs[0].configurations >= 1, "successive halving needs at least one configuration")
        self.rungs = rungs; self.reductionFactor = reductionFactor; self.maxResource = maxResource
        members = Array(repeating: [], count: rungs.count)
        results = Array(repeating: [:], count: rungs.count)
    }

    func budget(_ rung: Int) -> Budget { Budget(resource: rungs[rung].resource, maxResource: maxResource) }

    /// The rung a trial is in (the last one it entered).
    public func rung(of trial: Int) -> Int? { members.lastIndex { $0.contains(trial) } }

    private func target(_ rung: Int) -> Int {
        rung == 0 ? (closed ? started : rungs[0].configurations) : members[rung].count
    }

    /// The next job of this bracket, or nil when it has none ready.
    mutating func nextJob() -> SchedulerJob? {
        if isFinished { return nil }
        if !promotionQueue.isEmpty {
            let p = promotionQueue.removeFirst()
            return .resume(trialNumber: p.trial, budget: budget(p.rung))
        }
        if !closed && started < rungs[0].configurations { started += 1; return .start(bracket: -1, budget: budget(0)) }
        return nil
    }

    mutating func assign(trial: Int) { members[0].append(trial) }

    /// Records a result; decides the rung when it is complete.
    mutating func finished(trial: Int, values: [Double]?, directions: [StudyDirection]) -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        guard let i = rung(of: trial) else { return [] }
        results[i][trial] = .some(values)
        return decideIfComplete(i, directions: directions)
    }

    /// Closes rung 0 at the configurations started so far.
    mutating func close(directions: [StudyDirection]) -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        guard !closed else { return [] }
        closed = true
        if started == 0 { isFinished = true; return [] }
        return decideIfComplete(0, directions: directions)
    }

    private mutating func decideIfComplete(_ i: Int, directions: [StudyDirection]) -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        guard results[i].count == target(i), results[i].count == members[i].count, results[i].count > 0 else { return [] }
        let alive = members[i].filter { results[i][$0]! != nil }
        let order = RungRanking.order(alive.map { results[i][$0]!! }, tieBreak: alive, directions: directions)
        let ranked = order.map { alive[$0] }
        let isLast = i == rungs.count - 1
        // top_k(T, ⌊n_i/η⌋), n_i the rung's actual size (smaller than the table's when the
        // bracket was closed early). A rung that would keep nobody ends the bracket: its
        // best configuration is the winner.
        let keep = isLast ? ranked.count : members[i].count / reductionFactor
        if isLast || keep == 0 {
            isFinished = true
            let winners = isLast ? ranked : Array(ranked.prefix(1))
            return winners.map { ($0, .complete) } + ranked.dropFirst(winners.count).map { ($0, .prune) }
        }
        let promoted = Array(ranked.prefix(keep))
        members[i + 1] = promoted
        promotionQueue.append(contentsOf: promoted.map { ($0, i + 1) })
        return ranked.dropFirst(keep).map { ($0, .prune) }
    }
}

/// Synchronous successive halving of `configurations` configurations: rung i trains
/// ⌊n/η^i⌋ of them with resource r·η^i, for as long as at least one is left and the
/// resource does not exceed `maxResource`; the best of the last rung completes. Run it
/// with `study.optimize(scheduler:)`.
public final class SuccessiveHalvingScheduler: BudgetScheduler, @unchecked Sendable {
    public let name = "successive-halving"
    public private(set) var bracket: SuccessiveHalvingBracket

    /// Throws `StudyError.invalidArgument` unless 1 ≤ configurations ≤ 1,000,000,
    /// 0 < minResource ≤ maxResource (finite) and reductionFactor ≥ 2.
    public init(configurations n: Int, minResource r: Double = 1, maxResource R: Double, reductionFactor eta: Int = 3) throws {
        try SettingCheck.require(n >= 1 && n <= AlgorithmOptions.maxInt, "successive halving", "configurations",
                                 "in [1, \(AlgorithmOptions.maxInt)]", got: n)
        try SettingCheck.resources("successive halving", minResource: r, maxResource: R, reductionFactor: eta)
        var rungs: [HyperbandBrackets.Rung] = []
        var count = n, resource = r
        while count >= 1 && resource <= R * (1 + 1e-12) {
            rungs.append(.init(configurations: count, resource: resource))
            count /= eta; resource *= Double(eta)
        }
        bracket = SuccessiveHalvingBracket(rungs: rungs, reductionFactor: eta, maxResource: R)
    }

    public func nextJob(study: StudyView) throws -> SchedulerJob {
        if let job = bracket.nextJob() {
            if case .start(_, let b) = job { return .start(bracket: 0, budget: b) }
            return job
        }
        return bracket.isFinished ? .finished : .wait
    }

    public func trialAssigned(study: StudyView, trialNumber: Int, bracket _: Int) throws { bracket.assign(trial: trialNumber) }

    public func jobFinished(study: StudyView, trialNumber: Int, budget: Budget, values: [Double]?) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        bracket.finished(trial: trialNumber, values: values, directions: study.directions)
    }

    public func noMoreConfigurations(study: StudyView) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        bracket.close(directions: study.directions)
    }
}
