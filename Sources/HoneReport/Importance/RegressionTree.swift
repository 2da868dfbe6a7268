// A CART regression tree on encoded trials: numeric features split at midpoints between
// observed values, categorical features by subsets of categories.

import HoneTensor

/// One node of a fitted tree. A leaf has `feature == -1`.
struct TreeNode {
    var feature: Int = -1
    /// Numeric split: values ≤ threshold go left.
    var threshold: Double = 0
    /// Categorical split: `leftCategories[c]` says whether category c goes left.
    var leftCategories: [Bool] = []
    var left: Int = -1
    var right: Int = -1
    /// Mean target of the node's training samples.
    var value: Double = 0
}

/// What the tree needs to know about each feature column.
struct FeatureSpec {
    /// 0 for numeric features; the number of categories for categorical ones.
    var categoryCount: Int
    var isCategorical: Bool { categoryCount > 0 }
}

struct TreeSettings {
    var maxDepth: Int
    var minSamplesSplit: Int
    /// Features considered per split; more are examined only when none of these can split
    /// the node (as scikit-learn does).
    var featuresPerSplit: Int
}

struct RegressionTree {
    var nodes: [TreeNode]

    /// Fits a tree to rows `samples` (indices into `x`, repeats allowed: a bootstrap) of the
    /// row-major matrix `x` (n × features.count) with targets `y`.
    ///
    /// Each numeric feature's sample order is sorted once and stably partitioned as nodes
    /// split, so a tree costs O(depth · n · features) rather than a sort per node.
    static func fit(x: [Double], y: [Double], features: [FeatureSpec], samples: [Int],
                    settings: TreeSettings, rng: inout RandomGenerator) -> RegressionTree
    {
        let d = features.count, n = samples.count
        // Sample-local copies: column-major features and targets of the drawn rows.
        var columns = [[Double]](repeating: [], count: d)
        for f in 0..<d { columns[f] = samples.map { x[$0 * d + f] } }
        let ys = samples.map { y[$0] }
        let numeric = (0..<d).filter { !features[$0].isCategorical }
        var orderOf = [Int](repeating: -1, count: d)
        for (k, f) in numeric.enumerated() { orderOf[f] = k }
        // orders[k]: sample positions sorted by numeric feature numeric[k]; members: any order.
        var orders = numeric.map { f in Array(0..<n).sorted { columns[f][$0] < columns[f][$1] || (columns[f][$0] == columns[f][$1] && $0 < $1) } }
        var members = Array(0..<n)
        var goesLeft = [Bool](repeating: false, count: n)
        var scratch = [Int](repeating: 0, count: n)
        var nodes: [TreeNode] = [TreeNode()]
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, n, 0)]
        var featureOrder = Array(0..<d)
        let maxCategories = features.map(\.categoryCount).max() ?? 0
        var categorySum = [Double](repeating: 0, count: maxCategories), categoryCount = [Int](repeating: 0, count: maxCategories)

        while let (node, start, end, depth) = stack.popLast() {
            var sum = 0.0, sumSq = 0.0
            for i in start..<end { let v = ys[members[i]]; sum += v; sumSq += v * v }
            let count = Double(end - start)
            let mean = sum / count
            nodes[node].value = mean
            let sse = sumSq - sum * mean
            guard end - start >= settings.minSamplesSplit, depth < settings.maxDepth,
                  sse > 1e-12 * max(1, abs(sumSq)) else { continue }

            var best: (score: Double, feature: Int, threshold: Double, left: [Bool])? = nil
            rng.shuffle(&featureOrder)
            var examined = 0
            for f in featureOrder {
                if examined >= settings.featuresPerSplit && best != nil { break }
                examined += 1
                if features[f].isCategorical {
                    let k = features[f].categoryCount
                    for c in 0..<k { categorySum[c] = 0; categoryCount[c] = 0 }
                    for i in start..<end {
                        let s = members[i], c = Int(columns[f][s])
                        categorySum[c] += ys[s]; categoryCount[c] += 1
                    }
                    // Ordering categories by mean target makes the best prefix the best subset
                    // for squared error (Breiman et al. 1984, §9.4).
                    let present = (0..<k).filter { categoryCount[$0] > 0 }
                        .sorted { categorySum[$0] / Double(categoryCount[$0]) < categorySum[$1] / Double(categoryCount[$1]) }
                    guard present.count > 1 else { continue }
                    var sl = 0.0, nl = 0
                    for cut in 0..<(present.count - 1) {
                        sl += categorySum[present[cut]]; nl += categoryCount[present[cut]]
                        let nr = (end - start) - nl, sr = sum - sl
                        let score = sl * sl / Double(nl) + sr * sr / Double(nr)
                        if best == nil || score > best!.score {
                            var left = [Bool](repeating: false, count: k)
                            for c in present[0...cut] { left[c] = true }
                            // Categories no sample of this node has follow the larger side.
                            if nl > nr { for c in 0..<k where categoryCount[c] == 0 { left[c] = true } }
                            best = (score, f, 0, left)
                        }
                    }
                } else {
                    let order = orderOf[f]
                    let column = columns[f]
                    var sl = 0.0
                    var i = start
                    while i < end - 1 {
                        let s = orders[order][i]
                        sl += ys[s]
                        let here = column[s], next = column[orders[order][i + 1]]
                        i += 1
                        guard next > here else { continue }
                        let nl = i - start, nr = end - i, sr = sum - sl
                        let score = sl * sl / Double(nl) + sr * sr / Double(nr)
                        if best == nil || score > best!.score {
                            var t = 0.5 * (here + next)
                            if t >= next { t = here }
                            best = (score, f, t, [])
                        }
                    }
                }
            }
            guard let split = best, split.score > sum * mean else { continue }

            let column = columns[split.feature]
            var nLeft = 0
            for i in start..<end {
                let s = members[i]
                let left = features[split.feature].isCategorical ? split.left[Int(column[s])] : column[s] <= split.threshold
                goesLeft[s] = left
                if left { nLeft += 1 }
            }
            guard nLeft > 0 && nLeft < end - start else { continue }
            func partition(_ a: inout [Int]) {
                var l = start, r = 0
                for i in start..<end {
                    let s = a[i]
                    if goesLeft[s] { a[l] = s; l += 1 } else { scratch[r] = s; r += 1 }
                }
                for j in 0..<r { a[l + j] = scratch[j] }
            }
            partition(&members)
            for k in orders.indices { partition(&orders[k]) }

            let left = nodes.count, right = left + 1
            nodes.append(TreeNode()); nodes.append(TreeNode())
            nodes[node].feature = split.feature
            nodes[node].threshold = split.threshold
            nodes[node].leftCategories = split.left
            nodes[node].left = left
            nodes[node].right = right
            let mid = start + nLeft
            stack.append((right, mid, end, depth + 1))
            stack.append((left, start, mid, depth + 1))
        }
        return RegressionTree(nodes: nodes)
    }

    /// The prediction for one encoded row.
    func predict(_ row: ArraySlice<Double>) -> Double {
        var i = 0
        let base = row.startIndex
        while nodes[i].feature >= 0 {
            let node = nodes[i]
            let v = row[base + node.feature]
            let left = node.leftCategories.isEmpty ? v <= node.threshold : node.leftCategories[Int(v)]
            i = left ? node.left : node.right
        }
        return nodes[i].value
    }
}
