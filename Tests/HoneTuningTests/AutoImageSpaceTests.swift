import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTuning
import XCTest

/// The image part of `hone auto`'s space (batch norm, augmentation, schedules, label
/// smoothing) and the default-configuration baseline.
final class AutoImageSpaceTests: XCTestCase {
    func testImageSpaceSearchesBatchNormAugmentationSchedulesAndSmoothing() throws {
        let space = AutoSearchSpace(imageData: true, maxEpochs: 6, minEpochs: 1)
        let names = Set(space.distributions.names)
        XCTAssertTrue(names.isSuperset(of: ["batch_norm", "augment", "schedule", "label_smoothing"]), "\(names.sorted())")
        XCTAssertFalse(Set(AutoSearchSpace(imageData: false, maxEpochs: 6).distributions.names).contains("schedule"),
                       "tabular data keeps the plain space")

        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 4)
        var seen = Set<String>()
        for _ in 0..<40 {
            let trial = try study.ask()
            let c = try space.suggest(trial, inputShape: [1, 8, 8], outputCount: 3, task: .classification, seed: 1)
            XCTAssertEqual(c, try space.configuration(params: trial.parameters, inputShape: [1, 8, 8], outputCount: 3,
                                                      task: .classification, seed: 1))
            if case .cnn(let d) = c.model {
                if d.batchNorm { seen.insert("batch_norm") }
                if c.trainer.augmentation.horizontalFlip { seen.insert("flip") }
                if c.trainer.augmentation.cropPadding == 2 { seen.insert("crop") }
            } else {
                XCTAssertEqual(c.trainer.augmentation, .none, "an MLP gets no image augmentation")
            }
            if c.trainer.schedule.unit == .step { seen.insert("one_cycle") }
            if c.trainer.schedule.warmup == 1 { seen.insert("warmup") }
            if c.trainer.labelSmoothing > 0 { seen.insert("smoothing") }
            // Every suggested configuration trains (crop fits, schedule valid).
            try c.trainer.validate()
            _ = try study.tell(trial, value: 0.5)
        }
        XCTAssertEqual(seen, ["batch_norm", "flip", "crop", "one_cycle", "warmup", "smoothing"])
    }

    func testModelFamiliesAreChosenApartFromImageData() throws {
        // MLP-only on images: no `model` or CNN parameter, the image training choices stay.
        let mlpOnly = AutoSearchSpace(imageData: true, models: ["mlp"], maxEpochs: 5)
        let names = Set(mlpOnly.distributions.names)
        XCTAssertTrue(names.isSuperset(of: ["schedule", "label_smoothing", "layers"]), "\(names.sorted())")
        XCTAssertTrue(names.isDisjoint(with: ["model", "channels", "augment", "batch_norm"]), "\(names.sorted())")
        // CNN-only: no MLP parameter; its default configuration is a plain CNN.
        let cnnOnly = AutoSearchSpace(imageData: true, models: ["cnn"], maxEpochs: 5)
        XCTAssertTrue(Set(cnnOnly.distributions.names).isDisjoint(with: ["model", "layers", "width_1"]))
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 2)
        for (space, isCNN) in [(mlpOnly, false), (cnnOnly, true)] {
            for _ in 0..<5 {
                let trial = try study.ask()
                let c = try space.suggest(trial, inputShape: [1, 8, 8], outputCount: 3, task: .classification, seed: 1)
                if case .cnn = c.model { XCTAssertTrue(isCNN) } else { XCTAssertFalse(isCNN) }
                _ = try study.tell(trial, value: 0.5)
            }
        }
        let defaults = try cnnOnly.configuration(params: cnnOnly.defaultParameters(inputShape: [1, 8, 8]), inputShape: [1, 8, 8],
                                                 outputCount: 3, task: .classification, seed: 0)
        guard case .cnn(let d) = defaults.model else { return XCTFail("a CNN-only space's default is a CNN") }
        XCTAssertFalse(d.batchNorm)
        // Bad families are named.
        for (models, image, expected) in [(["cnn"], false, "needs image data"), (["rnn"], true, "'rnn'"), ([], true, "once"),
                                          (["mlp", "mlp"], true, "once")] {
            XCTAssertThrowsError(try AutoSearchSpace(imageData: image, models: models).validate()) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testDefaultParametersDescribeAPlainConfigurationOfTheSpace() throws {
        for (space, shape) in [(AutoSearchSpace(imageData: true, maxEpochs: 5), [1, 8, 8]), (AutoSearchSpace(imageData: false, maxEpochs: 5), [4])] {
            let params = space.defaultParameters(inputShape: shape)
            let c = try space.configuration(params: params, inputShape: shape, outputCount: 3, task: .classification, seed: 0)
            guard case .mlp(let d) = c.model else { return XCTFail("the default configuration is an MLP") }
            XCTAssertEqual(d.hiddenWidths, [256, 128])
            XCTAssertEqual(c.trainer.optimizer.kind, .adam)
            XCTAssertEqual(c.trainer.optimizer.learningRate, 1e-3)
            XCTAssertEqual(c.trainer.batchSize, 128)
            XCTAssertEqual(c.trainer.labelSmoothing, 0)
        }
        // Narrow spaces: the defaults move inside the ranges.
        var narrow = AutoSearchSpace(maxEpochs: 3)
        narrow.widths = 8...32
        narrow.batchSizes = [16, 32]
        narrow.maxHiddenLayers = 1
        let c = try narrow.configuration(params: narrow.defaultParameters(inputShape: [2]), inputShape: [2], outputCount: 2,
                                         task: .classification, seed: 0)
        guard case .mlp(let d) = c.model else { return XCTFail() }
        XCTAssertEqual(d.hiddenWidths, [32])
        XCTAssertEqual(c.trainer.batchSize, 32)
    }

    func testBaselineIsTheFirstTrialAndIsFoundAgain() throws {
        let full = try Synthetic.blobs(count: 300, centers: 3, featureCount: 4, spread: 1.0, seed: 2)
        let split = try full.trainValidationSplit(validationFraction: 0.25, seed: 9)
        let data = try AutoMLData.tabular(name: "blobs", train: split.train, test: split.validation)
        var space = AutoSearchSpace(imageData: false, maxEpochs: 4, minEpochs: 1)
        space.widths = 8...32
        space.batchSizes = [16, 32]
        let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 3, seed: 1, space: space, baseline: true))
        let storage = InMemoryStorage()
        let study = try automl.makeStudy(storage: storage)
        try automl.search(study)
        let first = try study.trials()[0]
        XCTAssertEqual(first.userAttrs[AutoML.baselineAttribute], .bool(true))
        XCTAssertEqual(first.params["width_1"], .int(32))
        XCTAssertEqual(first.params["optimizer"], .string("adam"))
        XCTAssertEqual(try automl.baselineTrial(of: study)?.number, first.number)
        // Resuming does not enqueue a second baseline.
        _ = try automl.makeStudy(storage: storage)
        XCTAssertEqual(try study.trials().filter { $0.userAttrs[AutoML.baselineAttribute] == .bool(true) }.count, 1)
        // Without the option, no baseline.
        let plain = try AutoML(data: data, options: AutoMLOptions(maxTrials: 1, seed: 1, studyName: "plain", space: space))
        let other = try plain.makeStudy(storage: storage)
        try plain.search(other)
        XCTAssertNil(try plain.baselineTrial(of: other))
    }
}
