// A fitted tree seen as what it is: a partition of the encoded search space into boxes,
// each with a constant prediction. fANOVA's marginals are exact sums over these boxes
// (Hutter, Hoos & Leyton-Brown 2014, §3–4).

/// The leaves of one tree as boxes, with the share of each parameter's measure each box
/// covers, and the marginal predictions and variances that follow from them.
struct TreePartition {
    let domains: [ParameterDomain]
    var d: Int { domains.count }
    /// Leaf predictions.
    private(set) var values: [Double] = []
    /// leaves × d: the share of feature f's measure inside leaf L's box.
    private(set) var shares: [Double] = []
    /// leaves × d: numeric box bounds (lo, hi]; ±infinity where the tree never split.
    private(set) var lows: [Double] = []
    private(set) var highs: [Double] = []
    /// Per feature: for categorical ones, leaves × categories flags of the box's categories.
    private(set) var categorySets: [[Bool]]
    /// Per numeric feature: the sorted distinct thresholds the tree splits it at.
    private(set) var thresholds: [[Double]]
    /// The prediction's mean and variance over the whole space.
    private(set) var mean = 0.0
    private(set) var variance = 0.0

    var leafCount: Int { values.count }

    /// Per feature: each category's share of the measure (empty for numeric features).
    private let categoryShareTable: [[Double]]

    init(tree: RegressionTree, domains: [ParameterDomain]) {
        self.domains = domains
        categoryShareTable = domains.map(\.categoryShares)
        let d = domains.count
        categorySets = [[Bool]](repeating: [], count: d)
        var cuts = [Set<Double>](repeating: [], count: d)
        for node in tree.nodes where node.feature >= 0 && node.leftCategories.isEmpty {
            cuts[node.feature].insert(node.threshold)
        }
        thresholds = cuts.map { $0.sorted() }

        var lo = [Double](repeating: -.infinity, count: d)
        var hi = [Double](repeating: .infinity, count: d)
        var sets = domains.map { [Bool](repeating: true, count: $0.categoryCount) }
        collect(tree, 0, &lo, &hi, &sets)

        let volumes = (0..<leafCount).map { leaf in (0..<d).reduce(1.0) { $0 * shares[leaf * d + $1] } }
        mean = zip(volumes, values).reduce(0) { $0 + $1.0 * $1.1 }
        variance = zip(volumes, values).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    }

    private mutating func collect(_ tree: RegressionTree, _ index: Int, _ lo: inout [Double], _ hi: inout [Double],
                                  _ sets: inout [[Bool]])
    {
        let node = tree.nodes[index]
        if node.feature < 0 {
            values.append(node.value)
            for f in 0..<d {
                lows.append(lo[f]); highs.append(hi[f])
                let table = categoryShareTable[f]
                if !table.isEmpty {
                    var share = 0.0
                    for c in table.indices where sets[f][c] { share += table[c] }
                    shares.append(share)
                    categorySets[f].append(contentsOf: sets[f])
                } else {
                    shares.append(domains[f].cumulativeShare(hi[f]) - domains[f].cumulativeShare(lo[f]))
                }
            }
            return
        }
        let f = node.feature
        if node.leftCategories.isEmpty {
            let saved = hi[f]
            hi[f] = node.threshold
            collect(tree, node.left, &lo, &hi, &sets)
            hi[f] = saved
            let savedLow = lo[f]
            lo[f] = node.threshold
            collect(tree, node.right, &lo, &hi, &sets)
            lo[f] = savedLow
        } else {
            let saved = sets[f]
            for c in saved.indices { sets[f][c] = saved[c] && node.leftCategories[c] }
            collect(tree, node.left, &lo, &hi, &sets)
            for c in saved.indices { sets[f][c] = saved[c] && !node.leftCategories[c] }
            collect(tree, node.right, &lo, &hi, &sets)
            sets[f] = saved
        }
    }

    /// Each leaf's prediction times the share of its box along every feature not in `kept`:
    /// summing these over the leaves that contain a point of the kept features integrates
    /// the other features out.
    private func marginalWeights(keeping kept: [Int]) -> [Double] {
        (0..<leafCount).map { leaf in
            var w = values[leaf]
            for g in 0..<d where !kept.contains(g) { w *= shares[leaf * d + g] }
            return w
        }
    }

