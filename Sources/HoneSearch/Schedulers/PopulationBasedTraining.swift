// Population based training: Jaderberg, Dalibard, Osindero, Czarnecki, Donahue, Razavi,
// Vinyals, Green, Dunning, Simonyan, Fernando, Kavukcuoglu, "Population Based Training of
// Neural Networks", arXiv:1711.09846 (2017).
//
// A population of models trains side by side. Every `stepsPerGeneration` steps (the
// paper's "ready" criterion) each member is evaluated; members in the bottom fraction
// *exploit* a member of the top fraction — copy its weights and hyperparameters
// ("truncation selection", §4.1) — then *explore* — perturb each copied hyperparameter by
// a factor 0.8 or 1.2, or resample it from its prior with probability `resampleProbability`.
// Hyperparameters thus change during training, following a schedule discovered online.
//
// HoneSearch knows nothing of weights: each segment (one member training from step a to
// step b) is a trial whose parameters are the hyperparameters in effect, and whose system
// attributes say which trial's weights to start from (`pbt.parent`). The objective
// restores that checkpoint (HoneTuning does this for HoneNN's Trainer), trains, and
// returns the score. Generations are synchronous here — every member finishes a segment
// before anyone exploits — which keeps runs reproducible for a seed; segments of one
// generation run in parallel on `nJobs` threads. AsynchronousPBT.swift has the paper's
// asynchronous variant, where each member exploits as soon as it is ready.

import Foundation
import HoneTensor

/// What one segment trial must do.
public struct PBTSegment: Hashable, Sendable {
    /// Population slot 0 ..< populationSize.
    public var member: Int
    public var generation: Int
    /// Train from `startStep` to `endStep` (steps = epochs or other units).
    public var startStep: Int
    public var endStep: Int
    /// The trial whose final weights to start from (nil in generation 0: fresh weights).
    /// The member's own previous segment, or the segment of the member it exploited.
    public var parentTrial: Int?
    /// The member whose weights and hyperparameters were copied, when this segment exploits.
    public var exploitedMember: Int?
}

public final class PopulationBasedTraining: @unchecked Sendable {
    public let populationSize: Int
    public let generations: Int
    public let stepsPerGeneration: Int
    /// Bottom and top share of the population for truncation selection (the paper: 20 %).
    public let truncation: Double
    public let perturbFactors: [Double]
    public let resampleProbability: Double
    /// Hyperparameters that explore may change (nil: every parameter of the trial).
    public let explored: Set<String>?

    public init(populationSize: Int, generations: Int, stepsPerGeneration: Int, truncation: Double = 0.2,
                perturbFactors: [Double] = [0.8, 1.2], resampleProbability: Double = 0.25, explored: Set<String>? = nil) throws {
        try SettingCheck.require(populationSize >= 2, "PBT", "populationSize", "≥ 2", got: populationSize)
        try SettingCheck.require(generations >= 1, "PBT", "generations", "≥ 1", got: generations)
        try SettingCheck.require(stepsPerGeneration >= 1, "PBT", "stepsPerGeneration", "≥ 1", got: stepsPerGeneration)
        try SettingCheck.require(truncation > 0 && truncation <= 0.5, "PBT", "truncation", "in (0, 0.5]", got: truncation)
        try SettingCheck.require(!perturbFactors.isEmpty && perturbFactors.allSatisfy { $0 > 0 && $0.isFinite }, "PBT",
                                 "perturbFactors", "one or more finite numbers > 0", got: perturbFactors)
        try SettingCheck.require((0...1).contains(resampleProbability), "PBT", "resampleProbability", "in [0, 1]", got: resampleProbability)
        self.populationSize = populationSize; self.generations = generations; self.stepsPerGeneration = stepsPerGeneration
        self.truncation = truncation; self.perturbFactors = perturbFactors
        self.resampleProbability = resampleProbability; self.explored = explored
    }

    /// How many members exploit (and how many are exploited from): ⌈truncation · N⌉.
    public var truncationCount: Int { max(1, Int((truncation * Double(populationSize)).rounded(.up))) }

