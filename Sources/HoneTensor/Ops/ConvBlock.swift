// convolution → [batch norm] → [activation] → [2×2 max pooling] as one op: one forward
// kernel and its paired backward kernel (llm.c's style), instead of four ops.
//
// Why: run as separate ops, the convolution writes its whole output (N·C·H·W floats, 13 MB
// for a batch of 128 through 32 channels at 28×28), and every op after it reads and writes
// it again, forward and backward, plus a zeroed gradient buffer per op — about ten passes
// over memory for a handful of flops each, which cost more than the GEMMs on the first
// layer of a small CNN. Here the convolution output of a group of images stays in a
// cache-sized scratch buffer: bias / batch-norm affine, ReLU and the pooling window run on
// it right after the GEMM, and only the pooled output (a quarter of it) and one byte per
// pooled value (which of the four won) reach memory. Backward rebuilds the convolution's
// output gradient from those bytes into the same scratch, then runs the weight and input
// GEMMs on it. Batch norm in training needs batch statistics before it can normalize, so
// there the convolution output is kept (one write) and normalized in a second pass.
//
// Several images share one GEMM: their im2col matrices sit side by side in col[K, G·P]
// and the output is Z[C, G·P], which suits GEMM better than G thin products when K or C
// is small (the input layer: K = 9).
//
// ReLU and max commute, and so does adding a per-channel constant, so the forward window
// is max, then bias, then ReLU; batch norm's scale may be negative, so with batch norm each
// of the four values is normalized before the max. Every non-decreasing activation
// commutes with the max the same way (`Activation.isMonotone`: tanh, sigmoid, ELU, leaky
// ReLU), so the others run on the pooled plane right after the window pass — a quarter of
// the values — and backward turns the output gradient into the pre-activation one from
// the output alone. GELU is not monotone: it runs on the whole cached plane before the
// window's max, and its input at each winner is kept for backward. Before, tanh and GELU
// CNNs ran unfused: per-image im2col GEMMs instead of Winograd, and four passes over
// full-size maps; their epochs took about twice a ReLU CNN's of the same width in
// `hone auto`'s searches.

import Foundation
import HoneKernels

/// Batch normalization inside a conv block, with Tensor.batchNorm's semantics (PyTorch's):
/// batch statistics and an update of the running buffers in training, running statistics
/// otherwise.
public struct ConvBlockNormalization {
    public var gamma: Tensor
    public var beta: Tensor
    public var runningMean: Tensor
    public var runningVar: Tensor
    public var momentum: Float
    public var eps: Float
    public var training: Bool

    public init(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, momentum: Float = 0.1,
                eps: Float = 1e-5, training: Bool) {
        self.gamma = gamma; self.beta = beta; self.runningMean = runningMean; self.runningVar = runningVar
        self.momentum = momentum; self.eps = eps; self.training = training
    }
}

/// How many images share one GEMM in a conv block.
public enum ConvBlockGrouping {
    /// Bytes the scratch of one group (its im2col matrix and its convolution output) may
    /// take: about half a core's L2 here, so both stay cached between the GEMM and the passes
    /// around it. HONE_CONV_GROUP_BYTES overrides it (for measurements).
    public static let scratchBytes: Int = {
        if let s = ProcessInfo.processInfo.environment["HONE_CONV_GROUP_BYTES"], let v = Int(s), v > 0 { return v }
        return 256 << 10
    }()

    static func imagesPerGEMM(colRows k: Int, channels c: Int, plane p: Int, batch: Int) -> Int {
        let perImage = (k + c) * p * MemoryLayout<Float>.stride
        return max(1, min(batch, scratchBytes / max(perImage, 1)))
    }
}

