import Foundation
import HoneSearch
import HoneTensor
import XCTest

/// A noisy quadratic trained by SGD, tracked exactly: the iterate's mean m and variance v
/// under x ← x − lr·(2x + ε), ε ~ N(0, 1), so the expected loss E[x²] = m² + v is
/// deterministic. Far from the optimum a large rate is best; near it the noise floor
/// lr/(4(1 − lr)) dominates and ever smaller rates are best: the best learning rate
/// changes during training, which no fixed rate can follow.
enum NoisyQuadratic {
    struct State: Sendable, Equatable { var m: Double; var v: Double }
    static let start = State(m: 100, v: 0)
    static func train(_ s: State, lr: Double, steps: Int) -> State {
        var s = s
        let a = 1 - 2 * lr
        for _ in 0..<steps { s.m *= a; s.v = a * a * s.v + lr * lr }
        return s
    }
    static func loss(_ s: State) -> Double { s.m * s.m + s.v }
}

/// Checkpoints by trial number, as a trainer would keep them.
final class CheckpointStore<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: T] = [:]
    private(set) var releasedTrials: [Int] = []
    func put(_ trial: Int, _ value: T) { lock.lock(); stored[trial] = value; lock.unlock() }
    func get(_ trial: Int) -> T? { lock.lock(); defer { lock.unlock() }; return stored[trial] }
    func release(_ trial: Int) { lock.lock(); stored[trial] = nil; releasedTrials.append(trial); lock.unlock() }
    var held: Set<Int> { lock.lock(); defer { lock.unlock() }; return Set(stored.keys) }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = [String: Int]()
    func add(_ key: String, _ n: Int = 1) { lock.lock(); stored[key, default: 0] += n; lock.unlock() }
    subscript(_ key: String) -> Int { lock.lock(); defer { lock.unlock() }; return stored[key] ?? 0 }
}

struct MissingCheckpoint: Error { let trial: Int }

