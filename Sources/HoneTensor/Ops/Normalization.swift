// Layer normalization and batch normalization, each one fused forward kernel and one
// fused backward kernel. Forward keeps only the per-row (layer norm) or per-channel
// (batch norm) mean and 1/σ; backward recomputes x̂ from the input rather than storing
// it. Both use the standard closed-form input gradient
//     dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)),   dx̂ = dy ⊙ γ,
// with the means over the normalized group. Statistics use two passes (mean, then
// squared deviations), which stays accurate when the mean is large against σ.

import Foundation

extension Tensor {
    /// Normalizes over the last dimension D, then applies the optional per-feature
    /// scale `gamma` [D] and shift `beta` [D].
    public func layerNorm(gamma: Tensor? = nil, beta: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
        require(rank >= 1 && shape[rank - 1] > 0, "layerNorm: needs a non-empty last dimension, got shape \(shape)")
        let d = shape[rank - 1], rows = count / d
        if let gamma { require(gamma.shape == [d], "layerNorm: gamma shape \(gamma.shape), expected [\(d)] for input \(shape)") }
        if let beta { require(beta.shape == [d], "layerNorm: beta shape \(beta.shape), expected [\(d)] for input \(shape)") }

        let stats = TensorBuffer(count: 2 * rows) // mean, rstd per row
        let y = Tensor(uninitializedShape: shape)
        let x = data, yp = y.data, st = stats.pointer
        let g = gamma?.data, b = beta?.data
        for r in 0..<rows {
            let xr = x + r * d, yr = yp + r * d
            let m = Reductions.sum(xr, d) / Float(d)
            let v = Reductions.sumSquaredDeviations(xr, d, from: m)
            let rstd = 1 / (v / Float(d) + eps).squareRoot()
            st[2 * r] = m; st[2 * r + 1] = rstd
            for i in 0..<d {
                var o = (xr[i] - m) * rstd
                if let g { o *= g[i] }
                if let b { o += b[i] }
                yr[i] = o
            }
        }

        let inputs = [self] + [gamma, beta].compactMap { $0 }
        return y.record("layerNorm", inputs) { out in
            let dy = out.grad!.pointer, st = stats.pointer, x = self.data
            let dg = gamma.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let db = beta.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let dx = self.requiresGrad ? self.gradPointer() : nil
            let g = gamma?.data
            for r in 0..<rows {
                let xr = x + r * d, gr = dy + r * d
                let m = st[2 * r], rstd = st[2 * r + 1]
                // Means of dx̂ and dx̂ ⊙ x̂ over the row.
                var meanD: Float = 0, meanDX: Float = 0
                for i in 0..<d {
                    let xh = (xr[i] - m) * rstd
                    let dxh = gr[i] * (g?[i] ?? 1)
                    meanD += dxh; meanDX += dxh * xh
                    if let dg { dg[i] += gr[i] * xh }
                    if let db { db[i] += gr[i] }
                }
                guard let dx else { continue }
                meanD /= Float(d); meanDX /= Float(d)
                let dr = dx + r * d
                for i in 0..<d {
                    let xh = (xr[i] - m) * rstd
                    let dxh = gr[i] * (g?[i] ?? 1)
                    dr[i] += rstd * (dxh - meanD - xh * meanDX)
                }
            }
        }
    }

    /// Batch normalization of [N, C] or [N, C, spatial…] (e.g. NCHW) input, per channel C.
    ///
    /// Training: normalizes with the batch mean and (biased) variance over N and the
    /// spatial axes, and updates the running buffers in place, as PyTorch does:
    /// running = (1 − momentum) · running + momentum · batch statistic, with the unbiased
    /// variance for `runningVar`. Evaluation: normalizes with the running statistics and
    /// leaves them alone. `gamma`, `beta` ([C]) scale and shift; the running buffers are [C]
    /// and never receive gradients.
    public func batchNorm(gamma: Tensor? = nil, beta: Tensor? = nil, runningMean: Tensor, runningVar: Tensor,
                          momentum: Float = 0.1, eps: Float = 1e-5, training: Bool) -> Tensor {
        require(rank >= 2, "batchNorm: input must be [N, C] or [N, C, H, W], got \(shape)")
        let n = shape[0], c = shape[1], s = shape[2...].reduce(1, *)
        let m = n * s // elements per channel
        for (name, t) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVar", runningVar)] {
            if let t { require(t.count == c && t.rank == 1, "batchNorm: \(name) shape \(t.shape), expected [\(c)] for input \(shape)") }
        }
        if training { require(m > 1, "batchNorm: training needs more than one value per channel, got input \(shape)") }

