// Layer, optimizer and model-description checks that used to be `precondition`s (not
// evaluated in the -Ounchecked release build) now throw HoneNNError naming the argument.

import HoneData
import HoneNN
import HoneTensor
import XCTest

final class ArgumentCheckTests: XCTestCase {
    private func refused<T>(_ parts: String..., file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? HoneNNError else { return XCTFail("expected HoneNNError, got \(error)", file: file, line: line) }
            for p in parts where !e.message.contains(p) { XCTFail("\"\(e.message)\" lacks \"\(p)\"", file: file, line: line) }
        }
    }

    func testLayers() throws {
        var rng = RandomGenerator(seed: 1)
        refused("Dense", "inputCount", "got 0") { try Dense(inputCount: 0, outputCount: 3, rng: &rng) }
        refused("Dense", "outputCount", "got -1") { try Dense(inputCount: 3, outputCount: -1, rng: &rng) }
        refused("Dense", "1073741824") { try Dense(inputCount: 1 << 20, outputCount: 1 << 20, rng: &rng) }
        refused("Dense", "1073741824") { try Dense(inputCount: Int.max, outputCount: 2, rng: &rng) }
        refused("Conv2D", "inputChannels") { try Conv2D(inputChannels: 0, outputChannels: 2, kernelSize: 3, rng: &rng) }
        refused("Conv2D", "outputChannels") { try Conv2D(inputChannels: 1, outputChannels: 0, kernelSize: 3, rng: &rng) }
        refused("Conv2D", "kernelSize", "got -3") { try Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: -3, rng: &rng) }
        refused("Conv2D", "stride", "got 0") { try Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 0, rng: &rng) }
        refused("Conv2D", "padding", "got -1") { try Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: -1, rng: &rng) }
        refused("Conv2D", "padding", "got 4") { try Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 4, rng: &rng) }
        refused("Conv2D", "1073741824") { try Conv2D(inputChannels: 1 << 16, outputChannels: 1 << 16, kernelSize: 3, rng: &rng) }
        refused("BatchNorm", "channelCount", "got 0") { try BatchNorm(channelCount: 0) }
        refused("BatchNorm", "momentum", "got 1.5") { try BatchNorm(channelCount: 2, momentum: 1.5) }
        refused("BatchNorm", "epsilon") { try BatchNorm(channelCount: 2, epsilon: 0) }
        refused("LayerNorm", "featureCount", "got -2") { try LayerNorm(featureCount: -2) }
        refused("LayerNorm", "epsilon", "nan") { try LayerNorm(featureCount: 2, epsilon: .nan) }
        refused("Dropout", "probability", "[0, 1)", "got 1.0") { try Dropout(probability: 1) }
        refused("Dropout", "probability", "nan") { try Dropout(probability: .nan) }
        refused("MaxPool2D", "kernelSize", "got 0") { try MaxPool2D(kernelSize: 0) }
        refused("MaxPool2D", "stride", "got 0") { try MaxPool2D(kernelSize: 2, stride: 0) }
        refused("AvgPool2D", "kernelSize", "got -1") { try AvgPool2D(kernelSize: -1) }
        refused("AvgPool2D", "stride", "got -2") { try AvgPool2D(kernelSize: 2, stride: -2) }
        XCTAssertNoThrow(try Dropout(probability: 0))
        XCTAssertNoThrow(try Conv2D(inputChannels: 1, outputChannels: 1, kernelSize: 1, padding: 1, rng: &rng))
    }

    func testOptimizers() throws {
        let w = Tensor(zeros: [2], requiresGrad: true)
        refused("SGD", "config.kind", ".adam") { try SGD(parameters: [w], config: .adam()) }
        refused("Adam", "config.kind", ".sgd") { try Adam(parameters: [w], config: .sgd(learningRate: 0.1)) }
        refused("RMSprop", "config.kind", ".adamw") { try RMSprop(parameters: [w], config: .adamW()) }
        refused("learningRate", "got -1.0") { try SGD(parameters: [w], config: .sgd(learningRate: -1)) }
        refused("momentum", "got 1.0") { try SGD(parameters: [w], config: .sgd(learningRate: 0.1, momentum: 1)) }
        refused("beta2", "got 1.0") { try Adam(parameters: [w], config: .adam(beta2: 1)) }
        refused("epsilon") { try RMSprop(parameters: [w], config: .rmsprop(epsilon: 0)) }
        refused("alpha", "nan") { try RMSprop(parameters: [w], config: .rmsprop(alpha: .nan)) }
        XCTAssertNoThrow(try Adam(parameters: [w], config: .adamW()))
    }

    func testModelDescriptionSizes() throws {
        func mlp(_ inputs: Int, _ hidden: [Int]) -> ModelDescription {
            .mlp(MLPDescription(inputCount: inputs, hiddenWidths: hidden, outputCount: 2))
        }
        refused("more than 1073741824 weights") { try mlp(4, [30_000, 30_000, 30_000]).build(seed: 0) }
        refused("1073741824") { try mlp(1 << 62, [4]).build(seed: 0) }
        refused("cnn inputShape", "1073741824") {
            try ModelDescription.cnn(CNNDescription(inputShape: [1, 3_037_000_500, 3_037_000_500], convChannels: [4], outputCount: 2)).build(seed: 0)
        }
        refused("dropout", "got 1.5") {
            try ModelDescription(json: #"{"kind": "mlp", "inputCount": 4, "hiddenWidths": [8], "dropout": 1.5, "outputCount": 2}"#).build(seed: 0)
        }
        XCTAssertNoThrow(try mlp(4, [8]).build(seed: 0))
    }
}
