// Seeded random numbers. Every random draw in Hone comes from one of these, never from
// the system generator, so the same seed gives the same run.

import Foundation

/// SplitMix64 (Steele et al. 2014): used to expand one 64-bit seed into generator state
/// and to derive independent child seeds.
@inlinable
public func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** (Blackman & Vigna 2018): fast, 256 bits of state, good equidistribution.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        s0 = splitMix64(&sm); s1 = splitMix64(&sm); s2 = splitMix64(&sm); s3 = splitMix64(&sm)
    }

    /// A generator for a sub-stream named by `keys` (trial number, fold, layer index, …):
    /// the result depends only on this generator's seed material and the keys, not on how
    /// many numbers were drawn before, so parallel workers can derive streams independently.
    public static func derived(seed: UInt64, _ keys: UInt64...) -> RandomGenerator {
        var h = seed
        var mixed = splitMix64(&h)
        for k in keys {
            var m = mixed ^ (k &* 0x9E37_79B9_7F4A_7C15)
            mixed = splitMix64(&m)
        }
        return RandomGenerator(seed: mixed)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

    /// Uniform Float in [0, 1) with 24 random bits.
    @inlinable
    public mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform integer in 0..<n (Lemire's nearly divisionless method, unbiased).
    @inlinable
    public mutating func int(below n: Int) -> Int {
        require(n > 0, "int(below:) needs a positive bound")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Standard normal draw (Marsaglia's polar method, one value per call for a simple,
    /// reproducible stream).
    @inlinable
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    @inlinable
    public mutating func normal(mean: Double, std: Double) -> Double { mean + std * normal() }

    /// Fisher–Yates shuffle, written out so the order never depends on the standard library's version.
    public mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count - 1
        while i > 0 {
            let j = int(below: i + 1)
            if i != j { a.swapAt(i, j) }
            i -= 1
        }
    }

    /// A random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}