        // Per-channel mean and 1/σ, kept for backward: mean in [0, C), rstd in [C, 2C).
        let stats = TensorBuffer(count: 2 * c)
        let mean = stats.pointer, rstd = stats.pointer + c
        // Scratch: Σ(x − mean)², then the per-channel scale and shift. Only its pointers are
        // used below, so its lifetime is pinned explicitly (see TensorBuffer).
        let scratch = TensorBuffer(count: 3 * c)
        defer { withExtendedLifetime(scratch) {} }
        let x = data
        if training {
            // Σx and Σ(x − mean)² per channel. [N, C] input (s = 1, the MLP case) is
            // accumulated row by row, contiguous along C; image input by contiguous planes.
            let sq = scratch.pointer + 2 * c
            sq.update(repeating: 0, count: c)
            mean.update(repeating: 0, count: c)
            BatchNormKernels.channelSums(x, n: n, c: c, s: s, into: mean)
            for ch in 0..<c { mean[ch] /= Float(m) }
            BatchNormKernels.channelSquaredDeviations(x, n: n, c: c, s: s, mean: mean, into: sq)
            let rm = runningMean.data, rv = runningVar.data
            for ch in 0..<c {
                rstd[ch] = 1 / (sq[ch] / Float(m) + eps).squareRoot()
                rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch]
                rv[ch] = (1 - momentum) * rv[ch] + momentum * sq[ch] / Float(m - 1)
            }
        } else {
            mean.update(from: runningMean.data, count: c)
            for ch in 0..<c { rstd[ch] = 1 / (runningVar.data[ch] + eps).squareRoot() }
        }

        // y = x · (γ·rstd) + (β − mean·γ·rstd): one multiply-add per element.
        let scale = scratch.pointer, shift = scratch.pointer + c
        for ch in 0..<c {
            scale[ch] = rstd[ch] * (gamma?.data[ch] ?? 1)
            shift[ch] = (beta?.data[ch] ?? 0) - mean[ch] * scale[ch]
        }
        let y = Tensor(uninitializedShape: shape)
        BatchNormKernels.channelAffine(x, n: n, c: c, s: s, scale: scale, shift: shift, out: y.data)

        let inputs = [self] + [gamma, beta].compactMap { $0 }
        return y.record(training ? "batchNorm[train]" : "batchNorm[eval]", inputs) { out in
            let dy = out.grad!.pointer, x = self.data
            let mean = stats.pointer, rstd = stats.pointer + c
            // Σdy and Σdy·(x − mean) per channel give dβ, dγ and the batch-statistics terms.
            let workBuffer = TensorBuffer(count: 4 * c, zeroed: true)
            defer { withExtendedLifetime(workBuffer) {} }
            let work = workBuffer.pointer
            let sumDy = work, sumDyXc = work + c
            BatchNormKernels.channelSums(dy, n: n, c: c, s: s, into: sumDy)
            BatchNormKernels.channelDots(dy, x, n: n, c: c, s: s, mean: mean, into: sumDyXc)
            if let gamma, gamma.requiresGrad {
                let dg = gamma.gradPointer()
                for ch in 0..<c { dg[ch] += sumDyXc[ch] * rstd[ch] }
            }
            if let beta, beta.requiresGrad {
                let db = beta.gradPointer()
                for ch in 0..<c { db[ch] += sumDy[ch] }
            }
            guard self.requiresGrad else { return }
            // dx = a·dy + b·(x − mean) + d per channel, with a = γ·rstd and, in training,
            // b = −a·rstd²·mean(dy·(x − mean)), d = −a·mean(dy) (eval: statistics are constants).
            let a = work + 2 * c, b = work + 3 * c
            let d = sumDy // reused in place: sumDy is not needed after this
            for ch in 0..<c {
                a[ch] = (gamma?.data[ch] ?? 1) * rstd[ch]
                if training {
                    b[ch] = -a[ch] * rstd[ch] * rstd[ch] * sumDyXc[ch] / Float(m)
                    d[ch] = -a[ch] * sumDy[ch] / Float(m)
                } else {
                    b[ch] = 0; d[ch] = 0
                }
            }
            BatchNormKernels.inputGradient(dy, x, n: n, c: c, s: s, mean: mean, a: a, b: b, d: d, into: self.gradPointer())
        }
    }
}

