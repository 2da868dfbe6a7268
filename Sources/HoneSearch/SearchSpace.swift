// A set of named distributions in a stable order.

/// Named distributions ordered by name.
///
/// Swift dictionaries iterate in a per-process random order, so anything a sampler walks
/// while drawing random numbers must be ordered, or a seeded study would not repeat.
/// `SearchSpace` keeps its entries sorted by name for that reason.
public struct SearchSpace: Hashable, Sendable, Sequence {
    public private(set) var names: [String] = []
    public private(set) var distributions: [String: Distribution] = [:]

    public init() {}

    public init(_ distributions: [String: Distribution]) {
        self.distributions = distributions
        self.names = distributions.keys.sorted()
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    public subscript(name: String) -> Distribution? { distributions[name] }

    /// Adds or replaces a distribution.
    public mutating func set(_ name: String, _ distribution: Distribution) {
        if distributions.updateValue(distribution, forKey: name) == nil {
            let i = names.partitionPoint { $0 >= name }
            names.insert(name, at: i)
        }
    }

    public mutating func remove(_ name: String) {
        if distributions.removeValue(forKey: name) != nil { names.removeAll { $0 == name } }
    }

    /// (name, distribution) pairs in name order.
    public func makeIterator() -> AnyIterator<(name: String, distribution: Distribution)> {
        var i = 0
        return AnyIterator {
            guard i < names.count else { return nil }
            defer { i += 1 }
            return (names[i], distributions[names[i]]!)
        }
    }

    /// The entries without single-value distributions (nothing to model there).
    public var searchable: SearchSpace {
        SearchSpace(distributions.filter { !$0.value.isSingleValue })
    }
}

extension Array {
    /// Index of the first element for which `predicate` holds, given that it holds for a
    /// suffix of the array (binary search).
    func partitionPoint(_ predicate: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if predicate(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
