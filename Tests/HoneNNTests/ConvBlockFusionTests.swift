import XCTest
@testable import HoneNN
import HoneTensor

/// A model runs conv → [batch norm] → [activation] → 2×2 max pool as one fused op; the result must match running its layers one by one, in training and in
/// evaluation.
final class ConvBlockFusionTests: XCTestCase {
    func testPlanFusesWhatDescriptionsBuild() throws {
        for batchNorm in [false, true] {
            let model = try ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [3, 4], batchNorm: batchNorm,
                                                                hiddenWidths: [5], outputCount: 3)).build(seed: 1)
            let blocks = model.steps.compactMap { step -> FusedConvBlock? in
                if case .convBlock(let b) = step { return b }
                return nil
            }
            XCTAssertEqual(blocks.count, 2)
            XCTAssertEqual(blocks.map(\.layerCount), [batchNorm ? 4 : 3, batchNorm ? 4 : 3])
            XCTAssertTrue(blocks.allSatisfy { $0.activation == .relu && $0.maxPool2x2 && ($0.norm != nil) == batchNorm })
        }
        func blocks(_ activation: String, batchNorm: Bool = false, pooling: Pooling = .max) throws -> [FusedConvBlock] {
            try ModelDescription.cnn(CNNDescription(inputShape: [1, 8, 8], convChannels: [3], pooling: pooling, batchNorm: batchNorm,
                                                    activation: activation, outputCount: 3)).build(seed: 1).steps.compactMap {
                if case .convBlock(let b) = $0 { return b } else { return nil }
            }
        }
        // tanh commutes with max pooling: fused like ReLU.
        XCTAssertEqual(try blocks("tanh").map(\.layerCount), [3])
        XCTAssertEqual(try blocks("tanh").first?.activation, .tanh)
        // Average pooling stays a separate layer.
        XCTAssertEqual(try blocks("tanh", pooling: .average).map(\.layerCount), [2])
        // GELU (not monotone: applied before the pooling's max) too.
        XCTAssertEqual(try blocks("gelu").map(\.layerCount), [3])
        XCTAssertEqual(try blocks("gelu", batchNorm: true).map(\.layerCount), [4])
    }

    func testFusedModelMatchesLayerByLayer() throws {
        for (batchNorm, activation) in [(false, "relu"), (true, "relu"), (false, "tanh"), (true, "tanh"), (false, "gelu"), (true, "gelu")] {
            let description = ModelDescription.cnn(CNNDescription(inputShape: [2, 9, 9], convChannels: [4, 6], batchNorm: batchNorm,
                                                                   activation: activation, hiddenWidths: [7], outputCount: 3))
            let fusedModel = try description.build(seed: 3), plainModel = try description.build(seed: 3)
            var rng = RandomGenerator(seed: 5)
            let x = Tensor(randomNormal: [5, 2, 9, 9], rng: &rng)
            for training in [true, false] {
                var c1 = ForwardContext(training: training), c2 = ForwardContext(training: training)
                let y1 = fusedModel.forward(x, context: &c1)
                var y2 = x
                for layer in plainModel.layers { y2 = layer.forward(y2, context: &c2) }
                XCTAssertEqual(y1.shape, y2.shape)
                for i in 0..<y1.count { XCTAssertEqual(y1.data[i], y2.data[i], accuracy: 1e-4, "output \(i) bn \(batchNorm) training \(training)") }
                guard training else { continue }
                let seed = (0..<y1.count).map { Float($0 % 7) - 3 }
                y1.backward(seed: seed)
                y2.backward(seed: seed)
                for (a, b) in zip(fusedModel.parameters, plainModel.parameters) {
                    let ga = a.gradScalars ?? [], gb = b.gradScalars ?? []
                    XCTAssertEqual(ga.count, gb.count)
                    let scale = max(1, gb.map(abs).max() ?? 1)
                    for i in 0..<min(ga.count, gb.count) { XCTAssertEqual(ga[i], gb[i], accuracy: 2e-4 * scale, "gradient bn \(batchNorm)") }
                }
                for (a, b) in zip(fusedModel.state, plainModel.state) {
                    for i in 0..<a.tensor.count { XCTAssertEqual(a.tensor.data[i], b.tensor.data[i], accuracy: 1e-4, a.name) }
                }
            }
        }
    }
}
