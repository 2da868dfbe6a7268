// Asynchronous population based training (Jaderberg et al. 2017, §3 and §4: "each member
// of the population is trained asynchronously", with exploit/explore run by the member
// itself whenever it is *ready*).
//
// `Study.optimize(pbt:)` (PopulationBasedTraining.swift) is generation-synchronous: every
// member finishes its segment before anyone exploits, so one slow member stalls the whole
// population. Here a member that reaches a ready point (every `stepsPerReady` steps) is
// judged at once against the latest scores of the members that have one (at least
// `minimumReported`), whatever step they are at: truncation selection — if it is in the
// bottom ⌈truncation·n⌉ of those n, it copies the latest checkpoint (weights and optimizer
// state, through its trial number) and hyperparameters of a random member of the top
// ⌈truncation·n⌉, then explores them (×0.8 / ×1.2, or a resample
// with probability `resampleProbability`). Its next segment is queued at once; workers take
// segments first-in first-out, so nobody waits for a generation to end.
//
// Copying a checkpoint copies its progress too: the exploiting member continues from the
// source's step, ahead of or behind its own. (Allowing only sources ahead would strand a
// member that had jumped ahead in the bottom for good: nobody it may copy stays in the
// top.) Finished members are not copied. Since a member may move back, each member is
// capped at `maxSegmentsPerMember` segments (by default four times the segments of a
// straight run), which only a population copying back and forth forever would reach.
//
// With nJobs = 1 the queue makes the run a round-robin over members, and every decision
// draws from a generator derived from (study seed, member, ready index): the same seed gives
// the same trials. With more workers the order in which members become ready depends on
// timing, as in the paper.

import Foundation
import HoneTensor

public final class AsynchronousPBT: @unchecked Sendable {
    public let populationSize: Int
    /// Steps each member trains in all (its last segment ends here).
    public let totalSteps: Int
    /// Steps between ready points.
    public let stepsPerReady: Int
    /// Bottom and top share of the population for truncation selection (the paper: 20 %).
    public let truncation: Double
    public let perturbFactors: [Double]
    public let resampleProbability: Double
    /// Hyperparameters that explore may change (nil: every parameter of the trial).
    public let explored: Set<String>?
    /// A member whose segments fail this many times in a row is retired.
    public let maxConsecutiveFailures: Int
    /// A member retires after this many segments (see the file comment).
    public let maxSegmentsPerMember: Int
    /// Members with a score needed before anyone exploits. Not the whole population: one
    /// member stuck in a long first segment must not keep the others from exploiting.
    public let minimumReported: Int
    /// The explore step and truncation count are the synchronous variant's.
    let rules: PopulationBasedTraining

