// The `Storage` contract in tests: every backend runs these checks.
//
// Usage from a backend's test target:
//
//     final class SQLiteStorageConformanceTests: XCTestCase {
//         func testConformance() {
//             StorageConformance.run { try SQLiteStorage(url: "sqlite:///\(tmpdir)/\(UUID()).db") }
//         }
//     }
//
// The factory is called once per check and must return an empty storage.

import Foundation
import HoneSearch
import XCTest

public enum StorageConformance {
    /// Runs every check (or those named in `only`) on fresh storages from `factory`.
    @discardableResult
    public static func run(only: Set<String>? = nil, file: StaticString = #filePath, line: UInt = #line,
                           _ factory: () throws -> Storage) -> [String]
    {
        runConformance("Storage", checks: checks, only: only, make: factory, file: file, line: line)
    }

    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Timestamps survive a round trip to millisecond precision at least.
    static func sameTime(_ a: Date?, _ b: Date?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return abs(x.timeIntervalSince(y)) < 1e-3
        default: return false
        }
    }

    static func isNotRunning(_ e: Error) -> Bool {
        if case StorageError.trialNotRunning = e { return true }
        return false
    }

    static func isInvalid(_ e: Error) -> Bool {
        if case StorageError.invalidRecord = e { return true }
        return false
    }

    static let complete: Set<TrialState> = [.complete]

    /// A distribution of every kind, with a value from each, for round trips.
    static let sampleParams: [TrialParam] = [
        TrialParam(name: "lr", distribution: .float(1e-5, 1, log: true), value: .float(0.00123456789)),
        TrialParam(name: "dropout", distribution: .float(0, 0.5, step: 0.1), value: .float(0.3)),
        TrialParam(name: "x", distribution: .float(-3.5, 2.25), value: .float(-1.0 / 3.0)),
        TrialParam(name: "width", distribution: .int(16, 1024, log: true), value: .int(100)),
        TrialParam(name: "layers", distribution: .int(1, 9, step: 2), value: .int(7)),
        TrialParam(name: "activation", distribution: .categorical(["relu", "tanh", "gelu"]), value: "gelu"),
        TrialParam(name: "batch", distribution: .categorical([32, 64, 128.5]), value: .float(128.5)),
        TrialParam(name: "nesterov", distribution: .categorical([true, false]), value: false),
        TrialParam(name: "norm", distribution: .categorical([.null, "batch", 1]), value: .null),
        TrialParam(name: "seed", distribution: .fixed(.int(42)), value: .int(42)),
    ]

    public static let checks: [ConformanceCheck<Storage>] = [
        ConformanceCheck("studies: create, load by name and id, list, duplicate name") { s in
            let a = try s.createStudy(name: "alpha", directions: [.minimize], now: t0)
            let b = try s.createStudy(name: "beta", directions: [.maximize, .minimize], now: t0)
            try require(a.id != b.id, "study ids must differ")
            try requireEqual(try s.study(named: "alpha")?.id, a.id, "load by name:")
            try requireEqual(try s.study(id: b.id)?.name, "beta", "load by id:")
            try requireEqual(try s.study(id: b.id)?.directions, [.maximize, .minimize], "directions:")
            try require(try s.study(named: "gamma") == nil, "unknown name must give nil")
            try requireEqual(try s.allStudies().map(\.name), ["alpha", "beta"], "allStudies order by id:")
            try requireThrows("duplicate name", { try s.createStudy(name: "alpha", directions: [.minimize], now: t0) },
                              matching: { if case StorageError.studyAlreadyExists("alpha") = $0 { return true }; return false })
            try requireEqual(try s.allStudies().count, 2, "a failed create must not add a study:")
        },

        ConformanceCheck("studies: attributes merge; delete removes the study and its trials") { s in
            let a = try s.createStudy(name: "alpha", directions: [.minimize], now: t0)
            try s.setStudyAttributes(studyId: a.id, user: ["note": "first", "n": 3], system: ["sampler": "random"])
            try s.setStudyAttributes(studyId: a.id, user: ["note": "second"], system: [:])
            let r = try s.study(id: a.id)!
            try requireEqual(r.userAttrs, ["note": "second", "n": 3], "user attrs:")
            try requireEqual(r.systemAttrs, ["sampler": "random"], "system attrs:")
            let t = try s.startTrial(studyId: a.id, TrialStart(now: t0))
            try s.deleteStudy(id: a.id)
            try require(try s.study(named: "alpha") == nil, "deleted study still found by name")
            try require(try s.trial(id: t.id) == nil, "trial of a deleted study still found")
            try requireThrows("delete twice", { try s.deleteStudy(id: a.id) })
            // The name can be used again.
            _ = try s.createStudy(name: "alpha", directions: [.minimize], now: t0)
        },

        ConformanceCheck("startTrial: RUNNING, dense numbers, worker, start time, heartbeat flag") { s in
            let a = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            let b = try s.createStudy(name: "b", directions: [.minimize], now: t0)
            for i in 0..<5 {
                let t = try s.startTrial(studyId: a.id, TrialStart(workerId: "w\(i)", heartbeat: i % 2 == 0,
                                                                   now: t0.addingTimeInterval(Double(i))))
                try requireEqual(t.number, i, "trial number:")
                try requireEqual(t.state, .running, "state:")
                try requireEqual(t.workerId, "w\(i)", "worker:")
                try requireEqual(t.studyId, a.id, "study id:")
                try require(sameTime(t.startedAt, t0.addingTimeInterval(Double(i))), "startedAt \(String(describing: t.startedAt))")
                try require(i % 2 == 0 ? sameTime(t.heartbeatAt, t.startedAt) : t.heartbeatAt == nil,
                            "heartbeatAt must be the start time when heartbeat is on, nil otherwise")
                try requireEqual(try s.trial(studyId: a.id, number: i)?.id, t.id, "trial(studyId:number:)")
            }
            // Numbers are per study.
            try requireEqual(try s.startTrial(studyId: b.id, TrialStart(now: t0)).number, 0, "other study's first number:")
            try requireThrows("unknown study", { try s.startTrial(studyId: 999_999, TrialStart(now: t0)) })
        },

        ConformanceCheck("every kind of param, report, attribute and time round-trips") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize, .maximize], now: t0)
            let t = try s.startTrial(studyId: st.id, TrialStart(now: t0))
            let reports: [IntermediateKey: [Double]] = [
                IntermediateKey(step: 0): [1.5, -2], IntermediateKey(step: 3, fold: 2): [0.25, 1e-300],
                IntermediateKey(step: -1, fold: 0): [.infinity, -.infinity],
            ]
            let user: [String: JSONValue] = ["s": "text ünïcode 'quote' \"dq\"", "x": 0.1, "b": true, "nil": nil,
                                             "list": [1, "two", [3]], "obj": ["k": ["n": 1]]]
            try s.updateTrial(id: t.id, TrialUpdate(params: Array(sampleParams.prefix(4)), intermediateValues: reports,
                                                    userAttrs: user, systemAttrs: ["retry_of": 7]))
            try s.updateTrial(id: t.id, TrialUpdate(params: Array(sampleParams.dropFirst(4))))
            try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [0.1 + 0.2, -1e-12],
                                                                        at: t0.addingTimeInterval(12.5))))
            let r = try s.trial(id: t.id)!
            try requireEqual(r.state, .complete, "state:")
            try requireEqual(r.values, [0.1 + 0.2, -1e-12], "values (bit-exact):")
            for p in sampleParams {
                try requireEqual(r.params[p.name], p.value, "param \(p.name):")
                try requireEqual(r.distributions[p.name], p.distribution, "distribution of \(p.name):")
            }
            try requireEqual(r.params.count, sampleParams.count, "number of params:")
            try requireEqual(r.intermediateValues, reports, "intermediate values:")
            try requireEqual(r.userAttrs, user, "user attrs:")
            try requireEqual(r.systemAttrs, ["retry_of": 7], "system attrs:")
            try require(sameTime(r.finishedAt, t0.addingTimeInterval(12.5)), "finishedAt")
            try require(sameTime(r.startedAt, t0), "startedAt")
            try requireEqual(r.failReason, nil, "failReason:")
        },

        ConformanceCheck("updateTrial: params are write-once; reports overwrite; unknown trial") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            let t = try s.startTrial(studyId: st.id, TrialStart(now: t0))
            let p = TrialParam(name: "x", distribution: .float(0, 1), value: .float(0.5))
            try s.updateTrial(id: t.id, TrialUpdate(params: [p], intermediateValues: [IntermediateKey(step: 1): [3]]))
            try s.updateTrial(id: t.id, TrialUpdate(params: [p]))   // same param again: no-op
            try requireThrows("different value for a set param", {
                try s.updateTrial(id: t.id, TrialUpdate(params: [TrialParam(name: "x", distribution: .float(0, 1), value: .float(0.7))]))
            }, matching: { if case StorageError.paramConflict = $0 { return true }; return false })
            try requireThrows("different distribution for a set param", {
                try s.updateTrial(id: t.id, TrialUpdate(params: [TrialParam(name: "x", distribution: .float(0, 2), value: .float(0.5))]))
            }, matching: { if case StorageError.paramConflict = $0 { return true }; return false })
            try s.updateTrial(id: t.id, TrialUpdate(intermediateValues: [IntermediateKey(step: 1): [2]]))
            let r = try s.trial(id: t.id)!
            try requireEqual(r.params, ["x": .float(0.5)], "params after conflicts:")
            try requireEqual(r.intermediateValues, [IntermediateKey(step: 1): [2]], "report overwritten:")
            try requireThrows("unknown trial id", { try s.updateTrial(id: 987_654_321, TrialUpdate(userAttrs: ["a": 1])) })
        },

        ConformanceCheck("finishing: once only; COMPLETE needs finite values of the right count; failed writes change nothing") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize, .minimize], now: t0)
            let t = try s.startTrial(studyId: st.id, TrialStart(now: t0))
            try requireThrows("COMPLETE without values", {
                try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, at: t0)))
            }, matching: isInvalid)
            try requireThrows("COMPLETE with one value in a 2-objective study", {
                try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1], at: t0)))
            }, matching: isInvalid)
            try requireThrows("COMPLETE with NaN", {
                try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1, .nan], at: t0)))
            }, matching: isInvalid)
            try requireThrows("COMPLETE with inf", {
                try s.updateTrial(id: t.id, TrialUpdate(userAttrs: ["lost": 1],
                    finish: TrialFinish(state: .complete, values: [1, .infinity], at: t0)))
            }, matching: isInvalid)
            try requireThrows("finish as WAITING", {
                try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .waiting, at: t0)))
            }, matching: isInvalid)
            var r = try s.trial(id: t.id)!
            try requireEqual(r.state, .running, "state after rejected finishes:")
            try requireEqual(r.userAttrs, [:], "a rejected update must not apply its other parts:")
            try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .fail, failReason: "boom", at: t0)))
            r = try s.trial(id: t.id)!
            try requireEqual(r.state, .fail, "state:")
            try requireEqual(r.failReason, "boom", "failReason:")
            try requireThrows("finish twice", {
                try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1, 2], at: t0)))
            }, matching: isNotRunning)
            try requireThrows("update a finished trial", { try s.updateTrial(id: t.id, TrialUpdate(userAttrs: ["a": 1])) },
                              matching: isNotRunning)
            try requireEqual(try s.trial(id: t.id)!.state, .fail, "state after rejected second finish:")
            // PRUNED may carry the last report as its values.
            let u = try s.startTrial(studyId: st.id, TrialStart(now: t0))
            try s.updateTrial(id: u.id, TrialUpdate(finish: TrialFinish(state: .pruned, values: [0.5, 0.25], at: t0)))
            try requireEqual(try s.trial(id: u.id)?.values, [0.5, 0.25], "PRUNED values:")
        },

        ConformanceCheck("WAITING trials: claimed lowest number first, params kept, each exactly once") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            let first = try s.startTrial(studyId: st.id, TrialStart(now: t0))   // number 0, running
            var enqueued: [FrozenTrial] = []
            for i in 0..<3 {
                let t = try s.createTrial(studyId: st.id, draft: TrialDraft(
                    state: .waiting, params: [TrialParam(name: "x", distribution: .float(0, 10), value: .float(Double(i)))],
                    userAttrs: ["i": JSONValue.number(Double(i))]))
                try requireEqual(t.state, .waiting, "enqueued state:")
                try requireEqual(t.number, i + 1, "enqueued number:")
                try require(t.startedAt == nil, "a WAITING trial has no start time")
                enqueued.append(t)
            }
            try requireEqual(try s.trialCount(studyId: st.id, states: [.waiting]), 3, "waiting count:")
            for i in 0..<3 {
                let t = try s.startTrial(studyId: st.id, TrialStart(workerId: "w", heartbeat: true, now: t0.addingTimeInterval(5)))
                try requireEqual(t.id, enqueued[i].id, "claim order (lowest number first):")
                try requireEqual(t.state, .running, "claimed state:")
                try requireEqual(t.params, ["x": .float(Double(i))], "claimed params:")
                try requireEqual(t.userAttrs, ["i": JSONValue.number(Double(i))], "claimed attrs:")
                try requireEqual(t.workerId, "w", "claimed worker:")
                try require(sameTime(t.startedAt, t0.addingTimeInterval(5)), "claimed start time")
                try require(sameTime(t.heartbeatAt, t0.addingTimeInterval(5)), "claimed heartbeat")
            }
            let fresh = try s.startTrial(studyId: st.id, TrialStart(now: t0))
            try requireEqual(fresh.number, 4, "after the queue is empty, a new number:")
            try requireEqual(fresh.params, [:], "a new trial has no params:")
            try require(first.number == 0, "first trial number")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.waiting]), 0, "waiting count after claims:")
        },

        ConformanceCheck("createTrial: copies of finished trials; draft rules") { s in
            let st = try s.createStudy(name: "a", directions: [.maximize], now: t0)
            let draft = TrialDraft(state: .complete, values: [0.9], params: Array(sampleParams.prefix(3)),
                                   intermediateValues: [IntermediateKey(step: 1): [0.5]], userAttrs: ["from": "elsewhere"],
                                   startedAt: t0, finishedAt: t0.addingTimeInterval(3), workerId: "old")
            let t = try s.createTrial(studyId: st.id, draft: draft)
            try requireEqual(t.number, 0, "number:")
            let r = try s.trial(id: t.id)!
            try requireEqual(r.state, .complete, "state:")
            try requireEqual(r.values, [0.9], "values:")
            try requireEqual(r.params.count, 3, "params:")
            try requireEqual(r.userAttrs, ["from": "elsewhere"], "attrs:")
            try require(sameTime(r.finishedAt, t0.addingTimeInterval(3)), "finishedAt")
            try requireThrows("COMPLETE draft without values", {
                try s.createTrial(studyId: st.id, draft: TrialDraft(state: .complete))
            }, matching: isInvalid)
            try requireThrows("draft with duplicate param names", {
                try s.createTrial(studyId: st.id, draft: TrialDraft(state: .waiting, params: [sampleParams[0], sampleParams[0]]))
            }, matching: isInvalid)
            try requireThrows("WAITING draft with a finish time", {
                try s.createTrial(studyId: st.id, draft: TrialDraft(state: .waiting, finishedAt: t0))
            }, matching: isInvalid)
            try requireEqual(try s.trialCount(studyId: st.id, states: nil), 1, "rejected drafts must not create trials:")
            // The next trial still gets the next dense number.
            try requireEqual(try s.startTrial(studyId: st.id, TrialStart(now: t0)).number, 1, "number after rejected drafts:")
        },

        ConformanceCheck("change sequence: incremental reads return exactly what changed; heartbeats are not changes") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            try requireEqual(try s.changeCursor(studyId: st.id), 0, "cursor of an empty study:")
            var trials: [FrozenTrial] = []
            for _ in 0..<4 { trials.append(try s.startTrial(studyId: st.id, TrialStart(heartbeat: true, now: t0))) }
            let all = try s.trials(studyId: st.id, states: nil, changedAfter: 0)
            try requireEqual(all.trials.map(\.number), [0, 1, 2, 3], "full listing order:")
            try requireEqual(all.cursor, try s.changeCursor(studyId: st.id), "cursor of a full listing:")
            try require(all.trials.allSatisfy { $0.changeSeq >= 1 && $0.changeSeq <= all.cursor }, "changeSeq within (0, cursor]")
            let c1 = all.cursor
            try requireEqual(try s.trials(studyId: st.id, states: nil, changedAfter: c1).trials.count, 0, "nothing changed:")
            try s.recordHeartbeat(trialIds: trials.map(\.id), now: t0.addingTimeInterval(1))
            try requireEqual(try s.changeCursor(studyId: st.id), c1, "a heartbeat must not bump the cursor:")
            try s.updateTrial(id: trials[2].id, TrialUpdate(finish: TrialFinish(state: .complete, values: [2], at: t0)))
            try s.updateTrial(id: trials[0].id, TrialUpdate(intermediateValues: [IntermediateKey(step: 1): [5]]))
            try s.updateTrial(id: trials[0].id, TrialUpdate(finish: TrialFinish(state: .complete, values: [0], at: t0)))
            let d = try s.trials(studyId: st.id, states: nil, changedAfter: c1)
            try requireEqual(d.trials.map(\.number), [0, 2], "changed trials, each once, by number:")
            try require(d.cursor > c1, "cursor must advance")
            try requireEqual(d.trials[0].values, [0], "a changed trial is returned as it is now:")
            let onlyComplete = try s.trials(studyId: st.id, states: complete, changedAfter: 0)
            try requireEqual(onlyComplete.trials.map(\.number), [0, 2], "COMPLETE filter:")
            try s.updateTrial(id: trials[1].id, TrialUpdate(userAttrs: ["k": 1]))
            let e = try s.trials(studyId: st.id, states: complete, changedAfter: d.cursor)
            try requireEqual(e.trials.count, 0, "a RUNNING change does not match the COMPLETE filter:")
            try require(e.cursor > d.cursor, "the cursor still advances past filtered-out changes")
            try requireEqual(try s.trials(studyId: st.id, states: nil, changedAfter: d.cursor).trials.map(\.number), [1],
                             "unfiltered sees the running change:")
            let n = try s.trials(studyId: st.id, states: nil, changedAfter: 0).trials.first { $0.number == 3 }!
            try require(sameTime(n.heartbeatAt, t0.addingTimeInterval(1)), "heartbeat recorded")
        },

        ConformanceCheck("trialCount by state") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            for i in 0..<7 {
                let t = try s.startTrial(studyId: st.id, TrialStart(now: t0))
                switch i % 3 {
                case 0: try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1], at: t0)))
                case 1: try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .pruned, at: t0)))
                default: break
                }
            }
            _ = try s.createTrial(studyId: st.id, draft: TrialDraft(state: .waiting))
            try requireEqual(try s.trialCount(studyId: st.id, states: nil), 8, "all:")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.complete]), 3, "complete:")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.pruned]), 2, "pruned:")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.running]), 2, "running:")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.complete, .pruned, .fail]), 5, "finished:")
            try requireEqual(try s.trialCount(studyId: st.id, states: [.waiting]), 1, "waiting:")
        },

        ConformanceCheck("failStaleTrials: only heartbeating RUNNING trials older than the cutoff, once") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            let old = try s.startTrial(studyId: st.id, TrialStart(heartbeat: true, now: t0))
            let fresh = try s.startTrial(studyId: st.id, TrialStart(heartbeat: true, now: t0))
            let silent = try s.startTrial(studyId: st.id, TrialStart(heartbeat: false, now: t0))
            let done = try s.startTrial(studyId: st.id, TrialStart(heartbeat: true, now: t0))
            try s.updateTrial(id: done.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1], at: t0)))
            try s.recordHeartbeat(trialIds: [fresh.id, done.id], now: t0.addingTimeInterval(100))
            let c = try s.changeCursor(studyId: st.id)
            let failed = try s.failStaleTrials(studyId: st.id, heartbeatBefore: t0.addingTimeInterval(50),
                                               now: t0.addingTimeInterval(110))
            try requireEqual(failed.map(\.id), [old.id], "stale trials:")
            try requireEqual(failed[0].state, .fail, "returned state:")
            try require(failed[0].failReason?.isEmpty == false, "a stale trial needs a fail reason")
            try require(sameTime(failed[0].finishedAt, t0.addingTimeInterval(110)), "finishedAt = now")
            try requireEqual(try s.trial(id: old.id)?.state, .fail, "stored state:")
            try requireEqual(try s.trial(id: fresh.id)?.state, .running, "fresh trial:")
            try requireEqual(try s.trial(id: silent.id)?.state, .running, "trial without heartbeats:")
            try requireEqual(try s.trial(id: done.id)?.state, .complete, "finished trial:")
            try requireEqual(try s.trials(studyId: st.id, states: nil, changedAfter: c).trials.map(\.id), [old.id],
                             "failing a stale trial is a change:")
            try requireEqual(try s.failStaleTrials(studyId: st.id, heartbeatBefore: t0.addingTimeInterval(50),
                                                   now: t0.addingTimeInterval(120)).count, 0, "second call:")
            try requireThrows("the failed worker's late tell", {
                try s.updateTrial(id: old.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [1], at: t0)))
            }, matching: isNotRunning)
        },

        ConformanceCheck("concurrency: 8 threads × 25 trials, 40 enqueued: dense unique numbers, each enqueued trial once") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            for i in 0..<40 {
                _ = try s.createTrial(studyId: st.id, draft: TrialDraft(
                    state: .waiting, params: [TrialParam(name: "i", distribution: .int(0, 100), value: .int(i))]))
            }
            let threads = 8, perThread = 25
            let results = ConcurrentResults<FrozenTrial>()
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                do {
                    for _ in 0..<perThread {
                        let t = try s.startTrial(studyId: st.id, TrialStart(workerId: "w\(w)", heartbeat: true, now: t0))
                        try s.updateTrial(id: t.id, TrialUpdate(
                            params: t.params.isEmpty ? [TrialParam(name: "w", distribution: .int(0, 100), value: .int(w))] : [],
                            finish: TrialFinish(state: .complete, values: [Double(w)], at: t0)))
                        results.append(t)
                    }
                } catch { results.fail("\(error)") }
            }
            try require(results.errors.isEmpty, "errors in workers: \(results.errors)")
            let all = try s.allTrials(studyId: st.id)
            try requireEqual(all.map(\.number), Array(0..<(threads * perThread)), "numbers must be 0..<200:")
            try require(all.allSatisfy { $0.state == .complete }, "every trial complete")
            let claimed = results.items.compactMap { $0.params["i"]?.intValue }.sorted()
            try requireEqual(claimed, Array(0..<40), "every enqueued trial claimed exactly once:")
            try requireEqual(Set(results.items.map(\.id)).count, threads * perThread, "no trial handed out twice:")
        },

        ConformanceCheck("concurrency: racing finishes of one trial — exactly one wins") { s in
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            for _ in 0..<20 {
                let t = try s.startTrial(studyId: st.id, TrialStart(now: t0))
                let results = ConcurrentResults<Int>()
                DispatchQueue.concurrentPerform(iterations: 4) { w in
                    do {
                        try s.updateTrial(id: t.id, TrialUpdate(finish: TrialFinish(state: .complete, values: [Double(w)], at: t0)))
                        results.append(w)
                    } catch StorageError.trialNotRunning {
                    } catch { results.fail("\(error)") }
                }
                try require(results.errors.isEmpty, "unexpected errors: \(results.errors)")
                try requireEqual(results.items.count, 1, "winners:")
                try requireEqual(try s.trial(id: t.id)?.values, [Double(results.items[0])], "stored value is the winner's:")
            }
        },

        ConformanceCheck("unknown study ids are errors, unknown trials are nil") { s in
            try requireThrows("trials of unknown study", { try s.trials(studyId: 424_242, states: nil, changedAfter: 0) })
            try requireThrows("count of unknown study", { try s.trialCount(studyId: 424_242, states: nil) })
            try requireThrows("cursor of unknown study", { try s.changeCursor(studyId: 424_242) })
            try requireThrows("attrs of unknown study", { try s.setStudyAttributes(studyId: 424_242, user: ["a": 1], system: [:]) })
            try requireThrows("createTrial in unknown study", { try s.createTrial(studyId: 424_242, draft: TrialDraft(state: .waiting)) })
            try require(try s.trial(id: 424_242) == nil, "unknown trial id gives nil")
            let st = try s.createStudy(name: "a", directions: [.minimize], now: t0)
            try require(try s.trial(studyId: st.id, number: 0) == nil, "unknown trial number gives nil")
            try s.recordHeartbeat(trialIds: [424_242], now: t0)   // ignored, not an error
        },
    ]
}

/// Collects results from concurrent workers.
public final class ConcurrentResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _items: [T] = []
    private var _errors: [String] = []

    public init() {}
    public func append(_ x: T) { lock.lock(); _items.append(x); lock.unlock() }
    public func fail(_ e: String) { lock.lock(); _errors.append(e); lock.unlock() }
    public var items: [T] { lock.lock(); defer { lock.unlock() }; return _items }
    public var errors: [String] { lock.lock(); defer { lock.unlock() }; return _errors }
}