extension Tensor {
    /// conv2d(weight, bias, stride, padding), then the batch norm `normalization` (if any),
    /// then `activation`, then 2×2 max pooling with stride 2 (if `maxPool2x2`), as one op.
    /// The same function as the four ops in a row, within float rounding (pooling ties may
    /// resolve differently: the maximum of a non-decreasing activation's input is taken
    /// before the bias and the activation).
    /// A bias and a batch norm together are refused: the norm's mean subtraction cancels the bias.
    public func convBlock(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                          normalization: ConvBlockNormalization? = nil, activation: Activation = .identity,
                          maxPool2x2: Bool) -> Tensor {
        require(rank == 4, "convBlock: input must be NCHW [N, C, H, W], got \(shape)")
        require(weight.rank == 4 && weight.shape[1] == shape[1],
                "convBlock: weight \(weight.shape) must be [outC, \(shape[1]), kH, kW] for input \(shape)")
        let n = shape[0], c = weight.shape[0]
        if let bias { require(bias.shape == [c], "convBlock: bias shape \(bias.shape), expected [\(c)]") }
        require(normalization == nil || bias == nil, "convBlock: a convolution bias before batch norm is cancelled by it; pass none")
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3], kernelH: weight.shape[2],
                               kernelW: weight.shape[3], stride: stride, padding: padding, op: "convBlock")
        if let norm = normalization {
            for (name, t) in [("gamma", norm.gamma), ("beta", norm.beta), ("runningMean", norm.runningMean), ("runningVar", norm.runningVar)] {
                require(t.rank == 1 && t.count == c, "convBlock: \(name) shape \(t.shape), expected [\(c)]")
            }
            if norm.training { require(n * geo.colCols > 1, "convBlock: batch norm training needs more than one value per channel") }
        }
        if maxPool2x2 { require(geo.outH >= 2 && geo.outW >= 2, "convBlock: 2×2 pooling of a \(geo.outH)×\(geo.outW) output") }

        let k = geo.colRows, p = geo.colCols, inPlane = geo.channels * geo.height * geo.width
        // ReLU runs inside the window pass; another non-decreasing activation on the pooled
        // plane after it; GELU (not monotone) on the whole plane before the window's max.
        let relu = activation == .relu
        let pooledActivation: Activation? = relu || activation == .identity || !activation.isMonotone ? nil : activation
        let planeActivation: Activation? = activation.isMonotone ? nil : activation
        let block = ConvBlockShape(outH: geo.outH, outW: geo.outW, pooled: maxPool2x2, relu: relu)
        let q = block.pooledCount
        let parameters = [weight] + [bias, normalization?.gamma, normalization?.beta].compactMap { $0 }
        let x = self
        let records = GradMode.isEnabled && ([x] + parameters).contains { $0.requiresGrad }
        let training = normalization?.training == true
        // The whole convolution output is kept when batch statistics need a second pass,
        // or when backward needs it (batch norm's x̂); otherwise one group's worth is scratch.
        let keepsOutput = normalization != nil && (training || records)
        // 3×3 stride-1 layers past the input run as Winograd F(2×2, 3×3) (ConvBlockWinograd.swift).
        let winograd = ConvWinograd(geo: geo, outChannels: c)
        let group = winograd?.imagesPerGroup(batch: n) ?? ConvBlockGrouping.imagesPerGEMM(colRows: k, channels: c, plane: p, batch: n)

        let y = Tensor(uninitializedShape: [n, c, block.pooledH, block.pooledW])
        // One byte per pooled value: which of its window's four values won (row-major).
        let winners: TensorBuffer? = records && maxPool2x2 ? TensorBuffer(count: (n * c * q + 3) / 4) : nil
        let keptOutput: TensorBuffer? = keepsOutput ? TensorBuffer(count: n * c * p) : nil
        // GELU's backward needs its input: the winners' pre-activation values, kept.
        let preActivation: TensorBuffer? = records && planeActivation != nil ? TensorBuffer(count: n * c * q) : nil
        // Per channel: mean and 1/σ (batch norm), then the epilogue's scale and shift.
        let stats = TensorBuffer(count: 4 * c)
        let groups = Swift.stride(from: 0, to: n, by: group).map { ($0, min(group, n - $0)) }
        let workers = ConvBlockWorkers(groupCount: groups.count)
        // Scratch per worker: an im2col matrix (Winograd: V, M and a padded plane) and
        // (unless the whole output is kept) Z.
        let colBuffers = (0..<workers.count).map { _ in TensorBuffer(count: winograd?.inputCount(images: group) ?? k * group * p) }
        let productBuffers = winograd.map { w in (0..<workers.count).map { _ in TensorBuffer(count: w.productCount(images: group)) } } ?? []
        let padBuffers = winograd.map { w in (0..<workers.count).map { _ in TensorBuffer(count: w.padCount) } } ?? []
        let transformedWeight = winograd?.transformWeights(weight.data)
        let zScratch = keepsOutput ? [] : (0..<workers.count).map { _ in TensorBuffer(count: c * group * p) }
        // Per worker, for GELU: one plane before and one after the activation.
        let planeScratch = planeActivation == nil ? [] : (0..<workers.count).map { _ in TensorBuffer(count: 2 * p) }
        defer { withExtendedLifetime((colBuffers, productBuffers, padBuffers, zScratch, planeScratch, keptOutput, winners, stats, preActivation)) {} }
        let mean = stats.pointer, rstd = stats.pointer + c
        let scale = stats.pointer + 2 * c, shift = stats.pointer + 3 * c
        let wins = winners.map { UnsafeMutableRawPointer($0.pointer).assumingMemoryBound(to: UInt8.self) }

        /// Z[C, G·P] = W · col for images first..<first+count, into z.
        func convolve(_ worker: Int, _ first: Int, _ count: Int, into z: UnsafeMutablePointer<Float>) {
            let col = colBuffers[worker].pointer
            if let winograd, let transformedWeight {
                winograd.forward(x.data + first * inPlane, count: count, u: transformedWeight.pointer, v: col,
                                 m: productBuffers[worker].pointer, pad: padBuffers[worker].pointer, into: z)
                return
            }
            let ld = count * p
            for g in 0..<count { geo.im2col(x.data + (first + g) * inPlane, col + g * p, rowStride: ld) }
            BLAS.gemm(transA: false, transB: false, m: c, n: ld, k: k, a: weight.data, lda: k, b: col, ldb: ld,
                      beta: 0, c: z, ldc: ld)
        }
        /// The normalized / biased, activated and pooled output of images first..<first+count from z.
        func finish(_ worker: Int, _ first: Int, _ count: Int, from z: UnsafePointer<Float>) {
            let ld = count * p
            for g in 0..<count {
                for o in 0..<c {
                    let index = (first + g) * c + o
                    let plane = z + o * ld + g * p, out = y.data + index * q, planeWinners = wins.map { $0 + index * q }
                    if let f = planeActivation {
                        let u = planeScratch[worker].pointer, v = u + p
                        block.affine(plane, scale: scale[o], shift: shift[o], into: u)
                        f.forward(u, v, p)
                        block.forward(v, scale: 1, shift: 0, into: out, winners: planeWinners)
                        if let pre = preActivation { block.winnerValues(u, winners: planeWinners, into: pre.pointer + index * q) }
                    } else {
                        block.forward(plane, scale: scale[o], shift: shift[o], into: out, winners: planeWinners)
                        pooledActivation?.forward(out, out, q)
                    }
                }
            }
        }
        /// Channel o of image `image` in the kept output, stored group by group as Z[C, G·P].
        func keptPlane(_ image: Int, _ o: Int) -> UnsafeMutablePointer<Float> {
            let first = image / group * group, size = min(group, n - first)
            return keptOutput!.pointer + first * c * p + o * size * p + (image - first) * p
        }

        if training, let norm = normalization {
            // Pass 1: convolve every group into the kept output, and per image and channel
            // the mean and Σ(z − mean)² of a cached plane; then, in image order (the same
            // result for any number of workers), merge them with Chan et al.'s pairwise
            // update in Double, as accurate as two passes over the batch.
            let planeStats = TensorBuffer(count: 2 * n * c)
            defer { withExtendedLifetime(planeStats) {} }
            let ps = planeStats.pointer
            workers.run(groups) { worker, first, size in
                let zg = keptOutput!.pointer + first * c * p, ld = size * p
                convolve(worker, first, size, into: zg)
                for g in 0..<size {
                    for o in 0..<c {
                        let plane = zg + o * ld + g * p, index = (first + g) * c + o
                        let planeMean = Reductions.sum(plane, p) / Float(p)
                        ps[2 * index] = planeMean
                        ps[2 * index + 1] = Reductions.sumSquaredDeviations(plane, p, from: planeMean)
                    }
                }
            }
            var count = 0.0
            var means = [Double](repeating: 0, count: c), m2 = [Double](repeating: 0, count: c)
            for image in 0..<n {
                let planeCount = Double(p), total: Double = count + planeCount
                let share: Double = planeCount / total
                for o in 0..<c {
                    let index = image * c + o
                    let delta: Double = Double(ps[2 * index]) - means[o]
                    means[o] += delta * share
                    m2[o] += Double(ps[2 * index + 1]) + delta * delta * count * share
                }
                count = total
            }
            let m = Double(n * p)
            let rm = norm.runningMean.data, rv = norm.runningVar.data
            for o in 0..<c {
                mean[o] = Float(means[o])
                rstd[o] = Float(1 / (m2[o] / m + Double(norm.eps)).squareRoot())
                rm[o] = (1 - norm.momentum) * rm[o] + norm.momentum * mean[o]
                rv[o] = (1 - norm.momentum) * rv[o] + norm.momentum * Float(m2[o] / (m - 1))
                scale[o] = rstd[o] * norm.gamma.data[o]
                shift[o] = norm.beta.data[o] - mean[o] * scale[o]
            }
            // Pass 2: normalize, rectify and pool.
            workers.run(groups) { worker, first, size in finish(worker, first, size, from: keptOutput!.pointer + first * c * p) }
        } else {
            for o in 0..<c {
                if let norm = normalization {
                    mean[o] = norm.runningMean.data[o]
                    rstd[o] = 1 / (norm.runningVar.data[o] + norm.eps).squareRoot()
                    scale[o] = rstd[o] * norm.gamma.data[o]
                    shift[o] = norm.beta.data[o] - mean[o] * scale[o]
                } else {
                    scale[o] = 1
                    shift[o] = bias?.data[o] ?? 0
                }
            }
            workers.run(groups) { worker, first, size in
                let z = keptOutput.map { $0.pointer + first * c * p } ?? zScratch[worker].pointer
                convolve(worker, first, size, into: z)
                finish(worker, first, size, from: z)
            }
        }

        return y.record("convBlock", [x] + parameters) { out in
            let yv = out.data
            // The gradient before the activation (ReLU's aside): dy · f'(u) at each pooled
            // value, f' from the output or, for GELU, from the winner's kept input.
            let outputActivation = pooledActivation ?? planeActivation
            let preActivationGradient = outputActivation.map { _ in TensorBuffer(count: n * c * q) }
            defer { withExtendedLifetime(preActivationGradient) {} }
            let dy: UnsafePointer<Float>
            if let f = outputActivation, let buffer = preActivationGradient {
                f.backward(x: preActivation.map { UnsafePointer($0.pointer) }, y: yv, dy: out.grad!.pointer, dx: buffer.pointer,
                           n * c * q, accumulate: false)
                dy = UnsafePointer(buffer.pointer)
            } else {
                dy = UnsafePointer(out.grad!.pointer)
            }
            let wins = winners.map { UnsafeRawPointer($0.pointer).assumingMemoryBound(to: UInt8.self) }
            let mean = stats.pointer, rstd = stats.pointer + c
            // Batch norm's per-channel terms: dz = a·dẑ + b·(z − mean) + d, from Σdẑ and
            // Σdẑ·(z − mean) over the batch (dẑ, the gradient at the norm's output, is
            // non-zero only where a window's winner passed the ReLU).
            let coefficients = TensorBuffer(count: 3 * c, zeroed: true)
            defer { withExtendedLifetime(coefficients) {} }
            let a = coefficients.pointer, b = a + c, d = a + 2 * c
            if let norm = normalization {
                // Per image and channel in parallel, summed in image order.
                let planeSums = TensorBuffer(count: 2 * n * c)
                defer { withExtendedLifetime(planeSums) {} }
                let sums = planeSums.pointer
                workers.run(groups) { _, first, size in
                    for image in first..<first + size {
                        for o in 0..<c {
                            let index = image * c + o
                            (sums[2 * index], sums[2 * index + 1]) = block.sparseSums(
                                z: keptPlane(image, o), mean: mean[o], y: yv + index * q, dy: dy + index * q,
                                winners: wins.map { $0 + index * q })
                        }
                    }
                }
                var sumDy = [Float](repeating: 0, count: c), sumDyXc = [Float](repeating: 0, count: c)
                for image in 0..<n {
                    for o in 0..<c { sumDy[o] += sums[2 * (image * c + o)]; sumDyXc[o] += sums[2 * (image * c + o) + 1] }
                }
                if norm.gamma.requiresGrad {
                    let dg = norm.gamma.gradPointer()
                    for o in 0..<c { dg[o] += sumDyXc[o] * rstd[o] }
                }
                if norm.beta.requiresGrad {
                    let dbeta = norm.beta.gradPointer()
                    for o in 0..<c { dbeta[o] += sumDy[o] }
                }
                let m = Float(n * p)
                for o in 0..<c {
                    a[o] = norm.gamma.data[o] * rstd[o]
                    if training {
                        b[o] = -a[o] * rstd[o] * rstd[o] * sumDyXc[o] / m
                        d[o] = -a[o] * sumDy[o] / m
                    }
                }
            } else {
                for o in 0..<c { a[o] = 1 }
            }
            let dW = weight.requiresGrad ? weight.gradPointer() : nil
            let dBias = bias.flatMap { $0.requiresGrad ? $0.gradPointer() : nil }
            let dx = x.requiresGrad ? x.gradPointer() : nil
            guard dW != nil || dBias != nil || dx != nil else { return }
            // Per worker: dz and dcol scratch, an im2col matrix, and (after the first worker,
            // which accumulates straight into the gradients) its own dW and db partial sums,
            // added in worker order afterwards.
            // Winograd: V / dV and dM scratch, and each worker's dU (turned into dW once, after
            // they are summed in worker order).
            let dzBuffers = (0..<workers.count).map { _ in TensorBuffer(count: c * group * p) }
            let winogradScratch = winograd.map { w in
                (0..<workers.count).map { _ in (v: TensorBuffer(count: w.inputCount(images: group)),
                                                m: TensorBuffer(count: w.productCount(images: group)),
                                                pad: TensorBuffer(count: w.padCount),
                                                du: dW != nil ? TensorBuffer(count: 16 * c * geo.channels, zeroed: true) : nil) }
            } ?? []
            let colBuffers = dW != nil && winograd == nil ? (0..<workers.count).map { _ in TensorBuffer(count: k * group * p) } : []
            let dcolBuffers = dx != nil && winograd == nil ? (0..<workers.count).map { _ in TensorBuffer(count: k * group * p) } : []
            let partials = (1..<max(workers.count, 1)).map { _ in TensorBuffer(count: c * k + c, zeroed: true) }
            defer { withExtendedLifetime((dzBuffers, winogradScratch, colBuffers, dcolBuffers, partials, transformedWeight)) {} }
            workers.run(groups) { worker, first, size in
                let ld = size * p, dz = dzBuffers[worker].pointer
                let workerDW = worker == 0 ? dW : dW.map { _ in partials[worker - 1].pointer }
                let workerDBias = worker == 0 ? dBias : dBias.map { _ in partials[worker - 1].pointer + c * k }
                // The convolution output's gradient dz[C, G·P] for this group.
                for g in 0..<size {
                    for o in 0..<c {
                        let index = (first + g) * c + o
                        block.backward(dy: dy + index * q, y: yv + index * q, winners: wins.map { $0 + index * q },
                                       z: keepsOutput ? keptPlane(first + g, o) : nil, mean: mean[o],
                                       a: a[o], b: b[o], d: d[o], into: dz + o * ld + g * p)
                    }
                }
                if let workerDBias {
                    for o in 0..<c { workerDBias[o] += Reductions.sum(dz + o * ld, ld) }
                }
                if let winograd, let transformedWeight {
                    let scratch = winogradScratch[worker]
                    winograd.backward(dz: dz, x: x.data + first * inPlane, count: size, u: transformedWeight.pointer,
                                      v: scratch.v.pointer, m: scratch.m.pointer, pad: scratch.pad.pointer,
                                      du: scratch.du?.pointer, dx: dx.map { $0 + first * inPlane })
                    return
                }
                if let workerDW { // dW[C, K] += dz · colᵀ
                    let col = colBuffers[worker].pointer
                    for g in 0..<size { geo.im2col(x.data + (first + g) * inPlane, col + g * p, rowStride: ld) }
                    BLAS.gemm(transA: false, transB: true, m: c, n: k, k: ld, a: dz, lda: ld, b: col, ldb: ld,
                              beta: 1, c: workerDW, ldc: k)
                }
                if let dx { // dcol[K, G·P] = Wᵀ · dz, scattered back onto each image
                    let dcol = dcolBuffers[worker].pointer
                    BLAS.gemm(transA: true, transB: false, m: k, n: ld, k: c, a: weight.data, lda: k, b: dz, ldb: ld,
                              beta: 0, c: dcol, ldc: ld)
                    for g in 0..<size { geo.col2im(dcol + g * p, dx + (first + g) * inPlane, rowStride: ld) }
                }
            }
            if let dW, let first = winogradScratch.first?.du {
                for scratch in winogradScratch.dropFirst() {
                    let du = scratch.du!.pointer
                    for i in 0..<16 * c * geo.channels { first.pointer[i] += du[i] }
                }
                hone_winograd_filter_backward(first.pointer, c, geo.channels, dW)
            }
            for partial in partials {
                if let dW, winograd == nil { for i in 0..<c * k { dW[i] += partial.pointer[i] } }
                if let dBias { for o in 0..<c { dBias[o] += partial.pointer[c * k + o] } }
            }
        }
    }
}