    public init(populationSize: Int, totalSteps: Int, stepsPerReady: Int, truncation: Double = 0.2,
                perturbFactors: [Double] = [0.8, 1.2], resampleProbability: Double = 0.25, explored: Set<String>? = nil,
                maxConsecutiveFailures: Int = 3, maxSegmentsPerMember: Int? = nil, minimumReported: Int? = nil) throws {
        guard populationSize >= 2 else { throw StudyError.invalidArgument("asynchronous PBT: populationSize must be at least 2, got \(populationSize)") }
        guard stepsPerReady >= 1, totalSteps >= stepsPerReady else {
            throw StudyError.invalidArgument("asynchronous PBT: need 1 ≤ stepsPerReady ≤ totalSteps, got stepsPerReady \(stepsPerReady), totalSteps \(totalSteps)")
        }
        guard truncation > 0, truncation <= 0.5 else { throw StudyError.invalidArgument("asynchronous PBT: truncation must be in (0, 0.5], got \(truncation)") }
        guard !perturbFactors.isEmpty, perturbFactors.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StudyError.invalidArgument("asynchronous PBT: perturbFactors must be positive numbers, got \(perturbFactors)")
        }
        guard (0...1).contains(resampleProbability) else {
            throw StudyError.invalidArgument("asynchronous PBT: resampleProbability must be in [0, 1], got \(resampleProbability)")
        }
        guard maxConsecutiveFailures >= 1 else { throw StudyError.invalidArgument("asynchronous PBT: maxConsecutiveFailures must be ≥ 1") }
        self.populationSize = populationSize; self.totalSteps = totalSteps; self.stepsPerReady = stepsPerReady
        self.truncation = truncation; self.perturbFactors = perturbFactors; self.resampleProbability = resampleProbability
        self.explored = explored; self.maxConsecutiveFailures = maxConsecutiveFailures
        let straight = (totalSteps + stepsPerReady - 1) / stepsPerReady
        if let cap = maxSegmentsPerMember, cap < straight {
            throw StudyError.invalidArgument("asynchronous PBT: maxSegmentsPerMember \(cap) is below the \(straight) segments of one member's run")
        }
        self.maxSegmentsPerMember = maxSegmentsPerMember ?? 4 * straight
        if let q = minimumReported, !(2...populationSize).contains(q) {
            throw StudyError.invalidArgument("asynchronous PBT: minimumReported must be in 2...\(populationSize), got \(q)")
        }
        self.minimumReported = minimumReported ?? max(2, (populationSize + 1) / 2)
        rules = try PopulationBasedTraining(populationSize: populationSize, generations: 1, stepsPerGeneration: stepsPerReady,
                                        truncation: truncation, perturbFactors: perturbFactors,
                                        resampleProbability: resampleProbability, explored: explored)
    }

    /// What the population knows of one member: its latest finished segment.
    public struct MemberStatus: Sendable {
        /// The member's latest successful segment trial (its checkpoint), nil before any.
        public var checkpointTrial: Int?
        /// The step that checkpoint reached.
        public var step: Int
        /// The latest segment's score (worst when it failed).
        public var score: Double
        /// Whether the latest segment succeeded (only then may others copy the member).
        public var usable: Bool
        public var params: [String: ParamValue]
        public var distributions: [String: Distribution]

        public init(checkpointTrial: Int?, step: Int, score: Double, usable: Bool, params: [String: ParamValue],
                    distributions: [String: Distribution]) {
            self.checkpointTrial = checkpointTrial; self.step = step; self.score = score; self.usable = usable
            self.params = params; self.distributions = distributions
        }
    }

    /// The ready-point decision for `member`, which just finished a segment, with status
    /// `board[member]`: nil to continue with its own checkpoint and hyperparameters, else
    /// the member to copy and the explored hyperparameters. `board` holds every member that
    /// has finished a segment; nobody exploits before `minimumReported` have. The bottom
    /// and top are ⌈truncation·n⌉ of the n members on the board.
    public func exploit(member: Int, board: [Int: MemberStatus], direction: StudyDirection,
                        rng: inout RandomGenerator) -> (source: Int, params: [String: ParamValue])? {
        guard board.count >= minimumReported else { return nil }
        let ranked = board.keys.sorted { a, b in
            let x = board[a]!.score, y = board[b]!.score
            return x != y ? direction.isBetter(x, than: y) : a < b
        }
        let k = max(1, Int((truncation * Double(board.count)).rounded(.up)))
        guard ranked.suffix(k).contains(member) else { return nil }
        let candidates = ranked.prefix(k).filter { s in
            guard s != member, let b = board[s], b.usable, b.checkpointTrial != nil else { return false }
            return b.step < totalSteps
        }
        guard !candidates.isEmpty else { return nil }
        let source = candidates[rng.int(below: candidates.count)]
        let b = board[source]!
        return (source, rules.explore(b.params, distributions: b.distributions, rng: &rng))
    }
}

