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

        let stats = TensorBuffer(count: 2 * c) // mean, rstd per channel
        let st = stats.pointer, x = data
        let rm = runningMean.data, rv = runningVar.data
        for ch in 0..<c {
            let mean: Float, variance: Float
            if training {
                var sum: Float = 0
                for b in 0..<n { sum += Reductions.sum(x + (b * c + ch) * s, s) }
                mean = sum / Float(m)
                var sq: Float = 0
                for b in 0..<n { sq += Reductions.sumSquaredDeviations(x + (b * c + ch) * s, s, from: mean) }
                variance = sq / Float(m)
                rm[ch] = (1 - momentum) * rm[ch] + momentum * mean
                rv[ch] = (1 - momentum) * rv[ch] + momentum * sq / Float(m - 1)
            } else {
                mean = rm[ch]; variance = rv[ch]
            }
            st[2 * ch] = mean
            st[2 * ch + 1] = 1 / (variance + eps).squareRoot()
        }

        let y = Tensor(uninitializedShape: shape)
        let yp = y.data, g = gamma?.data, bt = beta?.data
        for b in 0..<n {
            for ch in 0..<c {
                // y = x · (γ·rstd) + (β − mean·γ·rstd): one multiply-add per element.
                let scale = st[2 * ch + 1] * (g?[ch] ?? 1)
                let shift = (bt?[ch] ?? 0) - st[2 * ch] * scale
                let off = (b * c + ch) * s
                let xp = x + off, yo = yp + off
                for i in 0..<s { yo[i] = xp[i] * scale + shift }
            }
        }

        let inputs = [self] + [gamma, beta].compactMap { $0 }
        return y.record(training ? "batchNorm[train]" : "batchNorm[eval]", inputs) { out in
            let dy = out.grad!.pointer, st = stats.pointer, x = self.data
            let dg = gamma.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let db = beta.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let dx = self.requiresGrad ? self.gradPointer() : nil
            for ch in 0..<c {
                let mean = st[2 * ch], rstd = st[2 * ch + 1], gc = gamma?.data[ch] ?? 1
                // Σ dy and Σ dy ⊙ x̂ over the channel give dβ, dγ and the batch-statistics terms.
                var sumDy: Float = 0, sumDyXc: Float = 0
                for b in 0..<n {
                    let off = (b * c + ch) * s
                    sumDy += Reductions.sum(dy + off, s)
                    sumDyXc += Reductions.dotCentered(dy + off, x + off, s, mean)
                }
                let sumDyXh = sumDyXc * rstd
                dg?[ch] += sumDyXh
                db?[ch] += sumDy
                guard let dx else { continue }
                let k = gc * rstd
                if training {
                    // dx = γ·rstd · (dy − mean(dy) − x̂ · mean(dy ⊙ x̂))
                    let meanDy = sumDy / Float(m), meanDyXh = sumDyXh / Float(m)
                    for b in 0..<n {
                        let off = (b * c + ch) * s
                        let gp = dy + off, xp = x + off, dp = dx + off
                        for i in 0..<s { dp[i] += k * (gp[i] - meanDy - (xp[i] - mean) * rstd * meanDyXh) }
                    }
                } else {
                    // Fixed statistics: an affine map per channel.
                    for b in 0..<n {
                        let off = (b * c + ch) * s
                        let gp = dy + off, dp = dx + off
                        for i in 0..<s { dp[i] += k * gp[i] }
                    }
                }
            }
        }
    }
}
