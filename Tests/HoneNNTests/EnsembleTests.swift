import Foundation
import HoneData
import HoneNN
import HoneTensor
import XCTest

/// Ensembles: members' outputs averaged in one model that saves, loads and trains like any.
final class EnsembleTests: XCTestCase {
    private let mlp = ModelDescription.mlp(MLPDescription(inputCount: 4, hiddenWidths: [8], activation: "tanh", outputCount: 3))
    private let cnn = ModelDescription.cnn(CNNDescription(inputShape: [1, 6, 6], convChannels: [3], batchNorm: true, hiddenWidths: [5], outputCount: 3))

    private func logSoftmax(_ row: ArraySlice<Float>) -> [Double] {
        let m = Double(row.max()!)
        let lse = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
        return row.map { Double($0) - lse }
    }

    func testClassificationAveragesLogProbabilitiesAndRegressionOutputs() throws {
        let a = try mlp.build(seed: 1), b = try mlp.build(seed: 2)
        var rng = RandomGenerator(seed: 3)
        let x = Tensor(randomNormal: [5, 4], rng: &rng)
        let pa = a.predict(x).scalars, pb = b.predict(x).scalars

        let classifier = try Sequential(ensembleOf: [a, b], average: .logProbabilities)
        let out = classifier.predict(x).scalars
        for i in 0..<5 {
            let la = logSoftmax(pa[(3 * i)..<(3 * i + 3)]), lb = logSoftmax(pb[(3 * i)..<(3 * i + 3)])
            for j in 0..<3 { XCTAssertEqual(Double(out[3 * i + j]), (la[j] + lb[j]) / 2, accuracy: 1e-5) }
        }
        let regressor = try Sequential(ensembleOf: [a, b], average: .outputs)
        for (o, (u, v)) in zip(regressor.predict(x).scalars, zip(pa, pb)) { XCTAssertEqual(o, (u + v) / 2, accuracy: 1e-6) }
        XCTAssertEqual(classifier.parameterCount, a.parameterCount + b.parameterCount)
        XCTAssertEqual(classifier.state.first?.name, "0.0.0.weight", "ensemble layer 0, member 0, the member's own names")
    }

    func testDescriptionRoundTripsAndASavedEnsemblePredictsTheSame() throws {
        let description = ModelDescription.ensemble(EnsembleDescription(members: [cnn, cnn], average: .logProbabilities))
        let json = description.jsonString()
        XCTAssertContains(json, "\"kind\":\"ensemble\"")
        XCTAssertEqual(try ModelDescription(json: json), description)
        // Members of one description draw different weights from the one seed.
        let model = try description.build(seed: 4)
        let members = (model.layers[0] as! Ensemble).members
        XCTAssertNotEqual(members[0].parameters[0].scalars, members[1].parameters[0].scalars)

        // Trains like any model (gradients reach every member), then saves and loads.
        let data = try Synthetic.blobs(count: 60, centers: 3, featureCount: 36, spread: 1.0, seed: 2)
        var images = data
        images.featureShape = [1, 6, 6]
        let trainer = try Trainer(model: model, config: TrainerConfig(epochs: 2, batchSize: 16, seed: 5))
        let before = members.map { $0.parameters[0].scalars }
        try trainer.fit(images)
        XCTAssertNotEqual(members[0].parameters[0].scalars, before[0])
        XCTAssertNotEqual(members[1].parameters[0].scalars, before[1])
        let path = temporaryPath("ensemble.safetensors", testCase: self)
        try model.save(to: path)
        let loaded = try Sequential.load(from: path)
        XCTAssertEqual(loaded.modelDescription, description)
        var rng = RandomGenerator(seed: 8)
        let x = Tensor(randomNormal: [4, 1, 6, 6], rng: &rng)
        XCTAssertEqual(loaded.predict(x).scalars.map(\.bitPattern), model.predict(x).scalars.map(\.bitPattern))
    }

    func testMembersReadTheInputInTheirOwnShape() throws {
        // An MLP reads a 1×6×6 image as 36 values, a CNN as the image.
        let flat = try ModelDescription.mlp(MLPDescription(inputCount: 36, hiddenWidths: [5], outputCount: 3)).build(seed: 1)
        let image = try cnn.build(seed: 2)
        let ensemble = try Sequential(ensembleOf: [image, flat], average: .outputs)
        XCTAssertEqual(ensemble.inputShape, [1, 6, 6])
        var rng = RandomGenerator(seed: 3)
        let x = Tensor(randomNormal: [2, 1, 6, 6], rng: &rng)
        let expected = zip(image.predict(x).scalars, flat.predict(x.reshaped([2, 36])).scalars).map { ($0 + $1) / 2 }
        for (o, e) in zip(ensemble.predict(x).scalars, expected) { XCTAssertEqual(o, e, accuracy: 1e-6) }
    }

    func testBadEnsemblesAreRefusedByName() throws {
        func refused(_ json: String, _ expected: String, line: UInt = #line) {
            XCTAssertThrowsError(try ModelDescription(json: json).build(seed: 0), line: line) { XCTAssertContains("\($0)", expected, line: line) }
        }
        let member = mlp.jsonString()
        refused(#"{"kind":"ensemble","members":[]}"#, "1 to 32 members")
        refused(#"{"kind":"ensemble","members":[{"kind":"ensemble","members":[\#(member)]}]}"#, "not ensembles")
        refused(#"{"kind":"ensemble","members":[\#(member)],"average":"median"}"#, "average")
        refused(#"{"kind":"ensemble","members":[\#(member),\#(cnn.jsonString())]}"#, "member 1 maps")
        refused(#"{"kind":"ensemble","members":[\#(Array(repeating: member, count: 33).joined(separator: ","))]}"#, "1 to 32 members")
        // Deep nesting stops at the first level, whatever follows.
        let deep = String(repeating: #"{"kind":"ensemble","members":["#, count: 5000) + String(repeating: "]}", count: 5000)
        XCTAssertThrowsError(try ModelDescription(json: deep))
    }
}