/// Runs a conv block's groups of images on several threads when BLAS was given several
/// (one trial using the whole machine): each worker takes a fixed share of the groups
/// (worker w: groups w, w + workers, …, so results do not depend on timing) and calls
/// single-threaded GEMMs. Per-image GEMMs are too small for OpenBLAS to split well; whole
/// images split perfectly. With one BLAS thread (parallel trials) everything runs inline.
struct ConvBlockWorkers {
    let count: Int

    init(groupCount: Int) {
        count = max(1, min(BLAS.threads, groupCount))
    }

    func run(_ groups: [(Int, Int)], _ body: (_ worker: Int, _ first: Int, _ size: Int) -> Void) {
        guard count > 1 else {
            for (first, size) in groups { body(0, first, size) }
            return
        }
        let threads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(threads) }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: count) { worker in
                for index in Swift.stride(from: worker, to: groups.count, by: count) {
                    body(worker, groups[index].0, groups[index].1)
                }
            }
        }
    }
}

/// The per-plane kernels of a conv block: one convolution output plane (outH × outW,
/// contiguous) in, one pooled (or not) output plane out, and back.
struct ConvBlockShape {
    let outH: Int, outW: Int, pooled: Bool, relu: Bool

    var pooledH: Int { pooled ? outH / 2 : outH }
    var pooledW: Int { pooled ? outW / 2 : outW }
    var pooledCount: Int { pooledH * pooledW }

