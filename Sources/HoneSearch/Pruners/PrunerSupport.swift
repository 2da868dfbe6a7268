// Helpers shared by the pruners and schedulers of this folder: fold-averaged learning
// curves, percentiles, and the ranking of a rung's reports (single objective by value;
// several objectives by non-dominated sorting, then crowding distance — Deb et al. 2002).

import Foundation

extension FrozenTrial {
    /// The trial's reports averaged over folds (cross-validation folds or repeated seeds),
    /// one vector per step, steps ascending. Pruners judge the running mean across folds:
    /// a trial that reported folds 0 and 1 at step 3 is judged on their mean at step 3.
    public func foldAveragedCurve() -> [(step: Int, values: [Double])] {
        var sums: [Int: (values: [Double], count: Int)] = [:]
        for (key, v) in intermediateValues {
            if var s = sums[key.step], s.values.count == v.count {
                for i in v.indices { s.values[i] += v[i] }
                s.count += 1
                sums[key.step] = s
            } else {
                sums[key.step] = (v, 1)
            }
        }
        return sums.keys.sorted().map { step in
            let s = sums[step]!
            return (step, s.values.map { $0 / Double(s.count) })
        }
    }

    /// The fold-averaged report at exactly `step`, if any.
    public func foldAveragedValues(at step: Int) -> [Double]? {
        var total: [Double]?, count = 0
        for (key, v) in intermediateValues where key.step == step {
            if total == nil { total = v } else { for i in v.indices { total![i] += v[i] } }
            count += 1
        }
        return total.map { $0.map { $0 / Double(count) } }
    }
}

public enum PrunerMath {
/// Linear-interpolation percentile (NumPy's default) of `values`, `q` in [0, 100].
/// nil for an empty input.
public static func percentile(_ values: [Double], _ q: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let position = (q / 100) * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}
}

/// Orders a rung's entries from best to worst.
///
/// With one objective: by value in the study's direction, ties broken by `tieBreak` (the
/// trial number, so earlier trials win ties and the order is deterministic). With several:
/// by non-dominated sorting into fronts (Deb et al. 2002, NSGA-II), each front ordered by
/// decreasing crowding distance (boundary points first, then the points in the emptiest
/// regions), then by `tieBreak`. This is how successive halving, Hyperband and ASHA
/// decide "the top 1/η" of a rung with vector-valued reports.
public enum RungRanking {
    public static func order(_ values: [[Double]], tieBreak: [Int], directions: [StudyDirection]) -> [Int] {
        // Internal: every caller passes one tie-break per value. Checked in every build
        // (once per ranking): the sort reads `tieBreak` at `values`' indices.
        invariant(values.count == tieBreak.count, "RungRanking: \(values.count) values, \(tieBreak.count) tie-breaks")
        if directions.count == 1 {
            let d = directions[0]
            return values.indices.sorted { a, b in
                let x = values[a][0], y = values[b][0]
                if x != y { return d.isBetter(x, than: y) }
                return tieBreak[a] < tieBreak[b]
            }
        }
        var order: [Int] = []
        for front in nonDominatedFronts(values, directions: directions) {
            let distance = crowdingDistances(front.map { values[$0] })
            let ranked = front.indices.sorted { a, b in
                distance[a] != distance[b] ? distance[a] > distance[b] : tieBreak[front[a]] < tieBreak[front[b]]
            }
            order.append(contentsOf: ranked.map { front[$0] })
        }
        return order
    }

    /// Fronts of indices: the first holds the points nobody dominates, the second those
    /// dominated only by the first, and so on. O(m·n²), fine for rungs of a few hundred.
    public static func nonDominatedFronts(_ values: [[Double]], directions: [StudyDirection]) -> [[Int]] {
        let n = values.count
        var dominatedBy = [Int](repeating: 0, count: n)     // how many points dominate i
        var dominates = [[Int]](repeating: [], count: n)    // whom i dominates
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                if ParetoFront.dominates(values[i], values[j], directions: directions) {
                    dominates[i].append(j); dominatedBy[j] += 1
                } else if ParetoFront.dominates(values[j], values[i], directions: directions) {
                    dominates[j].append(i); dominatedBy[i] += 1
                }
            }
        }
        var fronts: [[Int]] = []
        var current = (0..<n).filter { dominatedBy[$0] == 0 }
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for i in current {
                for j in dominates[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next.sorted()
        }
        return fronts
    }

    /// Crowding distance of each point of one front (Deb et al. 2002, §III-B): the sum
    /// over objectives of the normalized gap between its two neighbours; boundary points
    /// get +∞ so they are always kept.
    public static func crowdingDistances(_ front: [[Double]]) -> [Double] {
        let n = front.count
        guard n > 2 else { return [Double](repeating: .infinity, count: n) }
        var distance = [Double](repeating: 0, count: n)
        for m in front[0].indices {
            let order = (0..<n).sorted { front[$0][m] < front[$1][m] }
            let lo = front[order[0]][m], hi = front[order[n - 1]][m]
            distance[order[0]] = .infinity; distance[order[n - 1]] = .infinity
            guard hi > lo else { continue }
            for k in 1..<(n - 1) {
                distance[order[k]] += (front[order[k + 1]][m] - front[order[k - 1]][m]) / (hi - lo)
            }
        }
        return distance
    }
}

/// Argument checks of the pruners' and schedulers' initializers. HoneSearch is compiled
/// with -Ounchecked in release builds, where `precondition` is not evaluated, so every
/// setting a caller (options JSON, Lua, the CLI) can pass is checked here and refused
/// with `StudyError.invalidArgument` naming the setting, what it must be and what it was.
enum SettingCheck {
    static func require(_ ok: Bool, _ algorithm: String, _ setting: String, _ expected: String, got: Any) throws {
        guard ok else { throw StudyError.invalidArgument("\(algorithm): \(setting) must be \(expected), got \(got)") }
    }

    /// The warm-up settings the step-based pruners share.
    static func steps(_ algorithm: String, nStartupTrials: Int = 0, nWarmupSteps: Int, intervalSteps: Int,
                      nMinTrials: Int = 1, objective: Int) throws {
        try require(nStartupTrials >= 0, algorithm, "nStartupTrials", "≥ 0", got: nStartupTrials)
        try require(nWarmupSteps >= 0, algorithm, "nWarmupSteps", "≥ 0", got: nWarmupSteps)
        try require(intervalSteps >= 1, algorithm, "intervalSteps", "≥ 1", got: intervalSteps)
        try require(nMinTrials >= 1, algorithm, "nMinTrials", "≥ 1", got: nMinTrials)
        try require(objective >= 0, algorithm, "objective", "≥ 0", got: objective)
    }

    /// The resources and η of successive halving, Hyperband and ASHA: 0 < minResource ≤
    /// maxResource, both finite, η ≥ 2.
    static func resources(_ algorithm: String, minResource: Double, maxResource: Double, reductionFactor: Int) throws {
        try require(minResource > 0 && minResource.isFinite, algorithm, "minResource", "a finite number > 0", got: minResource)
        try require(maxResource >= minResource && maxResource.isFinite, algorithm, "maxResource",
                    "finite and ≥ minResource (\(minResource))", got: maxResource)
        try require(reductionFactor >= 2, algorithm, "reductionFactor", "≥ 2", got: reductionFactor)
    }
}

/// Stops the process unless `condition` holds, in every build configuration (unlike
/// `precondition`, which -Ounchecked does not evaluate). For internal invariants that no
/// input can break, where a violation would read or write outside an array.
@inline(__always)
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #file, line: UInt = #line) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}