    /// Explore: each explored hyperparameter is resampled from its distribution with
    /// probability `resampleProbability`, else multiplied by a random perturb factor
    /// (numbers; log-scaled or not) or kept (categoricals), then snapped into range.
    public func explore(_ params: [String: ParamValue], distributions: [String: Distribution],
                        rng: inout RandomGenerator) -> [String: ParamValue] {
        var out = params
        for name in params.keys.sorted() {
            guard explored?.contains(name) ?? true, let d = distributions[name], !d.isSingleValue,
                  let value = params[name], let x = d.toInternal(value) else { continue }
            if rng.uniform() < resampleProbability {
                if case .categorical(let c) = d { out[name] = c.choices[rng.int(below: c.choices.count)] }
                else { out[name] = d.toExternal(d.fromUnit(rng.uniform())) }
                continue
            }
            guard case .categorical = d else {
                let factor = perturbFactors[rng.int(below: perturbFactors.count)]
                var perturbed = d.toExternal(x * factor)
                // An int too small to move by ±20 % moves by one step instead.
                if perturbed == value, case .int(let i) = d {
                    perturbed = d.toExternal(x + Double(factor >= 1 ? i.step : -i.step))
                }
                out[name] = perturbed
                continue
            }
        }
        return out
    }

    /// The plan for generation `g` ≥ 1 from each member's last segment: (trial number,
    /// score, params, distributions), index = member. Ties rank the lower member first.
    public func plan(generation g: Int, last: [(trial: Int, score: Double, params: [String: ParamValue], distributions: [String: Distribution])],
                     direction: StudyDirection, rng: inout RandomGenerator) -> [(segment: PBTSegment, params: [String: ParamValue])] {
        let ranked = last.indices.sorted { a, b in
            last[a].score != last[b].score ? direction.isBetter(last[a].score, than: last[b].score) : a < b
        }
        let k = truncationCount
        // A member whose segment failed has no checkpoint to continue from: it exploits even
        // when more members failed than the bottom holds; failed members are never copied.
        let top = Array(ranked.prefix(k)).filter { last[$0].score.isFinite }
        let bottom = Set(ranked.suffix(k)).union(last.indices.filter { !last[$0].score.isFinite })
        return last.indices.map { m in
            var segment = PBTSegment(member: m, generation: g, startStep: g * stepsPerGeneration,
                                     endStep: (g + 1) * stepsPerGeneration, parentTrial: last[m].trial)
            // With ⌈truncation·N⌉ > N/2 (e.g. N = 3, truncation 0.5) the middle member is in
            // both halves: it must not "exploit" itself.
            let sources = top.filter { $0 != m }
            guard bottom.contains(m), !sources.isEmpty else { return (segment, last[m].params) }
            let source = sources[rng.int(below: sources.count)]
            segment.parentTrial = last[source].trial
            segment.exploitedMember = source
            return (segment, explore(last[source].params, distributions: last[source].distributions, rng: &rng))
        }
    }
}