    /// Where the winner of pooled value (py, px) sits in the convolution plane.
    @inline(__always)
    func position(_ py: Int, _ px: Int, _ winner: UInt8) -> Int {
        (2 * py + Int(winner >> 1)) * outW + 2 * px + Int(winner & 1)
    }

    /// u = z·scale + shift over the whole plane (no ReLU, no pooling).
    @inline(__always)
    func affine(_ z: UnsafePointer<Float>, scale: Float, shift: Float, into u: UnsafeMutablePointer<Float>) {
        hone_conv_window_forward(z, outH, outW, scale, shift, 0, 0, u, nil)
    }

    /// The plane's values at the windows' winners (the whole plane without pooling); `out`
    /// holds `pooledCount` values.
    @inline(__always)
    func winnerValues(_ plane: UnsafePointer<Float>, winners: UnsafePointer<UInt8>?, into out: UnsafeMutablePointer<Float>) {
        guard pooled else { out.update(from: plane, count: outH * outW); return }
        // Without winners the whole plane would not fit in `out`.
        guard let winners else { fatalError("convBlock: a pooled plane's winner values need its winners") }
        let pw = pooledW
        for py in 0..<pooledH {
            for px in 0..<pw { out[py * pw + px] = plane[position(py, px, winners[py * pw + px])] }
        }
    }

