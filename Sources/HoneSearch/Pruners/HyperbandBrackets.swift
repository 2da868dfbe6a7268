// Hyperband's brackets: Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar, "Hyperband: A
// Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 18 (2018), Algorithm 1
// and Table 1.

import Foundation

/// The bracket table of Hyperband for maximum resource R (in units of the minimum
/// resource) and proportion η:
///
///     s_max = ⌊log_η R⌋,  B = (s_max + 1)·R
///     bracket s = s_max … 0:  n = ⌈B/R · η^s/(s+1)⌉,  r = R·η^(−s)
///     rung i = 0 … s:         n_i = ⌊n·η^(−i)⌋,      r_i = r·η^i
///
/// Bracket s = s_max is the most aggressive (many configurations, tiny budgets), s = 0
/// is random search at full budget. For R = 81, η = 3 this is the paper's Table 1.
public struct HyperbandBrackets: Hashable, Sendable {
    public struct Rung: Hashable, Sendable {
        /// n_i: configurations evaluated at this rung.
        public var configurations: Int
        /// r_i: the resource each gets, in units of the minimum resource.
        public var resource: Double
    }

    public struct Bracket: Hashable, Sendable {
        /// s: the number of halvings in this bracket.
        public var s: Int
        public var rungs: [Rung]
        /// n: configurations the bracket starts.
        public var configurations: Int { rungs[0].configurations }
        /// Resource the bracket spends when every configuration is trained from scratch
        /// at each rung (the paper's accounting): Σ n_i·r_i.
        public var totalResource: Double { rungs.reduce(0) { $0 + Double($1.configurations) * $1.resource } }
    }

    public let maxResource: Double
    public let reductionFactor: Int
    public let sMax: Int
    /// Brackets in the paper's order: s = s_max first.
    public let brackets: [Bracket]

    /// The largest R: the first bracket starts about R·η/log R configurations, so beyond
    /// this a bracket table would not fit in memory (as `AlgorithmOptions.maxInt`).
    public static let maxRatio = 1e6

    /// Throws `StudyError.invalidArgument` unless 1 ≤ R ≤ `maxRatio` and η ≥ 2.
    public init(maxResource R: Double, reductionFactor eta: Int = 3) throws {
        try SettingCheck.require(R >= 1 && R <= Self.maxRatio, "Hyperband", "maxResource / minResource",
                                 "in [1, \(Self.maxRatio)]", got: R)
        try SettingCheck.require(eta >= 2, "Hyperband", "reductionFactor", "≥ 2", got: eta)
        maxResource = R; reductionFactor = eta
        let e = Double(eta)
        // ⌊log_η R⌋ computed by repeated multiplication: log(81)/log(3) is 3.9999999999999996.
        var s = 0, power = e
        while power <= R * (1 + 1e-12) { s += 1; power *= e }
        sMax = s
        let budget = Double(sMax + 1) * R
        brackets = stride(from: sMax, through: 0, by: -1).map { s in
            let n = Int((budget / R * pow(e, Double(s)) / Double(s + 1) - 1e-9).rounded(.up))
            let r = R * pow(e, Double(-s))
            let rungs = (0...s).map { i in
                Rung(configurations: Int((Double(n) * pow(e, Double(-i)) + 1e-9).rounded(.down)), resource: r * pow(e, Double(i)))
            }
            return Bracket(s: s, rungs: rungs)
        }
    }

    /// The bracket with `s` halvings.
    public func bracket(s: Int) -> Bracket { brackets[sMax - s] }
}
