// AutoML: search the default space with an automatically chosen sampler (AutoSampler) and a
// multi-fidelity pruner (Hyperband over epochs) within a time budget, on a validation split
// held out of the training data; then retrain the best configuration on all training data
// and measure it on the test data. `hone auto` is a thin layer over this type; the C API
// and Python bindings call the same methods.
//
// The time budget covers the search: no trial starts after the deadline, and a running
// trial stops before an epoch that would end past it (judged by its last epoch's time), or
// at the deadline itself in the middle of an epoch, and is stored PRUNED with what it had
// reported, so the trials that finished are kept. The final refit runs after the search,
// whatever its length.
//
// With `ensembleSize` > 1 the refit retrains the best few configurations (distinct trials,
// in the order of their validation score), `jobs` at a time on one BLAS thread each, and
// joins them into one model that averages their predictions (HoneNN's Ensemble): members
// that differ in architecture and training make different mistakes, and on two cores two
// single-threaded refits take little longer than one on two threads.

import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor

/// How an AutoML run searches.
public struct AutoMLOptions: Sendable {
    /// Seconds for the search (nil: until `maxTrials`, or until stopped).
    public var timeBudget: TimeInterval?
    /// Trials to run in this call (nil: until the time budget is used).
    public var maxTrials: Int?
    /// Trials trained at once (each with single-threaded BLAS when > 1).
    public var jobs: Int
    /// Seeds the study (sampler, pruner brackets), the validation split, every trial's
    /// weights and training, and the final refit: same seed and `jobs` = 1 → same trials.
    public var seed: UInt64
    /// The study's name (nil: `auto-` + the data's name).
    public var studyName: String?
    /// Share of the training data held out to compare configurations (nil: 0.1, or 0.2
    /// for fewer than 2,000 samples, where 10 % is too few to rank by).
    public var validationFraction: Double?
    /// The space to search (nil: `AutoSearchSpace.defaults(for:)` the training data).
    public var space: AutoSearchSpace?
    /// Enqueue the space's default configuration (`AutoSearchSpace.defaultParameters`) as
    /// the study's first trial, marked with the user attribute "auto.baseline", so the
    /// search starts from it and the tuned result can be compared with it.
    public var baseline: Bool
    /// Configurations the final refit retrains and averages (1: the best one alone; nil:
    /// one per worker, at most 3 — trained side by side, they cost about one refit's time).
    public var ensembleSize: Int?

    public init(timeBudget: TimeInterval? = nil, maxTrials: Int? = nil, jobs: Int = 1, seed: UInt64 = 0,
                studyName: String? = nil, validationFraction: Double? = nil, space: AutoSearchSpace? = nil,
                baseline: Bool = false, ensembleSize: Int? = nil) {
        self.timeBudget = timeBudget
        self.maxTrials = maxTrials
        self.jobs = jobs
        self.seed = seed
        self.studyName = studyName
        self.validationFraction = validationFraction
        self.space = space
        self.baseline = baseline
        self.ensembleSize = ensembleSize
    }
}

/// Test-set metrics of the final model, in the target's own units.
public struct AutoMLTestMetrics: Equatable, Sendable {
    public var sampleCount: Int
    /// Cross-entropy (classification) or MSE on standardized targets (regression).
    public var loss: Double
    /// Classification.
    public var accuracy: Double?
    /// Regression: root mean squared error in the target's units, and R² (1 − SSE/SST
    /// over the test targets).
    public var rmse: Double?
    public var r2: Double?
}

/// The final model of an AutoML run and how it was made.
public struct AutoMLModel {
    /// The best trial retrained (the first member of an ensemble).
    public var trial: FrozenTrial
    /// Every trial whose configuration was retrained, best first (one unless ensembled).
    public var members: [FrozenTrial]
    /// `trial`'s configuration; for an ensemble, `model` describes the whole ensemble.
    public var configuration: AutoConfiguration
    /// The trainer holding the retrained network (`trainer.model`; an ensemble's is one
    /// model averaging its members).
    public var trainer: Trainer
    public var test: AutoMLTestMetrics
    public var seconds: Double
}

