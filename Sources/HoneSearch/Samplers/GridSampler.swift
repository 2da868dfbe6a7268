// Grid search: every combination of given values, each exactly once.

import Foundation

/// Runs every combination of the given values, in a stable order, then stops the study.
///
/// ## Order
///
/// Names are taken in sorted order and values in the order given; the last name varies
/// fastest (like nested loops, or `itertools.product` over the sorted names). Point p of
/// the grid gives name i the value `values[i][(p / stride_i) % count_i]`.
///
/// ## Each point once, with any number of workers
///
/// Trial numbers are assigned atomically by the storage (unique and dense per study, see
/// `Storage`), so trial k runs point k: no two workers, threads or machines can get the
/// same point, without a single extra transaction. When the trial that takes the last
/// point starts, the sampler stops the study (`StudyView.stop()`), and with
/// `optimize(nTrials: grid size)` no trial beyond the grid is ever started.
///
/// Two things can still start a trial past the end: a run without `nTrials` where workers
/// had already started their next ask when the last point was handed out, and enqueued or
/// retried trials (which take trial numbers too; their parameters are fixed, so the grid
/// point of their number is skipped). Such a trial re-runs point `k mod size` and is
/// marked with the system attribute `grid.overflow`; `grid.point` records the point of
/// every trial. (A protocol hook to cancel a trial before its objective runs would close
/// the first case; see the samplers-a report.)
public final class GridSampler: Sampler, @unchecked Sendable {
    public let name = "grid"
    /// Names in grid order (sorted).
    public let names: [String]
    /// Values per name, in the order given.
    public let values: [[ParamValue]]
    /// Number of points: the product of the value counts.
    public let size: Int
    private let strides: [Int]

    /// Trial system attribute: the grid point index this trial ran.
    public static let pointAttribute = "grid.point"
    /// Trial system attribute set on trials started after every point was handed out.
    public static let overflowAttribute = "grid.overflow"

    /// - Parameter searchSpace: the values to try for each parameter name (at least one
    ///   each, no duplicates).
    public init(_ searchSpace: [String: [ParamValue]]) throws {
        guard !searchSpace.isEmpty else { throw StudyError.invalidArgument("a grid needs at least one parameter") }
        names = searchSpace.keys.sorted()
        values = names.map { searchSpace[$0]! }
        for (n, v) in zip(names, values) {
            guard !v.isEmpty else { throw StudyError.invalidArgument("grid parameter \"\(n)\" has no values") }
            guard Set(v).count == v.count else { throw StudyError.invalidArgument("grid parameter \"\(n)\" has duplicate values: \(v)") }
        }
        var strides = [Int](repeating: 1, count: names.count)
        var size = 1
        for i in stride(from: names.count - 1, through: 0, by: -1) {
            strides[i] = size
            let (product, overflow) = size.multipliedReportingOverflow(by: values[i].count)
            guard !overflow else { throw StudyError.invalidArgument("the grid has more than Int.max points") }
            size = product
        }
        self.strides = strides
        self.size = size
    }

    /// The parameters of grid point `index` (0 ..< size).
    public func point(_ index: Int) -> [String: ParamValue] {
        var p: [String: ParamValue] = [:]
        for i in names.indices { p[names[i]] = values[i][(index / strides[i]) % values[i].count] }
        return p
    }

    /// The grid point a trial number runs.
    public func pointIndex(trialNumber: Int) -> Int { trialNumber % size }

    public func beforeTrial(study: StudyView, trial: Trial) throws {
        let p = pointIndex(trialNumber: trial.number)
        trial.setSystemAttribute(Self.pointAttribute, .number(Double(p)))
        if trial.number >= size {
            trial.setSystemAttribute(Self.overflowAttribute, true)
            study.stop()
        } else if trial.number == size - 1 {
            study.stop()   // the last point is handed out: start nothing more
        }
    }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        guard let i = names.firstIndex(of: name) else {
            throw StudyError.invalidArgument("grid sampler: parameter \"\(name)\" is not in the grid (grid parameters: \(names.joined(separator: ", ")))")
        }
        let v = values[i][(pointIndex(trialNumber: trial.number) / strides[i]) % values[i].count]
        // JSON-ish grid values, as enqueued ones: 3 for a float parameter, 3.0 for an int
        // one, 64 for the categorical choice "64" (how C, JSON and Python store numbers).
        return try Trial.coerce(v, to: distribution, name: name)
    }
}
