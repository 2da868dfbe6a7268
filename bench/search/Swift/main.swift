// hone-bench-search: how close Hone's samplers get to the known minimum of standard test
// functions in a fixed number of evaluations, and what one ask costs as a study grows.
// Run by bench/search/run.sh (release build), next to bench/search/peers.py, which writes
// the same JSON lines for Optuna, Hyperopt and nevergrad.
//
//   hone-bench-search regret --problems branin,hartmann6-shifted,… --samplers auto,tpe,…
//                            --seeds 10 --evals 100
//       One line per (problem, sampler, seed): the simple regret (best value so far minus
//       the known minimum) after every evaluation, and the CPU seconds the run took.
//   hone-bench-search problems
//       Each problem's box, minimum and values at two points, for bench/search/summarize.py
//       to check that peers.py defines the same problems.
//   hone-bench-search asktime --samplers tpe,gp --sizes 100,500,1000 --asks 20 [--problem hartmann6]
//       For each size n: a study holding n finished random trials, then `asks` asks of the
//       sampler under test (ask + the suggestions of every parameter, i.e. all sampling
//       work; the objective and tell are not timed). One line per (sampler, n) with the
//       median and mean thread-CPU time per ask.
import Foundation
import HoneSearch
import HoneSearchProblems

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hone-bench-search: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func list(_ name: String, in arguments: [String], default value: String) -> [String] {
    (option(name, in: arguments) ?? value).split(separator: ",").map { String($0) }
}

func integer(_ name: String, in arguments: [String], default value: Int) -> Int {
    guard let text = option(name, in: arguments) else { return value }
    guard let n = Int(text), n > 0 else { fail("\(name) needs a positive integer, got \"\(text)\"") }
    return n
}

/// Thread CPU time: other processes on a shared machine do not inflate it.
func cpuTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func json(_ fields: [(String, Any)]) -> String {
    let parts = fields.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\": \"\(s)\""
        case let d as Double: return "\"\(key)\": \(String(format: "%.12g", d))"
        case let a as [Double]: return "\"\(key)\": [" + a.map { String(format: "%.12g", $0) }.joined(separator: ", ") + "]"
        default: return "\"\(key)\": \(value)"
        }
    }
    return "{" + parts.joined(separator: ", ") + "}"
}

func emit(_ fields: [(String, Any)]) {
    print(json(fields))
    fflush(stdout)
}

func problem(_ name: String) -> BenchmarkProblem {
    guard let p = BenchmarkProblem.named(name) else {
        fail("unknown problem \"\(name)\" (known: \(BenchmarkProblem.standard.map(\.name).joined(separator: ", ")), each also with -shifted)")
    }
    return p
}

/// Grid search with k values per parameter (cell midpoints), k the largest with kᴰ ≤ evals.
func grid(for p: BenchmarkProblem, evals: Int) throws -> GridSampler {
    var k = 2
    while pow(Double(k + 1), Double(p.dimension)) <= Double(evals) { k += 1 }
    var values: [String: [ParamValue]] = [:]
    for (j, name) in p.parameterNames.enumerated() {
        values[name] = (0..<k).map { .float(p.lower[j] + (Double($0) + 0.5) / Double(k) * (p.upper[j] - p.lower[j])) }
    }
    return try GridSampler(values)
}

func sampler(_ name: String, problem p: BenchmarkProblem, evals: Int) throws -> Sampler {
    switch name {
    case "random": return RandomSampler()
    case "sobol": return SobolSampler()
    case "grid": return try grid(for: p, evals: evals)
    case "tpe": return TPESampler()
    case "gp": return GPSampler()
    case "cmaes": return CMAESSampler()
    case "trust-region": return TrustRegionSampler()
    case "nsga2": return try NSGAIISampler()
    // The default sampler, as `study { sampler = "auto" }` builds it (no budget given).
    case "auto": return AutoSampler()
    default: fail("unknown sampler \"\(name)\" (known: random, sobol, grid, tpe, gp, cmaes, nsga2, auto)")
    }
}