public final class AutoML: @unchecked Sendable {
    public let data: AutoMLData
    public let options: AutoMLOptions
    public let space: AutoSearchSpace
    /// What the search trains on and ranks by (both parts of `data.train`).
    public let searchTrain: Dataset
    public let searchValidation: Dataset
    /// val_accuracy (maximized) for classification, val_mse (minimized) for regression.
    public let metric: Metric

    private let interruptLock = NSLock()
    private var interrupted = false
    private var searching: Study?

    public init(data: AutoMLData, options: AutoMLOptions = AutoMLOptions()) throws {
        guard options.jobs >= 1 else { throw TuningError.invalidArgument("jobs must be at least 1, got \(options.jobs)") }
        if let size = options.ensembleSize, !(1...EnsembleDescription.maxMembers).contains(size) {
            throw TuningError.invalidArgument("ensemble size must be 1 to \(EnsembleDescription.maxMembers), got \(size)")
        }
        if let t = options.timeBudget, !(t > 0) { throw TuningError.invalidArgument("time budget must be positive seconds, got \(t)") }
        if let n = options.maxTrials, n < 1 { throw TuningError.invalidArgument("maxTrials must be at least 1, got \(n)") }
        self.data = data
        self.options = options
        let space = options.space ?? AutoSearchSpace.defaults(for: data.train)
        try space.validate()
        self.space = space
        let fraction = options.validationFraction ?? (data.train.count < 2000 ? 0.2 : 0.1)
        var rng = RandomGenerator.derived(seed: options.seed, stableHash("auto.validation"))
        (searchTrain, searchValidation) = try data.train.trainValidationSplit(validationFraction: fraction, stratified: true, seed: rng.next())
        metric = data.task == .classification ? .validationAccuracy : .validationMSE
    }

    public var direction: StudyDirection { metric.higherIsBetter ? .maximize : .minimize }
    /// Configurations the final refit averages (`AutoMLOptions.ensembleSize`).
    public var ensembleSize: Int { options.ensembleSize ?? min(options.jobs, 3) }
    public var studyName: String {
        options.studyName ?? "auto-" + URL(fileURLWithPath: data.name).deletingPathExtension().lastPathComponent
    }

    /// Creates the study on `storage` (or resumes it: a study of the same name continues
    /// with its trials), with AutoSampler and a Hyperband pruner over epochs
    /// (minEpochs…maxEpochs, η = 3).
    public func makeStudy(storage: Storage) throws -> Study {
        let sampler = AutoSampler(budget: options.maxTrials, deterministicParallelism: options.jobs > 1 ? options.jobs : nil)
        let pruner = try HyperbandPruner(minResource: space.minEpochs, maxResource: space.maxEpochs, reductionFactor: 3)
        let study = try Study.create(name: studyName, storage: storage, directions: [direction], sampler: sampler,
                                     pruner: pruner, seed: options.seed, loadIfExists: true)
        try study.setUserAttribute("auto.task", .string(data.task.rawValue))
        try study.setUserAttribute("auto.data", .string(data.name))
        try study.setUserAttribute("auto.metric", .string(metric.rawValue))
        if options.baseline {
            // Once per study: a resumed study keeps its baseline trial.
            try study.enqueueTrial(space.defaultParameters(inputShape: data.train.featureShape),
                                   userAttrs: [Self.baselineAttribute: .bool(true)], skipIfExists: true)
        }
        return study
    }

    /// The user attribute marking the enqueued default configuration.
    public static let baselineAttribute = "auto.baseline"

    /// The finished trial of the default configuration (see `AutoMLOptions.baseline`), if
    /// the study has one that trained (COMPLETE, or PRUNED by Hyperband: its parameters
    /// are all a refit needs).
    public func baselineTrial(of study: Study) throws -> FrozenTrial? {
        try study.trials(states: [.complete, .pruned]).first {
            $0.userAttrs[Self.baselineAttribute] == .bool(true) && (try? configuration(of: $0)) != nil
        }
    }

    /// Seeds `study` with the COMPLETE trials of `source` that fit this run's space.
    public func warmStart(_ study: Study, from source: Study) throws -> WarmStartSummary {
        try study.warmStart(from: source, space: space.distributions)
    }

