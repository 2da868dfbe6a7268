// 2-D convolution (cross-correlation, as in every deep-learning library) on NCHW input
// by im2col + GEMM. For each image, im2col lays the receptive fields out as a matrix
// col[K, P] (K = inC·kH·kW rows, P = outH·outW columns), so the convolution is one
// cblas_sgemm  Y[outC, P] = W[outC, K] · col[K, P]. Backward for each image:
//     dW += dY · colᵀ,   db += row sums of dY,   dcol = Wᵀ · dY,   dx += col2im(dcol).
// col is rebuilt in backward instead of kept from forward: im2col is cheap next to the
// GEMMs, and keeping it would hold K·P floats per image until backward. A 1×1 convolution
// with stride 1 and no padding needs no im2col at all: the image itself is col.

import Foundation
import HoneKernels

/// The shape arithmetic of one convolution (or pooling window) over a C×H×W image.
struct ConvGeometry {
    let channels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int, stride: Int, padding: Int
    let outH: Int, outW: Int

    init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int, op: String) {
        require(stride >= 1, "\(op): stride must be at least 1, got \(stride)")
        require(padding >= 0, "\(op): padding must be non-negative, got \(padding)")
        require(kernelH >= 1 && kernelW >= 1, "\(op): kernel must be at least 1×1, got \(kernelH)×\(kernelW)")
        require(height + 2 * padding >= kernelH && width + 2 * padding >= kernelW,
                     "\(op): kernel \(kernelH)×\(kernelW) larger than the padded \(height)×\(width) input (padding \(padding))")
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
        outH = (height + 2 * padding - kernelH) / stride + 1
        outW = (width + 2 * padding - kernelW) / stride + 1
    }

    var colRows: Int { channels * kernelH * kernelW }
    var colCols: Int { outH * outW }

    /// col[K, P] from one image x[C, H, W]; padding reads as zero. Rows of col lie
    /// `rowStride` apart (default P), so several images can sit side by side in one
    /// col[K, G·P] for a wider GEMM (ConvBlock). HoneKernels' im2col.c.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        hone_im2col(x, channels, height, width, kernelH, kernelW, stride, padding, outH, outW, col, rowStride ?? colCols)
    }

    /// dx[C, H, W] += the scatter of col[K, P] (rows `rowStride` apart) back onto the
    /// image (adjoint of im2col). HoneKernels' im2col.c.
    func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        hone_col2im(col, rowStride ?? colCols, channels, height, width, kernelH, kernelW, stride, padding, outH, outW, dx)
    }
}

extension Tensor {
    /// Convolution of NCHW input [N, inC, H, W] with `weight` [outC, inC, kH, kW] and
    /// optional `bias` [outC] → [N, outC, outH, outW], outH = (H + 2·padding − kH) / stride + 1.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        require(rank == 4, "conv2d: input must be NCHW [N, C, H, W], got \(shape)")
        require(weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: weight \(weight.shape) must be [outC, \(shape[1]), kH, kW] for input \(shape)")
        let batch = shape[0], outC = weight.shape[0]
        if let bias { require(bias.shape == [outC], "conv2d: bias shape \(bias.shape), expected [\(outC)]") }
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3], kernelH: weight.shape[2],
                               kernelW: weight.shape[3], stride: stride, padding: padding, op: "conv2d")
        let k = geo.colRows, p = geo.colCols
        let inPlane = geo.channels * geo.height * geo.width, outPlane = outC * p
        let direct = geo.kernelH == 1 && geo.kernelW == 1 && stride == 1 && padding == 0

        let y = Tensor(uninitializedShape: [batch, outC, geo.outH, geo.outW])
        let colBuffer = direct ? nil : TensorBuffer(count: k * p)
        defer { withExtendedLifetime(colBuffer) {} } // GEMMs read it through a raw pointer
        for b in 0..<batch {
            let xb = data + b * inPlane, yb = y.data + b * outPlane
            var col = UnsafePointer(xb)
            if let colBuffer { geo.im2col(xb, colBuffer.pointer); col = UnsafePointer(colBuffer.pointer) }
            if let bias {
                for o in 0..<outC { (yb + o * p).update(repeating: bias.data[o], count: p) }
            }
            BLAS.gemm(transA: false, transB: false, m: outC, n: p, k: k, a: weight.data, lda: k, b: col, ldb: p,
                      beta: bias == nil ? 0 : 1, c: yb, ldc: p)
        }

        let x = self
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return y.record("conv2d", inputs) { out in
            let dy = out.grad!.pointer
            let needCol = weight.requiresGrad && !direct
            let colBuffer = needCol ? TensorBuffer(count: k * p) : nil
            let dcolBuffer = x.requiresGrad && !direct ? TensorBuffer(count: k * p) : nil
            defer { withExtendedLifetime((colBuffer, dcolBuffer)) {} }
            let dW = weight.requiresGrad ? weight.gradPointer() : nil
            let db = bias.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let dx = x.requiresGrad ? x.gradPointer() : nil
            for b in 0..<batch {
                let xb = x.data + b * inPlane, dyb = dy + b * outPlane
                if let dW { // dW[outC, K] += dY[outC, P] · colᵀ
                    var col = UnsafePointer(xb)
                    if let colBuffer { geo.im2col(xb, colBuffer.pointer); col = UnsafePointer(colBuffer.pointer) }
                    BLAS.gemm(transA: false, transB: true, m: outC, n: k, k: p, a: dyb, lda: p, b: col, ldb: p,
                              beta: 1, c: dW, ldc: k)
                }
                if let db {
                    for o in 0..<outC { db[o] += Reductions.sum(dyb + o * p, p) }
                }
                if let dx { // dcol[K, P] = Wᵀ · dY, then scattered back onto the image
                    let dxb = dx + b * inPlane
                    if let dcolBuffer {
                        BLAS.gemm(transA: true, transB: false, m: k, n: p, k: outC, a: weight.data, lda: k, b: dyb, ldb: p,
                                  beta: 0, c: dcolBuffer.pointer, ldc: p)
                        geo.col2im(dcolBuffer.pointer, dxb)
                    } else {
                        BLAS.gemm(transA: true, transB: false, m: k, n: p, k: outC, a: weight.data, lda: k, b: dyb, ldb: p,
                                  beta: 1, c: dxb, ldc: p)
                    }
                }
            }
        }
    }
}
