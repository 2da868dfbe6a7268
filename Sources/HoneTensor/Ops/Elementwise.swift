// Broadcasting elementwise arithmetic (NumPy rules) and scalar affine ops.
//
// Two shapes are aligned at their trailing dimensions; each pair of sizes must be equal
// or contain a 1, which is stretched. Rather than special-casing every layout, both
// operands are described by a `BroadcastPlan`: adjacent dimensions in which the same
// operands are present (or stretched) are merged, so the common layouts collapse to one
// or two loops on their own —
//   same shape            → one contiguous run,
//   [N, D] + [D]          → N runs of D, both operands contiguous (a bias row),
//   [N, C, H, W] + [C,1,1] → N·C runs of H·W with a constant right operand (per channel).
// Only the innermost run touches elements, with stride 1 or 0 per operand, so the
// kernels below are plain loops. Backward walks the same plan and accumulates into a
// stretched operand's gradient at stride 0, which is exactly the reduction over the
// broadcast dimensions.

import Foundation

/// How two shapes broadcast against each other, with dimensions coalesced.
public struct BroadcastPlan: Sendable {
    /// The broadcast result shape.
    public let outShape: [Int]
    /// Element count of the result.
    public let count: Int
    /// Coalesced dimension sizes, outermost first (never empty).
    let dims: [Int]
    /// Element strides of each operand along `dims`; 0 where the operand is stretched.
    let aStrides: [Int]
    let bStrides: [Int]

    /// - Parameter op: names the operation in the failure message.
    public init(_ a: [Int], _ b: [Int], op: String = "broadcast") {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out: [Int] = []
        var dims: [Int] = [], hasA: [Bool] = [], hasB: [Bool] = []
        for d in 0..<rank {
            let x = pa[d], y = pb[d]
            require(x == y || x == 1 || y == 1,
                         "\(op): shapes \(a) and \(b) do not broadcast (axis \(d - rank): \(x) vs \(y))")
            let s = x == 1 ? y : x
            out.append(s)
            if s == 1 { continue } // size-1 axes move no pointer
            let inA = x == s, inB = y == s
            if let last = dims.indices.last, hasA[last] == inA, hasB[last] == inB {
                dims[last] *= s
            } else {
                dims.append(s); hasA.append(inA); hasB.append(inB)
            }
        }
        if dims.isEmpty { dims = [1]; hasA = [true]; hasB = [true] }
        var sa = [Int](repeating: 0, count: dims.count), sb = sa
        var accA = 1, accB = 1
        for i in stride(from: dims.count - 1, through: 0, by: -1) {
            if hasA[i] { sa[i] = accA; accA *= dims[i] }
            if hasB[i] { sb[i] = accB; accB *= dims[i] }
        }
        outShape = out
        count = out.reduce(1, *)
        self.dims = dims
        aStrides = sa
        bStrides = sb
    }

    /// The innermost run: its length and each operand's stride within it (1 or 0).
    var inner: (count: Int, aStride: Int, bStride: Int) { (dims[dims.count - 1], aStrides[dims.count - 1], bStrides[dims.count - 1]) }

    /// Calls `body(aOffset, bOffset, outOffset)` at the start of every innermost run
    /// (once per run, never per element). The output is contiguous.
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int) -> Void) {
        guard count > 0 else { return }
        let k = dims.count - 1
        let runLength = dims[k]
        if k == 0 { body(0, 0, 0); return }
        var index = [Int](repeating: 0, count: k)
        var ia = 0, ib = 0
        for run in 0..<(count / runLength) {
            body(ia, ib, run * runLength)
            // Odometer step over the outer dimensions.
            var d = k - 1
            while d >= 0 {
                index[d] += 1; ia += aStrides[d]; ib += bStrides[d]
                if index[d] < dims[d] { break }
                ia -= aStrides[d] * dims[d]; ib -= bStrides[d] * dims[d]; index[d] = 0
                d -= 1
            }
        }
    }
}

/// The broadcasting binary operations.
public enum BinaryOp: String, Sendable {
    case add, sub, mul, div
}

// MARK: - Kernels

enum ElementwiseKernels {
    /// y[i] = a[i·sa] op b[i·sb] for one run; the strides are 1 or 0 and never both 0
    /// unless n is 1.
    @inline(__always)
    static func forward(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                        _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        if sa != 0 && sb != 0 {
            switch op {
            case .add: for i in 0..<n { y[i] = a[i] + b[i] }
            case .sub: for i in 0..<n { y[i] = a[i] - b[i] }
            case .mul: for i in 0..<n { y[i] = a[i] * b[i] }
            case .div: for i in 0..<n { y[i] = a[i] / b[i] }
            }
        } else if sb == 0 {
            let s = b[0]
            switch op {
            case .add: for i in 0..<n { y[i] = a[i * sa] + s }
            case .sub: for i in 0..<n { y[i] = a[i * sa] - s }
            case .mul: for i in 0..<n { y[i] = a[i * sa] * s }
            case .div: for i in 0..<n { y[i] = a[i * sa] / s }
            }
        } else {
            let s = a[0]
            switch op {
            case .add: for i in 0..<n { y[i] = s + b[i] }
            case .sub: for i in 0..<n { y[i] = s - b[i] }
            case .mul: for i in 0..<n { y[i] = s * b[i] }
            case .div: for i in 0..<n { y[i] = s / b[i] }
            }
        }
    }

