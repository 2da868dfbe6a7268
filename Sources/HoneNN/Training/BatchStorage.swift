// Reused storage for one mini-batch: the input tensor, the class labels or regression
// targets. A training run gathers every batch into the same storage, so a step allocates
// no feature or label memory (the input tensor object itself is reused too).

import Foundation
import HoneData
import HoneTensor

final class BatchStorage {
    let size: Int
    /// [size] + the model's input shape; a leaf that needs no gradient, so the first
    /// layer skips computing one.
    let input: Tensor
    /// Class labels (classification); mutated in place, which is free because the loss
    /// op's captured copy is released when backward frees the graph.
    var labels: [Int32]
    /// [size, outputs] regression targets.
    let targets: Tensor?

    init(size: Int, inputShape: [Int], outputCount: Int, task: TrainingTask) {
        self.size = size
        input = Tensor(zeros: [size] + inputShape)
        labels = task == .classification ? [Int32](repeating: 0, count: size) : []
        targets = task == .regression ? Tensor(zeros: [size, outputCount]) : nil
    }

    /// Copies the samples at `indices` (exactly `size` of them) from `data`.
    @inline(__always)
    func gather(from data: Dataset, indices: UnsafeBufferPointer<Int>) {
        if let targets {
            data.gatherBatch(indices: indices, into: input.data, targets: targets.data)
        } else {
            labels.withUnsafeMutableBufferPointer { out in
                data.gatherBatch(indices: indices, into: input.data, labels: out.baseAddress!)
            }
        }
    }
}

/// Monotonic seconds, for throughput.
@inline(__always)
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Fisher–Yates shuffle of sample indices, drawing exactly as `RandomGenerator.shuffle`
/// does (so it yields the same permutation). That one is generic and not inlinable
/// across modules; unspecialized it spent as long per epoch as the training steps of a
/// small model spend on their GEMMs.
func shuffleIndices(_ a: inout [Int], _ rng: inout RandomGenerator) {
    a.withUnsafeMutableBufferPointer { p in
        var i = p.count - 1
        while i > 0 {
            let j = rng.int(below: i + 1)
            if i != j { p.swapAt(i, j) }
            i -= 1
        }
    }
}