/// Ask, suggest every parameter of `p`, return the trial and its point.
func askPoint(_ study: Study, _ p: BenchmarkProblem) throws -> (Trial, [Double]) {
    let trial = try study.ask()
    var x = [Double](repeating: 0, count: p.dimension)
    for (j, name) in p.parameterNames.enumerated() { x[j] = try trial.suggestFloat(name, p.lower[j], p.upper[j]) }
    return (trial, x)
}

// MARK: Modes

func regret(_ arguments: [String]) throws {
    let problems = list("--problems", in: arguments, default: BenchmarkProblem.standard.map(\.name).joined(separator: ",")).map(problem)
    let samplers = list("--samplers", in: arguments, default: "random,sobol,grid,tpe,gp,cmaes,nsga2,auto")
    let seeds = integer("--seeds", in: arguments, default: 10)
    let evals = integer("--evals", in: arguments, default: 100)
    for p in problems {
        for name in samplers {
            for seed in 0..<seeds {
                let s = try sampler(name, problem: p, evals: evals)
                let study = try Study.create(sampler: s, seed: UInt64(seed))
                // A grid has fewer points than the budget; the best value then stays put.
                let runs = (s as? GridSampler).map { min($0.size, evals) } ?? evals
                var best = Double.infinity
                var trace: [Double] = []
                let start = cpuTime()
                for _ in 0..<runs {
                    let (trial, x) = try askPoint(study, p)
                    let y = p(x)
                    try study.tell(trial, value: y)
                    best = min(best, y)
                    trace.append(p.regret(best))
                }
                let seconds = cpuTime() - start
                while trace.count < evals { trace.append(trace.last!) }
                emit([("kind", "regret"), ("impl", "hone"), ("sampler", name), ("problem", p.name),
                      ("seed", seed), ("evals", evals), ("cpu_s", seconds), ("regret", trace)])
            }
        }
    }
}

func problems() {
    for base in BenchmarkProblem.standard {
        for p in [base, base.shifted()] {
            let centre = (0..<p.dimension).map { 0.5 * (p.lower[$0] + p.upper[$0]) }
            emit([("kind", "problem"), ("impl", "hone"), ("problem", p.name), ("lower", p.lower), ("upper", p.upper),
                  ("minimum", p.minimum), ("at_minimizer", p(p.minimizer)), ("at_centre", p(centre))])
        }
    }
}

func askTime(_ arguments: [String]) throws {
    let samplers = list("--samplers", in: arguments, default: "tpe,gp")
    let sizes = list("--sizes", in: arguments, default: "100,500,1000").map { text -> Int in
        guard let n = Int(text), n >= 0 else { fail("--sizes needs non-negative integers, got \"\(text)\"") }
        return n
    }
    let asks = integer("--asks", in: arguments, default: 20)
    let p = problem(option("--problem", in: arguments) ?? "hartmann6")
    for name in samplers {
        for n in sizes {
            // n finished trials from random search, then the sampler under test on the same study.
            let storage = InMemoryStorage()
            let filler = try Study.create(name: "fill", storage: storage, sampler: RandomSampler(), seed: 1)
            for _ in 0..<n {
                let (trial, x) = try askPoint(filler, p)
                try filler.tell(trial, value: p(x))
            }
            let study = try Study.load(name: "fill", storage: storage, sampler: try sampler(name, problem: p, evals: n), seed: 2)
            var times: [Double] = []
            // Two untimed asks first: the sampler's first read of a loaded study's history
            // is a one-off cost that a running study never pays per ask.
            for i in 0..<(asks + 2) {
                let start = cpuTime()
                let (trial, x) = try askPoint(study, p)
                let t = cpuTime() - start
                if i >= 2 { times.append(t) }
                try study.tell(trial, value: p(x))
            }
            let sorted = times.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
            emit([("kind", "asktime"), ("impl", "hone"), ("sampler", name), ("problem", p.name), ("trials", n),
                  ("asks", asks), ("median_ms", median * 1e3), ("mean_ms", times.reduce(0, +) / Double(times.count) * 1e3)])
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "regret": try regret(arguments)
    case "asktime": try askTime(arguments)
    case "problems": problems()
    default: fail("usage: hone-bench-search regret|asktime|problems [options] (see the header of bench/search/Swift/main.swift)")
    }
} catch {
    fail("\(error)")
}