    /// y = ReLU(max over the window of z·scale + shift); records each window's winner
    /// (HoneKernels' conv_window.c).
    @inline(__always)
    func forward(_ z: UnsafePointer<Float>, scale: Float, shift: Float, into y: UnsafeMutablePointer<Float>,
                 winners: UnsafeMutablePointer<UInt8>?) {
        hone_conv_window_forward(z, outH, outW, scale, shift, relu ? 1 : 0, pooled ? 1 : 0, y, winners)
    }

    /// The gradient at the block's output, passed back through the ReLU and pooling, at
    /// pooled value i: dy where the output passed the ReLU, else 0.
    @inline(__always)
    func passed(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ i: Int) -> Float {
        let g = dy[i]
        return !relu || y[i] > 0 ? g : 0
    }

    /// (Σ dẑ, Σ dẑ · (z − mean)) over one plane, dẑ being the gradient at the batch norm's
    /// output (sparse: only the windows' winners).
    @inline(__always)
    func sparseSums(z: UnsafePointer<Float>, mean: Float, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                    winners: UnsafePointer<UInt8>?) -> (Float, Float) {
        var s: Float = 0, sx: Float = 0
        if pooled, let winners {
            let pw = pooledW
            for py in 0..<pooledH {
                for px in 0..<pw {
                    let i = py * pw + px, g = passed(y, dy, i)
                    s += g; sx += g * (z[position(py, px, winners[i])] - mean)
                }
            }
        } else {
            for i in 0..<outH * outW { let g = passed(y, dy, i); s += g; sx += g * (z[i] - mean) }
        }
        return (s, sx)
    }

    /// dz = a·dẑ + b·(z − mean) + d over one convolution plane (b = d = 0 without batch
    /// norm in training, and z is then not needed; HoneKernels' conv_window.c).
    @inline(__always)
    func backward(dy: UnsafePointer<Float>, y: UnsafePointer<Float>, winners: UnsafePointer<UInt8>?,
                  z: UnsafePointer<Float>?, mean: Float, a: Float, b: Float, d: Float, into dz: UnsafeMutablePointer<Float>) {
        hone_conv_window_backward(dy, y, winners, b != 0 || d != 0 ? z : nil, mean, a, b, d, outH, outW,
                                  relu ? 1 : 0, pooled ? 1 : 0, dz)
    }
}
