// Hone side of the trainer benchmark (bench/trainer/run.sh runs it beside PyTorch).
// Trains an MLP with Adam through the real Trainer on random data for a few seconds and
// prints samples/s and the FLOP rate (6 × parameters × samples/s), plus the rate
// cblas_sgemm itself reaches on the very GEMMs one training step performs — the ceiling.
// With --cnn, the same for a CNN (cnn.swift; bench/trainer/run_cnn.sh).
//
//   hone-bench-trainer --sizes 784,256,256,10 --batch 256 --threads 1 --seconds 3
//   hone-bench-trainer --cnn 32,64 --hidden 128 [--batch-norm] [--activation tanh] --batch 128 --threads 1 --seconds 3

import Foundation
import HoneData
import HoneNN
import HoneTensor

func argument(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count { return args[i + 1] }
    return fallback
}

let sizes = argument("sizes", "784,256,256,10").split(separator: ",").map { Int($0)! }
let batch = Int(argument("batch", "256"))!
let threads = Int(argument("threads", "1"))!
let seconds = Double(argument("seconds", "3"))!
BLAS.setThreads(threads)

// `--cnn 32,64 [--hidden 128] [--batch-norm] [--activation relu]`: the CNN benchmark (cnn.swift) instead.
if CommandLine.arguments.contains("--cnn") {
    try runCNNBenchmark(channels: argument("cnn", "32,64").split(separator: ",").map { Int($0)! },
                        hidden: Int(argument("hidden", "128"))!, batchNorm: CommandLine.arguments.contains("--batch-norm"),
                        activation: argument("activation", "relu"), batch: batch, threads: threads, seconds: seconds)
    exit(0)
}

// Random data of the requested shape, as the PyTorch side uses.
let sampleCount = 8192
var rng = RandomGenerator(seed: 0)
let features = (0..<(sampleCount * sizes[0])).map { _ in Float(rng.normal()) }
let labels = (0..<sampleCount).map { _ in Int32(rng.int(below: sizes.last!)) }
let data = try Dataset(features: features, featureShape: [sizes[0]],
                       targets: .classes(labels: labels, classCount: sizes.last!, classNames: nil))

let description = ModelDescription.mlp(MLPDescription(inputCount: sizes[0], hiddenWidths: Array(sizes.dropFirst().dropLast()),
                                                      activation: "relu", outputCount: sizes.last!))
let config = TrainerConfig(epochs: 1_000_000, batchSize: batch, optimizer: .adam(learningRate: 1e-3), seed: 0)
let trainer = try Trainer(description: description, config: config)
let parameters = trainer.model.parameterCount

let samplesPerSecond = try trainingRate(trainer, data, seconds: seconds)
let stepsPerEpoch = (sampleCount + batch - 1) / batch

// The GEMMs of one step: per layer forward x·W, dW = xᵀ·dz, and dx = dz·Wᵀ (not for the first layer).
func sgemmRate() -> Double {
    var buffers: [(TensorBuffer, TensorBuffer, TensorBuffer)] = []
    for l in 0..<(sizes.count - 1) {
        let nIn = sizes[l], nOut = sizes[l + 1]
        buffers.append((TensorBuffer(count: batch * max(nIn, nOut), zeroed: true),
                        TensorBuffer(count: nIn * nOut, zeroed: true), TensorBuffer(count: batch * max(nIn, nOut), zeroed: true)))
    }
    func step() -> Double {
        var flops = 0.0
        for l in 0..<(sizes.count - 1) {
            let nIn = sizes[l], nOut = sizes[l + 1]
            let (x, w, y) = buffers[l]
            BLAS.gemm(transA: false, transB: false, m: batch, n: nOut, k: nIn, a: x.pointer, lda: nIn, b: w.pointer, ldb: nOut, beta: 0, c: y.pointer, ldc: nOut)
            BLAS.gemm(transA: true, transB: false, m: nIn, n: nOut, k: batch, a: x.pointer, lda: nIn, b: y.pointer, ldb: nOut, beta: 1, c: w.pointer, ldc: nOut)
            flops += 4 * Double(batch * nIn * nOut)
            if l > 0 {
                BLAS.gemm(transA: false, transB: true, m: batch, n: nIn, k: nOut, a: y.pointer, lda: nOut, b: w.pointer, ldb: nOut, beta: 1, c: x.pointer, ldc: nIn)
                flops += 2 * Double(batch * nIn * nOut)
            }
        }
        return flops
    }
    _ = step()
    var flops = 0.0
    let t0 = DispatchTime.now().uptimeNanoseconds
    var dt = 0.0
    while dt < min(seconds, 2) {
        for _ in 0..<10 { flops += step() }
        dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
    return flops / dt / 1e9
}

let result: [String: Any] = [
    "impl": "hone", "sizes": sizes, "batch": batch, "threads": threads,
    "samples_per_s": samplesPerSecond, "us_per_step": 1e6 * Double(sampleCount) / (samplesPerSecond * Double(stepsPerEpoch)),
    "gflops": 6 * Double(parameters) * samplesPerSecond / 1e9, "sgemm_gflops": sgemmRate(), "blas_core": BLAS.coreName,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
