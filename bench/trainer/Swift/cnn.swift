// The CNN side of the trainer benchmark: 1×28×28 inputs (Fashion-MNIST's shape), blocks of
// 3×3 "same" convolution → [batch norm] → ReLU → 2×2 max pooling, then a dense head of
// `hidden` units and 10 outputs, trained with Adam through the real Trainer on random data.
// Prints samples/s, the GEMM FLOP rate of a training step, and the rate cblas_sgemm itself
// reaches on the same GEMM products (per image, as Conv2D issues them) — the ceiling.
// The FLOP count is that of the direct (im2col) products: 3×3 layers past the input now run
// as Winograd F(2×2, 3×3) with 2.25× fewer flops, so the rate is an effective one and can
// exceed the sgemm rate.

import Foundation
import HoneData
import HoneNN
import HoneTensor

/// One GEMM of a training step: C[m×n] = op(A)·op(B), and whether it runs once per image.
private struct Product {
    var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, perImage: Bool
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// The GEMMs Hone's Conv2D and Dense issue for one batch: per image and convolution the
/// forward W·col, dW += dY·colᵀ and (except on the input layer) dcol = Wᵀ·dY; per dense
/// layer x·W, xᵀ·dz and dz·Wᵀ.
private func products(channels: [Int], hidden: Int, batch: Int) -> [Product] {
    var list: [Product] = []
    var c = 1, side = 28
    for (i, out) in channels.enumerated() {
        let k = c * 9, p = side * side
        list.append(Product(m: out, n: p, k: k, transA: false, transB: false, perImage: true))
        list.append(Product(m: out, n: k, k: p, transA: false, transB: true, perImage: true))
        if i > 0 { list.append(Product(m: k, n: p, k: out, transA: true, transB: false, perImage: true)) }
        c = out
        side /= 2
    }
    var width = c * side * side
    for next in [hidden, 10] {
        list.append(Product(m: batch, n: next, k: width, transA: false, transB: false, perImage: false))
        list.append(Product(m: width, n: next, k: batch, transA: true, transB: false, perImage: false))
        list.append(Product(m: batch, n: width, k: next, transA: false, transB: true, perImage: false))
        width = next
    }
    return list
}

/// GFLOP/s of cblas_sgemm on `products` (one batch's worth, repeated for ~`seconds`).
private func sgemmRate(_ products: [Product], batch: Int, seconds: Double) -> Double {
    let buffers = products.map { q in
        (TensorBuffer(count: q.m * q.k, zeroed: true), TensorBuffer(count: q.k * q.n, zeroed: true), TensorBuffer(count: q.m * q.n, zeroed: true))
    }
    func step() -> Double {
        var flops = 0.0
        for (q, (a, b, c)) in zip(products, buffers) {
            for _ in 0..<(q.perImage ? batch : 1) {
                BLAS.gemm(transA: q.transA, transB: q.transB, m: q.m, n: q.n, k: q.k, a: a.pointer, lda: q.transA ? q.m : q.k,
                          b: b.pointer, ldb: q.transB ? q.k : q.n, beta: 1, c: c.pointer, ldc: q.n)
                flops += q.flops
            }
        }
        return flops
    }
    _ = step()
    var flops = 0.0
    let t0 = DispatchTime.now().uptimeNanoseconds
    var dt = 0.0
    while dt < seconds {
        flops += step()
        dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
    return flops / dt / 1e9
}

func runCNNBenchmark(channels: [Int], hidden: Int, batchNorm: Bool, activation: String, batch: Int, threads: Int,
                     seconds: Double) throws {
    let sampleCount = 4096
    var rng = RandomGenerator(seed: 0)
    let features = (0..<(sampleCount * 784)).map { _ in Float(rng.normal()) }
    let labels = (0..<sampleCount).map { _ in Int32(rng.int(below: 10)) }
    let data = try Dataset(features: features, featureShape: [1, 28, 28],
                           targets: .classes(labels: labels, classCount: 10, classNames: nil))
    let description = ModelDescription.cnn(CNNDescription(inputShape: [1, 28, 28], convChannels: channels, batchNorm: batchNorm,
                                                          activation: activation, hiddenWidths: [hidden], outputCount: 10))
    let config = TrainerConfig(epochs: 1_000_000, batchSize: batch, optimizer: .adam(learningRate: 1e-3), seed: 0)
    let trainer = try Trainer(description: description, config: config)

    let (samplesPerSecond, samplesPerCPUSecond) = try trainingRates(trainer, data, seconds: seconds)
    let list = products(channels: channels, hidden: hidden, batch: batch)
    let flopsPerSample = list.reduce(0.0) { $0 + $1.flops * ($1.perImage ? 1 : 1 / Double(batch)) }
    let result: [String: Any] = [
        "impl": "hone", "model": "cnn", "channels": channels, "hidden": hidden, "batch_norm": batchNorm, "activation": activation, "batch": batch,
        "threads": threads, "samples_per_s": samplesPerSecond,
        "samples_per_cpu_s": samplesPerCPUSecond, "gflops": flopsPerSample * samplesPerSecond / 1e9,
        "sgemm_gflops": sgemmRate(list, batch: batch, seconds: min(seconds, 2)), "blas_core": BLAS.coreName,
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

/// Samples per second of whole epochs on `data`, after a warm-up epoch (which fills the
/// buffer pool), until `seconds` have passed.
func trainingRate(_ trainer: Trainer, _ data: Dataset, seconds: Double) throws -> Double {
    try trainingRates(trainer, data, seconds: seconds).wall
}

/// Samples per wall-clock second and per CPU second of this process (all its threads),
/// as `trainingRate` measures them. On a shared machine the CPU rate is the steadier one.
func trainingRates(_ trainer: Trainer, _ data: Dataset, seconds: Double) throws -> (wall: Double, cpu: Double) {
    func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    try trainer.fit(data, epochs: 1)
    var trained = 0
    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
    var elapsed = 0.0
    while elapsed < seconds {
        try trainer.fit(data, epochs: 1)
        trained += data.count
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return (Double(trained) / elapsed, Double(trained) / (cpuSeconds() - cpuStart))
}
