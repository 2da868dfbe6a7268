// Finished studies the report tests render: real samplers and pruners on synthetic
// objectives with learning curves, so every section has something to draw.
import Foundation
import HoneSearch

enum ReportFixtures {
    /// A minimizing study (TPE + median pruning) over a log float, an int, two categoricals
    /// and a conditional parameter; some trials are pruned. Its name needs escaping.
    static func singleObjective(trials: Int = 40, name: String = "mlp <tuning> & \"co\"") throws -> Study {
        let study = try Study.create(name: name, directions: [.minimize], sampler: TPESampler(),
                                     pruner: try MedianPruner(nStartupTrials: 4, nWarmupSteps: 2), seed: 1)
        try study.optimize({ trial in
            let lr = try trial.suggestFloat("lr", 1e-4, 1e-1, log: true)
            let layers = try trial.suggestInt("layers", 1, 6)
            let activation = try trial.suggestCategorical("activation", ["relu", "tanh", "gelu"])
            let optimizer = try trial.suggestCategorical("optimizer", ["sgd", "adam"])
            var penalty = 0.2
            if optimizer == "sgd" { penalty = 1 - (try trial.suggestFloat("momentum", 0, 0.99)) }
            let final = pow(log10(lr) + 2.5, 2) + 0.1 * Double(layers) + (activation == "relu" ? 0 : 0.3) + penalty
            for step in 1...10 {
                try trial.report(final + 2 / Double(step), step: step)
                if try trial.shouldPrune() { throw TrialPruned() }
            }
            return final + 0.2
        }, nTrials: trials)
        return study
    }

    /// A two-objective ZDT1-like study (NSGA-II) with intermediate reports.
    static func twoObjective(trials: Int = 40) throws -> Study {
        let study = try Study.create(name: "zdt1", directions: [.minimize, .minimize],
                                     sampler: try NSGAIISampler(), seed: 2)
        try study.optimize({ trial in
            let x1 = try trial.suggestFloat("x1", 0, 1)
            let x2 = try trial.suggestFloat("x2", 0, 1)
            let width = try trial.suggestInt("width", 8, 256, log: true)
            let g = 1 + 9 * x2
            let f2 = g * (1 - (x1 / g).squareRoot()) + 0.01 * log2(Double(width))
            for step in 1...5 { try trial.report([x1 + 1 / Double(step), f2 + 1 / Double(step)], step: step) }
            return [x1, f2]
        }, nTrials: trials)
        return study
    }
}

extension ReportFixtures {
    /// A large random-search study for timing: `trials` trials of six parameters (one
    /// conditional), each reporting `steps` intermediate values.
    static func large(trials: Int = 1000, steps: Int = 20) throws -> Study {
        let study = try Study.create(name: "large", directions: [.minimize], seed: 9)
        try study.optimize({ trial in
            let lr = try trial.suggestFloat("lr", 1e-5, 1, log: true)
            let units = try trial.suggestInt("units", 16, 1024, log: true)
            let dropout = try trial.suggestFloat("dropout", 0, 0.5)
            let activation = try trial.suggestCategorical("activation", ["relu", "tanh", "gelu", "silu"])
            let optimizer = try trial.suggestCategorical("optimizer", ["sgd", "adam", "adamw"])
            var extra = 0.0
            if optimizer == "sgd" { extra = 1 - (try trial.suggestFloat("momentum", 0, 0.99)) }
            let final = abs(log10(lr) + 3) + 0.2 * log2(Double(units)) / 10 + dropout + (activation == "relu" ? 0 : 0.2) + extra
            for step in 1...steps { try trial.report(final + 1 / Double(step), step: step) }
            return final
        }, nTrials: trials)
        return study
    }
}
