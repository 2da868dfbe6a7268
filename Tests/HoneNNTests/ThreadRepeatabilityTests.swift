import XCTest
import HoneData
@testable import HoneNN
@testable import HoneTensor

/// A whole CNN training run (conv blocks on Winograd and im2col, batch norm, dense layers
/// split among workers, Adam) with two BLAS threads repeats bit for bit, and lands within
/// rounding of the one-thread run's loss; it still learns.
final class ThreadRepeatabilityTests: XCTestCase {
    func testTwoThreadCNNTrainingRepeatsExactly() throws {
        let saved = BLAS.threads
        defer { BLAS.setThreads(saved) }
        let data = try barImages(count: 256, seed: 5)
        // 8 → 16 channels: the second block (8 input channels, 3×3) runs as Winograd.
        let d = CNNDescription(inputShape: [1, 8, 8], convChannels: [8, 16], batchNorm: true, hiddenWidths: [64], outputCount: 2)
        func run(threads: Int) throws -> (loss: [Double], weights: [String: [UInt32]], accuracy: Double) {
            BLAS.setThreads(threads)
            let trainer = try Trainer(description: .cnn(d),
                                      config: TrainerConfig(epochs: 4, batchSize: 64, optimizer: .adam(learningRate: 3e-3), seed: 3))
            let result = try trainer.fit(data)
            let accuracy = try trainer.evaluate(try barImages(count: 128, seed: 6)).accuracy!
            return (result.history.map(\.trainLoss), weightBits(trainer.model), accuracy)
        }
        let two = try run(threads: 2), again = try run(threads: 2), one = try run(threads: 1)
        XCTAssertEqual(two.loss, again.loss)
        XCTAssertEqual(two.weights, again.weights)
        for (a, b) in zip(one.loss, two.loss) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(a))) }
        XCTAssertGreaterThan(two.accuracy, 0.9)
    }
}