    /// Runs trials until the time budget or `maxTrials` is used. `onTrialFinished` runs
    /// after each trial is stored, on the worker's thread.
    /// After `interrupt()`, returns once the running trials are stored (FAIL "interrupted").
    public func search(_ study: Study, onTrialFinished: (@Sendable (Study, FrozenTrial) -> Void)? = nil) throws {
        let deadline = options.timeBudget.map { Date().addingTimeInterval($0) }
        let objective: @Sendable (Trial) throws -> Double = { [self] trial in
            // `Study.optimize` clears a stop made before it began: stop here instead.
            if isInterrupted {
                study.stop()
                throw try trial.failInterrupted()
            }
            return try self.evaluate(trial, deadline: deadline)
        }
        interruptLock.lock(); searching = study; interruptLock.unlock()
        defer { interruptLock.lock(); searching = nil; interruptLock.unlock() }
        try withBLASThreads(options.jobs > 1 ? 1 : nil) {
            try study.optimize(objective, nTrials: options.maxTrials, timeout: options.timeBudget, nJobs: options.jobs,
                               callbacks: onTrialFinished.map { [$0] } ?? [])
        }
    }

    /// Thread-safe (not async-signal-safe: call it from a dispatch signal source or another
    /// thread): the search starts no new trial, and running trials stop within one batch
    /// and are stored FAIL with the reason "interrupted". Lasts for this object's life.
    public func interrupt() {
        interruptLock.lock()
        interrupted = true
        let study = searching
        interruptLock.unlock()
        study?.stop()
    }

    /// True once `interrupt()` was called.
    public var isInterrupted: Bool { interruptLock.lock(); defer { interruptLock.unlock() }; return interrupted }

    /// One trial: suggest a configuration, train it on the search split reporting the
    /// metric per epoch (Hyperband prunes at its rungs), return the last epoch's value.
    func evaluate(_ trial: Trial, deadline: Date?) throws -> Double {
        var seeds = trial.random(for: "auto.training")
        let configuration = try space.suggest(trial, inputShape: data.train.featureShape, outputCount: data.train.outputCount,
                                              task: data.task, seed: seeds.next())
        let trainer = try Trainer(description: configuration.model, config: configuration.trainer)
        try trial.setUserAttribute("parameter_count", .number(Double(trainer.model.parameterCount)))
        var pruned = false, cut = false
        var interrupted = false
        trainer.interruption = { [self] in
            if isInterrupted { return true }
            // Mid-epoch: the first epoch's length is unknown, so it cannot be foreseen.
            if let deadline, Date() >= deadline { interrupted = true }
            return interrupted
        }
        var failure: Error?
        var result: TrainingResult?
        do {
            try withUnsafeMutablePointer(to: &pruned) { p in
                try withUnsafeMutablePointer(to: &failure) { f in
                    let report = trial.epochCallback(metric: metric, fold: 0, pruned: p, failure: f)
                    var epochStart = Date()
                    result = try trainer.fit(searchTrain, validation: searchValidation) { m in
                        if report(m) == .stop { return .stop }
                        let now = Date()
                        let epochSeconds = now.timeIntervalSince(epochStart)
                        epochStart = now
                        // Stop before an epoch that would end past the deadline, not after it.
                        if let deadline, m.epoch < self.space.maxEpochs, now.addingTimeInterval(epochSeconds) > deadline {
                            cut = true
                            return .stop
                        }
                        return .proceed
                    }
                }
            }
        } catch where isInterrupted {
            throw try trial.failInterrupted()
        }
        // Running when interrupted (training stopped within a batch): FAIL "interrupted".
        if isInterrupted { throw try trial.failInterrupted() }
        if let failure { throw failure }
        if pruned { throw TrialPruned("pruned after epoch \(trainer.epochsCompleted)") }
        if cut || interrupted {
            try trial.setUserAttribute("auto.cut_by_time_budget", .bool(true))
            throw TrialPruned("time budget reached after epoch \(trainer.epochsCompleted) of \(space.maxEpochs)")
        }
        guard let result else { throw TuningError.missingMetric(metric, epoch: 0) }
        return try finalValue(result, metric)
    }