/// Batch-norm loops over [N, C, S] data. Each has an S = 1 path ([N, C], iterated by rows
/// so the channel loop is contiguous and vectorizes) and an S > 1 path (contiguous planes).
enum BatchNormKernels {
    /// out[ch] += Σ p[b, ch, :]
    static func channelSums(_ p: UnsafePointer<Float>, n: Int, c: Int, s: Int, into out: UnsafeMutablePointer<Float>) {
        if s == 1 {
            for b in 0..<n { let r = p + b * c; for ch in 0..<c { out[ch] += r[ch] } }
        } else {
            for b in 0..<n { for ch in 0..<c { out[ch] += Reductions.sum(p + (b * c + ch) * s, s) } }
        }
    }

    /// out[ch] += Σ (p[b, ch, :] − mean[ch])²
    static func channelSquaredDeviations(_ p: UnsafePointer<Float>, n: Int, c: Int, s: Int, mean: UnsafePointer<Float>,
                                         into out: UnsafeMutablePointer<Float>) {
        if s == 1 {
            for b in 0..<n { let r = p + b * c; for ch in 0..<c { let d = r[ch] - mean[ch]; out[ch] += d * d } }
        } else {
            for b in 0..<n {
                for ch in 0..<c { out[ch] += Reductions.sumSquaredDeviations(p + (b * c + ch) * s, s, from: mean[ch]) }
            }
        }
    }

    /// out[ch] += Σ g[b, ch, :] · (x[b, ch, :] − mean[ch])
    static func channelDots(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                            mean: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        if s == 1 {
            for b in 0..<n {
                let gr = g + b * c, xr = x + b * c
                for ch in 0..<c { out[ch] += gr[ch] * (xr[ch] - mean[ch]) }
            }
        } else {
            for b in 0..<n {
                for ch in 0..<c {
                    let off = (b * c + ch) * s
                    out[ch] += Reductions.dotCentered(g + off, x + off, s, mean[ch])
                }
            }
        }
    }

    /// y[b, ch, :] = x[b, ch, :] · scale[ch] + shift[ch]
    static func channelAffine(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, scale: UnsafePointer<Float>,
                              shift: UnsafePointer<Float>, out y: UnsafeMutablePointer<Float>) {
        if s == 1 {
            for b in 0..<n {
                let xr = x + b * c, yr = y + b * c
                for ch in 0..<c { yr[ch] = xr[ch] * scale[ch] + shift[ch] }
            }
        } else {
            for b in 0..<n {
                for ch in 0..<c {
                    let off = (b * c + ch) * s
                    let xp = x + off, yp = y + off, k = scale[ch], t = shift[ch]
                    for i in 0..<s { yp[i] = xp[i] * k + t }
                }
            }
        }
    }

    /// dx[b, ch, :] += a[ch] · dy + b[ch] · (x − mean[ch]) + d[ch]
    static func inputGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                              mean: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                              d: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        if s == 1 {
            for row in 0..<n {
                let g = dy + row * c, xr = x + row * c, o = dx + row * c
                for ch in 0..<c { o[ch] += a[ch] * g[ch] + b[ch] * (xr[ch] - mean[ch]) + d[ch] }
            }
        } else {
            for row in 0..<n {
                for ch in 0..<c {
                    let off = (row * c + ch) * s
                    let g = dy + off, xp = x + off, o = dx + off
                    let ac = a[ch], bc = b[ch], dc = d[ch], mc = mean[ch]
                    for i in 0..<s { o[i] += ac * g[i] + bc * (xp[i] - mc) + dc }
                }
            }
        }
    }
}
