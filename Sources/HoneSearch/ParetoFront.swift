// Non-dominated sorting helpers for multi-objective studies.

public enum ParetoFront {
    /// True when `a` dominates `b`: no worse in every objective and better in one.
    public static func dominates(_ a: [Double], _ b: [Double], directions: [StudyDirection]) -> Bool {
        var better = false
        for i in directions.indices {
            let (x, y) = directions[i] == .minimize ? (a[i], b[i]) : (-a[i], -b[i])
            if x > y { return false }
            if x < y { better = true }
        }
        return better
    }

    /// The trials with values that no other trial dominates, ordered by number. Trials
    /// with equal values are all kept. O(n · front size).
    public static func nonDominated(_ trials: [FrozenTrial], directions: [StudyDirection]) -> [FrozenTrial] {
        var front: [FrozenTrial] = []
        for t in trials {
            guard let v = t.values, v.count == directions.count else { continue }
            if front.contains(where: { dominates($0.values!, v, directions: directions) }) { continue }
            front.removeAll { dominates(v, $0.values!, directions: directions) }
            front.append(t)
        }
        return front.sorted { $0.number < $1.number }
    }
}
