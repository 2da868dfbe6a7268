// Hyperband exactly as Algorithm 1 of Li et al. 2018 (JMLR): brackets s = s_max … 0 of
// synchronous successive halving over the table of `HyperbandBrackets`, repeated.

import Foundation

/// Hyperband with synchronous brackets. Resources are `minResource` × the table's r_i
/// (the table is built for R = maxResource / minResource). Brackets run in the paper's
/// order; with several workers, a worker with nothing to do in the current bracket (its
/// rung is still filling) starts the next bracket rather than idle, as brackets are
/// independent. Each configuration is one trial, paused between rungs.
///
/// `iterations`: how many times to run the full set of brackets (nil: until `nTrials`
/// or the timeout of `optimize(scheduler:)` ends it).
public final class HyperbandScheduler: BudgetScheduler, @unchecked Sendable {
    public let name: String
    public let minResource: Double
    public let maxResource: Double
    public let reductionFactor: Int
    public let iterations: Int?
    public let table: HyperbandBrackets

    /// Open brackets with their index in the sequence (iteration × (s_max+1) + position).
    private var open: [(index: Int, bracket: SuccessiveHalvingBracket)] = []
    private var nextIndex = 0
    private var trialBracket: [Int: Int] = [:]
    private var closedForNewConfigurations = false

    /// Throws `StudyError.invalidArgument` unless 0 < minResource ≤ maxResource (finite,
    /// ratio at most `HyperbandBrackets.maxRatio`), reductionFactor ≥ 2 and iterations ≥ 1.
    public init(minResource: Double = 1, maxResource: Double, reductionFactor: Int = 3, iterations: Int? = nil,
                name: String = "hyperband") throws {
        try SettingCheck.resources(name, minResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor)
        if let i = iterations { try SettingCheck.require(i >= 1, name, "iterations", "≥ 1", got: i) }
        self.minResource = minResource; self.maxResource = maxResource
        self.reductionFactor = reductionFactor; self.iterations = iterations; self.name = name
        table = try HyperbandBrackets(maxResource: maxResource / minResource, reductionFactor: reductionFactor)
    }

    /// The s of the bracket with sequence index `index`.
    public func s(ofBracket index: Int) -> Int { table.brackets[index % table.brackets.count].s }

    private func makeBracket(_ index: Int) -> SuccessiveHalvingBracket {
        let b = table.brackets[index % table.brackets.count]
        let rungs = b.rungs.map { HyperbandBrackets.Rung(configurations: $0.configurations, resource: $0.resource * minResource) }
        return SuccessiveHalvingBracket(rungs: rungs, reductionFactor: reductionFactor, maxResource: maxResource)
    }

    private var canOpen: Bool {
        !closedForNewConfigurations && (iterations.map { nextIndex < $0 * table.brackets.count } ?? true)
    }

    public func nextJob(study: StudyView) throws -> SchedulerJob {
        open.removeAll { $0.bracket.isFinished }
        for k in open.indices {
            if let job = open[k].bracket.nextJob() { return tagged(job, open[k].index) }
        }
        if canOpen {
            let index = nextIndex
            nextIndex += 1
            var bracket = makeBracket(index)
            let job = bracket.nextJob()!
            open.append((index, bracket))
            return tagged(job, index)
        }
        return open.isEmpty ? .finished : .wait
    }

    private func tagged(_ job: SchedulerJob, _ index: Int) -> SchedulerJob {
        if case .start(_, let b) = job { return .start(bracket: index, budget: b) }
        return job
    }

    public func trialAssigned(study: StudyView, trialNumber: Int, bracket index: Int) throws {
        trialBracket[trialNumber] = index
        if let k = open.firstIndex(where: { $0.index == index }) { open[k].bracket.assign(trial: trialNumber) }
    }

    public func jobFinished(study: StudyView, trialNumber: Int, budget: Budget, values: [Double]?) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        guard let index = trialBracket[trialNumber], let k = open.firstIndex(where: { $0.index == index }) else { return [] }
        return open[k].bracket.finished(trial: trialNumber, values: values, directions: study.directions)
    }

    public func noMoreConfigurations(study: StudyView) throws -> [(trialNumber: Int, verdict: SchedulerVerdict)] {
        closedForNewConfigurations = true
        var verdicts: [(trialNumber: Int, verdict: SchedulerVerdict)] = []
        for k in open.indices { verdicts += open[k].bracket.close(directions: study.directions) }
        return verdicts
    }

    /// Which bracket (sequence index) trial `number` belongs to.
    public func bracketIndex(ofTrial number: Int) -> Int? { trialBracket[number] }
}
