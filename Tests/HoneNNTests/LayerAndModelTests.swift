import HoneData
import HoneNN
import HoneTensor
import XCTest

final class LayerAndModelTests: XCTestCase {
    func testMLPParameterCountAndShapes() throws {
        let model = try ModelDescription.mlp(MLPDescription(inputCount: 64, hiddenWidths: [128], outputCount: 10)).build(seed: 1)
        XCTAssertEqual(model.parameterCount, 64 * 128 + 128 + 128 * 10 + 10)
        XCTAssertEqual(model.outputShape, [10])
        XCTAssertEqual(model.state.map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias"])
        let x = Tensor(zeros: [5, 64])
        XCTAssertEqual(model.predict(x).shape, [5, 10])
    }

    func testHeAndGlorotInitializationScales() throws {
        var rng = RandomGenerator(seed: 3)
        let he = try Dense(inputCount: 400, outputCount: 300, activation: .relu, rng: &rng)
        let glorot = try Dense(inputCount: 400, outputCount: 300, activation: .tanh, rng: &rng)
        func std(_ t: Tensor) -> Double {
            let v = t.scalars.map(Double.init)
            let m = v.reduce(0, +) / Double(v.count)
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
        }
        XCTAssertEqual(std(he.weight), (2.0 / 400).squareRoot(), accuracy: 0.002)
        // Uniform(±√(6/(in+out))) has standard deviation √(2/(in+out)).
        XCTAssertEqual(std(glorot.weight), (2.0 / 700).squareRoot(), accuracy: 0.002)
        XCTAssertTrue(he.bias!.scalars.allSatisfy { $0 == 0 })
    }

    func testSameSeedSameWeightsDifferentSeedDifferent() throws {
        let d = ModelDescription.mlp(MLPDescription(inputCount: 4, hiddenWidths: [8, 8], outputCount: 3))
        XCTAssertEqual(weightBits(try d.build(seed: 7)), weightBits(try d.build(seed: 7)))
        XCTAssertNotEqual(weightBits(try d.build(seed: 7)), weightBits(try d.build(seed: 8)))
    }

    func testNormalizationAndDropoutLayout() throws {
        let batch = try ModelDescription.mlp(MLPDescription(inputCount: 4, hiddenWidths: [8], activation: "tanh", dropout: 0.2,
                                                            normalization: .batch, outputCount: 2)).build(seed: 0)
        XCTAssertEqual(batch.layers.map(\.kind), ["dense", "batch_norm", "tanh", "dropout(0.2)", "dense"])
        XCTAssertTrue(batch.state.map(\.name).contains("1.running_var"))
        let layer = try ModelDescription.mlp(MLPDescription(inputCount: 4, hiddenWidths: [8], normalization: .layer,
                                                            outputCount: 2)).build(seed: 0)
        XCTAssertEqual(layer.layers.map(\.kind), ["dense", "layer_norm", "relu", "dense"])
        // Dropout is the identity in evaluation, so predictions are repeatable.
        let x = Tensor(randomNormal: [3, 4], rng: &batchRNG)
        XCTAssertEqual(batch.predict(x).scalars, batch.predict(x).scalars)
    }
    private var batchRNG = RandomGenerator(seed: 11)

    func testCNNShapes() throws {
        let d = ModelDescription.cnn(CNNDescription(inputShape: [1, 28, 28], convChannels: [8, 16], batchNorm: true,
                                                    hiddenWidths: [32], dropout: 0.1, outputCount: 10))
        let model = try d.build(seed: 0)
        XCTAssertEqual(model.outputShape, [10])
        // 28 → pool → 14 → pool → 7, 16 channels.
        let flattenIndex = model.layers.firstIndex { $0.kind == "flatten" }!
        let dense = model.layers[flattenIndex + 1] as! Dense
        XCTAssertEqual(dense.inputCount, 16 * 7 * 7)
        XCTAssertEqual(model.predict(Tensor(zeros: [2, 1, 28, 28])).shape, [2, 10])
    }

    func testDescriptionJSONRoundTripAndDefaults() throws {
        let d = ModelDescription.mlp(MLPDescription(inputCount: 784, hiddenWidths: [256, 128], activation: "gelu", dropout: 0.25,
                                                    normalization: .layer, outputCount: 10))
        XCTAssertEqual(try ModelDescription(json: d.jsonString()), d)
        let c = ModelDescription.cnn(CNNDescription(inputShape: [3, 32, 32], convChannels: [16], pooling: .average, outputCount: 10))
        XCTAssertEqual(try ModelDescription(json: c.jsonString()), c)
        let minimal = try ModelDescription(json: #"{"kind":"mlp","inputCount":2,"outputCount":3}"#)
        XCTAssertEqual(minimal, .mlp(MLPDescription(inputCount: 2, hiddenWidths: [], outputCount: 3)))
    }

    func testBadDescriptionsGiveClearErrors() {
        assertThrowsMessage(["unknown activation 'swish'", "relu"]) {
            _ = try ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [4], activation: "swish", outputCount: 2)).build(seed: 0)
        }
        assertThrowsMessage(["hidden widths must be positive", "0"]) {
            _ = try ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [4, 0], outputCount: 2)).build(seed: 0)
        }
        assertThrowsMessage(["unknown kind 'rnn'"]) { _ = try ModelDescription(json: #"{"kind":"rnn"}"#) }
        assertThrowsMessage(["missing field 'outputCount'"]) { _ = try ModelDescription(json: #"{"kind":"mlp","inputCount":2}"#) }
        assertThrowsMessage(["larger than"]) {
            _ = try ModelDescription.cnn(CNNDescription(inputShape: [1, 4, 4], convChannels: [2, 2, 2], outputCount: 2)).build(seed: 0)
        }
    }
}
