// Softmax and log-softmax along one axis. The tensor is viewed as [outer, n, inner]
// with the softmax axis in the middle, so the last axis (inner = 1, the usual case)
// and any other axis share one kernel; every row subtracts its maximum first so exp
// never overflows. exp is FastMath's (a probability below 1.2e-38 comes out as 1.2e-38,
// not 0, which no loss can tell apart).

import Foundation

extension Tensor {
    /// exp(x − max) / Σ exp(x − max) along `axis` (negative counts from the end).
    public func softmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: false) }

    /// x − max − log Σ exp(x − max) along `axis`: log-probabilities without forming tiny probabilities.
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: true) }

    /// (outer, n, inner) for a view with `axis` in the middle.
    func splitAround(axis: Int, op: String) -> (outer: Int, n: Int, inner: Int) {
        let ax = axis < 0 ? axis + rank : axis
        require(ax >= 0 && ax < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return (shape[..<ax].reduce(1, *), shape[ax], shape[(ax + 1)...].reduce(1, *))
    }

    private func softmaxFamily(axis: Int, log: Bool) -> Tensor {
        let name = log ? "logSoftmax" : "softmax"
        let (outer, n, inner) = splitAround(axis: axis, op: name)
        let y = Tensor(uninitializedShape: shape)
        let x = data, yp = y.data
        if n > 0 {
            for o in 0..<outer {
                for j in 0..<inner {
                    // One row: elements base + i·inner.
                    let xr = x + o * n * inner + j, yr = yp + o * n * inner + j
                    var mx = xr[0]
                    for i in 1..<n where xr[i * inner] > mx { mx = xr[i * inner] }
                    var sum: Float = 0
                    if log {
                        for i in 0..<n { sum += FastMath.exp(xr[i * inner] - mx) }
                        let shift = mx + logf(sum)
                        for i in 0..<n { yr[i * inner] = xr[i * inner] - shift }
                    } else {
                        for i in 0..<n { let e = FastMath.exp(xr[i * inner] - mx); yr[i * inner] = e; sum += e }
                        let inv = 1 / sum
                        for i in 0..<n { yr[i * inner] *= inv }
                    }
                }
            }
        }
        return y.record(name, [self]) { out in
            let dy = out.grad!.pointer, dx = self.gradPointer(), yp = out.data
            guard n > 0 else { return }
            for o in 0..<outer {
                for j in 0..<inner {
                    let base = o * n * inner + j
                    let g = dy + base, yr = yp + base, d = dx + base
                    if log {
                        // dx = dy − softmax · Σ dy
                        var s: Float = 0
                        for i in 0..<n { s += g[i * inner] }
                        for i in 0..<n { d[i * inner] += g[i * inner] - FastMath.exp(yr[i * inner]) * s }
                    } else {
                        // dx = y ⊙ (dy − Σ dy ⊙ y)
                        var s: Float = 0
                        for i in 0..<n { s += g[i * inner] * yr[i * inner] }
                        for i in 0..<n { d[i * inner] += yr[i * inner] * (g[i * inner] - s) }
                    }
                }
            }
        }
    }
}