    /// g[i·sg] += scale · dy[i]. With sg = 0 the run is summed into g[0].
    @inline(__always)
    static func accumulate(_ dy: UnsafePointer<Float>, _ n: Int, scale: Float, into g: UnsafeMutablePointer<Float>, _ sg: Int) {
        if sg == 0 {
            g[0] += scale * Reductions.sum(dy, n)
        } else if scale == 1 {
            for i in 0..<n { g[i] += dy[i] }
        } else {
            for i in 0..<n { g[i] += scale * dy[i] }
        }
    }

    /// g[i·sg] += dy[i] · o[i·so]  (mul) or dy[i] / o[i·so]  (div, `divide` true).
    @inline(__always)
    static func accumulateScaled(_ dy: UnsafePointer<Float>, _ n: Int, by o: UnsafePointer<Float>, _ so: Int, divide: Bool,
                                 into g: UnsafeMutablePointer<Float>, _ sg: Int) {
        if sg == 0 {
            var s: Float = 0
            if so == 0 {
                for i in 0..<n { s += dy[i] }
                g[0] += divide ? s / o[0] : s * o[0]
            } else if divide {
                for i in 0..<n { s += dy[i] / o[i] }
                g[0] += s
            } else {
                for i in 0..<n { s += dy[i] * o[i] }
                g[0] += s
            }
        } else if so == 0 {
            let v = divide ? 1 / o[0] : o[0]
            for i in 0..<n { g[i] += dy[i] * v }
        } else if divide {
            for i in 0..<n { g[i] += dy[i] / o[i] }
        } else {
            for i in 0..<n { g[i] += dy[i] * o[i] }
        }
    }

    /// Divisor gradient of y = a / b: g[i·sg] −= dy[i] · y[i] / b[i·sg] (y contiguous,
    /// b and its gradient share a stride).
    @inline(__always)
    static func accumulateDivisor(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int, b: UnsafePointer<Float>,
                                  into g: UnsafeMutablePointer<Float>, _ sg: Int) {
        if sg == 0 {
            var s: Float = 0
            for i in 0..<n { s += dy[i] * y[i] }
            g[0] -= s / b[0]
        } else {
            for i in 0..<n { g[i] -= dy[i] * y[i] / b[i] }
        }
    }
}

// MARK: - Ops

extension Tensor {
    /// Elementwise `self op other` with NumPy broadcasting.
    public func broadcasting(_ op: BinaryOp, _ other: Tensor) -> Tensor {
        let plan = BroadcastPlan(shape, other.shape, op: op.rawValue)
        let y = Tensor(uninitializedShape: plan.outShape)
        let (n, sa, sb) = plan.inner
        let ap = data, bp = other.data, yp = y.data
        plan.forEachRun { ia, ib, io in
            ElementwiseKernels.forward(op, ap + ia, sa, bp + ib, sb, yp + io, n)
        }
        let a = self, b = other
        return y.record(op.rawValue, [a, b]) { out in
            let dy = out.grad!.pointer
            if a.requiresGrad {
                let ga = a.gradPointer()
                plan.forEachRun { ia, ib, io in
                    switch op {
                    case .add, .sub: ElementwiseKernels.accumulate(dy + io, n, scale: 1, into: ga + ia, sa)
                    case .mul: ElementwiseKernels.accumulateScaled(dy + io, n, by: b.data + ib, sb, divide: false, into: ga + ia, sa)
                    case .div: ElementwiseKernels.accumulateScaled(dy + io, n, by: b.data + ib, sb, divide: true, into: ga + ia, sa)
                    }
                }
            }
            if b.requiresGrad {
                let gb = b.gradPointer()
                plan.forEachRun { ia, ib, io in
                    switch op {
                    case .add: ElementwiseKernels.accumulate(dy + io, n, scale: 1, into: gb + ib, sb)
                    case .sub: ElementwiseKernels.accumulate(dy + io, n, scale: -1, into: gb + ib, sb)
                    case .mul: ElementwiseKernels.accumulateScaled(dy + io, n, by: a.data + ia, sa, divide: false, into: gb + ib, sb)
                    case .div: ElementwiseKernels.accumulateDivisor(dy + io, out.data + io, n, b: b.data + ib, into: gb + ib, sb)
                    }
                }
            }
        }
    }

    public func adding(_ other: Tensor) -> Tensor { broadcasting(.add, other) }
    public func subtracting(_ other: Tensor) -> Tensor { broadcasting(.sub, other) }
    public func multiplied(by other: Tensor) -> Tensor { broadcasting(.mul, other) }
    public func divided(by other: Tensor) -> Tensor { broadcasting(.div, other) }

    /// y = scale · x + shift, one pass. The scalar ops below are all this kernel.
    public func affine(scale: Float, shift: Float) -> Tensor {
        let y = Tensor(uninitializedShape: shape)
        let x = data, yp = y.data
        if shift == 0 {
            for i in 0..<count { yp[i] = scale * x[i] }
        } else if scale == 1 {
            for i in 0..<count { yp[i] = x[i] + shift }
        } else {
            for i in 0..<count { yp[i] = scale * x[i] + shift }
        }
        return y.record("affine", [self]) { out in
            ElementwiseKernels.accumulate(out.grad!.pointer, self.count, scale: scale, into: self.gradPointer(), 1)
        }
    }

    public func adding(_ s: Float) -> Tensor { affine(scale: 1, shift: s) }
    public func scaled(by s: Float) -> Tensor { affine(scale: s, shift: 0) }
    public func negated() -> Tensor { affine(scale: -1, shift: 0) }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.add, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.sub, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.mul, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.broadcasting(.div, b) }

    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    /// s / a, elementwise (broadcasts a scalar tensor).
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s).broadcasting(.div, a) }
    public static prefix func - (a: Tensor) -> Tensor { a.negated() }
}
