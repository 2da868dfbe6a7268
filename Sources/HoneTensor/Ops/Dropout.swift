// Inverted dropout: at training time each element is kept with probability 1 − p and
// scaled by 1/(1 − p), so evaluation needs no rescaling and is the identity. The mask
// is drawn from the caller's seeded generator, one uniform draw per element in order,
// so the same seed gives the same mask on every machine.

import Foundation

extension Tensor {
    /// Zeroes each element with probability `p` (from `rng`) and scales the survivors by
    /// 1/(1 − p) when `training`; returns `self` unchanged otherwise or when p is 0
    /// (drawing nothing from `rng`).
    public func dropout(p: Float, rng: inout RandomGenerator, training: Bool) -> Tensor {
        require(p >= 0 && p < 1, "dropout: p must be in [0, 1), got \(p)")
        guard training, p > 0 else { return self }
        // The mask holds 0 or 1/(1 − p): backward is then one multiply.
        let mask = TensorBuffer(count: count)
        let m = mask.pointer, scale = 1 / (1 - p)
        // A local copy keeps the generator state in registers (an inout parameter is
        // reloaded and stored around every draw); it is written back afterwards, so the
        // caller's stream advances exactly as with direct draws. Keep-or-drop picks
        // between constants and then multiplies: `cond ? 0 : scale` with a run-time scale
        // compiled to a branch that mispredicts on every other coin flip (2× slower).
        var local = rng
        for i in 0..<count {
            let keep: Float = local.uniformFloat() < p ? 0 : 1
            m[i] = keep * scale
        }
        rng = local
        let y = Tensor(uninitializedShape: shape)
        let x = data, yp = y.data
        for i in 0..<count { yp[i] = x[i] * m[i] }
        return y.record("dropout", [self]) { out in
            // Reads the mask through `mask` so the closure keeps the buffer alive.
            let dy = out.grad!.pointer, dx = self.gradPointer(), m = mask.pointer
            for i in 0..<self.count { dx[i] += dy[i] * m[i] }
        }
    }
}
