import HoneData
import HoneNN
import HoneTensor
import XCTest

final class OptimizerTests: XCTestCase {
    /// One scalar parameter of value `w`, gradient set by the caller each step.
    private func scalarParameter(_ w: Float) -> Tensor { Tensor([w], shape: [1], requiresGrad: true) }

    /// Runs `steps` steps on f(w) = w²/2 (gradient w) and returns w after each.
    private func trajectory(_ config: OptimizerConfig, start: Float, steps: Int) throws -> [Float] {
        let w = scalarParameter(start)
        let optimizer = try config.makeOptimizer(parameters: [w])
        var out: [Float] = []
        for _ in 0..<steps {
            w.gradPointer()[0] = w.data[0]
            optimizer.step()
            out.append(w.data[0])
        }
        return out
    }

    func testMomentumByHand() throws {
        // g = w. Step 1: b = 1, w = 1 − 0.1·1 = 0.9. Step 2: b = 0.9·1 + 0.9 = 1.8, w = 0.9 − 0.18 = 0.72.
        let w = try trajectory(.sgd(learningRate: 0.1, momentum: 0.9), start: 1, steps: 2)
        XCTAssertEqual(w[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(w[1], 0.72, accuracy: 1e-6)
    }

    func testNesterovByHand() throws {
        // Step 1: b = 1, update = g + μb = 1.9, w = 0.81.
        // Step 2: g = 0.81, b = 0.9 + 0.81 = 1.71, update = 0.81 + 0.9·1.71 = 2.349, w = 0.5751.
        let w = try trajectory(.sgd(learningRate: 0.1, momentum: 0.9, nesterov: true), start: 1, steps: 2)
        XCTAssertEqual(w[0], 0.81, accuracy: 1e-6)
        XCTAssertEqual(w[1], 0.5751, accuracy: 1e-6)
    }

    func testPlainSGDWithL2() throws {
        // d = g + λw = 1 + 0.5 = 1.5 → w = 1 − 0.1·1.5.
        let w = try trajectory(.sgd(learningRate: 0.1, weightDecay: 0.5), start: 1, steps: 1)
        XCTAssertEqual(w[0], 0.85, accuracy: 1e-6)
    }

    func testAdamMatchesReferenceInDouble() throws {
        let config = OptimizerConfig.adam(learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 1e-6)
        let got = try trajectory(config, start: 2, steps: 5)
        var w = 2.0, m = 0.0, v = 0.0
        for t in 1...5 {
            let g = w
            m = 0.8 * m + 0.2 * g
            v = 0.95 * v + 0.05 * g * g
            let mHat = m / (1 - pow(0.8, Double(t))), vHat = v / (1 - pow(0.95, Double(t)))
            w -= 0.05 * mHat / (vHat.squareRoot() + 1e-6)
            XCTAssertEqual(Double(got[t - 1]), w, accuracy: 1e-5, "step \(t)")
        }
    }

    func testRMSpropFirstStepByHand() throws {
        // s = (1 − α)g² = 0.01 → w = 1 − 0.01 · 1 / (0.1 + ε) ≈ 0.9.
        let w = try trajectory(.rmsprop(learningRate: 0.01, alpha: 0.99), start: 1, steps: 1)
        XCTAssertEqual(w[0], 0.9, accuracy: 1e-5)
    }

    /// Loshchilov & Hutter: with L2 in Adam, the decay term is divided by the adaptive
    /// denominator, so a weight with no gradient takes a full lr-sized step towards zero
    /// while a weight with a large gradient is barely decayed at all. AdamW shrinks every
    /// weight by the same factor (1 − lr·λ), independent of its gradient.
    func testAdamWDecouplesWeightDecayUnlikeAdamWithL2() throws {
        func firstStep(_ config: OptimizerConfig) throws -> [Float] {
            let w = Tensor([1, 1], shape: [2], requiresGrad: true)
            let optimizer = try config.makeOptimizer(parameters: [w])
            let g = w.gradPointer()
            g[0] = 0; g[1] = 100
            optimizer.step()
            return w.scalars
        }
        let adamL2 = try firstStep(.adam(learningRate: 0.1, weightDecay: 0.1))
        let adamW = try firstStep(.adamW(learningRate: 0.1, weightDecay: 0.1))
        let adamPlain = try firstStep(.adam(learningRate: 0.1))
        // Adam + L2: both weights move by ≈ lr, whatever their gradient.
        XCTAssertEqual(adamL2[0], 0.9, accuracy: 1e-4)
        XCTAssertEqual(adamL2[1], 0.9, accuracy: 1e-4)
        // AdamW: the decay is the same 1% for both, on top of the plain Adam step.
        XCTAssertEqual(adamW[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(adamW[1], 0.99 - 0.1, accuracy: 1e-4)
        XCTAssertEqual(adamW[1], adamPlain[1] - 0.01, accuracy: 1e-5)
    }

    func testEachOptimizerDecreasesTheLoss() throws {
        let data = try Synthetic.regression(count: 200, featureCount: 3, function: .linear, noise: 0.01, seed: 5)
        let configs: [OptimizerConfig] = [
            .sgd(learningRate: 0.05), .sgd(learningRate: 0.05, momentum: 0.9), .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true),
            .adam(learningRate: 0.01), .adamW(learningRate: 0.01), .rmsprop(learningRate: 0.005),
            .rmsprop(learningRate: 0.002, momentum: 0.5), .adam(learningRate: 0.01, weightDecay: 1e-3),
        ]
        let description = ModelDescription.mlp(MLPDescription(inputCount: 3, hiddenWidths: [], outputCount: 1))
        for config in configs {
            let trainer = try Trainer(description: description, config: TrainerConfig(epochs: 8, batchSize: 16, optimizer: config, seed: 1))
            let before = try trainer.evaluate(data).loss
            try trainer.fit(data)
            let after = try trainer.evaluate(data).loss
            XCTAssertLessThan(after, 0.2 * before, "\(config.kind) \(config)")
        }
    }

    func testClippingByGlobalNormCapsTheNorm() throws {
        let a = Tensor([0, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        let ga = a.gradPointer(), gb = b.gradPointer()
        ga[0] = 3; ga[1] = 4; gb[0] = 12   // global norm 13
        XCTAssertEqual(GradientClipping.globalNorm([a, b]), 13, accuracy: 1e-5)
        let before = GradientClipping.clipGlobalNorm([a, b], maxNorm: 1)
        XCTAssertEqual(before, 13, accuracy: 1e-5)
        XCTAssertEqual(GradientClipping.globalNorm([a, b]), 1, accuracy: 1e-4)
        XCTAssertEqual(ga[1] / ga[0], 4 / 3, accuracy: 1e-5, "direction kept")
        // Below the threshold nothing changes.
        GradientClipping.clipGlobalNorm([a, b], maxNorm: 5)
        XCTAssertEqual(GradientClipping.globalNorm([a, b]), 1, accuracy: 1e-4)

        // Through an optimizer: plain SGD with lr 1 moves the weights by exactly the clipped gradient.
        let w = Tensor([0, 0], shape: [2], requiresGrad: true)
        let sgd = try OptimizerConfig(kind: .sgd, learningRate: 1, clipNorm: 0.5).makeOptimizer(parameters: [w])
        w.gradPointer()[0] = 30; w.gradPointer()[1] = 40
        sgd.step()
        XCTAssertEqual(w.data[0], -0.3, accuracy: 1e-5)
        XCTAssertEqual(w.data[1], -0.4, accuracy: 1e-5)
        XCTAssertEqual(w.gradScalars!, [0, 0], "step zeroes the gradients it used")

        let v = Tensor([0, 0], shape: [2], requiresGrad: true)
        let clamped = try OptimizerConfig(kind: .sgd, learningRate: 1, clipValue: 0.25).makeOptimizer(parameters: [v])
        v.gradPointer()[0] = -3; v.gradPointer()[1] = 0.1
        clamped.step()
        XCTAssertEqual(v.scalars, [0.25, -0.1])
    }

    func testStateExportAndImportContinueIdentically() throws {
        for config in [OptimizerConfig.sgd(learningRate: 0.1, momentum: 0.9), .adam(learningRate: 0.1), .adamW(learningRate: 0.1), .rmsprop(learningRate: 0.01, momentum: 0.3)] {
            let a = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
            let optA = try config.makeOptimizer(parameters: [a])
            func step(_ t: Tensor, _ o: Optimizer) {
                for i in 0..<3 { t.gradPointer()[i] = t.data[i] * Float(i + 1) }
                o.step()
            }
            for _ in 0..<3 { step(a, optA) }
            let b = a.copy(requiresGrad: true)
            let optB = try config.makeOptimizer(parameters: [b])
            try optB.importState(optA.exportState())
            XCTAssertEqual(optB.stepCount, 3)
            step(a, optA); step(b, optB)
            XCTAssertEqual(a.scalars, b.scalars, "\(config.kind)")
        }
        let sgd = try OptimizerConfig.sgd(learningRate: 1).makeOptimizer(parameters: [Tensor(zeros: [2], requiresGrad: true)])
        let adam = try OptimizerConfig.adam().makeOptimizer(parameters: [Tensor(zeros: [2], requiresGrad: true)])
        assertThrowsMessage(["state is for sgd", "adam"]) { try adam.importState(sgd.exportState()) }
        let bigger = try OptimizerConfig.sgd(learningRate: 1).makeOptimizer(parameters: [Tensor(zeros: [3], requiresGrad: true)])
        assertThrowsMessage(["has 2 values", "has 3"]) { try bigger.importState(sgd.exportState()) }
    }

    func testInvalidConfigsAreRejected() {
        assertThrowsMessage(["momentum must be in [0, 1)"]) { _ = try OptimizerConfig.sgd(learningRate: 0.1, momentum: 1.5).makeOptimizer(parameters: []) }
        assertThrowsMessage(["nesterov needs a positive momentum"]) { _ = try OptimizerConfig.sgd(learningRate: 0.1, nesterov: true).makeOptimizer(parameters: []) }
        assertThrowsMessage(["learningRate"]) { _ = try OptimizerConfig.adam(learningRate: -1).makeOptimizer(parameters: []) }
    }

    func testConfigDecodesWithDefaults() throws {
        let c = try JSONDecoder().decode(OptimizerConfig.self, from: Data(#"{"kind":"adamw","learningRate":0.003}"#.utf8))
        XCTAssertEqual(c, .adamW(learningRate: 0.003))
        XCTAssertEqual(c.weightDecay, 0.01)
        XCTAssertThrowsError(try JSONDecoder().decode(OptimizerConfig.self, from: Data(#"{"kind":"sgd"}"#.utf8)))
    }
}
