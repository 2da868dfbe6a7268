import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning
import XCTest

/// AutoML on small synthetic data: task inference, the default space, the search under a
/// time budget, the final model and the saved model.
final class AutoMLTests: XCTestCase {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hone-automl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func writeCSV(_ header: String, _ rows: [String]) throws -> String {
        let path = try scratch().appendingPathComponent("data.csv").path
        try ([header] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A quick space: narrow layers and few epochs, so a trial takes milliseconds.
    private func smallSpace(epochs: Int = 12) -> AutoSearchSpace {
        var space = AutoSearchSpace(imageData: false, maxEpochs: epochs, minEpochs: 1)
        space.widths = 8...32
        space.batchSizes = [16, 32]
        return space
    }

    // MARK: Task inference

    func testTaskInferenceFromTheTargetColumn() throws {
        let text = try writeCSV("a,b,y", (0..<60).map { "\($0),\($0 % 7),\(["cat", "dog"][$0 % 2])" })
        XCTAssertEqual(try AutoMLData.inferTask(csv: text, target: "y").0, .classification)
        XCTAssertContains(try AutoMLData.inferTask(csv: text, target: "y").1, "non-numeric")

        let fewIntegers = try writeCSV("a,y", (0..<60).map { "\($0),\($0 % 3)" })
        XCTAssertEqual(try AutoMLData.inferTask(csv: fewIntegers, target: "y").0, .classification)
        XCTAssertContains(try AutoMLData.inferTask(csv: fewIntegers, target: "y").1, "3 distinct integer values")

        let manyIntegers = try writeCSV("a,y", (0..<60).map { "\($0),\($0 * 2)" })
        XCTAssertEqual(try AutoMLData.inferTask(csv: manyIntegers, target: "y").0, .regression)

        let reals = try writeCSV("a,y", (0..<60).map { "\($0),\(Double($0) * 0.37)" })
        XCTAssertEqual(try AutoMLData.inferTask(csv: reals, target: "y").0, .regression)
        XCTAssertContains(try AutoMLData.inferTask(csv: reals, target: "y").1, "real values")

        // The whole loader: notes say what was inferred; the test split is held out.
        let data = try AutoMLData.load(fewIntegers, target: "y", testFraction: 0.25, seed: 3)
        XCTAssertEqual(data.task, .classification)
        XCTAssertEqual(data.train.count + data.test.count, 60)
        XCTAssertEqual(data.test.count, 15)
        XCTAssertTrue(data.notes.contains { $0.contains("classification (inferred") }, "\(data.notes)")

        XCTAssertThrowsError(try AutoMLData.load(fewIntegers)) { XCTAssertContains("\($0)", "\"target\"") }
        XCTAssertThrowsError(try AutoMLData.load("/no/such/file.csv", target: "y")) { XCTAssertContains("\($0)", "/no/such/file.csv") }
        XCTAssertThrowsError(try AutoMLData.load(fewIntegers, target: "nope"))
    }

    func testRegressionTargetsAreStandardizedWithTrainingStatistics() throws {
        let full = try Synthetic.regression(count: 200, featureCount: 3, noise: 0.05, seed: 4)
        var scaled = full
        scaled.targets = .regression(values: full.regression!.map { $0 * 100 + 5000 }, outputCount: 1)
        let split = try scaled.trainValidationSplit(validationFraction: 0.25, seed: 1)
        let data = try AutoMLData.tabular(name: "r", train: split.train, test: split.validation)
        let z = data.train.regression!
        let mean = z.reduce(0, +) / Float(z.count)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(z.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-3)
        XCTAssertEqual(variance, 1, accuracy: 1e-3)
        XCTAssertGreaterThan(data.targetStd!, 10, "targets ×100: their std must be in the original units")
        // Features standardized with the training rows' statistics.
        XCTAssertEqual(data.featureScaler, Standardizer(fitting: split.train))
    }

    // MARK: The space

    func testDefaultSpaceListsEveryBranchAndSizesTheBudget() throws {
        let tabular = AutoSearchSpace.defaults(for: try Synthetic.moons(count: 300, seed: 0))
        let names = Set(tabular.distributions.names)
        XCTAssertEqual(names, ["activation", "dropout", "layers", "width_1", "width_2", "width_3", "lr", "weight_decay", "batch_size", "optimizer"])
        XCTAssertGreaterThan(tabular.maxEpochs, 15, "a small table needs more epochs for the same number of steps")
        XCTAssertEqual(tabular.distributions["lr"], .float(1e-4, 3e-2, log: true))
        XCTAssertEqual(tabular.distributions["width_2"], .int(64, 512, log: true))

        let images = try Dataset(features: [Float](repeating: 0, count: 20_000 * 4), featureShape: [1, 2, 2],
                                 targets: .classes(labels: [Int32](repeating: 0, count: 20_000), classCount: 2, classNames: nil))
        let imageSpace = AutoSearchSpace.defaults(for: images)
        XCTAssertTrue(imageSpace.imageData)
        XCTAssertEqual(imageSpace.maxEpochs, 15)
        // A longer budget trains the full trial further (√ of the budget over 15 minutes).
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 900).maxEpochs, 15)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 180).maxEpochs, 15)
        // An hour: 30 epochs, then 27 — Hyperband's top rung (1·3³), which would otherwise
        // prune two thirds of the networks 3 epochs short of the full budget. 15 is kept:
        // its top rung (9) is well below it.
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).maxEpochs, 27)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).minEpochs, 1)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).channels, 4...32)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).cnnHiddenWidths, 64...512)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 900).channels, 4...16)
        // Hyperband's rungs stop at the first one past half the full budget: 15 epochs are
        // judged after 1 and 3 (not 9), 21 and 27 after 1, 3 and 9.
        XCTAssertEqual(imageSpace.lastRungEpochs, 9)
        XCTAssertEqual(imageSpace.hyperbandRungs, [1, 3])
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).hyperbandRungs, [1, 3, 9])
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 1800).lastRungEpochs, 21)
        XCTAssertEqual(AutoSearchSpace.defaults(for: images, timeBudget: 3600).lastRungEpochs, 27)
        XCTAssertEqual(AutoSearchSpace(maxEpochs: 1, minEpochs: 1).lastRungEpochs, 1)
        XCTAssertEqual(AutoSearchSpace(maxEpochs: 60, minEpochs: 2).lastRungEpochs, 54)
        let moons = try Synthetic.moons(count: 300, seed: 0)
        let pruner = try XCTUnwrap(try AutoML(data: AutoMLData.tabular(name: "moons", train: moons, test: moons),
                                              options: AutoMLOptions(space: imageSpace))
            .makeStudy(storage: InMemoryStorage()).pruner as? HyperbandPruner)
        XCTAssertEqual([pruner.minResource, pruner.maxResource], [1, 9])
        XCTAssertTrue(Set(imageSpace.distributions.names).isSuperset(of: ["model", "channels", "conv_layers", "cnn_hidden"]))

        // The front ends' overrides (`--max-epochs`, "max_epochs"; `--models`, "models"): the
        // first rung follows an explicit maximum (~1/27 of it), whatever the computed one was.
        XCTAssertEqual(tabular.minEpochs, tabular.maxEpochs / 27)
        XCTAssertGreaterThan(tabular.minEpochs, 1)
        let shortTabular = AutoSearchSpace.defaults(for: try Synthetic.moons(count: 300, seed: 0), maxEpochs: 10)
        XCTAssertEqual([shortTabular.minEpochs, shortTabular.maxEpochs], [1, 10])
        let longImages = AutoSearchSpace.defaults(for: images, timeBudget: 3600, models: ["cnn"], maxEpochs: 81)
        XCTAssertEqual([longImages.minEpochs, longImages.maxEpochs], [3, 81])
        XCTAssertEqual(longImages.models, ["cnn"])
        XCTAssertEqual(longImages.channels, 4...32, "an explicit epoch count leaves the budget's widths")
    }

    func testStoredParametersRebuildTheSuggestedConfiguration() throws {
        let space = AutoSearchSpace(imageData: true, maxEpochs: 9, minEpochs: 1)
        let study = try Study.create(storage: InMemoryStorage(), directions: [.maximize], seed: 11)
        var seen: Set<String> = []
        for _ in 0..<12 {
            let trial = try study.ask()
            let suggested = try space.suggest(trial, inputShape: [1, 8, 8], outputCount: 3, task: .classification, seed: 5)
            let rebuilt = try space.configuration(params: trial.parameters, inputShape: [1, 8, 8], outputCount: 3,
                                                  task: .classification, seed: 5)
            XCTAssertEqual(suggested, rebuilt)
            XCTAssertEqual(suggested.trainer.epochs, 9)
            switch suggested.model {
            case .mlp(let d):
                seen.insert("mlp")
                XCTAssertTrue((1...3).contains(d.hiddenWidths.count))
                XCTAssertTrue(d.hiddenWidths.allSatisfy { (64...512).contains($0) })
                XCTAssertEqual(Set(trial.parameters.keys).intersection(["channels", "conv_layers"]), [], "an MLP trial asks no CNN parameter")
            case .cnn(let d):
                seen.insert("cnn")
                XCTAssertEqual(d.convChannels.count, trial.parameters["conv_layers"]?.intValue)
                if d.convChannels.count == 2 { XCTAssertEqual(d.convChannels[1], 2 * d.convChannels[0]) }
            case .ensemble:
                XCTFail("a trial suggests one network")
            }
            _ = try study.tell(trial, value: 0.5)
        }
        XCTAssertEqual(seen, ["mlp", "cnn"], "12 random trials should try both model kinds")

        var params = try study.trials()[0].params
        params["lr"] = .float(5)
        XCTAssertThrowsError(try space.configuration(params: params, inputShape: [1, 8, 8], outputCount: 3, task: .classification, seed: 0)) {
            XCTAssertContains("\($0)", "lr")
        }
        var broken = AutoSearchSpace(maxEpochs: 3)
        broken.activations = ["swish"]
        XCTAssertThrowsError(try broken.validate()) { XCTAssertContains("\($0)", "swish") }
    }

    // MARK: Search and refit

    func testRefitRetrainsTheBestTrialAndSavesAUsableModel() throws {
        let full = try Synthetic.blobs(count: 400, centers: 3, featureCount: 4, spread: 1.0, seed: 2)
        let split = try full.trainValidationSplit(validationFraction: 0.25, seed: 9)
        let data = try AutoMLData.tabular(name: "blobs", train: split.train, test: split.validation)
        let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 5, seed: 3, space: smallSpace(), ensembleSize: 1, refit: true))
        let (study, model) = try automl.run(storage: InMemoryStorage())
        XCTAssertEqual(try study.trialCount(), 5)
        let best = try automl.bestTrial(of: study)
        XCTAssertEqual(model.trial.number, best.number)
        XCTAssertEqual(model.members.map(\.number), [best.number])
        XCTAssertEqual(best.number, try study.bestTrial().number)
        XCTAssertTrue(model.retrained)
        XCTAssertGreaterThan(model.test.accuracy ?? 0, 0.85, "separable blobs")
        XCTAssertEqual(model.trainer.epochsCompleted, 12, "the refit trains the full epoch budget")

        let path = try scratch().appendingPathComponent("best.safetensors").path
        try automl.save(model, to: path)
        let loaded = try Sequential.load(from: path)
        let x = Tensor(data.test.features, shape: [data.test.count, 4])
        XCTAssertEqual(loaded.predict(x).scalars, model.trainer.model.predict(x).scalars)
        let metadata = try Safetensors.read(path).metadata
        XCTAssertEqual(metadata["hone.automl.task"], "classification")
        XCTAssertNotNil(metadata["hone.automl.feature_mean"])
    }

    /// The default final model: the search's own networks, chosen by ensemble selection —
    /// the same members and the same predictions when another process builds it from the
    /// stored study (it trains the networks again exactly as the search did).
    func testFinalModelAveragesTheSearchNetworksAndAResumedStudyRebuildsThem() throws {
        // Three-class spirals with noise: networks of different widths and training bend
        // the boundaries differently, so averaging helps on the validation split.
        let full = try Synthetic.spirals(count: 600, classes: 3, turns: 1.5, noise: 0.2, seed: 2)
        let split = try full.trainValidationSplit(validationFraction: 0.25, seed: 9)
        let data = try AutoMLData.tabular(name: "spirals", train: split.train, test: split.validation)
        let options = AutoMLOptions(maxTrials: 10, jobs: 2, seed: 3, space: smallSpace(epochs: 8), ensembleSize: 4)
        let automl = try AutoML(data: data, options: options)
        let storage = InMemoryStorage()
        let study = try automl.makeStudy(storage: storage)
        try automl.search(study)
        var trainedAfterSearch = 0
        let members = try automl.ensembleMembers(of: study, onTraining: { trainedAfterSearch += $0 })
        XCTAssertEqual(members.first?.number, try automl.bestTrial(of: study).number)
        XCTAssertEqual(Set(members.map(\.number)).count, members.count)
        XCTAssertTrue(members.allSatisfy { $0.state == .complete })
        XCTAssertLessThanOrEqual(members.count, 4)
        let model = try automl.finalModel(members, study: study, onTraining: { trainedAfterSearch += $0 })
        XCTAssertEqual(trainedAfterSearch, 0, "the search's networks are in memory: nothing is trained again")
        XCTAssertFalse(model.retrained)
        XCTAssertEqual(model.members.map(\.number), members.map(\.number))
        // Selection only adds a network that does not lower the validation score (within
        // one sample: the float forward pass may round a close call the other way).
        let validation = try model.trainer.evaluate(automl.searchValidation).accuracy!
        XCTAssertGreaterThanOrEqual(validation, members[0].values![0] - 1.5 / Double(automl.searchValidation.count))

        // The best trial's network alone is the one the search trained: same validation score.
        let alone = try automl.finalModel([members[0]], study: study)
        XCTAssertEqual(try alone.trainer.evaluate(automl.searchValidation).accuracy, members[0].values![0])

        // Two chosen trials make one averaging model that saves and loads.
        let complete = try study.trials(states: [.complete]).sorted { $0.values![0] > $1.values![0] }
        let pair = try automl.finalModel(Array(complete.prefix(2)), study: study)
        let ensemble = try XCTUnwrap(pair.trainer.model.layers.first as? Ensemble)
        XCTAssertEqual(ensemble.members.count, 2)
        guard case .ensemble = pair.configuration.model else { return XCTFail("\(pair.configuration.model)") }
        let x = Tensor(data.test.features, shape: [data.test.count, 2])
        let path = try scratch().appendingPathComponent("ensemble.safetensors").path
        try automl.save(pair, to: path)
        XCTAssertEqual(try Sequential.load(from: path).predict(x).scalars, pair.trainer.model.predict(x).scalars)
        XCTAssertEqual(try Safetensors.read(path).metadata["hone.automl.ensemble_trials"],
                       JSONValue.array(complete.prefix(2).map { .number(Double($0.number)) }).jsonText)

        // Another process on the stored study trains the candidates once, as the search did,
        // and picks the same members with the same predictions.
        let again = try AutoML(data: data, options: options)
        let resumed = try again.makeStudy(storage: storage)
        var trainedOnResume = 0
        XCTAssertEqual(try again.ensembleMembers(of: resumed, onTraining: { trainedOnResume += $0 }).map(\.number), members.map(\.number))
        XCTAssertGreaterThan(trainedOnResume, 0)
        var trainedTwice = 0
        let rebuilt = try again.finalModel(members, study: resumed, onTraining: { trainedTwice += $0 })
        XCTAssertEqual(trainedTwice, 0, "networks trained for the selection are kept")
        for (u, v) in zip(rebuilt.trainer.model.predict(x).scalars, model.trainer.model.predict(x).scalars) {
            XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(v)))
        }

        XCTAssertThrowsError(try AutoML(data: data, options: AutoMLOptions(maxTrials: 1, ensembleSize: 0))) { XCTAssertContains("\($0)", "ensemble size") }
        XCTAssertThrowsError(try AutoML(data: data, options: AutoMLOptions(maxTrials: 1, ensembleSize: AutoML.keptNetworks + 1)))
        XCTAssertEqual(try AutoML(data: data, options: AutoMLOptions(maxTrials: 1)).ensembleSize, 5)
    }

    func testRefitEnsembleRetrainsEachMemberAsAloneOnAllData() throws {
        let full = try Synthetic.blobs(count: 400, centers: 3, featureCount: 4, spread: 2.2, seed: 2)
        let split = try full.trainValidationSplit(validationFraction: 0.25, seed: 9)
        let data = try AutoMLData.tabular(name: "blobs", train: split.train, test: split.validation)
        let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 6, jobs: 2, seed: 3, space: smallSpace(epochs: 6),
                                                                   ensembleSize: 3, refit: true))
        let study = try automl.makeStudy(storage: InMemoryStorage())
        try automl.search(study)
        let complete = try study.trials(states: [.complete]).sorted { $0.values![0] > $1.values![0] }
        guard complete.count >= 2 else { return XCTFail("the search should complete at least two trials") }
        let members = Array(complete.prefix(2))
        let model = try automl.finalModel(members, study: study)
        XCTAssertTrue(model.retrained)
        let ensemble = try XCTUnwrap(model.trainer.model.layers.first as? Ensemble)
        // Member k is what retraining trial k alone trains (same seeds; the BLAS thread
        // count may differ, so within float tolerance), on all training data.
        let alone = try automl.finalModel([members[1]], study: study)
        XCTAssertEqual(alone.trainer.epochsCompleted, 6)
        // On all the training data (search and validation splits), not the search split.
        let batch = try automl.configuration(of: members[1]).trainer.batchSize
        XCTAssertEqual(alone.trainer.stepsCompleted, 6 * ((data.train.count + batch - 1) / batch))
        for (m, a) in zip(ensemble.members[1].state, alone.trainer.model.state) {
            XCTAssertEqual(m.name, a.name)
            for (u, v) in zip(m.tensor.scalars, a.tensor.scalars) { XCTAssertEqual(u, v, accuracy: 1e-3 * max(1, abs(v))) }
        }
    }

    func testSameSeedSameTrials() throws {
        let data = try AutoMLData.tabular(name: "moons", train: try Synthetic.moons(count: 200, noise: 0.2, seed: 1),
                                          test: try Synthetic.moons(count: 60, noise: 0.2, seed: 2))
        func run(seed: UInt64) throws -> [FrozenTrial] {
            let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 4, jobs: 1, seed: seed, space: smallSpace(epochs: 6)))
            let study = try automl.makeStudy(storage: InMemoryStorage())
            try automl.search(study)
            return try study.trials()
        }
        let a = try run(seed: 7), b = try run(seed: 7), c = try run(seed: 8)
        XCTAssertEqual(a.map(\.params), b.map(\.params))
        XCTAssertEqual(a.map(\.values), b.map(\.values))
        XCTAssertEqual(a.map(\.intermediateValues), b.map(\.intermediateValues))
        XCTAssertNotEqual(a.map(\.params), c.map(\.params))
    }

    /// With several jobs a worker does not wait for an earlier trial still running (the
    /// deterministic parallel mode made trial k's sampler wait for every trial up to k − jobs,
    /// which idled a worker behind each long trial): trial 2 starts while trial 0 runs.
    func testParallelAsksDoNotWaitForRunningTrials() throws {
        let data = try AutoMLData.tabular(name: "moons", train: try Synthetic.moons(count: 200, noise: 0.2, seed: 1),
                                          test: try Synthetic.moons(count: 60, noise: 0.2, seed: 2))
        let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 3, jobs: 2, seed: 0, space: smallSpace(epochs: 2)))
        let study = try automl.makeStudy(storage: InMemoryStorage())
        let trialTwoStarted = DispatchSemaphore(value: 0)
        let sawTrialTwo = Box(false)
        try study.optimize({ trial in
            let x = try trial.suggestFloat("x", 0, 1)
            if trial.number == 0 {
                let started = trialTwoStarted.wait(timeout: .now() + 30) == .success
                sawTrialTwo.mutate { $0 = started }
            }
            if trial.number == 2 { trialTwoStarted.signal() }
            return x
        }, nTrials: 3, nJobs: 2)
        XCTAssertTrue(sawTrialTwo.value, "trial 2 should start while trial 0 is still running")
    }

    func testRegressionReportsRMSEInTargetUnitsAndR2() throws {
        var full = try Synthetic.regression(count: 500, featureCount: 3, function: .linear, noise: 0.05, seed: 6)
        full.targets = .regression(values: full.regression!.map { $0 * 10 + 100 }, outputCount: 1)
        let split = try full.trainValidationSplit(validationFraction: 0.2, seed: 1)
        let data = try AutoMLData.tabular(name: "linear", train: split.train, test: split.validation)
        let automl = try AutoML(data: data, options: AutoMLOptions(maxTrials: 3, seed: 1, space: smallSpace(epochs: 30)))
        XCTAssertEqual(automl.metric, .validationMSE)
        XCTAssertEqual(automl.direction, .minimize)
        let (_, model) = try automl.run(storage: InMemoryStorage())
        let r2 = try XCTUnwrap(model.test.r2), rmse = try XCTUnwrap(model.test.rmse)
        XCTAssertGreaterThan(r2, 0.9, "a noisy linear target is easy")
        // RMSE in the target's units (×10): consistent with R² and the test targets' spread.
        let y = split.validation.regression!.map(Double.init)
        let mean = y.reduce(0, +) / Double(y.count)
        let sd = (y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(y.count)).squareRoot()
        XCTAssertEqual(rmse, sd * (1 - r2).squareRoot(), accuracy: 1e-3 * sd)
        XCTAssertNil(model.test.accuracy)
    }

    func testTimeBudgetStopsAskingAndCutsRunningTrials() throws {
        // 2,000 epochs cannot finish in 1.5 s: every trial must be cut at the deadline.
        let data = try AutoMLData.tabular(name: "moons", train: try Synthetic.moons(count: 600, seed: 1), test: try Synthetic.moons(count: 100, seed: 2))
        var space = smallSpace(epochs: 2000)
        space.minEpochs = 1000
        let automl = try AutoML(data: data, options: AutoMLOptions(timeBudget: 1.5, jobs: 2, seed: 0, space: space))
        let study = try automl.makeStudy(storage: InMemoryStorage())
        let start = Date()
        try automl.search(study)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 1.5 + 3, "the search must end near its deadline")
        let trials = try study.trials()
        XCTAssertFalse(trials.isEmpty)
        XCTAssertTrue(trials.allSatisfy { $0.state == .pruned }, "\(trials.map(\.state))")
        XCTAssertTrue(trials.allSatisfy { $0.userAttrs["auto.cut_by_time_budget"] == .bool(true) })
        // A cut trial keeps what it reported (one cut inside its first epoch has nothing).
        XCTAssertTrue(trials.contains { $0.intermediateValues.count >= 2 }, "\(trials.map(\.intermediateValues.count))")
        // With nothing complete, the final model is the trial that trained furthest.
        let best = try automl.bestTrial(of: study)
        let furthest = trials.compactMap { $0.intermediateCurve().last?.step }.max()!
        XCTAssertEqual(best.intermediateCurve().last!.step, furthest)
    }

    /// The hook behind the deadline: training stops before the next step, the unfinished
    /// epoch is neither counted nor reported.
    func testTrainerInterruptionStopsMidEpoch() throws {
        let trainer = try Trainer(description: Fixtures.mlp, config: TrainerConfig(epochs: 5, batchSize: 16, seed: 0))
        var steps = 0
        trainer.interruption = { steps += 1; return steps > 13 }   // 160 samples = 10 steps per epoch
        var reported: [Int] = []
        let result = try trainer.fit(Fixtures.train) { reported.append($0.epoch); return .proceed }
        XCTAssertEqual(trainer.stepsCompleted, 13)
        XCTAssertEqual(trainer.epochsCompleted, 1)
        XCTAssertEqual(reported, [1])
        XCTAssertEqual(result.stopReason, .callback)
    }

    func testBadOptionsAreNamed() throws {
        let data = try AutoMLData.tabular(name: "m", train: try Synthetic.moons(count: 50, seed: 1), test: try Synthetic.moons(count: 20, seed: 2))
        XCTAssertThrowsError(try AutoML(data: data, options: AutoMLOptions(jobs: 0))) { XCTAssertContains("\($0)", "jobs") }
        XCTAssertThrowsError(try AutoML(data: data, options: AutoMLOptions(timeBudget: -1))) { XCTAssertContains("\($0)", "time budget") }
        XCTAssertThrowsError(try AutoMLData(name: "x", train: try Synthetic.moons(count: 50, seed: 1),
                                            test: try Synthetic.regression(count: 10, featureCount: 2, seed: 1))) {
            XCTAssertContains("\($0)", "disagree on the task")
        }
    }
}

func XCTAssertContains(_ text: String?, _ part: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let text else { return XCTFail("no text (expected one containing \"\(part)\")", file: file, line: line) }
    XCTAssertTrue(text.contains(part), "\"\(text)\" does not contain \"\(part)\"", file: file, line: line)
}

extension Dataset {
    /// Regression targets (one output), for tests.
    var regression: [Float]? {
        if case let .regression(values, _) = targets { return values }
        return nil
    }
}
