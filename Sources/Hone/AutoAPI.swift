// hone_auto: AutoML through the C API — the same search, final model and test as `hone auto`
// (HoneTuning's AutoML), on data sets the caller made.

import Foundation
import HonePlugins
import HoneData
import HoneNN
import HoneReport
import HoneSearch
import HoneStorage
import HoneTuning

@_cdecl("hone_auto")
public func hone_auto(_ train: OpaquePointer?, _ test: OpaquePointer?, _ optionsJSON: UnsafePointer<CChar>?,
                      _ modelOut: UnsafeMutablePointer<OpaquePointer?>?,
                      _ resultOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let trainData = try datasetHandle(train).dataset
        let testData = try test.map { try datasetHandle($0).dataset }
        let o = AlgorithmOptions(try jsonObject(optionsJSON, "options_json"), context: "hone_auto options")
        let timeBudget = try o.number("time_budget", in: 0.001...1e7)
        let maxTrials = try o.int("max_trials", min: 1, max: 1_000_000)
        guard timeBudget != nil || maxTrials != nil else {
            throw APIError.invalid("hone_auto options: set \"time_budget\" (seconds) or \"max_trials\"")
        }
        let jobs = try o.int("jobs", min: 1, max: 1024) ?? 1
        let seed = UInt64(try o.int("seed", min: 0, max: Int(Int32.max)) ?? 0)
        let storageURL = try o.string("storage") ?? "memory:"
        let studyName = try o.string("study_name")
        let validationFraction = try o.number("validation_fraction", in: 0.01...0.9)
        let testFraction = try o.number("test_fraction", in: 0.01...0.9) ?? 0.2
        let maxEpochs = try o.int("max_epochs", min: 1, max: 10_000)
        let ensemble = try o.int("ensemble", min: 1, max: AutoML.keptNetworks)
        let models = try o.strings("models")
        let refit = try o.bool("refit") ?? false
        let output = try o.string("output")
        let report = try o.string("report")
        try o.checkAllUsed()

        // Without a test set, a seeded (stratified) part of the training data is held out.
        let (searchTrain, heldOut): (Dataset, Dataset)
        if let testData {
            (searchTrain, heldOut) = (trainData, testData)
        } else {
            let parts = try trainData.trainValidationSplit(validationFraction: testFraction,
                                                           stratified: trainData.isClassification, seed: seed)
            (searchTrain, heldOut) = (parts.train, parts.validation)
        }
        let data = searchTrain.featureShape.count == 3
            ? try AutoMLData(name: "data", train: searchTrain, test: heldOut)
            : try AutoMLData.tabular(name: "data", train: searchTrain, test: heldOut)
        let space = AutoSearchSpace.defaults(for: data.train, timeBudget: timeBudget, models: models, maxEpochs: maxEpochs)
        let automl = try AutoML(data: data, options: AutoMLOptions(
            timeBudget: timeBudget, maxTrials: maxTrials, jobs: jobs, seed: seed,
            studyName: studyName, validationFraction: validationFraction, space: space, ensembleSize: ensemble, refit: refit))
        let watch = InterruptWatch { automl.interrupt() }
        defer { watch.finish() }
        let study: Study, model: AutoMLModel
        do {
            (study, model) = try automl.run(storage: try openStorage(url: storageURL))
        } catch where watch.fired {
            throw APIError(.interrupted, "hone_auto was interrupted by hone_interrupt (its running trials are stored FAIL "
                + "\"interrupted\"; no model was trained)")
        }
        if let output { try automl.save(model, to: output) }
        if let report { try HTMLReport.write(study: study, to: report, title: "hone_auto") }

        var result: [String: JSONValue] = [
            "study": .string(study.name),
            "task": .string(data.task.rawValue),
            "trial": .number(Double(model.trial.number)),
            "trials": .number(Double(try study.trialCount())),
            "params": .object(model.trial.params.mapValues { JSONValue($0) }),
            "ensemble_trials": .array(model.members.map { .number(Double($0.number)) }),
            "seconds": .number(model.seconds),
            "test_samples": .number(Double(model.test.sampleCount)),
            "test_loss": .number(model.test.loss),
            "notes": .array(data.notes.map(JSONValue.string)),
        ]
        if let a = model.test.accuracy { result["test_accuracy"] = .number(a) }
        if let r = model.test.rmse { result["test_rmse"] = .number(r) }
        if let r2 = model.test.r2 { result["test_r2"] = .number(r2) }
        // The model sees standardized features (and predicts standardized targets) for
        // tabular data: callers apply these to their own inputs and outputs.
        if let scaler = data.featureScaler {
            result["feature_mean"] = .array(scaler.mean.map { .number(Double($0)) })
            result["feature_std"] = .array(scaler.std.map { .number(Double($0)) })
        }
        if let mean = data.targetMean, let std = data.targetStd {
            result["target_mean"] = .number(Double(mean))
            result["target_std"] = .number(Double(std))
        }
        if let modelOut {
            modelOut.pointee = HandleTable.shared.insert(
                ModelHandle(model.trainer.model, classification: data.task == .classification), kind: .model)
        }
        if let resultOut { resultOut.pointee = mallocString(JSONValue.object(result).jsonText) }
    }
}
