// Per-step timing of the training loop. Skipped unless HONE_BENCH is set, and only
// meaningful in a release build (-enable-testing because other test targets use
// @testable imports):
//   HONE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter HoneNNTests.TrainingSpeedTests
// Each configuration reports its fastest epoch in thread CPU time, which other processes
// sharing the machine disturb far less than wall time.

import Foundation
import HoneData
import HoneNN
import HoneTensor
import XCTest

final class TrainingSpeedTests: XCTestCase {
    private func measure(inputs: Int, hidden: [Int], classes: Int, batch: Int, samples: Int, epochs: Int,
                         optimizer: OptimizerConfig = .adam()) throws {
        var rng = RandomGenerator(seed: 1)
        let features = (0..<(samples * inputs)).map { _ in Float(rng.normal()) }
        let labels = (0..<samples).map { _ in Int32(rng.int(below: classes)) }
        let data = try Dataset(features: features, featureShape: [inputs], targets: .classes(labels: labels, classCount: classes, classNames: nil))
        let description = ModelDescription.mlp(MLPDescription(inputCount: inputs, hiddenWidths: hidden, outputCount: classes))
        let trainer = try Trainer(description: description, config: TrainerConfig(epochs: epochs + 1, batchSize: batch, optimizer: optimizer))
        try trainer.fit(data, epochs: 1) // warm-up: buffer pool, page faults
        var seconds = Double.infinity
        for _ in 0..<epochs {
            let start = threadCPUSeconds()
            try trainer.fit(data, epochs: 1)
            seconds = min(seconds, threadCPUSeconds() - start)
        }
        let steps = (samples + batch - 1) / batch
        let parameters = Double(trainer.model.parameterCount)
        let samplesPerSecond = Double(samples) / seconds
        let shape = ([inputs] + hidden + [classes]).map(String.init).joined(separator: "-")
        print(String(format: "%@ batch %d %@: %.1f µs/step, %.0f samples/s, %.1f GFLOP/s (6·params·samples/s)",
                     shape, batch, optimizer.kind.rawValue, seconds / Double(steps) * 1e6, samplesPerSecond,
                     6 * parameters * samplesPerSecond / 1e9))
    }

    private func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    func testStepTimings() throws {
        guard ProcessInfo.processInfo.environment["HONE_BENCH"] != nil else { throw XCTSkip("set HONE_BENCH=1 to time training steps") }
        BLAS.setThreads(1)
        print("OpenBLAS core: \(BLAS.coreName), threads \(BLAS.threads)")
        try measure(inputs: 64, hidden: [128], classes: 10, batch: 32, samples: 32 * 500, epochs: 10)
        try measure(inputs: 64, hidden: [128], classes: 10, batch: 32, samples: 32 * 500, epochs: 10, optimizer: .sgd(learningRate: 0.01))
        try measure(inputs: 784, hidden: [256, 256], classes: 10, batch: 256, samples: 256 * 40, epochs: 3)
        try measure(inputs: 784, hidden: [1024, 1024], classes: 10, batch: 256, samples: 256 * 10, epochs: 2)
    }
}
