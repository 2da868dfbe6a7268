// hone-storage-worker: one worker process of the storage tests' multi-process studies
// (crash test, concurrency tests). Separate processes, not threads, because what is
// tested is what separate processes sharing one database do: file locks, WAL, row locks,
// and a process killed with SIGKILL in the middle of a trial.
//
//   hone-storage-worker --storage URL --study NAME --trials N [--worker ID]
//                       [--trial-seconds S] [--heartbeat-seconds S] [--grace-seconds S]
//
// Like a Study worker it first fails trials whose heartbeat is older than the grace
// period (their worker died), then runs N trials: start (claiming an enqueued trial when
// one waits), suggest x (or keep the enqueued x), "train" for trial-seconds while a
// background thread heartbeats, and tell x² as the value. It prints one line per event
// so the test can follow and cross-check it:
//   stale <number>       a dead worker's trial this worker failed
//   started <number>     a trial is RUNNING (heartbeating)
//   done <number> <x>    the trial is COMPLETE with value x*x
import Foundation
import HoneSearch
import HoneStorage

struct Options {
    var storage = ""
    var study = ""
    var trials = 0
    var worker = "worker-\(getpid())"
    var trialSeconds = 0.0
    var heartbeatSeconds = 0.2
    var graceSeconds = 60.0

    init(_ arguments: [String]) {
        var index = 1
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--storage": storage = value()
            case "--study": study = value()
            case "--trials": trials = Int(value()) ?? 0
            case "--worker": worker = value()
            case "--trial-seconds": trialSeconds = Double(value()) ?? 0
            case "--heartbeat-seconds": heartbeatSeconds = Double(value()) ?? 0.2
            case "--grace-seconds": graceSeconds = Double(value()) ?? 60
            default: fail("unknown argument \(arguments[index])")
            }
            index += 1
        }
        if storage.isEmpty || study.isEmpty { fail("--storage and --study are required") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hone-storage-worker: \(message)\n".utf8))
    exit(2)
}

func say(_ line: String) {
    // Unbuffered, so a line printed before SIGKILL reaches the test.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Heartbeats the current trial from a background thread, as a Study worker does while
/// the objective trains.
final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var trialId: Int64?

    init(storage: Storage, every interval: Double) {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                lock.lock()
                let current = trialId
                lock.unlock()
                if let current { try? storage.recordHeartbeat(trialIds: [current], now: Date()) }
            }
        }
        thread.start()
    }

    func track(_ id: Int64?) {
        lock.lock()
        trialId = id
        lock.unlock()
    }
}

let options = Options(CommandLine.arguments)
do {
    let storage = try openStorage(url: options.storage)
    let study: StudyRecord
    do {
        study = try storage.createStudy(name: options.study, directions: [.minimize], now: Date())
    } catch StorageError.studyAlreadyExists {
        study = try storage.study(named: options.study)!
    }
    let now = Date()
    for trial in try storage.failStaleTrials(studyId: study.id, heartbeatBefore: now.addingTimeInterval(-options.graceSeconds), now: now) {
        say("stale \(trial.number)")
    }
    let heartbeat = Heartbeat(storage: storage, every: options.heartbeatSeconds)
    let distribution = Distribution.float(-10, 10)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<options.trials {
        let trial = try storage.startTrial(studyId: study.id, TrialStart(workerId: options.worker, heartbeat: true, now: Date()))
        heartbeat.track(trial.id)
        say("started \(trial.number)")
        let enqueued = trial.params["x"]?.doubleValue
        let x = enqueued ?? Double.random(in: -10...10, using: &generator)
        if options.trialSeconds > 0 { Thread.sleep(forTimeInterval: options.trialSeconds) }
        try storage.updateTrial(id: trial.id, TrialUpdate(
            params: enqueued == nil ? [TrialParam(name: "x", distribution: distribution, value: .float(x))] : [],
            finish: TrialFinish(state: .complete, values: [x * x], at: Date())))
        heartbeat.track(nil)
        say("done \(trial.number) \(x)")
    }
    exit(0)
} catch {
    fail("\(error)")
}
