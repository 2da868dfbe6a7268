import HoneData
import HoneNN
import HoneTensor
import XCTest

final class ModelFileTests: XCTestCase {
    private let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [8, 6], activation: "gelu",
                                                                  normalization: .batch, outputCount: 3))

    private func trainedModel() throws -> Sequential {
        let trainer = try Trainer(description: description, config: TrainerConfig(epochs: 2, batchSize: 16, seed: 5))
        try trainer.fit(try Synthetic.spirals(count: 90, classes: 3, seed: 1))
        return trainer.model
    }

    func testSaveThenLoadGivesIdenticalPredictions() throws {
        let model = try trainedModel()
        let path = temporaryPath("model.safetensors", testCase: self)
        try model.save(to: path, metadata: ["val_accuracy": "0.9"])

        let loaded = try Sequential.load(from: path)
        XCTAssertEqual(loaded.modelDescription, description)
        XCTAssertEqual(weightBits(loaded), weightBits(model))
        var rng = RandomGenerator(seed: 3)
        let x = Tensor(randomNormal: [10, 2], rng: &rng)
        XCTAssertEqual(loaded.predict(x).scalars.map(\.bitPattern), model.predict(x).scalars.map(\.bitPattern))

        // The file is plain safetensors with the description in its metadata.
        let contents = try Safetensors.read(path)
        XCTAssertEqual(contents.metadata["val_accuracy"], "0.9")
        XCTAssertEqual(contents.metadata["format"], "hone")
        XCTAssertEqual(contents["0.weight"]?.shape, [2, 8])
        XCTAssertEqual(contents["1.running_mean"]?.shape, [8])

        // loadWeights into a model built separately.
        let fresh = try description.build(seed: 123)
        try fresh.loadWeights(from: path)
        XCTAssertEqual(weightBits(fresh), weightBits(model))
    }

    func testWrongShapeGivesClearError() throws {
        let path = temporaryPath("wide.safetensors", testCase: self)
        try trainedModel().save(to: path)
        let narrower = try ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [8, 5], activation: "gelu",
                                                               normalization: .batch, outputCount: 3)).build(seed: 0)
        let before = weightBits(narrower)
        assertThrowsMessage([path, "tensor '3.weight' has shape [8, 6], the model expects [8, 5]"]) { try narrower.loadWeights(from: path) }
        XCTAssertEqual(weightBits(narrower), before, "a failed load changes nothing")
    }

    func testMissingAndExtraTensorsGiveClearErrors() throws {
        let model = try trainedModel()
        let path = temporaryPath("partial.safetensors", testCase: self)
        var entries = model.stateEntries()
        entries.removeAll { $0.name == "1.running_var" }
        entries.append(SafetensorsEntry(name: "9.weight", shape: [1], data: [0]))
        try Safetensors.write(entries, to: path)
        assertThrowsMessage(["missing tensor '1.running_var'", "expects shape [8]", "tensor '9.weight' does not belong to the model"]) {
            try model.loadWeights(from: path)
        }
        assertThrowsMessage([path, "no 'hone.model' model description"]) { _ = try Sequential.load(from: path) }
    }

    func testLoadingACorruptFileReportsTheReader() throws {
        let path = temporaryPath("corrupt.safetensors", testCase: self)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        assertThrowsMessage([path, "too short"]) { _ = try Sequential.load(from: path) }
    }
}
