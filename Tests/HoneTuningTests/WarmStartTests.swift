import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning
import XCTest

/// Warm starts: another study's trials seed a new one; saved weights start a network.
final class WarmStartTests: XCTestCase {
    /// A finished study over x ∈ [0, 10] and a categorical, with values x² (minimized).
    private func sourceStudy(storage: Storage = InMemoryStorage(), name: String = "source") throws -> Study {
        let study = try Study.create(name: name, storage: storage, directions: [.minimize], seed: 1)
        for x in [1.0, 4.0, 8.0, 9.5] {
            let t = try study.ask(fixedParams: ["x": .float(x)])
            _ = try t.suggestFloat("x", 0, 10)
            _ = try t.suggestCategorical("kind", ["a", "b"])
            try t.report(x, step: 1)
            _ = try study.tell(t, value: x * x)
        }
        // Failed and pruned trials carry no value to learn from.
        let failed = try study.ask(fixedParams: ["x": .float(2)])
        _ = try failed.suggestFloat("x", 0, 10)
        _ = try study.tell(failed, state: .fail)
        return study
    }

    func testCopiesOnlyCompleteTrialsThatFitTheNewSpace() throws {
        let storage = InMemoryStorage()
        let source = try sourceStudy(storage: storage)
        let target = try Study.create(name: "target", storage: storage, directions: [.minimize], sampler: TPESampler(), seed: 2)
        // The new space is narrower in x and has no "kind": 9.5 falls outside.
        let space = SearchSpace(["x": .float(0, 9), "y": .int(1, 3)])
        let summary = try target.warmStart(from: source, space: space)
        XCTAssertEqual(summary.copied, 3)
        XCTAssertEqual(Array(summary.skipped.keys), [3])
        XCTAssertContains(summary.skipped[3], "x = ")
        let copied = try target.trials()
        XCTAssertEqual(copied.map { $0.params["x"] }, [.float(1), .float(4), .float(8)])
        XCTAssertEqual(copied.map(\.values), [[1], [16], [64]])
        for t in copied {
            XCTAssertEqual(t.distributions["x"], .float(0, 9), "copies take the new space's distribution")
            XCTAssertNil(t.params["kind"], "parameters outside the new space are dropped")
            XCTAssertEqual(t.intermediateValues[IntermediateKey(step: 1)], [t.params["x"]!.doubleValue!])
            guard case .object(let origin)? = t.systemAttrs["copied_from"] else { return XCTFail("no copied_from") }
            XCTAssertEqual(origin["study"], .string("source"))
        }
        XCTAssertEqual(try target.bestTrial().params["x"], .float(1))

        // Seeding again (a resumed study) copies nothing twice.
        let again = try target.warmStart(from: source, space: space)
        XCTAssertEqual(again.copied, 0)
        XCTAssertEqual(again.alreadyCopied, 3)
        XCTAssertEqual(try target.trialCount(), 3)

        // The sampler learns from the copies: TPE's next x is drawn near the good ones.
        let next = try target.ask()
        let x = try next.suggestFloat("x", 0, 9)
        XCTAssertTrue(x.isFinite)
    }

    func testWithoutASpaceEveryCompleteTrialIsCopiedAsItIs() throws {
        let source = try sourceStudy()
        let target = try Study.create(storage: InMemoryStorage(), directions: [.minimize], seed: 2)
        let summary = try target.warmStart(from: source, space: nil)
        XCTAssertEqual(summary.copied, 4)
        XCTAssertEqual(try target.trials().map { $0.distributions["x"] }, Array(repeating: .float(0, 10), count: 4))
        XCTAssertEqual(try target.trials().compactMap { $0.params["kind"] }.count, 4)
    }

