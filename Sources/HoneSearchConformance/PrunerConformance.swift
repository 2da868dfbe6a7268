// The `Pruner` contract in tests: every pruner and scheduler runs these checks.
//
//     func testConformance() { PrunerConformance.run { MedianPruner() } }

import Foundation
import HoneSearch

public enum PrunerConformance {
    public struct Options: Sendable {
        /// Run the checks on a two-objective study as well.
        public var multiObjective: Bool
        public init(multiObjective: Bool = false) { self.multiObjective = multiObjective }
    }

    public struct Subject {
        public let make: () -> Pruner
        public let options: Options
        public init(make: @escaping () -> Pruner, options: Options) { self.make = make; self.options = options }
    }

    @discardableResult
    public static func run(options: Options = Options(), only: Set<String>? = nil,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ factory: @escaping () -> Pruner) -> [String]
    {
        runConformance("Pruner", checks: checks, only: only, make: { Subject(make: factory, options: options) },
                       file: file, line: line)
    }

    /// Learning curves: trial k's loss at step s is (1 + k % 5) / (1 + s), so some trials
    /// are clearly worse than others at every step.
    static func curves(_ pruner: Pruner, directions: [StudyDirection], nJobs: Int, trials: Int = 30) throws -> Study {
        let st = try Study.create(storage: InMemoryStorage(), directions: directions, pruner: pruner, seed: 7)
        try st.optimize({ t in
            let quality = Double(1 + t.number % 5)
            _ = try t.suggestFloat("lr", 1e-4, 1, log: true)
            var last = [Double]()
            for step in 0..<10 {
                let loss = quality / Double(1 + step)
                last = Array(repeating: loss, count: directions.count)
                try t.report(last, step: step)
                if try t.shouldPrune() { throw TrialPruned() }
            }
            return last
        }, nTrials: trials, nJobs: nJobs)
        return st
    }

    public static let checks: [ConformanceCheck<Subject>] = [
        ConformanceCheck("no reports: never prunes") { s in
            let st = try Study.create(storage: InMemoryStorage(), pruner: s.make(), seed: 1)
            for i in 0..<12 {
                let t = try st.ask()
                try require(!(try t.shouldPrune()), "trial \(i) without reports was pruned")
                try st.tell(t, value: Double(i))
            }
        },

        ConformanceCheck("the first trial is never pruned (nothing to compare with)") { s in
            let st = try Study.create(storage: InMemoryStorage(), pruner: s.make(), seed: 1)
            let t = try st.ask()
            for step in 0..<5 {
                try t.report(Double(100 - step), step: step)
                try require(!(try t.shouldPrune()), "first trial pruned at step \(step)")
            }
        },

        ConformanceCheck("shouldPrune changes nothing: asking twice gives the same answer") { s in
            let st = try curves(s.make(), directions: [.minimize], nJobs: 1, trials: 12)
            let t = try st.ask()
            for step in 0..<5 {
                try t.report(10.0, step: step)
                let a = try t.shouldPrune(), b = try t.shouldPrune()
                try requireEqual(a, b, "step \(step):")
            }
            try st.tell(t, state: .fail)
        },

        ConformanceCheck("pruned trials are stored PRUNED with their last report; the study goes on (nJobs = 1 and 4)") { s in
            for jobs in [1, 4] {
                let st = try curves(s.make(), directions: [.minimize], nJobs: jobs)
                let trials = try st.trials()
                try requireEqual(trials.count, 30, "trials with nJobs=\(jobs):")
                for t in trials {
                    try require(t.state == .complete || t.state == .pruned,
                                "trial \(t.number) ended \(t.state): \(t.failReason ?? "")")
                    if t.state == .pruned {
                        try requireEqual(t.values, t.lastIntermediate?.values, "pruned trial \(t.number) values:")
                    }
                }
            }
        },

        ConformanceCheck("reports with folds are accepted") { s in
            let st = try Study.create(storage: InMemoryStorage(), pruner: s.make(), seed: 1)
            for i in 0..<8 {
                let t = try st.ask()
                for step in 0..<3 {
                    for fold in 0..<3 { try t.report(Double(i + fold) / Double(step + 1), step: step, fold: fold) }
                    _ = try t.shouldPrune()
                }
                try st.tell(t, value: Double(i))
            }
        },

        ConformanceCheck("multi-objective study (when supported)") { s in
            guard s.options.multiObjective else { return }
            let st = try curves(s.make(), directions: [.minimize, .maximize], nJobs: 2)
            try requireEqual(try st.trials().count, 30, "trials:")
        },
    ]
}
