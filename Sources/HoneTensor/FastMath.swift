// exp as straight-line Float arithmetic, so loops over it (softmax) vectorize. glibc's
// expf is an opaque call (5 ns per element here); this is ~2 ns, and its results depend
// only on IEEE arithmetic, not on the libm version. Accuracy against a Double reference:
// within 0.7 ulp. (The activations' exp and tanh are HoneKernels' activation.c, the same
// Cephes-style formula compiled for AVX2 / AVX-512.)
//
// exp follows Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so
// n·ln2 is exact), a degree-6 polynomial for e^r, and 2^n built in the exponent bits.
// n comes from the 1.5·2^23 rounding trick, read back from the bit pattern: no
// float→int conversion, which would be undefined (LLVM poison) for NaN under -Ounchecked.

@usableFromInline
enum FastMath {
    /// e^x. Saturates below at the smallest normal float (≈1.18e-38 for x < −87.3, no
    /// subnormals), overflows to +inf above 88.72, and propagates NaN.
    @inlinable @inline(__always)
    static func exp(_ x: Float) -> Float {
        // Comparisons (not min/max) so that NaN passes through untouched.
        let xc: Float = x < -87.33654 ? -87.33654 : (x > 88.72283 ? 88.72283 : x)
        let magic: Float = 12_582_912 // 1.5·2^23: adding it rounds to an integer
        let t = xc * 1.44269504088896341 + magic
        let n = t - magic
        let r = (xc - n * 0.693359375) + n * 2.12194440e-4 // x − n·ln2, in two parts
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        let ni = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        return er * Float(bitPattern: UInt32(bitPattern: (ni &+ 127) &<< 23))
    }
}
