// The `Sampler` contract in tests: every sampler, built-in or plugin, runs these checks.
//
//     func testConformance() { SamplerConformance.run { TPESampler() } }
//
// The factory is called for every study a check makes and must return a fresh sampler.

import Foundation
import HoneSearch

public enum SamplerConformance {
    public struct Options: Sendable {
        /// Checks that run single-objective studies.
        public var singleObjective: Bool
        /// Checks that run a two-objective study (NSGA-II needs them; TPE may opt in).
        public var multiObjective: Bool
        /// Trials per study; samplers with a long startup phase may want more.
        public var trials: Int

        public init(singleObjective: Bool = true, multiObjective: Bool = true, trials: Int = 30) {
            self.singleObjective = singleObjective; self.multiObjective = multiObjective; self.trials = trials
        }
    }

    /// What a check receives: a way to make fresh samplers, and the options.
    public struct Subject {
        public let make: () -> Sampler
        public let options: Options
        public init(make: @escaping () -> Sampler, options: Options) { self.make = make; self.options = options }
    }

    @discardableResult
    public static func run(options: Options = Options(), only: Set<String>? = nil,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ factory: @escaping () -> Sampler) -> [String]
    {
        runConformance("Sampler", checks: checks, only: only, make: { Subject(make: factory, options: options) },
                       file: file, line: line)
    }

    /// One distribution of every kind and flavour.
    public static let everyKind: [(String, Distribution)] = [
        ("f_uniform", .float(-2.5, 7.25)),
        ("f_log", .float(1e-5, 10, log: true)),
        ("f_step", .float(0.1, 0.9, step: 0.2)),
        ("f_narrow", .float(1, 1 + 1e-9)),
        ("f_single", .float(3, 3)),
        ("i_uniform", .int(-5, 5)),
        ("i_log", .int(1, 4096, log: true)),
        ("i_step", .int(0, 100, step: 25)),
        ("i_single", .int(7, 7)),
        ("c_strings", .categorical(["relu", "tanh", "gelu"])),
        ("c_numbers", .categorical([1, 2.5, 1000])),
        ("c_bools", .categorical([true, false])),
        ("c_single", .categorical(["only"])),
        ("fixed", .fixed(.string("constant"))),
    ]

    /// A smooth objective over `everyKind` so model-based samplers have something to fit.
    static func score(_ t: Trial) throws -> Double {
        var s = 0.0
        for (name, d) in everyKind {
            let v = try t.suggest(name, d)
            if let x = v.doubleValue, let inside = d.toInternal(v) { s += 0.01 * d.toUnit(inside) * (x.isFinite ? 1 : 0) }
            if v == "tanh" { s += 0.5 }
        }
        return s
    }

    static func study(_ subject: Subject, seed: UInt64, directions: [StudyDirection] = [.minimize]) throws -> Study {
        try Study.create(storage: InMemoryStorage(), directions: directions, sampler: subject.make(), seed: seed)
    }

