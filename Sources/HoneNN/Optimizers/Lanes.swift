// Eight-float chunks for the optimizer kernels. Swift cannot promise the compiler that
// the weight, gradient and state pointers do not alias, so a plain element loop stays
// scalar; writing the update once over SIMD8 values makes every optimizer a vector loop.
// The last partial chunk goes through the same code with zero-filled lanes whose results
// are discarded.
//
// Square roots go through SSE's sqrtps: on Linux, Float.squareRoot() (and so
// SIMD8.squareRoot()) lowers to a call to libm's sqrtf per lane, for errno's sake, which
// made Adam's update cost more than the whole rest of a small model's step. sqrtps is
// correctly rounded, exactly like sqrtf, so results are the same bit for bit.

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

enum Lanes {
    typealias Vector = SIMD8<Float>

    /// Calls `body(offset, count)` for consecutive chunks of at most 8 elements of 0..<n.
    @inline(__always)
    static func forEachChunk(_ n: Int, _ body: (Int, Int) -> Void) {
        var i = 0
        while i + 8 <= n { body(i, 8); i += 8 }
        if i < n { body(i, n - i) }
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ count: Int) -> Vector {
        if count == 8 { return UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for j in 0..<count { v[j] = p[i + j] }
        return v
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ count: Int) {
        if count == 8 { UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self); return }
        for j in 0..<count { p[i + j] = v[j] }
    }

    /// Lane-wise √v, correctly rounded.
    @inline(__always)
    static func squareRoot(_ v: Vector) -> Vector {
        #if arch(x86_64)
        return Vector(lowHalf: _mm_sqrt_ps(v.lowHalf), highHalf: _mm_sqrt_ps(v.highHalf))
        #else
        return v.squareRoot()
        #endif
    }
}
