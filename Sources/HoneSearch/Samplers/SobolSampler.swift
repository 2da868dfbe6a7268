// Quasi-random search: a scrambled Sobol sequence (Joe & Kuo 2008 direction numbers).

import Foundation
import HoneTensor

// MARK: - The sequence

/// The Sobol low-discrepancy sequence in base 2 with 32-bit resolution, built from the
/// primitive polynomials and initial direction numbers of Joe & Kuo, "Constructing Sobol
/// sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
/// (the file new-joe-kuo-6.21201, first `maxDimensions` dimensions).
///
/// Point `i` is computed directly from the Gray code of `i` (Antonov & Saleev 1979), so any
/// index can be drawn without generating the ones before it: trial `k` of a study takes
/// point `k` whichever worker runs it.
///
/// Scrambling (optional, seeded) is Matoušek's linear matrix scrambling followed by a
/// random digital shift (Owen 2003, "Variance with alternative scramblings of digital
/// nets"): each dimension's direction numbers are multiplied by a random lower-triangular
/// binary matrix with unit diagonal and every point is XORed with a random 32-bit word.
/// Both preserve the (t, m, s)-net structure while removing the points on the lower
/// corner (the unscrambled sequence starts at the origin).
public struct SobolSequence: Sendable {
    /// Dimensions covered by the direction-number table (dimension 1 is the van der Corput
    /// sequence and needs no entry).
    public static let maxDimensions = 1 + JoeKuoDirectionNumbers.rows.count
    /// Bits of resolution: points are multiples of 2⁻³².
    static let bits = 32

    public let dimensions: Int
    /// `directions[d * 32 + j]` is the direction number v_{j+1} of dimension d as a 32-bit
    /// binary fraction (bit 31 = 1/2).
    private let directions: [UInt32]
    /// Random digital shift per dimension (0 when unscrambled).
    private let shifts: [UInt32]

    /// - Parameters:
    ///   - dimensions: 1 ... `maxDimensions`.
    ///   - scrambleSeed: nil for the plain sequence; otherwise the seed of the scrambling.
    public init(dimensions: Int, scrambleSeed: UInt64? = nil) {
        // Internal: the sampler always asks for `maxDimensions`. Checked in every build
        // (not `precondition`, which -Ounchecked skips): more would read past the table.
        invariant(dimensions >= 1 && dimensions <= Self.maxDimensions,
                  "Sobol dimensions must be in 1...\(Self.maxDimensions), got \(dimensions)")
        self.dimensions = dimensions
        var v = [UInt32](repeating: 0, count: dimensions * Self.bits)
        for d in 0..<dimensions {
            let column = Self.directionNumbers(dimension: d)
            for j in 0..<Self.bits { v[d * Self.bits + j] = column[j] }
        }
        var shifts = [UInt32](repeating: 0, count: dimensions)
        if let seed = scrambleSeed {
            var rng = RandomGenerator.derived(seed: seed, stableHash("sobol-scramble"))
            for d in 0..<dimensions {
                let rows = (0..<Self.bits).map { _ in UInt32(truncatingIfNeeded: rng.next() >> 32) }
                for j in 0..<Self.bits {
                    v[d * Self.bits + j] = Self.lowerTriangularProduct(rows, v[d * Self.bits + j])
                }
                shifts[d] = UInt32(truncatingIfNeeded: rng.next() >> 32)
            }
        }
        self.directions = v
        self.shifts = shifts
    }

    /// The 32 direction numbers of dimension `d` (0-based), from the recurrence
    /// v_i = a_1 v_{i-1} ⊕ … ⊕ a_{s-1} v_{i-s+1} ⊕ v_{i-s} ⊕ (v_{i-s} >> s)
    /// (Bratley & Fox 1988, eq. 2; Joe & Kuo 2008, §2) seeded with v_i = m_i / 2^i.
    static func directionNumbers(dimension d: Int) -> [UInt32] {
        var v = [UInt32](repeating: 0, count: bits)
        if d == 0 {
            for i in 0..<bits { v[i] = 1 << UInt32(bits - 1 - i) }
            return v
        }
        let row = JoeKuoDirectionNumbers.rows[d - 1]
        let s = Int(row[0]), a = row[1]
        for i in 0..<min(s, bits) { v[i] = row[2 + i] << UInt32(bits - 1 - i) }
        if s < bits {
            for i in s..<bits {
                var x = v[i - s] ^ (v[i - s] >> UInt32(s))
                for k in 1..<max(s, 1) where (a >> UInt32(s - 1 - k)) & 1 == 1 {
                    x ^= v[i - k]
                }
                v[i] = x
            }
        }
        return v
    }

