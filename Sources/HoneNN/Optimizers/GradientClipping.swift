// Gradient clipping, applied by every optimizer before its update when configured:
// by global norm (Pascanu et al. 2013: rescale all gradients together so their joint L2
// norm is at most the threshold, keeping their direction) and by value (clamp each
// element).

import HoneTensor

public enum GradientClipping {
    /// The L2 norm of all gradients together (parameters without a gradient count as zero).
    public static func globalNorm(_ parameters: [Tensor]) -> Float {
        var total: Double = 0
        for p in parameters {
            guard let g = p.grad else { continue }
            total += Double(sumOfSquares(g.pointer, g.count))
        }
        return Float(total.squareRoot())
    }

    /// Scales every gradient by maxNorm / norm when the global norm exceeds `maxNorm`.
    /// Returns the norm before clipping (worth logging: it shows an exploding gradient).
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
        let norm = globalNorm(parameters)
        // PyTorch's clip_grad_norm_ uses the same small guard against dividing by ~0.
        let scale = maxNorm / (norm + 1e-6)
        if scale < 1 {
            for p in parameters {
                guard let g = p.grad else { continue }
                let gp = g.pointer
                for i in 0..<g.count { gp[i] *= scale }
            }
        }
        return norm
    }

    /// Clamps every gradient element to [-limit, limit].
    public static func clipValue(_ parameters: [Tensor], limit: Float) {
        for p in parameters {
            guard let g = p.grad else { continue }
            let gp = g.pointer
            for i in 0..<g.count { gp[i] = min(max(gp[i], -limit), limit) }
        }
    }

    /// Σ p[i]² with eight independent partial sums (vectorizes; fixed order, so deterministic).
    static func sumOfSquares(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc += v * v
            i += 8
        }
        var s = acc.sum()
        while i < n { s += p[i] * p[i]; i += 1 }
        return s
    }

    /// Applies the clipping `config` asks for.
    @inline(__always)
    static func apply(_ config: OptimizerConfig, _ parameters: [Tensor]) {
        if let maxNorm = config.clipNorm { clipGlobalNorm(parameters, maxNorm: maxNorm) }
        if let limit = config.clipValue { clipValue(parameters, limit: limit) }
    }
}
