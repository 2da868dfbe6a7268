// hone-bench-storage memory: the resident memory of one process that runs a long study.
//
//   hone-bench-storage memory --storage URL --rounds 200000 [--sampler tpe|random]
//                             [--checkpoints 10000,50000,100000,200000]
//
// One process asks and tells `rounds` trials (two floats and an int, the value a cheap
// function of them) on one new study and prints, at each checkpoint, its resident set
// (VmRSS), the peak (VmHWM) and the mean ask+tell cost over the last 1,000 rounds — so
// growth per trial can be read off and attributed (see BENCHMARKS.md "Memory").
import Foundation
import HoneSearch
import HoneStorage

/// A field of /proc/self/status in KiB (VmRSS, VmHWM).
func procStatusKiB(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }
    return -1
}

func memory(_ arguments: [String]) throws {
    let url = required("--storage", in: arguments)
    let rounds: Int = number("--rounds", in: arguments)
    let samplerName = option("--sampler", in: arguments) ?? "tpe"
    let checkpoints = Set((option("--checkpoints", in: arguments) ?? "10000,50000,100000,200000")
        .split(separator: ",").compactMap { Int($0) })
    let sampler: Sampler
    switch samplerName {
    case "tpe": sampler = TPESampler()
    case "random": sampler = RandomSampler()
    default: fail("--sampler takes tpe or random")
    }
    removeSQLiteFiles(url)
    let study = try Study.create(name: "memory", storage: openStorage(url: url), sampler: sampler, seed: 0)
    let started = wallClock()
    var recent: [Double] = []
    for round in 1...rounds {
        let t0 = wallClock()
        let trial = try study.ask()
        let x = try trial.suggestFloat("x", -5, 5)
        let lr = try trial.suggestFloat("lr", 1e-5, 1, log: true)
        let n = try trial.suggestInt("layers", 1, 4)
        try study.tell(trial, value: x * x + abs(log10(lr) + 3) + Double(n))
        recent.append(wallClock() - t0)
        if recent.count > 1000 { recent.removeFirst(recent.count - 1000) }
        if checkpoints.contains(round) || round == rounds {
            emit([("mode", "memory"), ("backend", backendName(url)), ("sampler", samplerName), ("trials", round),
                  ("rss_mib", Double(procStatusKiB("VmRSS")) / 1024), ("peak_mib", Double(procStatusKiB("VmHWM")) / 1024),
                  ("ask_tell_ms_last_1000", 1000 * recent.reduce(0, +) / Double(recent.count)),
                  ("elapsed_s", wallClock() - started)])
        }
    }
}