    /// The variance of the marginal prediction of feature f alone (its main effect):
    /// the marginal is constant between consecutive thresholds (or per category), so the
    /// variance is an exact weighted sum over those pieces.
    func mainEffectVariance(of f: Int) -> Double {
        let weights = marginalWeights(keeping: [f])
        let domain = domains[f]
        var pieceShares: [Double]
        var marginal: [Double]
        if domain.isCategorical {
            pieceShares = categoryShareTable[f]
            marginal = [Double](repeating: 0, count: pieceShares.count)
            let k = pieceShares.count, set = categorySets[f]
            for leaf in 0..<leafCount {
                for c in 0..<k where set[leaf * k + c] { marginal[c] += weights[leaf] }
            }
        } else {
            let cuts = thresholds[f], m = cuts.count
            pieceShares = (0...m).map { k in
                domain.cumulativeShare(k == m ? .infinity : cuts[k]) - domain.cumulativeShare(k == 0 ? -.infinity : cuts[k - 1])
            }
            var difference = [Double](repeating: 0, count: m + 2)
            for leaf in 0..<leafCount {
                let lo = lows[leaf * d + f], hi = highs[leaf * d + f]
                let first = lo == -.infinity ? 0 : TreePartition.index(of: lo, in: cuts) + 1
                let last = hi == .infinity ? m : TreePartition.index(of: hi, in: cuts)
                guard first <= last else { continue }
                difference[first] += weights[leaf]
                difference[last + 1] -= weights[leaf]
            }
            marginal = []
            marginal.reserveCapacity(m + 1)
            var running = 0.0
            for k in 0...m { running += difference[k]; marginal.append(running) }
        }
        var mu = 0.0
        for k in marginal.indices { mu += pieceShares[k] * marginal[k] }
        var v = 0.0
        for k in marginal.indices where pieceShares[k] > 0 { v += pieceShares[k] * (marginal[k] - mu) * (marginal[k] - mu) }
        return v
    }

    /// The marginal prediction over a grid of features a and b (other features integrated
    /// out). Numeric features are sampled at `resolution` points of the unit axis (cell
    /// centres); categorical ones at each choice. Returned row-major: a × b.
    func pairMarginal(_ a: Int, _ b: Int, resolution: Int) -> [Double] {
        let weights = marginalWeights(keeping: [a, b])
        let na = gridCount(a, resolution), nb = gridCount(b, resolution)
        // A 2-D difference array: each leaf adds its weight to rectangles of grid cells.
        var difference = [Double](repeating: 0, count: (na + 1) * (nb + 1))
        for leaf in 0..<leafCount {
            let ra = coveredRuns(leaf, a, resolution), rb = coveredRuns(leaf, b, resolution)
            for (i0, i1) in ra {
                for (j0, j1) in rb {
                    let w = weights[leaf]
                    difference[i0 * (nb + 1) + j0] += w
                    difference[i0 * (nb + 1) + j1 + 1] -= w
                    difference[(i1 + 1) * (nb + 1) + j0] -= w
                    difference[(i1 + 1) * (nb + 1) + j1 + 1] += w
                }
            }
        }
        var grid = [Double](repeating: 0, count: na * nb)
        var rowSums = [Double](repeating: 0, count: nb)
        for i in 0..<na {
            var running = 0.0
            for j in 0..<nb {
                running += difference[i * (nb + 1) + j]
                rowSums[j] += running
                grid[i * nb + j] = rowSums[j]
            }
        }
        return grid
    }

    func gridCount(_ f: Int, _ resolution: Int) -> Int {
        if case .categorical(let choices) = domains[f].kind { return choices.count }
        return resolution
    }

    /// The grid indices of feature f that leaf covers, as inclusive runs.
    private func coveredRuns(_ leaf: Int, _ f: Int, _ resolution: Int) -> [(Int, Int)] {
        if case .categorical(let choices) = domains[f].kind {
            let k = domains[f].categoryCount, set = categorySets[f]
            var runs: [(Int, Int)] = []
            var c = 0
            while c < choices.count {
                if set[leaf * k + c] {
                    let start = c
                    while c + 1 < choices.count && set[leaf * k + c + 1] { c += 1 }
                    runs.append((start, c))
                }
                c += 1
            }
            return runs
        }
        let g = Double(resolution)
        let lo = lows[leaf * d + f], hi = highs[leaf * d + f]
        // Cell centre u_i = (i + ½)/g is covered when lo < u_i ≤ hi.
        let first = lo == -.infinity ? 0 : max(0, Int((lo * g - 0.5).rounded(.down)) + 1)
        let last = hi == .infinity ? resolution - 1 : min(resolution - 1, Int((hi * g - 0.5).rounded(.down)))
        return first <= last ? [(first, last)] : []
    }

    private static func index(of value: Double, in sorted: [Double]) -> Int {
        var lo = 0, hi = sorted.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