extension Study {
    /// Runs asynchronous population based training on `nJobs` worker threads.
    ///
    /// `train(trial, segment)` restores the checkpoint of `segment.parentTrial` (if any),
    /// trains from `startStep` to `endStep` with the trial's hyperparameters (asked with
    /// `trial.suggest…`: in a member's first segment the sampler picks them, later they are
    /// fixed), saves its checkpoint under `trial.number`, and returns the score at
    /// `endStep`. `release(trialNumber)` is called once no queued or running segment and no
    /// member's latest state refers to that trial's checkpoint any more, so it can be freed
    /// (each member's final checkpoint is never released).
    ///
    /// Each segment is a trial with system attributes `pbt.member`, `pbt.generation` (the
    /// member's ready index), `pbt.start_step`, `pbt.end_step`, `pbt.parent` (the trial whose
    /// checkpoint it started from), `pbt.exploited_member` and `pbt.exploited_score` (when
    /// it copied another member) and `pbt.asynchronous`. A failing segment fails its trial;
    /// its member then copies the best usable member (or, if none, retries from where it
    /// started with explored hyperparameters).
    ///
    /// `stop()`, `timeout` and `nTrials` (segments) end the run before the next segment
    /// starts; `callbacks` run after each segment is told; running segments heartbeat.
    public func optimize(asyncPBT pbt: AsynchronousPBT, nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                         callbacks: [@Sendable (Study, FrozenTrial) -> Void] = [],
                         train: @escaping @Sendable (Trial, PBTSegment) throws -> Double,
                         release: (@Sendable (Int) -> Void)? = nil) throws {
        guard directions.count == 1 else { throw StudyError.multiObjective(study: name, operation: "population based training") }
        guard nJobs >= 1 else { throw StudyError.invalidArgument("nJobs must be at least 1, got \(nJobs)") }
        clearStop()
        let limits = RunLimits(nTrials: nTrials, timeout: timeout)
        let run = AsyncPBTRun(pbt: pbt, direction: directions[0], seed: seed, release: release)
        let work: @Sendable (Int) -> Void = { [self] worker in
            while let (segment, params) = run.next(unless: { !limits.claim(self) }) {
                do {
                    var attributes: [String: JSONValue] = [
                        "pbt.asynchronous": true,
                        "pbt.start_step": .number(Double(segment.startStep)), "pbt.end_step": .number(Double(segment.endStep)),
                    ]
                    if segment.exploitedMember != nil, let s = run.exploitedScore(segment) {
                        attributes["pbt.exploited_score"] = .number(s)
                    }
                    let (trial, score) = try runSegment(segment, params: params, worker: worker, attributes: attributes,
                                                        train, callbacks: callbacks)
                    run.finished(segment, trial: trial.number, score: score,
                                 params: trial.parameters, distributions: trial.parameterDistributions)
                } catch is StoppedWhileWaiting {
                    run.abort(nil)
                    return
                } catch {
                    run.abort(error)
                    return
                }
            }
        }
        withHeartbeats { runOnWorkerThreads(min(nJobs, pbt.populationSize), name: "hone-apbt") { work($0) } }
        if let e = run.error { throw e }
    }
}

/// The shared state of one asynchronous PBT run: the segment queue, what each member last
/// did, and how many pending segments or member states hold each checkpoint.
private final class AsyncPBTRun: @unchecked Sendable {
    typealias Pending = (segment: PBTSegment, params: [String: ParamValue])
    let pbt: AsynchronousPBT
    let direction: StudyDirection
    let seed: UInt64
    let releaseCheckpoint: (@Sendable (Int) -> Void)?
    let worst: Double

    private let condition = NSCondition()
    private var queue: [Pending]
    private var head = 0
    private var running = 0
    private(set) var failure: Error?
    /// The run's limits were reached: no more segments start.
    private var stopped = false
    private var board: [Int: AsynchronousPBT.MemberStatus] = [:]
    private var consecutiveFailures: [Int: Int] = [:]
    private var references: [Int: Int] = [:]
    private var exploitedScores: [Int: Double] = [:]   // keyed by the parent trial copied

    init(pbt: AsynchronousPBT, direction: StudyDirection, seed: UInt64, release: (@Sendable (Int) -> Void)?) {
        self.pbt = pbt; self.direction = direction; self.seed = seed; releaseCheckpoint = release
        worst = direction == .minimize ? .infinity : -.infinity
        queue = (0..<pbt.populationSize).map {
            (PBTSegment(member: $0, generation: 0, startStep: 0, endStep: pbt.stepsPerReady), [:])
        }
    }

    var error: Error? { condition.lock(); defer { condition.unlock() }; return failure }

    /// The next segment to run; waits while the queue is empty but segments are running
    /// (their members will queue more); nil when everything is done, the run failed or
    /// `over()` says the run's limits are reached (checked when a segment is ready).
    func next(unless over: () -> Bool) -> Pending? {
        condition.lock(); defer { condition.unlock() }
        while true {
            if failure != nil || stopped { return nil }
            if head < queue.count {
                if over() { stopped = true; condition.broadcast(); return nil }
                let item = queue[head]
                head += 1
                running += 1
                return item
            }
            if running == 0 { return nil }
            condition.wait()
        }
    }

    func exploitedScore(_ segment: PBTSegment) -> Double? {
        condition.lock(); defer { condition.unlock() }
        return segment.parentTrial.flatMap { exploitedScores[$0] }
    }

