// Sums and means over axes. A reduction is a broadcast read backwards: the kept shape
// (reduced axes set to 1) broadcasts to the input shape, so the same coalesced
// `BroadcastPlan` drives both directions — forward adds each input run into the output
// at stride 0 (reduced innermost axis) or 1, backward spreads the output gradient back.

import Foundation

extension Tensor {
    /// Normalizes possibly negative axes against `rank`, rejecting duplicates and out-of-range values.
    func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        var seen = [Bool](repeating: false, count: rank)
        for a in axes {
            let ax = a < 0 ? a + rank : a
            require(ax >= 0 && ax < rank, "\(op): axis \(a) out of range for shape \(shape)")
            require(!seen[ax], "\(op): axis \(a) repeated in \(axes)")
            seen[ax] = true
        }
        return (0..<rank).filter { seen[$0] }
    }

    /// Sum over `axes` (negative axes count from the end). Reduced axes are dropped unless
    /// `keepDims`, in which case they stay with size 1. An empty `axes` reduces nothing
    /// (as in NumPy); use `sum()` for the total.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        reduce(axes: normalizedAxes(axes, op: "sum"), keepDims: keepDims, mean: false)
    }

    /// Mean over `axes`; see `sum(axes:keepDims:)`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        reduce(axes: normalizedAxes(axes, op: "mean"), keepDims: keepDims, mean: true)
    }

    /// Sum of every element, as a scalar (shape []).
    public func sum() -> Tensor { reduce(axes: Array(0..<rank), keepDims: false, mean: false) }

    /// Mean of every element, as a scalar (shape []).
    public func mean() -> Tensor {
        require(count > 0, "mean: empty tensor of shape \(shape)")
        return reduce(axes: Array(0..<rank), keepDims: false, mean: true)
    }

    private func reduce(axes: [Int], keepDims: Bool, mean: Bool) -> Tensor {
        var kept = shape
        for a in axes { kept[a] = 1 }
        let reducedCount = axes.reduce(1) { $0 * shape[$1] }
        if mean { require(reducedCount > 0, "mean: reducing over an empty axis of shape \(shape)") }
        let scale: Float = mean ? 1 / Float(reducedCount) : 1
        let outShape = keepDims ? kept : (0..<rank).filter { !axes.contains($0) }.map { shape[$0] }
        let plan = BroadcastPlan(shape, kept, op: mean ? "mean" : "sum")
        let (n, _, sy) = plan.inner // the input is present along every axis, so its stride is 1

        let y = Tensor(zeros: outShape)
        let x = data, yp = y.data
        plan.forEachRun { ix, iy, _ in
            let src = x + ix, dst = yp + iy
            if sy == 0 {
                dst[0] += Reductions.sum(src, n)
            } else {
                for i in 0..<n { dst[i] += src[i] }
            }
        }
        if scale != 1 { for i in 0..<y.count { yp[i] *= scale } }

        return y.record(mean ? "mean" : "sum", [self]) { out in
            let dy = out.grad!.pointer, dx = self.gradPointer()
            plan.forEachRun { ix, iy, _ in
                let g = dy + iy, d = dx + ix
                if sy == 0 {
                    let v = scale * g[0]
                    for i in 0..<n { d[i] += v }
                } else {
                    for i in 0..<n { d[i] += scale * g[i] }
                }
            }
        }
    }
}
