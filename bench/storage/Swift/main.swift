// hone-bench-storage: how many ask+tell per second Hone's storage backends sustain, and
// whether that cost stays flat as a study grows. Run by bench/storage/run.sh (release
// build), next to bench/storage/optuna_bench.py which runs the same loop on Optuna.
//
// The loop is the one a user writes (and the Optuna script mirrors): ask a trial, suggest
// one float, tell its value, with the random sampler so that storage, not sampling, is
// what is measured.
//
//   hone-bench-storage throughput --storage URL --workers N --trials T
//       N worker processes (this executable, `worker` mode) share one new study and run
//       T trials between them. They start together at a set time; throughput is all
//       trials over the time from that start to the last worker's end.
//   hone-bench-storage scaling --storage URL --sizes 1000,100000 [--window 1000]
//       One process grows one study; when it reaches each size it times `window` more
//       ask+tell and reports the mean and median cost of one.
// Each prints one JSON line per result.
import Foundation
import HoneSearch
import HoneStorage

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hone-bench-storage: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func required(_ name: String, in arguments: [String]) -> String {
    guard let value = option(name, in: arguments) else { fail("\(name) is required") }
    return value
}

func number<T: LosslessStringConvertible>(_ name: String, in arguments: [String]) -> T {
    guard let value = T(required(name, in: arguments)) else { fail("\(name) needs a number") }
    return value
}

func wallClock() -> Double { Date().timeIntervalSince1970 }

/// The ask+tell under test.
@inline(never)
func askAndTell(_ study: Study) throws {
    let trial = try study.ask()
    let x = try trial.suggestFloat("x", -10, 10)
    try study.tell(trial, value: x * x)
}

/// The backend's name for the result lines.
func backendName(_ url: String) -> String {
    url.hasPrefix("sqlite") ? "hone-sqlite" : url.hasPrefix("postgres") ? "hone-postgresql" : "hone-memory"
}

/// Removes a SQLite file and its WAL companions so each run starts empty.
func removeSQLiteFiles(_ url: String) {
    guard case .sqlite(let path)? = try? StorageURL(parsing: url) else { return }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

func emit(_ fields: [(String, Any)]) {
    let parts = fields.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\": \"\(s)\""
        case let d as Double: return "\"\(key)\": \(String(format: "%.6g", d))"
        default: return "\"\(key)\": \(value)"
        }
    }
    print("{" + parts.joined(separator: ", ") + "}")
    fflush(stdout)
}

// MARK: Modes

/// Parent of a throughput run: a fresh study, N child processes, one result line.
func throughput(_ arguments: [String]) throws {
    let url = required("--storage", in: arguments)
    let workers: Int = number("--workers", in: arguments)
    let trials: Int = number("--trials", in: arguments)
    let name = "bench-\(workers)w-\(UUID().uuidString.prefix(8))"
    removeSQLiteFiles(url)
    _ = try Study.create(name: name, storage: openStorage(url: url))

    // Start in 2 s: enough for every child to start, connect and load the study.
    let startAt = wallClock() + 2
    let perWorker = trials / workers
    let children = try (0..<workers).map { w -> (Process, Pipe) in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["worker", "--storage", url, "--study", name, "--trials", "\(perWorker)",
                             "--start-at", "\(startAt)", "--seed", "\(w)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        return (process, pipe)
    }
    var finished: [Double] = []
    for (process, pipe) in children {
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let end = Double(output.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines)) else {
            fail("a worker failed (status \(process.terminationStatus)): \(output)")
        }
        finished.append(end)
    }
    let storage = try openStorage(url: url)
    let study = try Study.load(name: name, storage: storage)
    let complete = try storage.trialCount(studyId: study.id, states: [.complete])
    guard complete == perWorker * workers else { fail("expected \(perWorker * workers) complete trials, found \(complete)") }
    let seconds = finished.max()! - startAt
    emit([("backend", backendName(url)), ("workers", workers), ("trials", complete),
          ("seconds", seconds), ("trials_per_second", Double(complete) / seconds)])
}

/// One worker of a throughput run: waits for the common start, runs its trials, prints
/// the wall-clock time it finished.
func worker(_ arguments: [String]) throws {
    let url = required("--storage", in: arguments)
    let trials: Int = number("--trials", in: arguments)
    let startAt: Double = number("--start-at", in: arguments)
    let seed: UInt64 = number("--seed", in: arguments)
    let study = try Study.load(name: required("--study", in: arguments), storage: openStorage(url: url),
                               sampler: RandomSampler(), seed: seed)
    let wait = startAt - wallClock()
    if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
    for _ in 0..<trials { try askAndTell(study) }
    print(wallClock())
}

/// Grows one study and times ask+tell at each requested size.
func scaling(_ arguments: [String]) throws {
    let url = required("--storage", in: arguments)
    let sizes = required("--sizes", in: arguments).split(separator: ",").compactMap { Int($0) }.sorted()
    let window = Int(option("--window", in: arguments) ?? "1000") ?? 1000
    removeSQLiteFiles(url)
    let study = try Study.create(name: "scaling-\(UUID().uuidString.prefix(8))", storage: openStorage(url: url),
                                 sampler: RandomSampler(), seed: 0)
    var size = 0
    let fillStart = wallClock()
    for target in sizes {
        while size < target {
            try askAndTell(study)
            size += 1
        }
        var costs: [Double] = []
        costs.reserveCapacity(window)
        for _ in 0..<window {
            let start = DispatchTime.now().uptimeNanoseconds
            try askAndTell(study)
            costs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        size += window
        costs.sort()
        emit([("backend", backendName(url)), ("trials_in_study", target),
              ("mean_us", costs.reduce(0, +) / Double(costs.count)), ("median_us", costs[costs.count / 2]),
              ("p90_us", costs[costs.count * 9 / 10]), ("p99_us", costs[costs.count * 99 / 100]),
              ("max_us", costs.last!), ("window", window),
              ("elapsed_s", wallClock() - fillStart)])
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "throughput": try throughput(arguments)
    case "worker": try worker(arguments)
    case "scaling": try scaling(arguments)
    default: fail("usage: hone-bench-storage throughput|scaling --storage URL … (see the comment at the top of main.swift)")
    }
} catch {
    fail("\(error)")
}