    /// L·x over GF(2), where digit k of x (weight 2^-(k+1)) is bit 31-k and row i of the
    /// lower-triangular, unit-diagonal L keeps the random bits of `rows[i]` on digits < i.
    private static func lowerTriangularProduct(_ rows: [UInt32], _ x: UInt32) -> UInt32 {
        var out: UInt32 = 0
        for i in 0..<bits {
            let bit = UInt32(bits - 1 - i)
            let digitsUpToI: UInt32 = ~((UInt32(1) << bit) &- 1)   // bits 31 … 31-i
            let row = (rows[i] & digitsUpToI) | (UInt32(1) << bit)
            if (row & x).nonzeroBitCount & 1 == 1 { out |= UInt32(1) << bit }
        }
        return out
    }

    /// Coordinate `dimension` (0-based) of point `index` (0-based; index < 2³²), in [0, 1).
    @inlinable
    public func coordinate(_ index: Int, dimension: Int) -> Double {
        Double(word(index, dimension: dimension)) * 0x1.0p-32
    }

    @usableFromInline
    func word(_ index: Int, dimension d: Int) -> UInt32 {
        // Internal: `unitValue` passes only trial numbers < 2³² and dimensions < the
        // sequence's. Checked in every build: a bad dimension would read outside
        // `directions` (two compares per coordinate, next to a 32-step loop).
        invariant(index >= 0 && index < (1 << 32), "Sobol index \(index) outside 0..<2^32")
        invariant(d >= 0 && d < dimensions, "Sobol dimension \(d) outside 0..<\(dimensions)")
        var gray = UInt32(index) ^ (UInt32(index) >> 1)
        var x = shifts[d]
        let base = d * Self.bits
        var j = 0
        while gray != 0 {
            if gray & 1 == 1 { x ^= directions[base + j] }
            gray >>= 1
            j += 1
        }
        return x
    }

    /// Point `index` (all dimensions).
    public func point(_ index: Int) -> [Double] {
        (0..<dimensions).map { coordinate(index, dimension: $0) }
    }
}

// MARK: - The sampler

/// Quasi-random search: trial k takes point k of a scrambled Sobol sequence, each
/// parameter its own dimension, mapped through the distribution's unit interval (log
/// dimensions in log space, ints and steps widened by half a step so every value owns an
/// equal share, categoricals by equal slices). Points fill the space far more evenly than
/// independent uniform draws, which is what a startup phase or a budget-limited sweep
/// wants.
///
/// ## Dimensions of a define-by-run space
///
/// A parameter's dimension is its rank in the order names were first suggested in the
/// study. The order is kept in the study system attribute `sobol.dimensions` so resumed
/// studies and other processes agree. (Two processes that meet two new names at the same
/// moment may give both the same dimension; the values stay valid, only their joint
/// spread suffers.) Beyond `SobolSequence.maxDimensions` names, parameters fall back to
/// independent uniform draws from the trial's stream.
///
/// ## Reproducibility
///
/// The scrambling is seeded from the study seed, and a trial's point depends only on its
/// number, so a seeded study repeats exactly with any number of workers.
public final class SobolSampler: Sampler, @unchecked Sendable {
    public let name = "sobol"
    public let scramble: Bool

    /// Study system attribute holding parameter names in dimension order.
    public static let dimensionsAttribute = "sobol.dimensions"

    private let lock = NSLock()
    /// Per study id: the sequence (built on first use) and the name → dimension map.
    private var sequences: [Int64: SobolSequence] = [:]
    private var dimensionOrder: [Int64: [String: Int]] = [:]

    /// - Parameter scramble: false gives the plain Joe–Kuo sequence (starts at the origin;
    ///   for tests and comparisons).
    public init(scramble: Bool = true) { self.scramble = scramble }

    public func sampleIndependent(study: StudyView, trial: Trial, name: String, distribution: Distribution) throws -> ParamValue {
        let u = try unitValue(study: study, trialNumber: trial.number, name: name) ?? {
            var rng = trial.random(for: "sobol-overflow:" + name)
            return rng.uniform()
        }()
        return distribution.toExternal(distribution.fromUnit(u))
    }

    /// The coordinate in [0, 1) that parameter `name` takes in trial `trialNumber`; nil
    /// when the study has more parameters than the sequence has dimensions. Used by other
    /// samplers (TPE, Auto) for their quasi-random startup phase.
    public func unitValue(study: StudyView, trialNumber: Int, name: String) throws -> Double? {
        let dim = try dimension(of: name, study: study)
        guard dim < SobolSequence.maxDimensions, trialNumber < (1 << 32) else { return nil }
        return sequence(for: study).coordinate(trialNumber, dimension: dim)
    }