    func testMismatchedDirectionsAndUnrelatedSpacesAreRefused() throws {
        let source = try sourceStudy()
        let maximizing = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 2)
        XCTAssertThrowsError(try maximizing.warmStart(from: source, space: nil)) { XCTAssertContains("\($0)", "directions differ") }
        let unrelated = try Study.create(storage: InMemoryStorage(), directions: [.minimize], seed: 2)
        let summary = try unrelated.warmStart(from: source, space: SearchSpace(["lr": .float(1e-4, 1e-1, log: true)]))
        XCTAssertEqual(summary.copied, 0)
        XCTAssertEqual(summary.skipped.count, 4)
        XCTAssertContains(summary.description, "none of its parameters")
    }

    func testAStudyOfTheSameNameAndIdInAnotherStorageIsAnotherStudy() throws {
        // Both are study 1 of their storage: only the storage's identity tells them apart.
        let source = try sourceStudy(storage: InMemoryStorage(), name: "mlp")
        let target = try Study.create(name: "mlp", storage: InMemoryStorage(), directions: [.minimize], seed: 2)
        XCTAssertEqual(source.id, target.id)
        XCTAssertEqual(try target.warmStart(from: source, space: nil).copied, 4)
        XCTAssertThrowsError(try target.warmStart(from: target, space: nil)) { XCTAssertContains("\($0)", "from itself") }
    }

    func testSourceParsing() throws {
        XCTAssertEqual(try WarmStartSource(parsing: "old"), WarmStartSource(study: "old"))
        XCTAssertEqual(try WarmStartSource(parsing: "old@sqlite:runs.db"), WarmStartSource(study: "old", storage: "sqlite:runs.db"))
        XCTAssertEqual(try WarmStartSource(parsing: "old@postgresql://me@db:5432/hone"),
                       WarmStartSource(study: "old", storage: "postgresql://me@db:5432/hone"))
        XCTAssertThrowsError(try WarmStartSource(parsing: "@sqlite:x.db")) { XCTAssertContains("\($0)", "no study name") }
        XCTAssertThrowsError(try WarmStartSource(parsing: "old@")) { XCTAssertContains("\($0)", "nothing after '@'") }

        let storage = InMemoryStorage()
        _ = try sourceStudy(storage: storage, name: "present")
        XCTAssertEqual(try WarmStartSource(study: "present").load(defaultStorage: storage, open: { _ in XCTFail(); return storage }).name, "present")
        XCTAssertThrowsError(try WarmStartSource(study: "absent").load(defaultStorage: storage, open: { _ in storage })) {
            XCTAssertContains("\($0)", "no study named \"absent\"")
            XCTAssertContains("\($0)", "present")
        }
    }

    /// An AutoML study seeded from an earlier one starts with its trials and can refit
    /// the copied best without running it again.
    func testAutoMLWarmStartReusesAnEarlierSearch() throws {
        let data = try AutoMLData.tabular(name: "moons", train: try Synthetic.moons(count: 200, noise: 0.2, seed: 1),
                                          test: try Synthetic.moons(count: 60, noise: 0.2, seed: 2))
        var space = AutoSearchSpace(maxEpochs: 6, minEpochs: 1)
        space.widths = 8...32
        let storage = InMemoryStorage()
        let first = try AutoML(data: data, options: AutoMLOptions(maxTrials: 3, seed: 1, studyName: "first", space: space))
        let earlier = try first.makeStudy(storage: storage)
        try first.search(earlier)

        let second = try AutoML(data: data, options: AutoMLOptions(maxTrials: 1, seed: 2, studyName: "second", space: space))
        let study = try second.makeStudy(storage: storage)
        let summary = try second.warmStart(study, from: earlier)
        XCTAssertEqual(summary.copied, try earlier.trialCount(states: [.complete]))
        try second.search(study)
        XCTAssertEqual(try study.trialCount(), summary.copied + 1)
        let best = try second.bestTrial(of: study)
        XCTAssertNoThrow(try second.configuration(of: best))

        // A narrower space leaves out the copies that do not fit it.
        var narrow = space
        narrow.widths = 8...9
        let third = try AutoML(data: data, options: AutoMLOptions(maxTrials: 1, seed: 3, studyName: "third", space: narrow))
        let narrowSummary = try third.warmStart(try third.makeStudy(storage: storage), from: earlier)
        let fits = try earlier.trials(states: [.complete]).filter { t in
            t.params.filter { $0.key.hasPrefix("width_") }.allSatisfy { (8...9).contains($0.value.intValue!) }
        }.count
        XCTAssertEqual(narrowSummary.copied, fits)
    }

    // MARK: Initial weights (fine-tuning)

    func testInitialWeightsLoadIntoAMatchingModelAndNameTheFirstMismatch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hone-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pretrained.safetensors").path

        let description = ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16, 8], outputCount: 2))
        let pretrained = try Trainer(description: description, config: TrainerConfig(epochs: 30, batchSize: 16, seed: 1))
        try pretrained.fit(Fixtures.train)
        try pretrained.model.save(to: path)

        // Same architecture, other random weights: after loading it predicts identically...
        let tuned = try Trainer(description: description, config: TrainerConfig(epochs: 2, batchSize: 16, seed: 99))
        let x = Tensor(Fixtures.validation.features, shape: [Fixtures.validation.count, 2])
        XCTAssertNotEqual(tuned.model.predict(x).scalars, pretrained.model.predict(x).scalars)
        try tuned.model.initializeWeights(fromFile: path)
        XCTAssertEqual(tuned.model.predict(x).scalars, pretrained.model.predict(x).scalars)
        // ...and fine-tuning starts from the pretrained accuracy, not from chance.
        let before = try pretrained.evaluate(Fixtures.validation).accuracy!
        let firstEpoch = try tuned.fit(Fixtures.train, validation: Fixtures.validation, epochs: 1).lastEpoch!.validationAccuracy!
        XCTAssertGreaterThan(firstEpoch, 0.75)
        XCTAssertGreaterThan(before, 0.75)

        // A different second layer: the error names its weight, and nothing is changed.
        let other = try ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16, 4], outputCount: 2)).build(seed: 5)
        let untouched = other.predict(x).scalars
        XCTAssertThrowsError(try other.initializeWeights(fromFile: path)) { error in
            guard let e = error as? WeightInitializationError else { return XCTFail("\(error)") }
            let firstDifferent = other.state.first { item in
                (try? Safetensors.read(path))?[item.name]?.shape != item.tensor.shape
            }!.name
            XCTAssertEqual(e.tensor, firstDifferent)
            XCTAssertEqual(e.problem, .shapeMismatch(fileShape: [16, 8], modelShape: [16, 4]))
            XCTAssertContains(e.description, "'\(firstDifferent)'")
            XCTAssertContains(e.description, "[16, 8] in the file but [16, 4] in the model")
            XCTAssertContains(e.description, "more mismatch")
        }
        XCTAssertEqual(other.predict(x).scalars, untouched)

        // A deeper model: the file lacks its extra layer's tensors.
        let deeper = try ModelDescription.mlp(MLPDescription(inputCount: 2, hiddenWidths: [16, 8, 8], outputCount: 2)).build(seed: 5)
        XCTAssertThrowsError(try deeper.initializeWeights(fromFile: path)) { XCTAssertContains("\($0)", "tensor '") }
        XCTAssertThrowsError(try deeper.initializeWeights(fromFile: dir.appendingPathComponent("missing.safetensors").path)) {
            XCTAssertContains("\($0)", "missing.safetensors")
        }
    }
}
