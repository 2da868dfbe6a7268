// Max and average pooling over NCHW input, square windows, no padding (a window that
// would run past the edge is dropped, as with PyTorch's default floor mode). Max pooling
// records the flat input index of each window's maximum during forward, so backward is
// a scatter; the indices are Int32 stored in a pooled buffer.

import Foundation

extension Tensor {
    private func poolGeometry(kernel: Int, stride: Int?, op: String) -> ConvGeometry {
        require(rank == 4, "\(op): input must be NCHW [N, C, H, W], got \(shape)")
        return ConvGeometry(channels: shape[1], height: shape[2], width: shape[3], kernelH: kernel, kernelW: kernel,
                            stride: stride ?? kernel, padding: 0, op: op)
    }

    /// Maximum over each kernel×kernel window, moving by `stride` (default: `kernel`).
    /// Ties go to the first maximum in row-major window order; the gradient flows only there.
    public func maxPool2d(kernel: Int, stride: Int? = nil) -> Tensor {
        let geo = poolGeometry(kernel: kernel, stride: stride, op: "maxPool2d")
        require(count <= Int(Int32.max), "maxPool2d: input of \(count) elements is too large for Int32 indices")
        let planes = shape[0] * shape[1], inPlane = geo.height * geo.width, outPlane = geo.outH * geo.outW
        let y = Tensor(uninitializedShape: [shape[0], shape[1], geo.outH, geo.outW])
        // Int32 argmax per output element, in a pooled buffer of the same element size.
        let argmax = TensorBuffer(count: y.count)
        let idx = UnsafeMutableRawPointer(argmax.pointer)
        let x = data, yp = y.data, s = geo.stride
        if kernel == 2 && s == 2 {
            // The common 2×2 / stride 2 window, unrolled (same first-maximum rule).
            let w = geo.width
            for pl in 0..<planes {
                for oy in 0..<geo.outH {
                    let top = pl * inPlane + 2 * oy * w, bottom = top + w
                    let o = pl * outPlane + oy * geo.outW
                    for ox in 0..<geo.outW {
                        var best = top + 2 * ox
                        var bestValue = x[best]
                        if x[best + 1] > bestValue { best += 1; bestValue = x[best] }
                        let b0 = bottom + 2 * ox
                        if x[b0] > bestValue { best = b0; bestValue = x[b0] }
                        if x[b0 + 1] > bestValue { best = b0 + 1; bestValue = x[b0 + 1] }
                        yp[o + ox] = bestValue
                        idx.storeBytes(of: Int32(best), toByteOffset: (o + ox) * 4, as: Int32.self)
                    }
                }
            }
        } else {
            for pl in 0..<planes {
                for oy in 0..<geo.outH {
                    for ox in 0..<geo.outW {
                        var best = pl * inPlane + (oy * s) * geo.width + ox * s
                        var bestValue = x[best]
                        for ki in 0..<kernel {
                            let rowStart = pl * inPlane + (oy * s + ki) * geo.width + ox * s
                            for kj in 0..<kernel where x[rowStart + kj] > bestValue {
                                best = rowStart + kj; bestValue = x[best]
                            }
                        }
                        let o = pl * outPlane + oy * geo.outW + ox
                        yp[o] = bestValue
                        idx.storeBytes(of: Int32(best), toByteOffset: o * 4, as: Int32.self)
                    }
                }
            }
        }
        return y.record("maxPool2d", [self]) { out in
            let dy = out.grad!.pointer, dx = self.gradPointer()
            let idx = UnsafeRawPointer(argmax.pointer)
            for o in 0..<out.count { dx[Int(idx.load(fromByteOffset: o * 4, as: Int32.self))] += dy[o] }
        }
    }

    /// Mean over each kernel×kernel window, moving by `stride` (default: `kernel`).
    public func avgPool2d(kernel: Int, stride: Int? = nil) -> Tensor {
        let geo = poolGeometry(kernel: kernel, stride: stride, op: "avgPool2d")
        let planes = shape[0] * shape[1], inPlane = geo.height * geo.width, outPlane = geo.outH * geo.outW
        let y = Tensor(uninitializedShape: [shape[0], shape[1], geo.outH, geo.outW])
        let x = data, yp = y.data, s = geo.stride, w = geo.width
        let inv = 1 / Float(kernel * kernel)
        for pl in 0..<planes {
            for oy in 0..<geo.outH {
                for ox in 0..<geo.outW {
                    var sum: Float = 0
                    for ki in 0..<kernel {
                        let r = x + pl * inPlane + (oy * s + ki) * w + ox * s
                        for kj in 0..<kernel { sum += r[kj] }
                    }
                    yp[pl * outPlane + oy * geo.outW + ox] = sum * inv
                }
            }
        }
        return y.record("avgPool2d", [self]) { out in
            let dy = out.grad!.pointer, dx = self.gradPointer()
            for pl in 0..<planes {
                for oy in 0..<geo.outH {
                    for ox in 0..<geo.outW {
                        let g = dy[pl * outPlane + oy * geo.outW + ox] * inv
                        for ki in 0..<kernel {
                            let r = dx + pl * inPlane + (oy * s + ki) * w + ox * s
                            for kj in 0..<kernel { r[kj] += g }
                        }
                    }
                }
            }
        }
    }

    /// Mean over each whole H×W plane: [N, C, H, W] → [N, C].
    public func globalAvgPool() -> Tensor {
        require(rank == 4, "globalAvgPool: input must be NCHW [N, C, H, W], got \(shape)")
        return mean(axes: [2, 3])
    }
}
