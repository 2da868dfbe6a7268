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
//       trials over the time from that start to the last worker's end. Every ask+tell is
//       timed (p50/p99 over all workers), and the trial numbers are checked: each used
//       once across the workers, 0..<T in storage, every trial COMPLETE.
//       bench/storage/scale.sh runs it with 64 workers and 20,000 trials on PostgreSQL.
//   hone-bench-storage scaling --storage URL --sizes 1000,100000 [--window 1000]
//       One process grows one study; when it reaches each size it times `window` more
//       ask+tell and reports the mean and median cost of one.
//   hone-bench-storage memory --storage URL --rounds N [--sampler tpe|random]
//       One process, one long study: resident memory at checkpoints (Memory.swift).
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

/// The ask+tell under test; returns the trial's number.
@inline(never)
@discardableResult
func askAndTell(_ study: Study) throws -> Int {
    let trial = try study.ask()
    let x = try trial.suggestFloat("x", -10, 10)
    try study.tell(trial, value: x * x)
    return trial.number
}

/// The `q` quantile of sorted `values` (nearest rank).
func quantile(_ values: [Double], _ q: Double) -> Double {
    values[min(values.count - 1, max(0, Int((q * Double(values.count)).rounded(.up)) - 1))]
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

    // Start in 2 s (plus 0.1 s a worker beyond 10): enough for every child to start,
    // connect and load the study, even 64 of them on 2 cores.
    let startAt = wallClock() + 2 + 0.1 * Double(max(0, workers - 10))
    // T trials between the workers; the first T % N run one more.
    func share(_ w: Int) -> Int { trials / workers + (w < trials % workers ? 1 : 0) }
    let children = try (0..<workers).map { w -> (Process, Pipe) in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["worker", "--storage", url, "--study", name, "--trials", "\(share(w))",
                             "--start-at", "\(startAt)", "--seed", "\(w)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        return (process, pipe)
    }
    var finished: [Double] = []
    var latencies: [Double] = []
    var numbers: [Int] = []
    for (process, pipe) in children {
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard process.terminationStatus == 0, lines.count >= 3, let end = Double(lines[0]) else {
            fail("a worker failed (status \(process.terminationStatus)): \(output.prefix(2000))")
        }
        finished.append(end)
        latencies += lines[1].split(separator: " ").compactMap { Double($0) }
        numbers += lines[2].split(separator: " ").compactMap { Int($0) }
    }
    let total = (0..<workers).reduce(0) { $0 + share($1) }
    guard numbers.count == total, latencies.count == total else {
        fail("workers reported \(numbers.count) trial numbers and \(latencies.count) timings, expected \(total)")
    }
    let duplicates = numbers.count - Set(numbers).count
    let storage = try openStorage(url: url)
    let study = try Study.load(name: name, storage: storage)
    let stored = try storage.allTrials(studyId: study.id)
    let complete = stored.filter { $0.state == .complete }.count
    let storedNumbersOK = stored.map(\.number) == Array(0..<total) && Set(numbers) == Set(0..<total)
    guard duplicates == 0, complete == total, stored.count == total, storedNumbersOK else {
        fail("expected trials 0..<\(total) each COMPLETE once; found \(stored.count) stored, \(complete) complete, \(duplicates) numbers handed out twice, numbers dense and matching: \(storedNumbersOK)")
    }
    latencies.sort()
    let seconds = finished.max()! - startAt
    emit([("backend", backendName(url)), ("workers", workers), ("trials", complete),
          ("seconds", seconds), ("trials_per_second", Double(complete) / seconds),
          ("ask_tell_p50_ms", quantile(latencies, 0.5) / 1000), ("ask_tell_p99_ms", quantile(latencies, 0.99) / 1000),
          ("ask_tell_max_ms", latencies.last! / 1000), ("duplicate_numbers", duplicates)])
}

/// One worker of a throughput run: waits for the common start, runs its trials, prints
/// three lines: the wall-clock time it finished, each ask+tell's duration in
/// microseconds, and the trial numbers it got.
func worker(_ arguments: [String]) throws {
    let url = required("--storage", in: arguments)
    let trials: Int = number("--trials", in: arguments)
    let startAt: Double = number("--start-at", in: arguments)
    let seed: UInt64 = number("--seed", in: arguments)
    let study = try Study.load(name: required("--study", in: arguments), storage: openStorage(url: url),
                               sampler: RandomSampler(), seed: seed)
    let wait = startAt - wallClock()
    if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
    var costs: [Double] = []
    var numbers: [Int] = []
    costs.reserveCapacity(trials)
    numbers.reserveCapacity(trials)
    for _ in 0..<trials {
        let start = DispatchTime.now().uptimeNanoseconds
        numbers.append(try askAndTell(study))
        costs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    let end = wallClock()
    print(end)
    print(costs.map { String(format: "%.1f", $0) }.joined(separator: " "))
    print(numbers.map(String.init).joined(separator: " "))
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
    case "memory": try memory(arguments)
    default: fail("usage: hone-bench-storage throughput|scaling --storage URL … (see the comment at the top of main.swift)")
    }
} catch {
    fail("\(error)")
}
