@testable import HoneNN
import HoneData
import HoneTensor
import XCTest

/// What image training adds: residual blocks, crop/flip augmentation, label smoothing in
/// the trainer and the one-cycle schedule.
final class ImageTrainingTests: XCTestCase {
    // MARK: Residual blocks

    func testResidualBlockGradientsMatchFiniteDifferences() throws {
        // tanh keeps the function smooth for central differences; batch norm in training
        // mode (batch statistics) is part of the checked function.
        for (input, output, batchNorm) in [(2, 2, false), (2, 3, false), (2, 3, true)] {
            var rng = RandomGenerator(seed: 3)
            let block = try ResidualBlock(inputChannels: input, outputChannels: output, batchNorm: batchNorm, activation: .tanh, rng: &rng)
            var xrng = RandomGenerator(seed: 4)
            let x = Tensor(randomNormal: [2, input, 4, 4], std: 1, rng: &xrng)
            let weights = [x] + block.parameters
            let r = GradientCheck.check(weights, epsilon: 1e-2) { _ in
                var context = ForwardContext(training: true)
                return block.forward(x, context: &context)
            }
            XCTAssertLessThan(r.maxError, 2e-2, "\(input)→\(output) batchNorm \(batchNorm): \(r)")
            XCTAssertEqual(block.projection == nil, input == output, "identity shortcut exactly when the channels match")
        }
    }

    func testResidualCNNDescriptionBuildsNamesAndRoundTrips() throws {
        let d = CNNDescription(inputShape: [1, 8, 8], convChannels: [4, 4], batchNorm: true, residual: true, hiddenWidths: [8], outputCount: 2)
        let model = try ModelDescription.cnn(d).build(seed: 1)
        XCTAssertEqual(model.layers.filter { $0 is ResidualBlock }.count, 2)
        XCTAssertEqual(model.outputShape, [2])
        let names = Set(model.state.map(\.name))
        // Block 0 changes 1→4 channels (projection), block 1 keeps 4 (identity).
        XCTAssertTrue(names.isSuperset(of: ["0.conv1.weight", "0.bn1.running_mean", "0.conv2.weight", "0.bn2.weight",
                                            "0.shortcut.0.weight", "0.shortcut.1.running_var", "2.conv1.weight"]), "\(names.sorted())")
        XCTAssertFalse(names.contains("2.shortcut.0.weight"))
        let json = ModelDescription.cnn(d).jsonString()
        XCTAssertTrue(json.contains("\"residual\":true"), json)
        XCTAssertEqual(try ModelDescription(json: json), .cnn(d))
        // Plain CNN descriptions do not mention the field, and old ones without it read as plain.
        let plain = CNNDescription(inputShape: [1, 8, 8], convChannels: [4], outputCount: 2)
        XCTAssertFalse(ModelDescription.cnn(plain).jsonString().contains("residual"))
        XCTAssertEqual(try ModelDescription(json: #"{"kind":"cnn","inputShape":[1,8,8],"convChannels":[4],"outputCount":2}"#), .cnn(plain))
        // Same seed, same weights.
        XCTAssertEqual(weightBits(model), weightBits(try ModelDescription.cnn(d).build(seed: 1)))
        assertThrowsMessage(["odd kernelSize"]) {
            _ = try ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [4], kernelSize: 2, residual: true, outputCount: 2)).build(seed: 0)
        }
    }

    func testResidualCNNLearnsBarImages() throws {
        let data = try barImages(count: 256, seed: 5)
        let d = CNNDescription(inputShape: [1, 8, 8], convChannels: [4], batchNorm: true, residual: true, outputCount: 2)
        let trainer = try Trainer(description: .cnn(d), config: TrainerConfig(epochs: 6, batchSize: 32, optimizer: .adam(learningRate: 3e-3), seed: 2))
        try trainer.fit(data)
        XCTAssertGreaterThan(try trainer.evaluate(try barImages(count: 128, seed: 6)).accuracy!, 0.9)
    }

    // MARK: Augmentation

    /// Images whose every pixel value is distinct, so a moved pixel can be traced.
    private func numberedBatch(count: Int, channels: Int, height: Int, width: Int) -> [Float] {
        (0..<(count * channels * height * width)).map { Float($0 + 1) }
    }

