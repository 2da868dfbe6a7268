// Benchmark functions and helpers shared by the sampler tests.

import Foundation
@testable import HoneSearch

enum TestFunctions {
    /// Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; global minimum 0.397887 (three points).
    static let braninMinimum = 0.397887357729738
    static func branin(_ x1: Double, _ x2: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        let u = x2 - b * x1 * x1 + c * x1 - 6
        return u * u + 10 * (1 - t) * cos(x1) + 10
    }

    /// Hartmann 6-D on [0, 1]^6; global minimum −3.32237.
    static let hartmann6Minimum = -3.322368011415515
    static func hartmann6(_ x: [Double]) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let A: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                             [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let P: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                             [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        var f = 0.0
        for i in 0..<4 {
            var s = 0.0
            for j in 0..<6 { let d = x[j] - P[i][j] * 1e-4; s += A[i][j] * d * d }
            f -= alpha[i] * exp(-s)
        }
        return f
    }
}

/// Runs a fresh in-memory study and returns it.
func runStudy(_ sampler: Sampler, seed: UInt64, nTrials: Int, nJobs: Int = 1,
              directions: [StudyDirection] = [.minimize],
              _ objective: @escaping @Sendable (Trial) throws -> Double) throws -> Study
{
    let study = try Study.create(directions: directions, sampler: sampler, seed: seed)
    try study.optimize(objective, nTrials: nTrials, nJobs: nJobs, catchErrors: false)
    return study
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

@Sendable func braninObjective(_ t: Trial) throws -> Double {
    TestFunctions.branin(try t.suggestFloat("x1", -5, 10), try t.suggestFloat("x2", 0, 15))
}

@Sendable func hartmann6Objective(_ t: Trial) throws -> Double {
    TestFunctions.hartmann6(try (0..<6).map { try t.suggestFloat("x\($0)", 0, 1) })
}
