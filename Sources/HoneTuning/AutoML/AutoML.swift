// AutoML: search the default space with an automatically chosen sampler (AutoSampler) and a
// multi-fidelity pruner (Hyperband over epochs) within a time budget, on a validation split
// held out of the training data; then build the final model from the search's best
// networks and measure it on the test data. `hone auto` is a thin layer over this type;
// the C API and Python bindings call the same methods.
//
// The time budget covers the search: no trial starts after the deadline, and a running
// trial stops before an epoch that would end past it (judged by its last epoch's time), or
// at the deadline itself in the middle of an epoch, and is stored PRUNED with what it had
// reported, so the trials that finished are kept.
//
// The final model averages (HoneNN's Ensemble) the networks that COMPLETE trials trained
// in the search, chosen by ensemble selection on the validation split (EnsembleSelection):
// members that differ in architecture and training make different mistakes. They are the
// search's own networks, kept in memory, so the final model costs no training: on
// Fashion-MNIST's 15-minute search three of them scored test 0.9271 where the best
// configuration retrained on all the training data scored 0.9220 after 230 s more
// (BENCHMARKS.md). `refit` retrains the chosen configurations on all training data
// instead, `jobs` at a time on one BLAS thread each.

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
    /// Most networks the final model averages (1: the best trial's alone; nil: 5). Ensemble
    /// selection stops earlier when another network would not improve the validation score.
    public var ensembleSize: Int?
    /// Retrain the chosen configurations on all training data (search and validation
    /// splits) for the full epoch budget instead of keeping the networks the search trained.
    public var refit: Bool

    public init(timeBudget: TimeInterval? = nil, maxTrials: Int? = nil, jobs: Int = 1, seed: UInt64 = 0,
                studyName: String? = nil, validationFraction: Double? = nil, space: AutoSearchSpace? = nil,
                baseline: Bool = false, ensembleSize: Int? = nil, refit: Bool = false) {
        self.timeBudget = timeBudget
        self.maxTrials = maxTrials
        self.jobs = jobs
        self.seed = seed
        self.studyName = studyName
        self.validationFraction = validationFraction
        self.space = space
        self.baseline = baseline
        self.ensembleSize = ensembleSize
        self.refit = refit
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
    /// The best trial (the first member of an ensemble).
    public var trial: FrozenTrial
    /// Every trial whose network the model averages, in the order chosen (one unless ensembled).
    public var members: [FrozenTrial]
    /// `trial`'s configuration; for an ensemble, `model` describes the whole ensemble.
    public var configuration: AutoConfiguration
    /// The trainer holding the network (`trainer.model`; an ensemble's is one model
    /// averaging its members).
    public var trainer: Trainer
    public var test: AutoMLTestMetrics
    /// Seconds `finalModel` took (averaging, and training what was not in memory or, with
    /// `refit`, retraining).
    public var seconds: Double
    /// True when the members were retrained on all training data (`AutoMLOptions.refit`).
    public var retrained: Bool
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
        if let size = options.ensembleSize, !(1...Self.keptNetworks).contains(size) {
            throw TuningError.invalidArgument("ensemble size must be 1 to \(Self.keptNetworks), got \(size)")
        }
        if let t = options.timeBudget, !(t > 0) { throw TuningError.invalidArgument("time budget must be positive seconds, got \(t)") }
        if let n = options.maxTrials, n < 1 { throw TuningError.invalidArgument("maxTrials must be at least 1, got \(n)") }
        self.data = data
        self.options = options
        let space = options.space ?? AutoSearchSpace.defaults(for: data.train, timeBudget: options.timeBudget)
        try space.validate()
        self.space = space
        let fraction = options.validationFraction ?? (data.train.count < 2000 ? 0.2 : 0.1)
        var rng = RandomGenerator.derived(seed: options.seed, stableHash("auto.validation"))
        (searchTrain, searchValidation) = try data.train.trainValidationSplit(validationFraction: fraction, stratified: true, seed: rng.next())
        metric = data.task == .classification ? .validationAccuracy : .validationMSE
    }

    public var direction: StudyDirection { metric.higherIsBetter ? .maximize : .minimize }
    /// Most networks the final model averages (`AutoMLOptions.ensembleSize`).
    public var ensembleSize: Int { options.ensembleSize ?? 5 }
    public var studyName: String {
        options.studyName ?? "auto-" + URL(fileURLWithPath: data.name).deletingPathExtension().lastPathComponent
    }

    /// Creates the study on `storage` (or resumes it: a study of the same name continues
    /// with its trials), with AutoSampler and a Hyperband pruner over epochs
    /// (minEpochs…lastRungEpochs, η = `AutoSearchSpace.hyperbandReductionFactor`).
    public func makeStudy(storage: Storage) throws -> Study {
        // Each ask sees the trials finished by then, running ones as the GP's kriging
        // believers — not the deterministic parallel mode, where trial k waits until every
        // trial up to k − jobs has finished. With Hyperband's asynchronous rungs (which
        // trials a rung has seen depends on timing) several jobs never repeat a run anyway,
        // and the waits idled a worker behind the longest trial: 19 % and 34 % of the worker
        // time of two 60-minute Fashion-MNIST runs (one trial waited 28 minutes for a 30-epoch
        // 28 → 56-channel CNN). Same seed with `jobs` = 1 still gives the same trials.
        let sampler = AutoSampler(budget: options.maxTrials)
        let pruner = try HyperbandPruner(minResource: space.minEpochs, maxResource: space.lastRungEpochs,
                                         reductionFactor: AutoSearchSpace.hyperbandReductionFactor)
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
        let value = try finalValue(result, metric)
        // A non-finite value is stored FAIL: not a network to average.
        if value.isFinite {
            keep(SearchNetwork(trial: trial.number, value: value, model: trainer.model,
                               validationOutputs: try trainer.outputs(searchValidation),
                               pinned: trial.userAttributes[Self.baselineAttribute] == .bool(true)),
                 study: trial.study.name)
        }
        return value
    }

    // MARK: The search's trained networks

    /// A network a trial trained on the search split, with its outputs on the validation
    /// split (what ensemble selection compares).
    struct SearchNetwork {
        let trial: Int
        /// The trial's value (its last report for a PRUNED trial).
        let value: Double
        let model: Sequential
        let validationOutputs: [Float]
        /// Never dropped: the baseline trial's network (the comparison at the end) and
        /// networks trained again for a resumed study (so they are trained once).
        let pinned: Bool
    }

    /// The search's networks in memory, for one study (`storeStudy`): the best
    /// `keptNetworks` of this run's COMPLETE trials, plus the pinned ones.
    private var store: [Int: SearchNetwork] = [:]
    private var storeStudy: String?
    private let storeLock = NSLock()

    /// How many of the search's networks stay in memory: ensemble selection picks among
    /// the best of these. Fashion-MNIST's networks are 0.1–4 MB each (weights only: their
    /// gradients are dropped).
    public static let keptNetworks = 16

    private func keep(_ network: SearchNetwork, study: String) {
        for p in network.model.parameters { p.dropGrad() }
        storeLock.lock(); defer { storeLock.unlock() }
        if storeStudy != study { store = [:]; storeStudy = study }
        store[network.trial] = network
        // Ordered as `completeTrialsBestFirst`, the last is the one to drop.
        let unpinned = store.values.filter { !$0.pinned }
        if unpinned.count > Self.keptNetworks,
           let worst = unpinned.max(by: { ranksBefore(($0.value, $0.trial), ($1.value, $1.trial)) }) {
            store[worst.trial] = nil
        }
    }

    /// The networks `trials` trained in the search: the ones in memory, the others (trials
    /// of an earlier run of a resumed study, or dropped) trained again as the search
    /// trained them — same split and seeds when resumed with the same options, one BLAS
    /// thread each when `jobs` > 1 — and kept. `onTraining` hears how many must be trained
    /// before they are.
    func searchNetworks(_ trials: [FrozenTrial], study: Study, onTraining: ((Int) -> Void)? = nil,
                        onEpoch: ((_ index: Int, EpochMetrics) -> Void)? = nil) throws -> [SearchNetwork] {
        storeLock.lock()
        var found = trials.map { storeStudy == study.name ? store[$0.number] : nil }
        storeLock.unlock()
        let missing = found.indices.filter { found[$0] == nil }
        guard !missing.isEmpty else { return found.map { $0! } }
        onTraining?(missing.count)
        let trainers = try missing.map { k -> Trainer in
            let c = try searchConfiguration(of: trials[k], study: study)
            return try Trainer(description: c.model, config: c.trainer)
        }
        try trainSideBySide(trainers, on: searchTrain, validation: searchValidation, labels: missing.map { trials[$0].number },
                            oneThreadEach: options.jobs > 1, onEpoch: onEpoch.map { report in { i, m in report(missing[i], m) } })
        for (k, trainer) in zip(missing, trainers) {
            let network = SearchNetwork(trial: trials[k].number, value: trials[k].values?.first ?? .nan, model: trainer.model,
                                        validationOutputs: try trainer.outputs(searchValidation), pinned: true)
            keep(network, study: study.name)
            found[k] = network
        }
        return found.map { $0! }
    }

    /// The configuration `trial` trained in the search (its own seeds, as `evaluate` drew
    /// them from `Trial.random(for: "auto.training")`).
    func searchConfiguration(of trial: FrozenTrial, study: Study) throws -> AutoConfiguration {
        var seeds = Trial.random(studySeed: study.seed, trial: trial.number, key: "auto.training")
        return try space.configuration(params: trial.params, inputShape: data.train.featureShape, outputCount: data.train.outputCount,
                                       task: data.task, seed: seeds.next())
    }

    /// Trains each trainer on `data`, `options.jobs` at a time, on one BLAS thread each when
    /// more than one run at once or `oneThreadEach` (as the search's trials ran). `labels`
    /// name the trainers in errors (trial numbers).
    private func trainSideBySide(_ trainers: [Trainer], on data: Dataset, validation: Dataset? = nil, labels: [Int],
                                 oneThreadEach: Bool = false, onEpoch: ((_ index: Int, EpochMetrics) -> Void)? = nil) throws {
        guard !trainers.isEmpty else { return }
        for t in trainers { t.interruption = { [self] in isInterrupted } }
        let workers = min(options.jobs, trainers.count)
        // Each slot is written by the one worker that trains that trainer.
        var failures = [Error?](repeating: nil, count: trainers.count)
        withBLASThreads(workers > 1 || oneThreadEach ? 1 : nil) {
            failures.withUnsafeMutableBufferPointer { slots in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for k in stride(from: worker, to: trainers.count, by: workers) {
                        do {
                            try trainers[k].fit(data, validation: validation) { m in onEpoch?(k, m); return .proceed }
                        } catch {
                            slots[k] = error
                        }
                    }
                }
            }
        }
        if isInterrupted { throw TrialInterrupted() }
        if let k = failures.firstIndex(where: { $0 != nil }), let error = failures[k] {
            throw trainers.count == 1 ? error : TuningError.invalidArgument("training trial \(labels[k]): \(error)")
        }
    }

    /// The final model's first member: the best COMPLETE trial whose parameters describe a
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

    /// The COMPLETE trials with a finite value, best first (`ranksBefore`).
    private func completeTrialsBestFirst(of study: Study) throws -> [FrozenTrial] {
        try study.trials(states: [.complete]).filter { $0.values?.first?.isFinite == true }.sorted {
            ranksBefore(($0.values![0], $0.number), ($1.values![0], $1.number))
        }
    }

    /// The one order of finished trials, by (value, trial number): the better value first,
    /// ties to the earlier trial. The best trial and the networks kept in memory follow it.
    private func ranksBefore(_ a: (value: Double, trial: Int), _ b: (value: Double, trial: Int)) -> Bool {
        direction.isBetter(a.value, than: b.value) || (a.value == b.value && a.trial < b.trial)
    }

    /// The configuration a stored trial describes, with the final retraining's seed.
    public func configuration(of trial: FrozenTrial) throws -> AutoConfiguration {
        var rng = RandomGenerator.derived(seed: options.seed, stableHash("auto.refit"))
        return try space.configuration(params: trial.params, inputShape: data.train.featureShape, outputCount: data.train.outputCount,
                                       task: data.task, seed: rng.next())
    }

    /// The trials whose networks the final model averages, in the order chosen: the best
    /// trial (`bestTrial(of:)`), then what ensemble selection (EnsembleSelection) adds from
    /// the next best COMPLETE trials (2 × `ensembleSize` candidates), up to `ensembleSize`.
    /// Candidates this process did not train (a resumed study) are trained again as the
    /// search trained them, so the choice does not depend on where the search ran.
    public func ensembleMembers(of study: Study, onTraining: ((Int) -> Void)? = nil) throws -> [FrozenTrial] {
        let best = try bestTrial(of: study)
        guard ensembleSize > 1, best.state == .complete else { return [best] }
        let candidates = Array(try completeTrialsBestFirst(of: study).filter { (try? configuration(of: $0)) != nil }
            .prefix(min(2 * ensembleSize, Self.keptNetworks)))
        guard let first = candidates.firstIndex(where: { $0.number == best.number }), candidates.count > 1 else { return [best] }
        let networks = try searchNetworks(candidates, study: study, onTraining: onTraining)
        let chosen = EnsembleSelection.select(networks.map(\.validationOutputs), targets: searchValidation.targets,
                                              first: first, maxMembers: ensembleSize)
        return chosen.map { candidates[$0] }
    }

    /// The final model of `members` (best first, from `ensembleMembers(of:)`): the networks
    /// they trained in the search, averaged when there are several — or, with
    /// `AutoMLOptions.refit`, their configurations retrained on all training data for the
    /// full epoch budget — measured on the test data. `onEpoch` sees each member's epochs
    /// of any training with the member's index, on its thread. `interrupt()` stops the
    /// training within a batch: it throws `TrialInterrupted`.
    public func finalModel(_ members: [FrozenTrial], study: Study, onTraining: ((Int) -> Void)? = nil,
                           onEpoch: ((_ member: Int, EpochMetrics) -> Void)? = nil) throws -> AutoMLModel {
        guard let best = members.first else { throw TuningError.invalidArgument("final model: no trial to build it from") }
        let start = Date()
        let configurations: [AutoConfiguration]
        let models: [Sequential]
        var retrained: [Trainer] = []
        if options.refit {
            configurations = try members.map { try configuration(of: $0) }
            retrained = try configurations.map { try Trainer(description: $0.model, config: $0.trainer) }
            onTraining?(retrained.count)
            try trainSideBySide(retrained, on: data.train, labels: members.map(\.number), onEpoch: onEpoch)
            models = retrained.map(\.model)
        } else {
            configurations = try members.map { try searchConfiguration(of: $0, study: study) }
            models = try searchNetworks(members, study: study, onTraining: onTraining, onEpoch: onEpoch).map(\.model)
        }
        var described = configurations[0]
        var model = models[0]
        if models.count > 1 {
            model = try Sequential(ensembleOf: models, average: data.task == .classification ? .logProbabilities : .outputs)
            if let description = model.modelDescription { described.model = description }
        }
        // A single retrained member keeps its trainer (and its progress counters).
        let trainer = retrained.count == 1 ? retrained[0] : try Trainer(model: model, config: described.trainer)
        return AutoMLModel(trial: best, members: members, configuration: described, trainer: trainer, test: try test(trainer),
                           seconds: Date().timeIntervalSince(start), retrained: options.refit)
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

    /// Search, then build the final model: the whole of `hone auto` without printing.
    /// After `interrupt()` it throws `TrialInterrupted` (the search's trials are stored).
    public func run(storage: Storage, warmStartFrom source: Study? = nil,
                    onTrialFinished: (@Sendable (Study, FrozenTrial) -> Void)? = nil) throws -> (study: Study, model: AutoMLModel) {
        let study = try makeStudy(storage: storage)
        if let source { _ = try warmStart(study, from: source) }
        try search(study, onTrialFinished: onTrialFinished)
        if isInterrupted { throw TrialInterrupted() }
        return (study, try finalModel(try ensembleMembers(of: study), study: study))
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
