// Reductions shared by several ops. A plain `s += p[i]` loop is one serial dependency
// chain: the compiler may not reorder float additions, so it cannot vectorize it. These
// keep eight independent partial sums in a SIMD register instead (a fixed order, so the
// result is still deterministic), which is several times faster on long runs.

@usableFromInline
enum Reductions {
    /// Σ p[i]
    @inline(__always) @usableFromInline
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n { acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self); i += 8 }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// Σ (p[i] − c)²
    @inline(__always) @usableFromInline
    static func sumSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, from c: Float) -> Float {
        let raw = UnsafeRawPointer(p)
        let cv = SIMD8<Float>(repeating: c)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - cv
            acc += d * d; i += 8
        }
        var s = acc.sum()
        while i < n { let d = p[i] - c; s += d * d; i += 1 }
        return s
    }

    /// Σ a[i] · (b[i] − c)
    @inline(__always) @usableFromInline
    static func dotCentered(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int, _ c: Float) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        let cv = SIMD8<Float>(repeating: c)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let va = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let vb = rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc += va * (vb - cv); i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * (b[i] - c); i += 1 }
        return s
    }
}