    /// A worker's loop ended on `error` (nil: on a stop).
    func abort(_ error: Error?) {
        condition.lock()
        if let error, failure == nil { failure = error }
        if error == nil { stopped = true }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Records a finished segment (score nil = failed) and queues the member's next one.
    func finished(_ segment: PBTSegment, trial: Int, score: Double?, params: [String: ParamValue],
                  distributions: [String: Distribution]) {
        condition.lock()
        var released: [Int] = []
        let m = segment.member
        if let p = segment.parentTrial { dereference(p, into: &released) }
        let previous = board[m]
        if let score {
            if let old = previous?.checkpointTrial { dereference(old, into: &released) }
            references[trial, default: 0] += 1
            board[m] = .init(checkpointTrial: trial, step: segment.endStep, score: score, usable: true,
                             params: params, distributions: distributions)
            consecutiveFailures[m] = 0
        } else {
            // The member keeps its last checkpoint, but scores worst and may not be copied.
            board[m] = .init(checkpointTrial: previous?.checkpointTrial, step: previous?.step ?? 0, score: worst, usable: false,
                             params: params, distributions: distributions)
            consecutiveFailures[m, default: 0] += 1
        }
        if let next = plan(after: segment, failed: score == nil, params: params, distributions: distributions) {
            if let p = next.segment.parentTrial { references[p, default: 0] += 1 }
            queue.append(next)
        }
        // A failed segment's parent may be taken up again by the retry.
        released = released.filter { references[$0] == nil }
        running -= 1
        condition.broadcast()
        condition.unlock()
        for t in released { releaseCheckpoint?(t) }
    }

    private func dereference(_ trial: Int, into released: inout [Int]) {
        let n = (references[trial] ?? 0) - 1
        if n <= 0 { references[trial] = nil; released.append(trial) } else { references[trial] = n }
    }

    /// The member's next segment (nil: it is done or retired). Called under the lock.
    private func plan(after segment: PBTSegment, failed: Bool, params: [String: ParamValue],
                      distributions: [String: Distribution]) -> Pending? {
        let m = segment.member
        var rng = RandomGenerator.derived(seed: seed, stableHash("pbt.async"), UInt64(m), UInt64(segment.generation + 1))
        func segmentFrom(_ start: Int, parent: Int?, exploited: Int?) -> PBTSegment {
            PBTSegment(member: m, generation: segment.generation + 1, startStep: start,
                       endStep: min(start + pbt.stepsPerReady, pbt.totalSteps), parentTrial: parent, exploitedMember: exploited)
        }
        guard segment.generation + 1 < pbt.maxSegmentsPerMember else { return nil }
        if failed {
            guard consecutiveFailures[m, default: 0] < pbt.maxConsecutiveFailures else { return nil }
            // Copy the best usable member...
            let sources = board.filter { $0.key != m && $0.value.usable && $0.value.checkpointTrial != nil
                && $0.value.step < pbt.totalSteps }
            if let source = sources.keys.sorted().min(by: { a, b in
                let x = sources[a]!.score, y = sources[b]!.score
                return x != y ? direction.isBetter(x, than: y) : a < b
            }) {
                let b = sources[source]!
                exploitedScores[b.checkpointTrial!] = b.score
                return (segmentFrom(b.step, parent: b.checkpointTrial, exploited: source),
                        pbt.rules.explore(b.params, distributions: b.distributions, rng: &rng))
            }
            // ...or retry the failed segment from where it started, with explored (or, in a
            // first segment, freshly sampled) hyperparameters.
            guard let parent = segment.parentTrial else { return (segmentFrom(0, parent: nil, exploited: nil), [:]) }
            return (segmentFrom(segment.startStep, parent: parent, exploited: nil),
                    pbt.rules.explore(params, distributions: distributions, rng: &rng))
        }
        guard segment.endStep < pbt.totalSteps else { return nil }
        if let (source, explored) = pbt.exploit(member: m, board: board, direction: direction, rng: &rng) {
            let b = board[source]!
            exploitedScores[b.checkpointTrial!] = b.score
            return (segmentFrom(b.step, parent: b.checkpointTrial, exploited: source), explored)
        }
        return (segmentFrom(segment.endStep, parent: board[m]!.checkpointTrial, exploited: nil), params)
    }
}