extension Study {
    /// Runs population based training. `train(trial, segment)` restores the weights of
    /// `segment.parentTrial` (if any), trains from `startStep` to `endStep` with the trial's
    /// hyperparameters (asked with `trial.suggest…` as usual: in generation 0 the sampler
    /// picks them, later they are fixed by exploit/explore), saves its weights under
    /// `trial.number`, and returns the score at `endStep`. Each segment is stored as a
    /// COMPLETE trial with system attributes `pbt.member`, `pbt.generation`, `pbt.parent`
    /// and `pbt.exploited_member`. A failing segment fails its trial and scores worst.
    ///
    /// As every optimize loop: `stop()`, `timeout` (seconds) and `nTrials` (segments)
    /// end the run before the next segment starts (segments running finish first);
    /// `callbacks` run after each segment is told; running segments heartbeat.
    public func optimize(pbt: PopulationBasedTraining, nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = [],
                         _ train: @escaping @Sendable (Trial, PBTSegment) throws -> Double) throws {
        guard directions.count == 1 else { throw StudyError.multiObjective(study: name, operation: "population based training") }
        guard nJobs >= 1 else { throw StudyError.invalidArgument("nJobs must be at least 1, got \(nJobs)") }
        clearStop()
        let limits = RunLimits(nTrials: nTrials, timeout: timeout)
        let direction = directions[0]
        let worst = direction == .minimize ? Double.infinity : -Double.infinity
        var plans: [(segment: PBTSegment, params: [String: ParamValue])] = (0..<pbt.populationSize).map {
            (PBTSegment(member: $0, generation: 0, startStep: 0, endStep: pbt.stepsPerGeneration), [:])
        }
        for g in 0..<pbt.generations {
            let results = Locked(Array<(trial: Int, score: Double, params: [String: ParamValue], distributions: [String: Distribution])?>(
                repeating: nil, count: pbt.populationSize))
            let firstError = Locked<Error?>(nil)
            let next = Locked(0)
            let currentPlans = plans
            let work: @Sendable (Int) -> Void = { [self] worker in
                while true {
                    var index = 0
                    next.mutate { index = $0; $0 += 1 }
                    guard index < currentPlans.count, firstError.value == nil, limits.claim(self) else { return }
                    let (segment, params) = currentPlans[index]
                    do {
                        let (trial, score) = try runSegment(segment, params: params, worker: worker, train, callbacks: callbacks)
                        let entry = (trial.number, score ?? worst, trial.parameters, trial.parameterDistributions)
                        results.mutate { $0[segment.member] = entry }
                    } catch is StoppedWhileWaiting {
                        return
                    } catch {
                        firstError.mutate { if $0 == nil { $0 = error } }
                        return
                    }
                }
            }
            withHeartbeats { runOnWorkerThreads(min(nJobs, currentPlans.count), name: "hone-pbt") { work($0) } }
            if let e = firstError.value { throw e }
            // A generation cut short (stop, timeout, nTrials) ends the run: the next one
            // needs every member's score.
            guard g + 1 < pbt.generations, !limits.isOver(self) else { break }
            let last = results.value.compactMap { $0 }
            guard last.count == pbt.populationSize else { break }
            var rng = RandomGenerator.derived(seed: seed, stableHash("pbt"), UInt64(g + 1))
            plans = pbt.plan(generation: g + 1, last: last, direction: direction, rng: &rng)
        }
    }
}

extension Study {
    /// Asks the trial of one PBT segment (its hyperparameters fixed to `params`; none: the
    /// sampler picks), tags it with the segment's system attributes (`pbt.member`,
    /// `pbt.generation`, `pbt.parent`, `pbt.exploited_member`, plus `attributes`), trains
    /// and tells it. The score is nil when the segment failed.
    func runSegment(_ segment: PBTSegment, params: [String: ParamValue], worker: Int,
                    attributes: [String: JSONValue] = [:],
                    _ train: (Trial, PBTSegment) throws -> Double,
                    callbacks: [@Sendable (Study, FrozenTrial) -> Void]) throws -> (trial: Trial, score: Double?) {
        let trial = try askAsWorker(worker, fixedParams: params)
        trial.setSystemAttribute("pbt.member", .number(Double(segment.member)))
        trial.setSystemAttribute("pbt.generation", .number(Double(segment.generation)))
        if let p = segment.parentTrial { trial.setSystemAttribute("pbt.parent", .number(Double(p))) }
        if let e = segment.exploitedMember { trial.setSystemAttribute("pbt.exploited_member", .number(Double(e))) }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { trial.setSystemAttribute(key, value) }
        return (trial, try trainSegment(trial, segment, train, callbacks: callbacks))
    }

    /// Trains one PBT segment on `trial` and stores its outcome. The objective's errors
    /// and non-finite scores fail this segment only (nil: the caller scores it worst);
    /// storage errors from tell throw and stop the run.
    func trainSegment(_ trial: Trial, _ segment: PBTSegment, _ train: (Trial, PBTSegment) throws -> Double,
                      callbacks: [@Sendable (Study, FrozenTrial) -> Void]) throws -> Double? {
        var failure: String?
        var score = Double.nan
        do {
            score = try train(trial, segment)
            if !score.isFinite { failure = "score \(score)" }
            else if !trial.intermediateValues.keys.contains(where: { $0.step == segment.endStep }) {
                try trial.report(score, step: segment.endStep)
            }
        } catch let failed as TrialFailed {
            failure = failed.reason
        } catch {
            failure = "\(error)"
        }
        let told: FrozenTrial
        if let failure {
            told = try tell(trial, state: .fail, failReason: "PBT segment \(segment): \(failure)")
        } else {
            told = try tell(trial, value: score)
        }
        for cb in callbacks { cb(self, told) }
        return failure == nil ? score : nil
    }
}
