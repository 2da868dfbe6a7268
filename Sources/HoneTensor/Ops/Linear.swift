// Matrix products through cblas_sgemm, and the fused dense layer
// y = f(x·W + b) whose backward produces dW, db and dx in three BLAS-sized passes.

import Foundation

extension Tensor {
    /// 2-D matrix product [m, k] · [k, n] → [m, n].
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: cannot multiply \(shape) by \(other.shape)")
        let m = shape[0], k = shape[1], n = other.shape[1]
        let y = Tensor(uninitializedShape: [m, n])
        BLAS.gemmOnWorkers(transA: false, transB: false, m: m, n: n, k: k, a: data, lda: k, b: other.data, ldb: n,
                           beta: 0, c: y.data, ldc: n)
        let a = self, b = other
        return y.record("matmul", [a, b]) { out in
            let dy = out.grad!.pointer
            if a.requiresGrad { // dA += dY · Bᵀ
                BLAS.gemmOnWorkers(transA: false, transB: true, m: m, n: k, k: n, a: dy, lda: n, b: b.data, ldb: n,
                                   beta: 1, c: a.gradPointer(), ldc: k)
            }
            if b.requiresGrad { // dB += Aᵀ · dY
                BLAS.gemmOnWorkers(transA: true, transB: false, m: k, n: n, k: m, a: a.data, lda: k, b: dy, ldb: n,
                                   beta: 1, c: b.gradPointer(), ldc: n)
            }
        }
    }

    /// Fused dense layer: activation(x · weight + bias) with x [batch, in], weight [in, out], bias [out].
    /// Input gradients are computed only if x requires them (never for the first layer).
    public static func dense(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: Activation = .identity) -> Tensor {
        require(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[0],
                     "dense: input \(x.shape) does not match weight \(weight.shape)")
        let batch = x.shape[0], nIn = x.shape[1], nOut = weight.shape[1]
        if let bias { require(bias.count == nOut, "dense: bias has \(bias.count) values, layer has \(nOut) outputs") }
        let y = Tensor(uninitializedShape: [batch, nOut])
        let yp = y.data
        if let bias {
            for r in 0..<batch { (yp + r * nOut).update(from: bias.data, count: nOut) }
        }
        BLAS.gemmOnWorkers(transA: false, transB: false, m: batch, n: nOut, k: nIn, a: x.data, lda: nIn, b: weight.data,
                           ldb: nOut, beta: bias == nil ? 0 : 1, c: yp, ldc: nOut)
        // GELU's derivative needs the pre-activation; the others are recovered from y.
        var preActivation: Tensor?
        if activation.backwardNeedsInput && GradMode.isEnabled {
            preActivation = y.copy()
        }
        activation.forward(yp, yp, batch * nOut)

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return y.record("dense[\(activation)]", inputs) { out in
            let n = batch * nOut
            // dz = dy · f'(z), into a pooled scratch buffer.
            let dzBuffer = TensorBuffer(count: n)
            defer { withExtendedLifetime(dzBuffer) {} } // the GEMMs below see only its pointer
            let dz = dzBuffer.pointer
            activation.backward(x: preActivation?.data, y: out.data, dy: out.grad!.pointer, dx: dz, n, accumulate: false)
            if weight.requiresGrad { // dW += xᵀ · dz
                BLAS.gemmOnWorkers(transA: true, transB: false, m: nIn, n: nOut, k: batch, a: x.data, lda: nIn, b: dz,
                                   ldb: nOut, beta: 1, c: weight.gradPointer(), ldc: nOut)
            }
            if let bias, bias.requiresGrad { // db += column sums of dz
                let db = bias.gradPointer()
                for r in 0..<batch {
                    let row = dz + r * nOut
                    for j in 0..<nOut { db[j] += row[j] }
                }
            }
            if x.requiresGrad { // dx += dz · Wᵀ
                BLAS.gemmOnWorkers(transA: false, transB: true, m: batch, n: nIn, k: nOut, a: dz, lda: nOut, b: weight.data,
                                   ldb: nOut, beta: 1, c: x.gradPointer(), ldc: nIn)
            }
        }
    }
}