    private func sequence(for study: StudyView) -> SobolSequence {
        lock.lock(); defer { lock.unlock() }
        if let s = sequences[study.studyId] { return s }
        let s = SobolSequence(dimensions: SobolSequence.maxDimensions, scrambleSeed: scramble ? study.seed : nil)
        sequences[study.studyId] = s
        return s
    }

    /// The dimension of `name`, registering it (in this process and in the study's system
    /// attributes) when it is new.
    func dimension(of name: String, study: StudyView) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        if let d = dimensionOrder[study.studyId]?[name] { return d }
        // Unknown here: another process (or an earlier run of this study) may know it.
        var order = Self.decodeOrder(try study.systemAttributes()[Self.dimensionsAttribute])
        if order.firstIndex(of: name) == nil {
            order.append(name)
            try study.setSystemAttribute(Self.dimensionsAttribute, .array(order.map(JSONValue.string)))
        }
        var map: [String: Int] = [:]
        for (i, n) in order.enumerated() where map[n] == nil { map[n] = i }
        dimensionOrder[study.studyId] = map
        return map[name]!
    }

    private static func decodeOrder(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.stringValue)
    }
}

// MARK: - Direction numbers

/// Joe & Kuo's new-joe-kuo-6.21201 table, dimensions 2 … 101 (dimension 1 is implicit).
/// Row d-2 describes dimension d as `[s, a, m_1, …, m_s]`: s the degree of the primitive
/// polynomial x^s + a_1 x^{s-1} + … + a_{s-1} x + 1, a its inner coefficients as the
/// binary number a_1 … a_{s-1}, and m_i the odd initial direction integers (m_i < 2^i).
/// Source: https://web.maths.unsw.edu.au/~fkuo/sobol/ (BSD-style licence).
enum JoeKuoDirectionNumbers {
    static let rows: [[UInt32]] = [
        [1, 0, 1],
        [2, 1, 1, 3],
        [3, 1, 1, 3, 1],
        [3, 2, 1, 1, 1],
        [4, 1, 1, 1, 3, 3],
        [4, 4, 1, 3, 5, 13],
        [5, 2, 1, 1, 5, 5, 17],
        [5, 4, 1, 1, 5, 5, 5],
        [5, 7, 1, 1, 7, 11, 19],
        [5, 11, 1, 1, 5, 1, 1],
        [5, 13, 1, 1, 1, 3, 11],
        [5, 14, 1, 3, 5, 5, 31],
        [6, 1, 1, 3, 3, 9, 7, 49],
        [6, 13, 1, 1, 1, 15, 21, 21],
        [6, 16, 1, 3, 1, 13, 27, 49],
        [6, 19, 1, 1, 1, 15, 7, 5],
        [6, 22, 1, 3, 1, 15, 13, 25],
        [6, 25, 1, 1, 5, 5, 19, 61],
        [7, 1, 1, 3, 7, 11, 23, 15, 103],
        [7, 4, 1, 3, 7, 13, 13, 15, 69],
        [7, 7, 1, 1, 3, 13, 7, 35, 63],
        [7, 8, 1, 3, 5, 9, 1, 25, 53],
        [7, 14, 1, 3, 1, 13, 9, 35, 107],
        [7, 19, 1, 3, 1, 5, 27, 61, 31],
        [7, 21, 1, 1, 5, 11, 19, 41, 61],
        [7, 28, 1, 3, 5, 3, 3, 13, 69],
        [7, 31, 1, 1, 7, 13, 1, 19, 1],
        [7, 32, 1, 3, 7, 5, 13, 19, 59],
        [7, 37, 1, 1, 3, 9, 25, 29, 41],
        [7, 41, 1, 3, 5, 13, 23, 1, 55],
        [7, 42, 1, 3, 7, 3, 13, 59, 17],
        [7, 50, 1, 3, 1, 3, 5, 53, 69],
        [7, 55, 1, 1, 5, 5, 23, 33, 13],
        [7, 56, 1, 1, 7, 7, 1, 61, 123],
        [7, 59, 1, 1, 7, 9, 13, 61, 49],
        [7, 62, 1, 3, 3, 5, 3, 55, 33],
        [8, 14, 1, 3, 1, 15, 31, 13, 49, 245],
        [8, 21, 1, 3, 5, 15, 31, 59, 63, 97],
        [8, 22, 1, 3, 1, 11, 11, 11, 77, 249],
        [8, 38, 1, 3, 1, 11, 27, 43, 71, 9],
        [8, 47, 1, 1, 7, 15, 21, 11, 81, 45],
        [8, 49, 1, 3, 7, 3, 25, 31, 65, 79],
        [8, 50, 1, 3, 1, 1, 19, 11, 3, 205],
        [8, 52, 1, 1, 5, 9, 19, 21, 29, 157],
        [8, 56, 1, 3, 7, 11, 1, 33, 89, 185],
        [8, 67, 1, 3, 3, 3, 15, 9, 79, 71],
        [8, 70, 1, 3, 7, 11, 15, 39, 119, 27],
        [8, 84, 1, 1, 3, 1, 11, 31, 97, 225],
        [8, 97, 1, 1, 1, 3, 23, 43, 57, 177],
        [8, 103, 1, 3, 7, 7, 17, 17, 37, 71],
        [8, 115, 1, 3, 1, 5, 27, 63, 123, 213],
        [8, 122, 1, 1, 3, 5, 11, 43, 53, 133],
        [9, 8, 1, 3, 5, 5, 29, 17, 47, 173, 479],
        [9, 13, 1, 3, 3, 11, 3, 1, 109, 9, 69],
        [9, 16, 1, 1, 1, 5, 17, 39, 23, 5, 343],
        [9, 22, 1, 3, 1, 5, 25, 15, 31, 103, 499],
        [9, 25, 1, 1, 1, 11, 11, 17, 63, 105, 183],
        [9, 44, 1, 1, 5, 11, 9, 29, 97, 231, 363],
        [9, 47, 1, 1, 5, 15, 19, 45, 41, 7, 383],
        [9, 52, 1, 3, 7, 7, 31, 19, 83, 137, 221],
        [9, 55, 1, 1, 1, 3, 23, 15, 111, 223, 83],
        [9, 59, 1, 1, 5, 13, 31, 15, 55, 25, 161],
        [9, 62, 1, 1, 3, 13, 25, 47, 39, 87, 257],
        [9, 67, 1, 1, 1, 11, 21, 53, 125, 249, 293],
        [9, 74, 1, 1, 7, 11, 11, 7, 57, 79, 323],
        [9, 81, 1, 1, 5, 5, 17, 13, 81, 3, 131],
        [9, 82, 1, 1, 7, 13, 23, 7, 65, 251, 475],
        [9, 87, 1, 3, 5, 1, 9, 43, 3, 149, 11],
        [9, 91, 1, 1, 3, 13, 31, 13, 13, 255, 487],
        [9, 94, 1, 3, 3, 1, 5, 63, 89, 91, 127],
        [9, 103, 1, 1, 3, 3, 1, 19, 123, 127, 237],
        [9, 104, 1, 1, 5, 7, 23, 31, 37, 243, 289],
        [9, 109, 1, 1, 5, 11, 17, 53, 117, 183, 491],
        [9, 122, 1, 1, 1, 5, 1, 13, 13, 209, 345],
        [9, 124, 1, 1, 3, 15, 1, 57, 115, 7, 33],
        [9, 137, 1, 3, 1, 11, 7, 43, 81, 207, 175],
        [9, 138, 1, 3, 1, 1, 15, 27, 63, 255, 49],
        [9, 143, 1, 3, 5, 3, 27, 61, 105, 171, 305],
        [9, 145, 1, 1, 5, 3, 1, 3, 57, 249, 149],
        [9, 152, 1, 1, 3, 5, 5, 57, 15, 13, 159],
        [9, 157, 1, 1, 1, 11, 7, 11, 105, 141, 225],
        [9, 167, 1, 3, 3, 5, 27, 59, 121, 101, 271],
        [9, 173, 1, 3, 5, 9, 11, 49, 51, 59, 115],
        [9, 176, 1, 1, 7, 1, 23, 45, 125, 71, 419],
        [9, 181, 1, 1, 3, 5, 23, 5, 105, 109, 75],
        [9, 182, 1, 1, 7, 15, 7, 11, 67, 121, 453],
        [9, 185, 1, 3, 7, 3, 9, 13, 31, 27, 449],
        [9, 191, 1, 3, 1, 15, 19, 39, 39, 89, 15],
        [9, 194, 1, 1, 1, 1, 1, 33, 73, 145, 379],
        [9, 199, 1, 3, 1, 15, 15, 43, 29, 13, 483],
        [9, 218, 1, 1, 7, 3, 19, 27, 85, 131, 431],
        [9, 220, 1, 3, 3, 3, 5, 35, 23, 195, 349],
        [9, 227, 1, 3, 3, 7, 9, 27, 39, 59, 297],
        [9, 229, 1, 1, 3, 9, 11, 17, 13, 241, 157],
        [9, 230, 1, 3, 7, 15, 25, 57, 33, 189, 213],
        [9, 234, 1, 1, 7, 1, 9, 55, 73, 83, 217],
        [9, 236, 1, 3, 3, 13, 19, 27, 23, 113, 249],
        [9, 241, 1, 3, 5, 3, 23, 43, 3, 253, 479],
        [9, 244, 1, 1, 5, 5, 11, 5, 45, 117, 217],
        [9, 253, 1, 3, 3, 7, 29, 37, 33, 123, 147],
    ]
}
