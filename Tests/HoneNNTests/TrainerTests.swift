import HoneData
import HoneNN
import HoneTensor
import XCTest

final class TrainerTests: XCTestCase {
    private let spiralsModel = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [32, 32], outputCount: 2))

    func testMLPLearnsTwoSpirals() throws {
        let data = try Synthetic.spirals(count: 400, classes: 2, turns: 1, noise: 0.02, seed: 1)
        let config = TrainerConfig(epochs: 60, batchSize: 32, optimizer: .adam(learningRate: 0.01), seed: 3,
                                   validationFraction: 0.2)
        let trainer = try Trainer(description: spiralsModel, config: config)
        let result = try trainer.fit(data)
        XCTAssertEqual(result.stopReason, .completed)
        XCTAssertEqual(result.history.count, 60)
        let accuracy = try XCTUnwrap(result.validation?.accuracy)
        XCTAssertGreaterThan(accuracy, 0.95, "validation accuracy on spirals")
        XCTAssertLessThan(result.history.last!.trainLoss, result.history.first!.trainLoss)
        XCTAssertEqual(result.validation?.sampleCount, 80)
    }

    func testMLPLearnsMoonsWithDropoutAndBatchNorm() throws {
        let data = try Synthetic.moons(count: 300, noise: 0.1, seed: 2)
        let test = try Synthetic.moons(count: 200, noise: 0.1, seed: 99)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [32, 32], activation: "tanh", dropout: 0.1,
                                                              normalization: .batch, outputCount: 2))
        let config = TrainerConfig(epochs: 25, batchSize: 32, optimizer: .adamW(learningRate: 0.01), seed: 4)
        let trainer = try Trainer(description: description, config: config)
        try trainer.fit(data)
        let evaluation = try trainer.evaluate(test)
        XCTAssertGreaterThan(evaluation.accuracy!, 0.95)
        let matrix = try XCTUnwrap(evaluation.confusionMatrix)
        XCTAssertEqual(matrix.flatMap { $0 }.reduce(0, +), 200)
        XCTAssertEqual(matrix[0][0] + matrix[1][1], Int((evaluation.accuracy! * 200).rounded()))
    }

    /// `outputs` is the model's evaluation-mode forward pass over the data set, in order,
    /// across a last partial batch; its argmax agrees with `evaluate`'s accuracy.
    func testOutputsAreTheEvaluationModePredictionsInOrder() throws {
        let data = try Synthetic.moons(count: 300, noise: 0.1, seed: 2)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16], dropout: 0.3,
                                                              normalization: .batch, outputCount: 2))
        var config = TrainerConfig(epochs: 3, batchSize: 32, optimizer: .adam(learningRate: 0.01), seed: 4)
        config.evaluationBatchSize = 128   // 300 = 2 × 128 + 44
        let trainer = try Trainer(description: description, config: config)
        try trainer.fit(data)
        let outputs = try trainer.outputs(data)
        XCTAssertEqual(outputs.count, 300 * 2)
        let predicted = trainer.model.predict(Tensor(data.features, shape: [300, 2])).scalars
        for (a, b) in zip(outputs, predicted) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        let labels = data.labels!
        let correct = (0..<300).filter { (outputs[2 * $0 + 1] > outputs[2 * $0] ? 1 : 0) == Int(labels[$0]) }.count
        XCTAssertEqual(Double(correct) / 300, try trainer.evaluate(data).accuracy!, accuracy: 1e-12)
        // Data the model cannot read is refused, not run.
        XCTAssertThrowsError(try trainer.outputs(try Synthetic.blobs(count: 10, centers: 2, featureCount: 3, seed: 1)))
    }

    func testRegressionReachesLowMSE() throws {
        let data = try Synthetic.regression(count: 300, featureCount: 2, function: .linear, noise: 0.05, seed: 5)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16], outputCount: 1))
        let config = TrainerConfig(epochs: 40, batchSize: 16, optimizer: .adam(learningRate: 0.01), seed: 1, validationFraction: 0.25,
                                   earlyStopping: EarlyStopping(monitor: .validationMSE, patience: 10))
        let trainer = try Trainer(description: description, config: config)
        let result = try trainer.fit(data)
        let validation = try XCTUnwrap(result.validation)
        XCTAssertLessThan(validation.meanSquaredError!, 0.02)
        XCTAssertLessThan(validation.meanAbsoluteError!, 0.15)
        XCTAssertNil(validation.accuracy)
    }

    func testEarlyStoppingStopsAfterPatienceAndRestoresBestWeights() throws {
        let data = try Synthetic.moons(count: 200, seed: 3)
        // No epoch can beat the first by 1e9, so training stops after 1 + patience epochs.
        let config = TrainerConfig(epochs: 50, batchSize: 32, optimizer: .adam(learningRate: 0.01), validationFraction: 0.25,
                                   earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 3, minDelta: 1e9))
        let trainer = try Trainer(description: spiralsModel, config: config)
        var firstEpochWeights: [String: [UInt32]] = [:]
        let result = try trainer.fit(data) { metrics in
            if metrics.epoch == 1 { firstEpochWeights = weightBits(trainer.model) }
            return .proceed
        }
        XCTAssertEqual(result.stopReason, .earlyStopping)
        XCTAssertEqual(result.history.count, 4)
        XCTAssertEqual(result.bestEpoch, 1)
        XCTAssertEqual(result.validation, result.history[0].validation)
        XCTAssertEqual(weightBits(trainer.model), firstEpochWeights, "best (first) epoch's weights restored")

        // With a real improvement criterion, a long run on an easy problem stops early too.
        let patient = TrainerConfig(epochs: 300, batchSize: 32, optimizer: .adam(learningRate: 0.05), validationFraction: 0.25,
                                    earlyStopping: EarlyStopping(monitor: .validationAccuracy, patience: 5, minDelta: 0.001))
        let second = try Trainer(description: spiralsModel, config: patient)
        let r = try second.fit(data)
        XCTAssertEqual(r.stopReason, .earlyStopping)
        XCTAssertLessThan(r.history.count, 300)
        XCTAssertEqual(r.history.count, r.bestEpoch! + 5)
    }

    func testEarlyStoppingOnValidationMetricNeedsValidation() throws {
        let config = TrainerConfig(epochs: 2, earlyStopping: EarlyStopping(monitor: .validationLoss))
        let trainer = try Trainer(description: spiralsModel, config: config)
        assertThrowsMessage(["needs validation data"]) { try trainer.fit(try Synthetic.moons(count: 50, seed: 1)) }
    }

    func testCallbackCanStopTraining() throws {
        let trainer = try Trainer(description: spiralsModel, config: TrainerConfig(epochs: 20, batchSize: 16, validationFraction: 0.2))
        var seen: [Int] = []
        let result = try trainer.fit(try Synthetic.moons(count: 100, seed: 1)) { metrics in
            seen.append(metrics.epoch)
            XCTAssertNotNil(metrics.validationAccuracy)
            XCTAssertGreaterThan(metrics.samplesPerSecond, 0)
            return metrics.epoch == 3 ? .stop : .proceed
        }
        XCTAssertEqual(seen, [1, 2, 3])
        XCTAssertEqual(result.stopReason, .callback)
        XCTAssertEqual(trainer.epochsCompleted, 3)
    }

    func testKFoldReturnsKResults() throws {
        let data = try Synthetic.moons(count: 200, seed: 6)
        let config = TrainerConfig(epochs: 10, batchSize: 16, optimizer: .adam(learningRate: 0.02), seed: 2)
        var epochsSeen = 0
        let cv = try Trainer.crossValidate(spiralsModel, config: config, data: data, folds: 4) { _, _ in
            epochsSeen += 1
            return .proceed
        }
        XCTAssertEqual(cv.folds.count, 4)
        XCTAssertEqual(cv.folds.map(\.fold), [0, 1, 2, 3])
        XCTAssertEqual(cv.folds.map(\.validation.sampleCount).reduce(0, +), 200)
        XCTAssertEqual(epochsSeen, 40)
        let mean = try XCTUnwrap(cv.mean(.validationAccuracy))
        XCTAssertGreaterThan(mean, 0.85)
        XCTAssertNotNil(cv.standardDeviation(.validationLoss))
        XCTAssertFalse(cv.stoppedByCallback)
    }

    func testDeterminismSameSeedBitIdenticalWeights() throws {
        // Shuffling, dropout, a validation split and batch norm all draw on the seed.
        let data = try Synthetic.spirals(count: 200, seed: 8)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16, 16], dropout: 0.2,
                                                              normalization: .batch, outputCount: 2))
        func train(seed: UInt64) throws -> (weights: [String: [UInt32]], losses: [Double]) {
            let config = TrainerConfig(epochs: 4, batchSize: 24, optimizer: .adam(learningRate: 0.01), seed: seed, validationFraction: 0.2)
            let trainer = try Trainer(description: description, config: config)
            let result = try trainer.fit(data)
            return (weightBits(trainer.model), result.history.map(\.trainLoss))
        }
        let a = try train(seed: 42), b = try train(seed: 42), c = try train(seed: 43)
        XCTAssertEqual(a.weights.keys.sorted(), b.weights.keys.sorted())
        for name in a.weights.keys {
            XCTAssertEqual(a.weights[name], b.weights[name], "tensor \(name) differs between identical runs")
        }
        XCTAssertEqual(a.losses, b.losses)
        XCTAssertNotEqual(a.weights, c.weights, "a different seed must give different weights")
    }

    func testCheckpointCopiesAMemberIntoAnother() throws {
        // PBT's exploit step: copy member A (weights + optimizer state + progress) into B;
        // from then on both continue identically.
        let data = try Synthetic.moons(count: 120, seed: 4)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [8], outputCount: 2))
        let a = try Trainer(description: description, config: TrainerConfig(epochs: 6, batchSize: 16, optimizer: .adam(learningRate: 0.01), seed: 1))
        let b = try Trainer(description: description, config: TrainerConfig(epochs: 6, batchSize: 16, optimizer: .adam(learningRate: 0.01), seed: 1))
        try a.fit(data, epochs: 3)
        try b.restore(from: a.checkpoint())
        XCTAssertEqual(b.epochsCompleted, 3)
        XCTAssertEqual(weightBits(a.model), weightBits(b.model))
        try a.fit(data)
        try b.fit(data)
        XCTAssertEqual(a.epochsCompleted, 6)
        XCTAssertEqual(weightBits(a.model), weightBits(b.model))
        // Explore: a new learning rate, same optimizer state.
        try b.updateOptimizer(.adam(learningRate: 0.002))
        XCTAssertEqual(b.optimizer.stepCount, a.optimizer.stepCount)
        assertThrowsMessage(["cannot change the optimizer from adam to sgd"]) { try b.updateOptimizer(.sgd(learningRate: 0.1)) }
        // A different architecture is refused.
        let other = try Trainer(description: .mlp(MLPDescription(inputCount: 2, hiddenWidths: [9], outputCount: 2)), config: TrainerConfig())
        assertThrowsMessage(["checkpoint: cannot load into this model", "has shape [2, 8], the model expects [2, 9]"]) { try other.restore(from: a.checkpoint()) }
    }

    func testSmallCNNTrainsOnTinyImages() throws {
        let data = try barImages(count: 200, seed: 1)
        let test = try barImages(count: 100, seed: 2)
        let description = ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [4], kernelSize: 3, outputCount: 2))
        let trainer = try Trainer(description: description, config: TrainerConfig(epochs: 8, batchSize: 20, optimizer: .adam(learningRate: 0.01), seed: 0))
        try trainer.fit(data)
        XCTAssertGreaterThan(try trainer.evaluate(test).accuracy!, 0.95)
    }

    func testMismatchedDataGivesClearErrors() throws {
        let trainer = try Trainer(description: spiralsModel, config: TrainerConfig(epochs: 1))
        assertThrowsMessage(["has 3 features per sample", "expects 2"]) {
            try trainer.fit(try Synthetic.blobs(count: 30, centers: 2, featureCount: 3, seed: 1))
        }
        assertThrowsMessage(["has 3 classes", "2 outputs"]) {
            try trainer.fit(try Synthetic.spirals(count: 30, classes: 3, seed: 1))
        }
        let regression = try Trainer(description: spiralsModel, config: TrainerConfig(epochs: 1, task: .regression))
        assertThrowsMessage(["task is regression but the data has class labels"]) { try regression.fit(try Synthetic.moons(count: 20, seed: 1)) }
        assertThrowsMessage(["batchSize must be at least 1"]) { _ = try Trainer(description: spiralsModel, config: TrainerConfig(batchSize: 0)) }
    }

    func testDivergenceStopsTraining() throws {
        let data = try Synthetic.regression(count: 64, featureCount: 2, seed: 1)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16], outputCount: 1))
        let trainer = try Trainer(description: description, config: TrainerConfig(epochs: 50, batchSize: 8, optimizer: .sgd(learningRate: 1e4)))
        let result = try trainer.fit(data)
        XCTAssertEqual(result.stopReason, .diverged)
        XCTAssertTrue(result.history.last!.trainLoss.isNaN)
    }
}

final class BatchNormEdgeTests: XCTestCase {
    func testBatchNormSkipsALonelyLastSample() throws {
        // 33 training samples in batches of 8: the last batch would hold one sample.
        let data = try Synthetic.moons(count: 33, seed: 1)
        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [4], normalization: .batch, outputCount: 2))
        let trainer = try Trainer(description: description, config: TrainerConfig(epochs: 2, batchSize: 8))
        let result = try trainer.fit(data)
        XCTAssertEqual(trainer.stepsCompleted, 8)
        XCTAssertTrue(result.history.allSatisfy { $0.trainLoss.isFinite })
        let perSample = try Trainer(description: description, config: TrainerConfig(epochs: 1, batchSize: 1))
        assertThrowsMessage(["batch norm needs at least 2 samples per batch"]) { try perSample.fit(data) }
        // A convolutional batch norm normalizes over H·W as well, so one image per batch is fine.
        let cnn = ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [2], batchNorm: true, outputCount: 2))
        let single = try Trainer(description: cnn, config: TrainerConfig(epochs: 1, batchSize: 1))
        XCTAssertNoThrow(try single.fit(try barImages(count: 6, seed: 1)))
    }
}