    /// The trial to retrain: the best COMPLETE trial whose parameters describe a
    /// configuration of this space; when none completed (a budget shorter than one full
    /// trial), the trial that got furthest, best at its last report.
    public func bestTrial(of study: Study) throws -> FrozenTrial {
        for t in try completeTrialsBestFirst(of: study) where (try? configuration(of: t)) != nil { return t }
        let better: (Double, Double) -> Bool = { self.direction.isBetter($0, than: $1) }
        let partial = try study.trials(states: [.pruned]).compactMap { t -> (FrozenTrial, Int, Double)? in
            guard let last = t.intermediateCurve().last, let v = last.values.first, v.isFinite, (try? configuration(of: t)) != nil else { return nil }
            return (t, last.step, v)
        }
        guard let furthest = partial.max(by: { $0.1 != $1.1 ? $0.1 < $1.1 : better($1.2, $0.2) }) else {
            throw TuningError.invalidArgument("study \"\(study.name)\" has no trial that trained a configuration of this space (give the search more time or trials)")
        }
        return furthest.0
    }

    /// The COMPLETE trials with a finite value, best first (ties: the earlier trial).
    private func completeTrialsBestFirst(of study: Study) throws -> [FrozenTrial] {
        try study.trials(states: [.complete]).filter { $0.values?.first?.isFinite == true }.sorted {
            direction.isBetter($0.values![0], than: $1.values![0]) || ($0.values![0] == $1.values![0] && $0.number < $1.number)
        }
    }

    /// The configuration a stored trial describes.
    public func configuration(of trial: FrozenTrial) throws -> AutoConfiguration {
        var rng = RandomGenerator.derived(seed: options.seed, stableHash("auto.refit"))
        return try space.configuration(params: trial.params, inputShape: data.train.featureShape, outputCount: data.train.outputCount,
                                       task: data.task, seed: rng.next())
    }

    /// The trials the final refit retrains: the best trial (`bestTrial(of:)`), then the next
    /// best COMPLETE trials with other parameters whose validation error is at most
    /// `ensembleErrorTolerance` times the best's, up to `ensembleSize` in all.
    public func refitTrials(of study: Study) throws -> [FrozenTrial] {
        let best = try bestTrial(of: study)
        guard ensembleSize > 1, let bestValue = best.values?.first else { return [best] }
        let error: (Double) -> Double = { self.metric.higherIsBetter ? 1 - $0 : $0 }
        let limit = Self.ensembleErrorTolerance * error(bestValue)
        var chosen = [best]
        for t in try completeTrialsBestFirst(of: study) where chosen.count < ensembleSize {
            guard error(t.values![0]) <= limit else { break }  // best first: the rest are worse
            if !chosen.contains(where: { $0.params == t.params }), (try? configuration(of: t)) != nil { chosen.append(t) }
        }
        return chosen
    }

    /// How much worse than the best trial's validation error (1 − accuracy, or the MSE) an
    /// ensemble member's may be. Averaging in a clearly weaker network costs more than its
    /// different mistakes give back: with Fashion-MNIST's 15-minute search the best three
    /// were within 3 % of each other and helped; the default MLP beside a CNN (error 0.105
    /// against 0.084) would not.
    public static let ensembleErrorTolerance = 1.1

    /// Retrains `trial`'s configuration on all training data for the full epoch budget
    /// and measures it on the test data. `onEpoch` sees each epoch (for progress).
    /// `interrupt()` stops it within a batch: it throws `TrialInterrupted`.
    public func refit(_ trial: FrozenTrial, onEpoch: ((EpochMetrics) -> Void)? = nil) throws -> AutoMLModel {
        try refit([trial], onEpoch: onEpoch.map { report in { _, m in report(m) } })
    }