    public static let checks: [ConformanceCheck<Subject>] = [
        ConformanceCheck("every distribution kind: values inside, log/step/int respected, types kept") { s in
            guard s.options.singleObjective else { return }
            let st = try study(s, seed: 1)
            try st.optimize({ try score($0) }, nTrials: s.options.trials)
            let trials = try st.trials()
            try requireEqual(trials.count, s.options.trials, "trials run:")
            for t in trials {
                try requireEqual(t.state, .complete, "trial \(t.number) (\(t.failReason ?? "")) state:")
                for (name, d) in everyKind {
                    guard let v = t.params[name] else { throw ConformanceFailure(message: "trial \(t.number) lacks \(name)", file: #filePath, line: #line) }
                    try require(d.contains(v), "trial \(t.number): \(name) = \(v) is not in \(d)")
                    switch d {
                    case .float: try require(v.intValue == nil && v.doubleValue != nil, "\(name) must be a float, got \(v)")
                    case .int: try require(v.intValue != nil, "\(name) must be an int, got \(v)")
                    default: break
                    }
                }
                try requireEqual(t.params["f_single"], .float(3), "single-value float:")
                try requireEqual(t.params["fixed"], "constant", "fixed:")
            }
        },

        ConformanceCheck("same seed, nJobs = 1: identical parameter sequences; different seed: different") { s in
            guard s.options.singleObjective else { return }
            func run(_ seed: UInt64) throws -> [[String: ParamValue]] {
                let st = try study(s, seed: seed)
                try st.optimize({ try score($0) }, nTrials: s.options.trials)
                return try st.trials().map(\.params)
            }
            let a = try run(42), b = try run(42), c = try run(43)
            try require(a == b, "two runs with seed 42 differ")
            try require(a != c, "runs with seeds 42 and 43 are identical")
        },

        ConformanceCheck("conditional spaces: only the branch taken is asked, values valid") { s in
            guard s.options.singleObjective else { return }
            let st = try study(s, seed: 3)
            try st.optimize({ t in
                let layers = try t.suggestInt("layers", 1, 3)
                var loss = 0.0
                for i in 0..<layers { loss += Double(try t.suggestInt("width_\(i)", 4, 64, log: true)) / 64 }
                if try t.suggestCategorical("optimizer", ["sgd", "adam"]) == "sgd" {
                    loss += try t.suggestFloat("momentum", 0, 0.99)
                } else {
                    loss += try t.suggestFloat("beta1", 0.8, 0.999, log: true)
                }
                return loss
            }, nTrials: s.options.trials)
            for t in try st.trials() {
                try requireEqual(t.state, .complete, "trial \(t.number) (\(t.failReason ?? "")) state:")
                let layers = t.params["layers"]!.intValue!
                for i in 0..<3 {
                    try require((t.params["width_\(i)"] != nil) == (i < layers), "trial \(t.number): width_\(i) with \(layers) layers")
                }
                let sgd = t.params["optimizer"] == "sgd"
                try require((t.params["momentum"] != nil) == sgd && (t.params["beta1"] != nil) == !sgd,
                            "trial \(t.number): branch params do not match the optimizer")
                for (name, v) in t.params { try require(t.distributions[name]!.contains(v), "\(name) = \(v) outside") }
            }
        },

        ConformanceCheck("enqueued and fixed params are used as given, each enqueued trial once") { s in
            guard s.options.singleObjective else { return }
            let st = try study(s, seed: 5)
            try st.enqueueTrial(["x": .float(0.25), "n": .int(3), "act": "gelu"])
            try st.enqueueTrial(["x": .float(-1)])
            try st.optimize({ t in
                let x = try t.suggestFloat("x", -1, 1)
                let n = try t.suggestInt("n", 1, 8)
                let a = try t.suggestCategorical("act", ["relu", "gelu"])
                return x * x + Double(n) + (a == "gelu" ? 0 : 1)
            }, nTrials: max(4, s.options.trials / 3))
            let trials = try st.trials()
            try requireEqual(trials[0].params, ["x": .float(0.25), "n": .int(3), "act": "gelu"], "first enqueued trial:")
            try requireEqual(trials[1].params["x"], .float(-1), "second enqueued trial:")
            try require(trials[1].params["n"] != nil, "unfixed params of an enqueued trial are sampled")
            try requireEqual(trials.filter { $0.params["x"] == .float(0.25) && $0.params["n"] == .int(3) }.count, 1,
                             "the enqueued point ran once:")
            let t = try st.ask(fixedParams: ["x": .float(0.5)])
            try requireEqual(try t.suggestFloat("x", -1, 1), 0.5, "ask(fixedParams:):")
            try st.tell(t, value: 0)
        },

        ConformanceCheck("nJobs = 4: every trial valid and complete, numbers dense") { s in
            guard s.options.singleObjective else { return }
            let st = try study(s, seed: 9)
            let n = max(s.options.trials, 24)
            try st.optimize({ t in
                let x = try t.suggestFloat("x", -3, 3)
                let k = try t.suggestInt("k", 0, 10)
                let c = try t.suggestCategorical("c", [1, 2, 3])
                return x * x + Double(k) + Double(c)
            }, nTrials: n, nJobs: 4)
            let trials = try st.trials()
            try requireEqual(trials.map(\.number), Array(0..<n), "numbers:")
            for t in trials { try requireEqual(t.state, .complete, "trial \(t.number) (\(t.failReason ?? "")) state:") }
        },

        ConformanceCheck("multi-objective study: valid suggestions, Pareto front non-empty") { s in
            guard s.options.multiObjective else { return }
            let st = try study(s, seed: 11, directions: [.minimize, .minimize])
            try st.optimize({ t in
                let x = try t.suggestFloat("x", 0, 1)
                let y = try t.suggestFloat("y", 0, 1)
                let k = try t.suggestInt("k", 1, 4)
                return [x + Double(k) * 0.01, 1 - x + y]
            }, nTrials: s.options.trials, nJobs: 2)
            let trials = try st.trials()
            try requireEqual(trials.count, s.options.trials, "trials:")
            for t in trials { try requireEqual(t.state, .complete, "trial \(t.number) (\(t.failReason ?? "")) state:") }
            try require(!(try st.paretoFront()).isEmpty, "empty Pareto front")
        },

        ConformanceCheck("failing, pruned and NaN trials in the history do not break sampling") { s in
            guard s.options.singleObjective else { return }
            let st = try study(s, seed: 13)
            try st.optimize({ t in
                let x = try t.suggestFloat("x", -1, 1)
                switch t.number % 4 {
                case 1: throw ConformanceFailure(message: "deliberate", file: #filePath, line: #line)
                case 2: try t.report(x, step: 0); throw TrialPruned()
                case 3: return .nan
                default: return x * x
                }
            }, nTrials: s.options.trials)
            let states = try st.trials().map(\.state)
            try requireEqual(states.count, s.options.trials, "trials:")
            try require(states.contains(.fail) && states.contains(.pruned), "expected FAIL and PRUNED trials: \(states)")
            for (i, state) in states.enumerated() {
                try requireEqual(state, [.complete, .fail, .pruned, .fail][i % 4], "trial \(i) state:")
            }
        },
    ]
}
