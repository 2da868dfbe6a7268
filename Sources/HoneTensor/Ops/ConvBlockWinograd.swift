// The convolution of a conv block as Winograd F(2×2, 3×3) instead of im2col + one GEMM,
// for 3×3 stride-1 layers with enough input channels: forward and its paired backward
// (weights and input), on one group of images at a time, into the same [C, G·P] layout
// ConvBlock's window passes read and write.
//
// Why: after fusion, the benchmark CNNs spend 65–77 % of a training step in OpenBLAS's
// sgemm kernel, at 85–95 % of the rate sgemm reaches on those shapes, so a faster step
// needs fewer flops. F(2×2, 3×3) needs 16 products per 2×2 output tile and channel pair
// where the direct form needs 36 (2.25× fewer), as 16 GEMMs M[ξ] = U[ξ]·V[ξ] with K = the
// input channels; the transforms (HoneKernels' winograd.c) are a few adds per value and
// write fewer floats than im2col (16 per 4 outputs instead of 9 per output). The input
// layer (one channel: GEMMs with K = 1) stays on im2col. HONE_WINOGRAD=0 turns it off
// (for measurements).

import Foundation
import HoneKernels

struct ConvWinograd {
    let geo: ConvGeometry
    let outChannels: Int
    /// 2×2 output tiles per image.
    let tiles: Int
    /// Floats of the transforms' scratch: a zero-bordered plane and 16 arrays of one value per tile.
    let padCount: Int

    static let enabled: Bool = ProcessInfo.processInfo.environment["HONE_WINOGRAD"] != "0"

    /// Bytes the Winograd scratch of one group (V, M and the convolution output) may take.
    /// Measured on the benchmark CNNs (samples per CPU second, 1 thread): 512 KB and 1 MB
    /// alike, 2 MB 3–9 % and 4 MB 18–27 % slower — thin GEMMs (N = 49 tiles of one 14×14
    /// image) cost less than scratch that leaves L2. HONE_WINOGRAD_GROUP_BYTES overrides it.
    static let scratchBytes: Int = {
        if let s = ProcessInfo.processInfo.environment["HONE_WINOGRAD_GROUP_BYTES"], let v = Int(s), v > 0 { return v }
        return 512 << 10
    }()

    /// Nil unless the convolution is 3×3, stride 1, with at least 4 input channels and a
    /// 2×2 output or more.
    init?(geo: ConvGeometry, outChannels: Int) {
        guard Self.enabled, geo.kernelH == 3, geo.kernelW == 3, geo.stride == 1, geo.channels >= 4,
              geo.outH >= 2, geo.outW >= 2 else { return nil }
        self.geo = geo
        self.outChannels = outChannels
        let th = (geo.outH + 1) / 2, tw = (geo.outW + 1) / 2
        tiles = th * tw
        padCount = (2 * th + 2) * (2 * tw + 2) + 16 * tiles
    }

    func imagesPerGroup(batch: Int) -> Int {
        let perImage = (16 * (geo.channels + outChannels) * tiles + outChannels * geo.colCols) * MemoryLayout<Float>.stride
        return max(1, min(batch, Self.scratchBytes / max(perImage, 1)))
    }

    /// Floats of V (and dV) and of M (and dM) for a group of `images`.
    func inputCount(images: Int) -> Int { 16 * geo.channels * images * tiles }
    func productCount(images: Int) -> Int { 16 * outChannels * images * tiles }

    /// U[16][out][in] = G g Gᵀ.
    func transformWeights(_ weight: UnsafePointer<Float>) -> TensorBuffer {
        let u = TensorBuffer(count: 16 * outChannels * geo.channels)
        hone_winograd_filter(weight, outChannels, geo.channels, u.pointer)
        return u
    }

    /// V of images x[0..<count] (consecutive images, `inPlane` floats apart).
    private func transformInput(_ x: UnsafePointer<Float>, count: Int, v: UnsafeMutablePointer<Float>,
                                pad: UnsafeMutablePointer<Float>) {
        let n = count * tiles, inPlane = geo.channels * geo.height * geo.width
        for g in 0..<count {
            hone_winograd_input(x + g * inPlane, geo.channels, geo.height, geo.width, geo.padding, geo.outH, geo.outW,
                                v + g * tiles, geo.channels * n, n, pad)
        }
    }

    /// z[C, count·P] (image g's plane o at z + o·count·P + g·P) = the convolution of `count`
    /// images starting at x.
    func forward(_ x: UnsafePointer<Float>, count: Int, u: UnsafePointer<Float>, v: UnsafeMutablePointer<Float>,
                 m: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>, into z: UnsafeMutablePointer<Float>) {
        let n = count * tiles, c = outChannels, k = geo.channels, p = geo.colCols
        transformInput(x, count: count, v: v, pad: pad)
        for xi in 0..<16 {
            BLAS.gemm(transA: false, transB: false, m: c, n: n, k: k, a: u + xi * c * k, lda: k, b: v + xi * k * n, ldb: n,
                      beta: 0, c: m + xi * c * n, ldc: n)
        }
        for g in 0..<count {
            hone_winograd_output(m + g * tiles, c * n, n, c, geo.outH, geo.outW, z + g * p, count * p, pad)
        }
    }

    /// Backward of `forward` for one group from its output gradient dz[C, count·P]:
    /// du[16][out][in] += dM·Vᵀ (when du is given; the caller turns du into dW once, with
    /// hone_winograd_filter_backward) and dx += the input gradient (when dx is given).
    /// v and m are the same scratch forward used (here V / dV and dM).
    func backward(dz: UnsafePointer<Float>, x: UnsafePointer<Float>, count: Int, u: UnsafePointer<Float>,
                  v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>,
                  du: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?) {
        let n = count * tiles, c = outChannels, k = geo.channels, p = geo.colCols
        let inPlane = geo.channels * geo.height * geo.width
        for g in 0..<count {
            hone_winograd_output_backward(dz + g * p, count * p, c, geo.outH, geo.outW, m + g * tiles, c * n, n, pad)
        }
        if let du {
            transformInput(x, count: count, v: v, pad: pad)
            for xi in 0..<16 {
                BLAS.gemm(transA: false, transB: true, m: c, n: k, k: n, a: m + xi * c * n, lda: n, b: v + xi * k * n, ldb: n,
                          beta: 1, c: du + xi * c * k, ldc: k)
            }
        }
        if let dx { // dV[ξ] = U[ξ]ᵀ · dM[ξ], into V's scratch (the weight products are done with it)
            for xi in 0..<16 {
                BLAS.gemm(transA: true, transB: false, m: k, n: n, k: c, a: u + xi * c * k, lda: k, b: m + xi * c * n, ldb: n,
                          beta: 0, c: v + xi * k * n, ldc: n)
            }
            for g in 0..<count {
                hone_winograd_input_backward(v + g * tiles, k * n, n, k, geo.height, geo.width, geo.padding, geo.outH,
                                             geo.outW, dx + g * inPlane, pad)
            }
        }
    }
}