    func testCropAndFlipMoveEachPixelWhereTheDrawsSay() {
        let (n, c, h, w, p) = (5, 2, 4, 6, 2)
        let original = numberedBatch(count: n, channels: c, height: h, width: w)
        var batch = original
        let augmenter = BatchAugmenter(ImageAugmentation(cropPadding: p, horizontalFlip: true), sampleShape: [c, h, w])
        var rng = RandomGenerator(seed: 9)
        batch.withUnsafeMutableBufferPointer { augmenter.apply(to: $0.baseAddress!, count: n, rng: &rng) }
        // Replay the draws: dy, dx, then the flip, per sample.
        var replay = RandomGenerator(seed: 9)
        var moved = 0
        for s in 0..<n {
            let dy = replay.int(below: 2 * p + 1) - p, dx = replay.int(below: 2 * p + 1) - p
            let flip = replay.int(below: 2) == 1
            if dy != 0 || dx != 0 || flip { moved += 1 }
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        let sy = y + dy, sx = (flip ? w - 1 - x : x) + dx
                        let expected: Float = sy >= 0 && sy < h && sx >= 0 && sx < w ? original[((s * c + ch) * h + sy) * w + sx] : 0
                        XCTAssertEqual(batch[((s * c + ch) * h + y) * w + x], expected, "sample \(s) channel \(ch) (\(y), \(x))")
                    }
                }
            }
        }
        XCTAssertGreaterThan(moved, 0, "five samples should not all draw the identity")
    }

    func testFlipOnlyMirrorsAndKeepsEveryValue() {
        let original = numberedBatch(count: 16, channels: 1, height: 3, width: 5)
        var batch = original
        var rng = RandomGenerator(seed: 1)
        BatchAugmenter(ImageAugmentation(horizontalFlip: true), sampleShape: [1, 3, 5]).apply(to: &batch, count: 16, rng: &rng)
        var flipped = 0
        for s in 0..<16 {
            let before = Array(original[(s * 15)..<(s * 15 + 15)]), after = Array(batch[(s * 15)..<(s * 15 + 15)])
            if before == after { continue }
            flipped += 1
            for y in 0..<3 { XCTAssertEqual(Array(after[(y * 5)..<(y * 5 + 5)]), Array(before[(y * 5)..<(y * 5 + 5)].reversed())) }
        }
        XCTAssertTrue((3...13).contains(flipped), "about half of 16 samples flip, got \(flipped)")
    }

    func testAugmentedTrainingIsSeededLeavesTheDataAloneAndChangesTheRun() throws {
        let data = try barImages(count: 96, seed: 2)
        let before = data.features
        let d = ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [3], outputCount: 2))
        func train(_ augmentation: ImageAugmentation, labelSmoothing: Float = 0) throws -> Trainer {
            let trainer = try Trainer(description: d, config: TrainerConfig(epochs: 2, batchSize: 16, seed: 7, augmentation: augmentation,
                                                                           labelSmoothing: labelSmoothing))
            try trainer.fit(data)
            return trainer
        }
        let augmentation = ImageAugmentation(cropPadding: 2, horizontalFlip: true)
        let a = try train(augmentation), b = try train(augmentation), plain = try train(.none)
        XCTAssertEqual(weightBits(a.model), weightBits(b.model), "same seed, same augmented run")
        XCTAssertNotEqual(weightBits(a.model), weightBits(plain.model), "augmentation must change what is trained on")
        XCTAssertEqual(data.features, before, "augmentation works on batch copies, never on the data set")
        // Evaluation sees the images as they are: the same as predicting batch by batch.
        let logits = a.model.predict(Tensor(data.features, shape: [data.count, 1, 8, 8]))
        var correct = 0
        for r in 0..<data.count {
            let row = (0..<2).map { logits.data[r * 2 + $0] }
            if Int32(row[1] > row[0] ? 1 : 0) == data.labels![r] { correct += 1 }
        }
        XCTAssertEqual(try a.evaluate(data).accuracy!, Double(correct) / Double(data.count), accuracy: 1e-12)
        // Label smoothing changes the run too, and is seeded like the rest.
        XCTAssertNotEqual(weightBits(try train(.none, labelSmoothing: 0.1).model), weightBits(plain.model))
        XCTAssertEqual(weightBits(try train(.none, labelSmoothing: 0.1).model), weightBits(try train(.none, labelSmoothing: 0.1).model))
    }

    func testAugmentationAndSmoothingRefuseWhatTheyCannotDo() throws {
        let images = try barImages(count: 32, seed: 1)
        let mlp = ModelDescription.mlp(MLPDescription(inputCount: 64, hiddenWidths: [4], outputCount: 2))
        assertThrowsMessage(["augmentation", "[channels, height, width]"]) {
            try Trainer(description: mlp, config: TrainerConfig(epochs: 1, augmentation: ImageAugmentation(cropPadding: 2))).fit(images)
        }
        let cnn = ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [2], outputCount: 2))
        assertThrowsMessage(["cropPadding 8", "8×8"]) {
            try Trainer(description: cnn, config: TrainerConfig(epochs: 1, augmentation: ImageAugmentation(cropPadding: 8))).fit(images)
        }
        assertThrowsMessage(["cropPadding", "0…64"]) { try TrainerConfig(augmentation: ImageAugmentation(cropPadding: -1)).validate() }
        assertThrowsMessage(["labelSmoothing", "[0, 1)"]) { try TrainerConfig(labelSmoothing: 1).validate() }
        let regression = try Synthetic.regression(count: 32, featureCount: 2, seed: 1)
        assertThrowsMessage(["labelSmoothing", "regression"]) {
            try Trainer(description: .mlp(MLPDescription(inputCount: 2, hiddenWidths: [], outputCount: 1)),
                        config: TrainerConfig(epochs: 1, labelSmoothing: 0.1)).fit(regression)
        }
    }

    func testConfigCodingKeepsNewFieldsAndOldJSONReads() throws {
        var config = TrainerConfig(augmentation: ImageAugmentation(cropPadding: 3, horizontalFlip: true), labelSmoothing: 0.1)
        config.schedule = LearningRateSchedule(.defaultOneCycle, unit: .step)
        let data = try JSONEncoder().encode(config)
        XCTAssertEqual(try JSONDecoder().decode(TrainerConfig.self, from: data), config)
        let plain = String(decoding: try JSONEncoder().encode(TrainerConfig()), as: UTF8.self)
        XCTAssertFalse(plain.contains("augmentation") || plain.contains("labelSmoothing"), plain)
        XCTAssertEqual(try JSONDecoder().decode(TrainerConfig.self, from: Data(#"{"epochs": 3}"#.utf8)).augmentation, .none)
    }

    // MARK: One-cycle schedule

    func testOneCycleFollowsPyTorchOneCycleLR() {
        // torch.optim.lr_scheduler.OneCycleLR(max_lr=1, total_steps=10) (cos, two phases):
        // 0.04, 0.52, 1.0, 0.950484, …, 4e-6 at the last step.
        let s = LearningRateSchedule(.defaultOneCycle, unit: .step)
        let r = (0..<10).map { s.learningRate(base: 1, at: $0, total: 10) }
        XCTAssertEqual(r[0], 0.04, accuracy: 1e-6)
        XCTAssertEqual(r[1], 0.52, accuracy: 1e-6)
        XCTAssertEqual(r[2], 1, accuracy: 1e-6)
        XCTAssertEqual(r[3], 0.950484, accuracy: 1e-5)
        XCTAssertEqual(r[9], 4e-6, accuracy: 1e-9)
        XCTAssertEqual(Array(r[2...]), Array(r[2...]).sorted(by: >), "decreasing after the peak")
        XCTAssertEqual(s.learningRate(base: 1, at: 50, total: 10), r[9], "stays at the end rate past the horizon")
        XCTAssertThrowsError(try LearningRateSchedule(.oneCycle(peakFraction: 1, divFactor: 25, finalDivFactor: 1e4)).validate())
        XCTAssertThrowsError(try LearningRateSchedule(.oneCycle(peakFraction: 0.3, divFactor: 0.5, finalDivFactor: 1e4)).validate())
    }
}