final class AsynchronousPBTTests: XCTestCase {
    /// Runs the quadratic with asynchronous PBT; returns the study and the checkpoints.
    func runQuadratic(seed: UInt64, population: Int = 8, total: Int = 60, ready: Int = 2, nJobs: Int = 1,
                      resample: Double = 0.25) throws -> (Study, CheckpointStore<NoisyQuadratic.State>) {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.minimize], sampler: RandomSampler(), seed: seed)
        let pbt = try AsynchronousPBT(populationSize: population, totalSteps: total, stepsPerReady: ready, truncation: 0.25,
                                      resampleProbability: resample)
        let store = CheckpointStore<NoisyQuadratic.State>()
        try study.optimize(asyncPBT: pbt, nJobs: nJobs, train: { trial, segment in
            let lr = try trial.suggestFloat("lr", 1e-3, 0.45, log: true)
            var state = NoisyQuadratic.start
            if let parent = segment.parentTrial {
                guard let s = store.get(parent) else { throw MissingCheckpoint(trial: parent) }
                state = s
            }
            state = NoisyQuadratic.train(state, lr: lr, steps: segment.endStep - segment.startStep)
            store.put(trial.number, state)
            return NoisyQuadratic.loss(state)
        }, release: { store.release($0) })
        return (study, store)
    }

    func attr(_ t: FrozenTrial, _ key: String) -> Int? { t.systemAttrs["pbt." + key]?.intValue }

    /// Jaderberg et al. 2017's claim, on the quadratic: with the same initial draws, the
    /// population that exploits and explores ends far below the best fixed rate.
    func testBeatsAFixedRatePopulationWhenTheBestRateChanges() throws {
        var ratios: [Double] = []
        for seed: UInt64 in 1...5 {
            let (study, _) = try runQuadratic(seed: seed)
            let trials = try study.trials()
            XCTAssertTrue(trials.allSatisfy { $0.state == .complete })
            let pbtBest = trials.filter { attr($0, "end_step") == 60 }.compactMap(\.value).min()!
            // The same members with their first rate kept for all 60 steps.
            let initial = trials.filter { attr($0, "generation") == 0 }.map { $0.params["lr"]!.doubleValue! }
            XCTAssertEqual(initial.count, 8)
            let fixedBest = initial.map { NoisyQuadratic.loss(NoisyQuadratic.train(NoisyQuadratic.start, lr: $0, steps: 60)) }.min()!
            ratios.append(fixedBest / pbtBest)
        }
        XCTAssertTrue(ratios.allSatisfy { $0 > 1.2 }, "best fixed loss / PBT loss per seed: \(ratios)")
    }

    /// With one worker the run is a round-robin over members, and every decision draws from
    /// a generator derived from the study's seed: the same seed, the same trials.
    func testSameSeedSameRunWithOneJob() throws {
        func signature(_ seed: UInt64) throws -> [String] {
            try runQuadratic(seed: seed, population: 4, total: 12).0.trials().map {
                "\($0.number) \($0.params["lr"]!) m\(attr($0, "member")!) p\(attr($0, "parent") ?? -1) e\(attr($0, "exploited_member") ?? -1) \($0.value!)"
            }
        }
        let a = try signature(3), b = try signature(3), c = try signature(4)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertTrue(a.contains { !$0.contains(" e-1 ") }, "some member exploited")
    }

    /// Lineage in the attributes: an exploiting segment starts from the checkpoint of the
    /// member it names, at that checkpoint's step, with its rate times 0.8 or 1.2; any other
    /// segment continues its own member's previous segment with the same rate. Checkpoints
    /// are released only when nothing refers to them, and each member's last one is kept.
    func testLineageAndCheckpointRelease() throws {
        for jobs in [1, 2] {
            let (study, store) = try runQuadratic(seed: 11, population: 6, total: 20, ready: 2, nJobs: jobs, resample: 0)
            let trials = try study.trials()
            XCTAssertTrue(trials.allSatisfy { $0.state == .complete }, "a checkpoint was released too early: \(trials.compactMap(\.failReason))")
            var exploits = 0
            for t in trials {
                XCTAssertEqual(t.systemAttrs["pbt.asynchronous"], .bool(true))
                let start = attr(t, "start_step")!, end = attr(t, "end_step")!
                XCTAssertEqual(end, min(start + 2, 20))
                guard let parentNumber = attr(t, "parent") else {
                    XCTAssertEqual(start, 0); XCTAssertEqual(attr(t, "generation"), 0); continue
                }
                let parent = trials[parentNumber]
                XCTAssertLessThan(parentNumber, t.number)
                XCTAssertEqual(attr(parent, "end_step"), start, "trial \(t.number) starts where its parent's checkpoint ended")
                let ratio = t.params["lr"]!.doubleValue! / parent.params["lr"]!.doubleValue!
                if let source = attr(t, "exploited_member") {
                    exploits += 1
                    XCTAssertNotEqual(source, attr(t, "member"))
                    XCTAssertEqual(attr(parent, "member"), source)
                    XCTAssertEqual(t.systemAttrs["pbt.exploited_score"]?.numberValue, parent.value)
                    XCTAssertTrue(abs(ratio - 0.8) < 1e-9 || abs(ratio - 1.2) < 1e-9 || t.params["lr"]!.doubleValue! == 0.45
                                  || t.params["lr"]!.doubleValue! == 1e-3, "explored rate ratio \(ratio)")
                } else {
                    XCTAssertEqual(attr(parent, "member"), attr(t, "member"))
                    XCTAssertEqual(attr(parent, "generation")! + 1, attr(t, "generation"))
                    XCTAssertEqual(ratio, 1)
                }
            }
            // One worker: a fixed sequence, with well over 5 exploits. Two: how many depends
            // on which member happens to be ready first (5 was seen on a loaded machine);
            // the lineage checks above are what must hold, and that exploiting happens.
            XCTAssertGreaterThan(exploits, jobs == 1 ? 5 : 0, "nJobs \(jobs): " + trials.map { "\($0.number):m\(attr($0, "member")!)g\(attr($0, "generation")!)s\(attr($0, "start_step")!)v\($0.value!)" }.joined(separator: " "))
            // Held at the end: exactly each member's last segment.
            var last: [Int: Int] = [:]
            for t in trials { last[attr(t, "member")!] = max(last[attr(t, "member")!] ?? -1, t.number) }
            XCTAssertEqual(store.held, Set(last.values), "nJobs \(jobs)")
            XCTAssertEqual(Set(store.releasedTrials).count, store.releasedTrials.count, "released twice")
            XCTAssertEqual(store.releasedTrials.count + last.count, trials.count)
            for m in 0..<6 { XCTAssertEqual(attr(trials[last[m]!], "end_step"), 20, "member \(m) trained to the end") }
        }
    }

    /// The point of the asynchronous variant: a member that is ready goes on at once. With
    /// two workers, a fast member passes three ready points while the slow one is still in
    /// its first segment. The synchronous variant cannot (its generation barrier makes the
    /// fast member wait), which the same probe detects.
    func testFastMemberDoesNotWaitForTheSlowOne() throws {
        func probe(synchronous: Bool, timeout: Double) throws -> (waitedOut: Bool, fastSegmentsBeforeSlowEnded: Int) {
            let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 5)
            let passed = DispatchSemaphore(value: 0)
            let count = Flag()
            let train: @Sendable (Trial, PBTSegment) throws -> Double = { trial, segment in
                _ = try trial.suggestFloat("lr", 0.1, 1)
                if segment.member == 0 {
                    count.add("fast")
                    if count["fast"] == 4 { passed.signal() }        // three segments done, a fourth begun
                } else if segment.generation == 0 {
                    if passed.wait(timeout: .now() + timeout) == .timedOut { count.add("timeout") }
                    count.add("fastAtSlowEnd", count["fast"])
                }
                return Double(segment.endStep) + (segment.member == 0 ? 1 : 0)
            }
            if synchronous {
                try study.optimize(pbt: try PopulationBasedTraining(populationSize: 2, generations: 6, stepsPerGeneration: 1, truncation: 0.5),
                                   nJobs: 2, train)
            } else {
                try study.optimize(asyncPBT: try AsynchronousPBT(populationSize: 2, totalSteps: 6, stepsPerReady: 1, truncation: 0.5),
                                   nJobs: 2, train: train)
            }
            return (count["timeout"] > 0, count["fastAtSlowEnd"])
        }
        let asynchronous = try probe(synchronous: false, timeout: 30)
        XCTAssertFalse(asynchronous.waitedOut)
        XCTAssertGreaterThanOrEqual(asynchronous.fastSegmentsBeforeSlowEnded, 4)
        let synchronous = try probe(synchronous: true, timeout: 1)
        XCTAssertTrue(synchronous.waitedOut, "the probe must be able to see a barrier")
        XCTAssertEqual(synchronous.fastSegmentsBeforeSlowEnded, 1)
    }

    /// Truncation selection on a board of latest scores.
    func testExploitDecision() throws {
        let pbt = try AsynchronousPBT(populationSize: 5, totalSteps: 10, stepsPerReady: 2, truncation: 0.2, resampleProbability: 0)
        let d: [String: Distribution] = ["lr": .float(FloatDistribution(low: 0.01, high: 1, log: true))]
        func status(_ score: Double, step: Int = 4, usable: Bool = true) -> AsynchronousPBT.MemberStatus {
            .init(checkpointTrial: Int(score * 10), step: step, score: score, usable: usable, params: ["lr": .float(0.1)], distributions: d)
        }
        var board: [Int: AsynchronousPBT.MemberStatus] = [0: status(0.9), 1: status(0.5), 2: status(0.1), 3: status(0.7), 4: status(0.3)]
        var rng = RandomGenerator(seed: 1)
        let decision = pbt.exploit(member: 2, board: board, direction: .maximize, rng: &rng)
        XCTAssertEqual(decision?.source, 0, "the worst member copies the best")
        let lr = decision!.params["lr"]!.doubleValue!
        XCTAssertTrue(abs(lr - 0.08) < 1e-12 || abs(lr - 0.12) < 1e-12, "\(lr)")
        XCTAssertNil(pbt.exploit(member: 4, board: board, direction: .maximize, rng: &rng), "not in the bottom")
        XCTAssertEqual(pbt.exploit(member: 0, board: board, direction: .minimize, rng: &rng)?.source, 2, "minimizing, 0.9 is worst")
        board[0] = status(0.9, step: 10)
        XCTAssertNil(pbt.exploit(member: 2, board: board, direction: .maximize, rng: &rng), "a finished member is not copied")
        board[0] = status(0.9, usable: false)
        XCTAssertNil(pbt.exploit(member: 2, board: board, direction: .maximize, rng: &rng), "a failed member is not copied")
        board[0] = status(0.9)
        board[3] = nil
        board[4] = nil
        XCTAssertEqual(pbt.exploit(member: 2, board: board, direction: .maximize, rng: &rng)?.source, 0, "3 of 5 have a score: enough")
        board[1] = nil
        XCTAssertNil(pbt.exploit(member: 2, board: board, direction: .maximize, rng: &rng), "2 of 5 have a score: too few")
    }

    /// A failing segment fails its trial only; its member copies the best member and goes on.
    func testFailedSegmentCopiesTheBestMember() throws {
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 2)
        let pbt = try AsynchronousPBT(populationSize: 3, totalSteps: 4, stepsPerReady: 1, truncation: 0.34)
        try study.optimize(asyncPBT: pbt, train: { trial, segment in
            _ = try trial.suggestFloat("lr", 0.1, 1)
            if segment.member == 1 && segment.generation == 1 { throw MissingCheckpoint(trial: -1) }
            return Double(segment.endStep * 10 + (2 - segment.member))
        })
        let trials = try study.trials()
        let failed = trials.filter { $0.state == .fail }
        XCTAssertEqual(failed.map { attr($0, "member") }, [1])
        let retry = trials.first { attr($0, "member") == 1 && attr($0, "generation") == 2 }!
        XCTAssertEqual(attr(retry, "exploited_member"), 0, "member 0 scores best")
        for m in 0..<3 {
            XCTAssertTrue(trials.contains { attr($0, "member") == m && attr($0, "end_step") == 4 && $0.state == .complete }, "member \(m)")
        }
    }

    func testBadSettingsAreErrors() throws {
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 1, totalSteps: 4, stepsPerReady: 1))
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 5))
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 1, truncation: 0.6))
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 1, perturbFactors: [-1]))
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 1, maxSegmentsPerMember: 2))
        XCTAssertThrowsError(try AsynchronousPBT(populationSize: 4, totalSteps: 4, stepsPerReady: 1, minimumReported: 5))
        let multi = try Study.create(storage: InMemoryStorage(), directions: [.minimize, .minimize], seed: 1)
        XCTAssertThrowsError(try multi.optimize(asyncPBT: try AsynchronousPBT(populationSize: 2, totalSteps: 2, stepsPerReady: 1),
                                                train: { _, _ in 0 }))
    }
}
