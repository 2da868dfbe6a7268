// hone-storage-worker: one worker process of the storage tests' multi-process studies
// (crash test, concurrency tests). Separate processes, not threads, because what is
// tested is what separate processes sharing one database do: file locks, WAL, row locks,
// and a process killed with SIGKILL in the middle of a trial.
//
//   hone-storage-worker --storage URL --study NAME (--trials N | --until-complete T)
//                        [--trial-seconds S] [--heartbeat-seconds S] [--grace-seconds S]
//                        [--start-when-exists PATH]   (a barrier: "ready", then wait for PATH)
//
// It is a plain Study worker: it loads (or creates) the study with a heartbeat policy,
// fails trials whose heartbeat is older than the grace period (their worker died), then
// runs `Study.optimize` for N trials (or until the study as a whole has T COMPLETE trials,
// checked after each of its own trials) of an objective that suggests x (an enqueued trial
// gets its fixed x), "trains" for trial-seconds while the study heartbeats, and returns
// x². It prints one line per event so the test can follow and cross-check it:
//   ready                waiting at the --start-when-exists barrier
//   stale <number>       a dead worker's trial this worker failed
//   started <number>     a trial is RUNNING (its objective is running)
//   done <number> <x>    the trial is stored COMPLETE with value x*x (printed after tell)
//   finished <number> <state>  the trial ended otherwise (e.g. another worker had failed
//                        it as stale before this one told it)
import Foundation
import HoneSearch
import HoneStorage

struct Options {
    var storage = ""
    var study = ""
    var trials = 0
    var untilComplete: Int?
    var trialSeconds = 0.0
    var heartbeatSeconds = 0.2
    var graceSeconds = 60.0
    /// A barrier: print "ready", then open the storage as soon as this file exists, so
    /// that many workers meet a new database file at the same instant.
    var startWhenExists: String?

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
            case "--until-complete": untilComplete = Int(value())
            case "--trial-seconds": trialSeconds = Double(value()) ?? 0
            case "--heartbeat-seconds": heartbeatSeconds = Double(value()) ?? 0.2
            case "--grace-seconds": graceSeconds = Double(value()) ?? 60
            case "--start-when-exists": startWhenExists = value()
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

let options = Options(CommandLine.arguments)
if let barrier = options.startWhenExists {
    say("ready")
    while !FileManager.default.fileExists(atPath: barrier) { usleep(100) }
}
do {
    let study = try Study.create(
        name: options.study, storage: openStorage(url: options.storage), directions: [.minimize],
        sampler: RandomSampler(), loadIfExists: true,
        heartbeat: HeartbeatPolicy(interval: options.heartbeatSeconds, gracePeriod: options.graceSeconds))
    for trial in try study.failStaleTrials() {
        say("stale \(trial.number)")
    }
    let trialSeconds = options.trialSeconds
    let target = options.untilComplete
    try study.optimize({ trial in
        let x = try trial.suggestFloat("x", -10, 10)
        say("started \(trial.number)")
        if trialSeconds > 0 { Thread.sleep(forTimeInterval: trialSeconds) }
        return x * x
    }, nTrials: target == nil ? options.trials : nil, catchErrors: false, callbacks: [{ study, trial in
        if trial.state == .complete {
            say("done \(trial.number) \(trial.params["x"]?.doubleValue ?? .nan)")
        } else {
            say("finished \(trial.number) \(trial.state.rawValue)")
        }
        // A failed count only delays the stop: the next ask reports the storage error.
        if let target, let complete = try? study.trialCount(states: [.complete]), complete >= target {
            study.stop()
        }
    }])
    exit(0)
} catch {
    fail("\(error)")
}
