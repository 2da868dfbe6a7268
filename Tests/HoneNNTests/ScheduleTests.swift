import HoneNN
import XCTest

final class ScheduleTests: XCTestCase {
    private func rates(_ s: LearningRateSchedule, base: Float = 1, total: Int, _ ts: [Int]) -> [Float] {
        ts.map { s.learningRate(base: base, at: $0, total: total) }
    }

    func testConstant() {
        XCTAssertEqual(rates(.constant, base: 0.3, total: 10, [0, 5, 9]), [0.3, 0.3, 0.3])
    }

    func testStep() {
        let s = LearningRateSchedule(.step(every: 2, factor: 0.5))
        XCTAssertEqual(rates(s, total: 10, [0, 1, 2, 3, 4, 7]), [1, 1, 0.5, 0.5, 0.25, 0.125])
    }

    func testExponential() {
        let s = LearningRateSchedule(.exponential(factor: 0.9))
        let r = rates(s, total: 10, [0, 1, 3])
        XCTAssertEqual(r[0], 1)
        XCTAssertEqual(r[1], 0.9, accuracy: 1e-6)
        XCTAssertEqual(r[2], 0.729, accuracy: 1e-6)
    }

    func testCosineToAFloor() {
        let s = LearningRateSchedule(.cosine(minimum: 0.1))
        let r = rates(s, total: 10, [0, 5, 10, 20])
        XCTAssertEqual(r[0], 1, accuracy: 1e-6)
        XCTAssertEqual(r[1], 0.55, accuracy: 1e-6)   // halfway: the mean of base and floor
        XCTAssertEqual(r[2], 0.1, accuracy: 1e-6)
        XCTAssertEqual(r[3], 0.1, accuracy: 1e-6)    // stays at the floor past the horizon
        // Monotone decreasing over the run.
        let all = rates(s, total: 10, Array(0...10))
        XCTAssertEqual(all, all.sorted(by: >))
    }

    func testLinearWarmupThenDecay() {
        let warm = LearningRateSchedule(.constant, warmup: 3)
        XCTAssertEqual(rates(warm, total: 10, [0, 1, 2, 3, 9]), [0.25, 0.5, 0.75, 1, 1])
        // Warm-up 2, then cosine over the remaining 10 units.
        let cosine = LearningRateSchedule(.cosine(minimum: 0), warmup: 2, unit: .step)
        let r = rates(cosine, base: 0.2, total: 12, [0, 1, 2, 7, 12])
        XCTAssertEqual(r[0], 0.2 / 3, accuracy: 1e-6)
        XCTAssertEqual(r[1], 0.4 / 3, accuracy: 1e-6)
        XCTAssertEqual(r[2], 0.2, accuracy: 1e-6)
        XCTAssertEqual(r[3], 0.1, accuracy: 1e-6)
        XCTAssertEqual(r[4], 0, accuracy: 1e-6)
        // Step decay counts from the end of the warm-up.
        let stepped = LearningRateSchedule(.step(every: 2, factor: 0.1), warmup: 1)
        XCTAssertEqual(rates(stepped, total: 10, [0, 1, 2, 3]).map { ($0 * 1000).rounded() / 1000 }, [0.5, 1, 1, 0.1])
    }

    func testTrainerAppliesThePerStepSchedule() throws {
        // 4 epochs × 2 steps; the callback sees the rate of each epoch's last step.
        let data = try Synthetic.moons(count: 64, seed: 1)
        let config = TrainerConfig(epochs: 4, batchSize: 32, optimizer: .sgd(learningRate: 0.8),
                                   schedule: LearningRateSchedule(.exponential(factor: 0.5), unit: .step))
        let trainer = try Trainer(description: .mlp(MLPDescription(inputCount: 2, hiddenWidths: [4], outputCount: 2)), config: config)
        let result = try trainer.fit(data)
        XCTAssertEqual(result.history.map(\.learningRate), [0.4, 0.1, 0.025, 0.00625])
        XCTAssertEqual(trainer.stepsCompleted, 8)
    }

    func testInvalidSchedulesAreRejected() {
        assertThrowsMessage(["'every' must be at least 1"]) { try LearningRateSchedule(.step(every: 0, factor: 0.5)).validate() }
        assertThrowsMessage(["warmup must be non-negative"]) { try LearningRateSchedule(warmup: -1).validate() }
    }
}

import HoneData