    /// Retrains each trial's configuration on all training data, `options.jobs` at a time
    /// (one BLAS thread each when more than one run at once), and joins them into one
    /// model averaging their predictions (the first trial alone when there is one).
    /// `onEpoch` sees each member's epochs with the member's index, on its thread.
    public func refit(_ trials: [FrozenTrial], onEpoch: ((_ member: Int, EpochMetrics) -> Void)? = nil) throws -> AutoMLModel {
        guard let best = trials.first else { throw TuningError.invalidArgument("refit: no trial to retrain") }
        let start = Date()
        let configurations = try trials.map { try configuration(of: $0) }
        let trainers = try configurations.map { c -> Trainer in
            let trainer = try Trainer(description: c.model, config: c.trainer)
            trainer.interruption = { [self] in isInterrupted }
            return trainer
        }
        let workers = min(options.jobs, trainers.count)
        // Each slot is written by the one worker that trains that member.
        var failures = [Error?](repeating: nil, count: trainers.count)
        withBLASThreads(workers > 1 ? 1 : nil) {
            failures.withUnsafeMutableBufferPointer { slots in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for k in stride(from: worker, to: trainers.count, by: workers) {
                        do {
                            try trainers[k].fit(data.train) { m in onEpoch?(k, m); return .proceed }
                        } catch {
                            slots[k] = error
                        }
                    }
                }
            }
        }
        if isInterrupted { throw TrialInterrupted() }
        if let k = failures.firstIndex(where: { $0 != nil }), let error = failures[k] {
            throw trainers.count == 1 ? error : TuningError.invalidArgument("retraining trial \(trials[k].number): \(error)")
        }
        var described = configurations[0]
        var trainer = trainers[0]
        if trainers.count > 1 {
            let average: EnsembleAverage = data.task == .classification ? .logProbabilities : .outputs
            let model = try Sequential(ensembleOf: trainers.map { $0.model }, average: average)
            trainer = try Trainer(model: model, config: described.trainer)
            if let description = model.modelDescription { described.model = description }
        }
        return AutoMLModel(trial: best, members: trials, configuration: described, trainer: trainer, test: try test(trainer),
                           seconds: Date().timeIntervalSince(start))
    }

    /// Test metrics of a trained model, in the target's units.
    public func test(_ trainer: Trainer) throws -> AutoMLTestMetrics {
        let e = try trainer.evaluate(data.test)
        var metrics = AutoMLTestMetrics(sampleCount: e.sampleCount, loss: e.loss, accuracy: e.accuracy)
        if let mse = e.meanSquaredError, case let .regression(values, _) = data.test.targets {
            metrics.rmse = data.targetUnits(mse.squareRoot())
            // Both errors are in standardized units; R² is scale-free.
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let total = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
            metrics.r2 = total > 0 ? 1 - mse / total : nil
        }
        return metrics
    }

    /// Search, then refit the best trial: the whole of `hone auto` without printing.
    /// After `interrupt()` it throws `TrialInterrupted` (the search's trials are stored).
    public func run(storage: Storage, warmStartFrom source: Study? = nil,
                    onTrialFinished: (@Sendable (Study, FrozenTrial) -> Void)? = nil) throws -> (study: Study, model: AutoMLModel) {
        let study = try makeStudy(storage: storage)
        if let source { _ = try warmStart(study, from: source) }
        try search(study, onTrialFinished: onTrialFinished)
        if isInterrupted { throw TrialInterrupted() }
        return (study, try refit(try refitTrials(of: study)))
    }

    /// Saves the final model as `.safetensors`, with what is needed to use it in the
    /// metadata: the task, the trial's parameters, test metrics, and the feature and
    /// target scaling to apply to new inputs and outputs.
    public func save(_ model: AutoMLModel, to path: String) throws {
        var metadata: [String: String] = [
            "hone.automl.task": data.task.rawValue,
            "hone.automl.data": data.name,
            "hone.automl.trial": String(model.trial.number),
            "hone.automl.params": JSONValue.object(model.trial.params.mapValues { JSONValue($0) }).jsonText,
        ]
        if model.members.count > 1 {
            metadata["hone.automl.ensemble_trials"] = JSONValue.array(model.members.map { .number(Double($0.number)) }).jsonText
        }
        if let a = model.test.accuracy { metadata["hone.automl.test_accuracy"] = String(a) }
        if let r = model.test.rmse { metadata["hone.automl.test_rmse"] = String(r) }
        if let r2 = model.test.r2 { metadata["hone.automl.test_r2"] = String(r2) }
        if let scaler = data.featureScaler {
            metadata["hone.automl.feature_mean"] = JSONValue.array(scaler.mean.map { .number(Double($0)) }).jsonText
            metadata["hone.automl.feature_std"] = JSONValue.array(scaler.std.map { .number(Double($0)) }).jsonText
        }
        if let mean = data.targetMean, let std = data.targetStd {
            metadata["hone.automl.target_mean"] = String(mean)
            metadata["hone.automl.target_std"] = String(std)
        }
        if let names = data.train.classNames { metadata["hone.automl.class_names"] = JSONValue.array(names.map(JSONValue.string)).jsonText }
        try model.trainer.model.save(to: path, metadata: metadata)
    }
}
