// hone.dataset, hone.mlp, hone.cnn, hone.fit, hone.evaluate, hone.cross_validate: a script
// tunes a real network without leaving Lua.
import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor
import HoneTuning

/// Caps that shrink a study's data and training (tests, quick looks); scripts need not
/// know about them.
public struct TrainingBudget: Equatable, Sendable {
    /// At most this many samples of each part (train, test) of a data set.
    public var maxSamples: Int?
    /// At most this many epochs per fit.
    public var maxEpochs: Int?

    public init(maxSamples: Int? = nil, maxEpochs: Int? = nil) {
        self.maxSamples = maxSamples
        self.maxEpochs = maxEpochs
    }
}

/// A data set as Lua sees it: the training part, and the test part when there is one.
final class DataHandle: LuaNamedType {
    static let luaTypeName = "Dataset (from hone.dataset)"
    let name: String
    let train: Dataset
    let test: Dataset?

    init(name: String, train: Dataset, test: Dataset?) {
        self.name = name
        self.train = train
        self.test = test
    }
}

final class ModelHandle: LuaNamedType {
    static let luaTypeName = "Model (from hone.mlp or hone.cnn)"
    let description: ModelDescription
    init(_ description: ModelDescription) { self.description = description }
}

final class TrainedModelHandle: LuaNamedType {
    static let luaTypeName = "TrainedModel (the model field of hone.fit's result)"
    let trainer: Trainer
    init(_ trainer: Trainer) { self.trainer = trainer }
}

/// Per-state facts the training functions need.
final class TrainingContext {
    let budget: TrainingBudget
    /// Relative data paths are resolved against the script's directory.
    let scriptDirectory: String
    /// Seeds for fits that name none: the running trial's stream, else a constant.
    var seedSource: () -> UInt64 = { 0 }

    init(budget: TrainingBudget, scriptDirectory: String) {
        self.budget = budget
        self.scriptDirectory = scriptDirectory
    }
}

enum TrainingBindings {
    static func functions(host: LuaHost, context: TrainingContext) -> [String: LuaSwiftFunction] {
        [
            "dataset": { [unowned host] args in [.object(try dataset(args.first ?? .nil, host: host, context: context))] },
            "mlp": { args in [.object(try mlp(try (args.first ?? .nil).table("argument 1 is")))] },
            "cnn": { args in [.object(try cnn(try (args.first ?? .nil).table("argument 1 is")))] },
            "fit": { [unowned host] args in [try fit(try (args.first ?? .nil).table("argument 1 is"), host: host, context: context)] },
            "evaluate": { args in
                let model = try (args.first ?? .nil).object("argument 1 is", as: TrainedModelHandle.self)
                let data = try (args.count > 1 ? args[1] : .nil).object("argument 2 is", as: DataHandle.self)
                let part = try (args.count > 2 ? args[2] : .nil).optional { try $0.string("argument 3 is") } ?? (data.test == nil ? "train" : "test")
                let dataset: Dataset
                switch part {
                case "test":
                    guard let test = data.test else { throw ScriptError.badValue("data set '\(data.name)' has no test part") }
                    dataset = test
                case "train": dataset = data.train
                default: throw ScriptError.badValue("argument 3 is '\(part)' (expected \"test\" or \"train\")")
                }
                return [evaluation(try model.trainer.evaluate(dataset))]
            },
            "cross_validate": { [unowned host] args in
                [try crossValidate(try (args.first ?? .nil).table("argument 1 is"), host: host, context: context)]
            },
        ]
    }

    static func registerTypes(in host: LuaHost) {
        host.registerType(DataHandle.self, name: "Dataset", methods: [:], properties: [
            "name": { .string($0.name) },
            "count": { .integer(Int64($0.train.count)) },
            "test_count": { .integer(Int64($0.test?.count ?? 0)) },
            "features": { .integer(Int64($0.train.featureCount)) },
            "shape": { .table(LuaTable(array: $0.train.featureShape.map { .integer(Int64($0)) })) },
            "classes": { .integer(Int64($0.train.outputCount)) },
        ])
        host.registerType(ModelHandle.self, name: "Model", methods: [:], properties: [
            "json": { .string($0.description.jsonString()) },
        ])
        host.registerType(TrainedModelHandle.self, name: "TrainedModel", methods: [:], properties: [
            "epochs": { .integer(Int64($0.trainer.epochsCompleted)) },
        ])
    }

    // MARK: Data

    /// hone.dataset("fashion-mnist") or hone.dataset { name = "table.csv", target = …, … }:
    /// the table as the C API's options JSON, read by the one data reader (HoneTuning's
    /// DataSpec), so every key, default and limit is the same as hone_dataset_load's.
    private static func dataset(_ value: LuaValue, host: LuaHost, context: TrainingContext) throws -> DataHandle {
        let what = "hone.dataset { … }"
        var fields: [String: JSONValue]
        switch value {
        case let .string(name): fields = ["name": .string(name)]
        case let .table(table):
            guard table.array.isEmpty else { throw ScriptError.badValue("\(what) takes named fields only (name = …, target = …)") }
            fields = try table.fields.mapValues { try $0.jsonValue("a field of \(what) is") }
            try renameOldSpellings(&fields, DataSpec.oldSpellings, in: what)
        default:
            throw ScriptError.badValue("argument 1 is \(value.shortDescription) (expected a data set name or { name = … })")
        }
        // The script's budget caps samples as "max_samples" would (the smaller wins).
        if let cap = context.budget.maxSamples {
            let asked = fields["max_samples"]?.intValue
            fields["max_samples"] = .number(Double(min(asked ?? cap, cap)))
        }
        let spec = try Self.spec {
            try DataSpec.read(AlgorithmOptions(fields, context: what)) { path in
                try host.resolveReadablePath(path, relativeTo: context.scriptDirectory)
            }
        }
        let (train, test) = try spec.load()
        return DataHandle(name: spec.displayName, train: train, test: test)
    }

    // MARK: Models

    private static func mlp(_ table: LuaTable) throws -> ModelHandle { try model("mlp", table) }

    private static func cnn(_ table: LuaTable) throws -> ModelHandle { try model("cnn", table) }

    /// hone.mlp { … } and hone.cnn { … }: the table as the C API's description JSON,
    /// read by the one model reader (HoneTuning's ModelSpec), so every key, default and
    /// limit is the same as hone_model_create's.
    private static func model(_ kind: String, _ table: LuaTable) throws -> ModelHandle {
        let what = "hone.\(kind) { … }"
        guard table.array.isEmpty else { throw ScriptError.badValue("\(what) takes named fields only (inputs = …, hidden = { … }, …)") }
        var fields = try table.fields.mapValues { try $0.jsonValue("a field of \(what) is") }
        try renameOldSpellings(&fields, ModelSpec.oldSpellings, in: what)
        guard fields["kind"] == nil else { throw ScriptError.badValue("\(what) has no field 'kind'") }
        fields["kind"] = .string(kind)
        do {
            let o = AlgorithmOptions(fields, context: what)
            let (description, _) = try ModelSpec.read(o)
            try o.checkAllUsed()
            return ModelHandle(description)
        } catch let StudyError.invalidArgument(message) {
            throw ScriptError.badValue(message)
        }
    }

    // MARK: Training

    /// hone.fit's and hone.cross_validate's own keys; the training keys are TrainSpec's.
    private static let fitFields: Set<String> = TrainSpec.trainerKeys.union(["model", "data", "on_epoch"])
        .union(TrainSpec.oldSpellings.keys)

    /// The table's training keys as the C API's options JSON, read by the one reader
    /// (HoneTuning's TrainSpec): the same keys, defaults and limits as hone_model_train.
    private static func trainerConfig(_ table: LuaTable, context: TrainingContext) throws -> TrainerConfig {
        var fields: [String: JSONValue] = [:]
        for (key, value) in table.fields where TrainSpec.trainerKeys.union(TrainSpec.oldSpellings.keys).contains(key) {
            switch key {
            case "optimizer", "schedule": fields[key] = try json(value, key)
            case "seed": continue   // below: Lua integers are 64-bit, JSON's exact ones 53-bit
            default: fields[key] = try value.jsonValue("field '\(key)' is")
            }
        }
        try renameOldSpellings(&fields, TrainSpec.oldSpellings, in: "hone.fit { … }")
        let o = AlgorithmOptions(fields, context: "hone.fit { … }")
        let seed = try table.optional("seed") { UInt64(bitPattern: try $0.integer($1)) } ?? context.seedSource()
        let config = try spec { try TrainSpec.trainer(o, seed: seed, maxEpochs: context.budget.maxEpochs) }
        try spec { try o.checkAllUsed() }
        return config
    }

    /// Renames keys a Lua table spelt otherwise before (to the spelling the C API and the
    /// CLI use), saying so on stderr; both spellings at once are an error.
    private static func renameOldSpellings(_ fields: inout [String: JSONValue], _ spellings: [String: String], in what: String) throws {
        for (old, new) in spellings.sorted(by: { $0.key < $1.key }) where fields[old] != nil {
            guard fields[new] == nil else { throw ScriptError.badValue("\(what): give \(new) only (\(old) is its old spelling)") }
            fields[new] = fields.removeValue(forKey: old)
            FileHandle.standardError.write(Data("hone: \(what): '\(old)' is deprecated, write '\(new)' (as the C API and the CLI do)\n".utf8))
        }
    }

    /// A name or { "name", option = … } as the JSON spec {"name": …, …}.
    private static func json(_ value: LuaValue, _ what: String) throws -> JSONValue {
        try AlgorithmChoice(value, what: what).spec()
    }

    /// The spec layer's errors as the script errors the rest of the host reports.
    private static func spec<T>(_ read: () throws -> T) throws -> T {
        do { return try read() } catch let StudyError.invalidArgument(message) { throw ScriptError.badValue(message) }
    }

    /// Runs a Lua epoch callback from the trainer's (non-throwing) callback: the first
    /// error is kept and training stops; the caller rethrows it.
    private final class EpochCallback {
        let function: LuaFunction?
        let host: LuaHost
        var error: Error?

        init(_ function: LuaFunction?, host: LuaHost) {
            self.function = function
            self.host = host
        }

        func call(_ arguments: [LuaValue]) -> TrainingAction {
            do {
                try host.checkLimits()
                guard let function else { return .proceed }
                let answer = try function.callForValue(arguments)
                return answer == .boolean(false) || answer == .string("stop") ? .stop : .proceed
            } catch {
                self.error = error
                return .stop
            }
        }
    }

    /// `resume = trial` under a study's scheduler: continue from the checkpoint of
    /// `trial.work.resume_from` (weights, optimizer state, epochs done; this fit's
    /// optimizer settings apply from here, as PBT's explore wants), train up to
    /// `trial.work.budget` epochs in all, and leave this trial's checkpoint in the study
    /// for the work that resumes it (Study.checkpoints; the driver drops what nothing can
    /// resume). Returns the trial and the epochs to train; nil without `resume`.
    private static func resumption(_ value: LuaValue, trainer: Trainer) throws -> (trial: Trial, epochs: Int)? {
        guard !value.isNil else { return nil }
        let trial = try value.object("field 'resume' is (pass the trial, under a study scheduler)", as: TrialHandle.self).trial
        guard let work = trial.work else {
            throw ScriptError.badValue("hone.fit { resume = trial }: trial \(trial.number) has no work (the study has no scheduler); leave resume out")
        }
        if let from = work.resumeFrom {
            guard let checkpoint = trial.study.checkpoints.checkpoint(ofTrial: from, as: Checkpoint.self) else {
                throw ScriptError.badValue("hone.fit { resume = trial }: no checkpoint of trial \(from) to resume "
                    + "(it is left by a hone.fit { resume = trial } in trial \(from), in this process)")
            }
            do {
                try trainer.restore(from: checkpoint)
                try trainer.updateOptimizer(trainer.config.optimizer)
            } catch {
                throw ScriptError.badValue("hone.fit { resume = trial }: the checkpoint of trial \(from) does not fit this model: \(error)")
            }
        }
        let target = Int((work.budget - 1e-9).rounded(.up))
        return (trial, max(0, target - trainer.epochsCompleted))
    }

    private static func fit(_ table: LuaTable, host: LuaHost, context: TrainingContext) throws -> LuaValue {
        try table.checkFields(fitFields.union(["init", "resume"]), in: "hone.fit { … }")
        let model = try table["model"].object("field 'model' is", as: ModelHandle.self)
        let data = try table["data"].object("field 'data' is", as: DataHandle.self)
        let config = try trainerConfig(table, context: context)
        let callback = EpochCallback(try table.optional("on_epoch") { try $0.function($1) }, host: host)
        let trainer = try Trainer(description: model.description, config: config)
        // Fine-tuning: start from a saved model's weights instead of a random initialization.
        if let initial = try table.optional("init", { try $0.string($1) }) {
            let path = try host.resolveReadablePath(initial, relativeTo: context.scriptDirectory)
            do {
                try trainer.model.initializeWeights(fromFile: path)
            } catch {
                throw ScriptError.badValue("hone.fit { init = \"\(initial)\" }: \(error)")
            }
        }
        let resume = try resumption(table["resume"], trainer: trainer)
        // An interrupt (Ctrl-C / SIGTERM in `hone tune`, hone_interrupt) stops training
        // within a batch, not at the end of the epoch; the call then fails as interrupted.
        let interrupt = host.interruptHandle
        trainer.interruption = { interrupt.isInterrupted }
        let result = try trainer.fit(data.train, epochs: resume?.epochs, onEpoch: { metrics in
            callback.call([.integer(Int64(metrics.epoch)), epochTable(metrics)])
        })
        if let trial = resume?.trial { trial.study.checkpoints.store(trainer.checkpoint(), forTrial: trial.number) }
        if interrupt.isInterrupted { try host.checkLimits() }
        if let error = callback.error { throw error }
        var out = LuaTable(fields: [
            "epochs": .integer(Int64(result.history.count)),
            "stop_reason": .string(result.stopReason.rawValue),
            "model": .object(TrainedModelHandle(trainer)),
        ])
        if let last = result.lastEpoch, case let .table(metrics) = epochTable(last) {
            for (key, value) in metrics.fields where key != "epoch" { out[key] = value }
        }
        if let validation = result.validation, case let .table(final) = evaluation(validation) {
            if let accuracy = final.fields["accuracy"] { out["val_accuracy"] = accuracy }
            out["val_loss"] = final["loss"]
        }
        return .table(out)
    }

    /// With `trial = trial`, the folds are reported to the trial per (epoch, fold) and the
    /// study's pruner (and, with `paired_test = true`, a paired t-test against the best
    /// trial on the same folds) can stop it between folds; the folds then come from a
    /// seed fixed for the study, so every trial is scored on the same split. Pruning ends
    /// the objective as `trial:prune()` does.
    private static func crossValidate(_ table: LuaTable, host: LuaHost, context: TrainingContext) throws -> LuaValue {
        try table.checkFields(fitFields.union(["folds", "trial", "metric", "paired_test"]), in: "hone.cross_validate { … }")
        let model = try table["model"].object("field 'model' is", as: ModelHandle.self)
        let data = try table["data"].object("field 'data' is", as: DataHandle.self)
        let folds = Int(try table.optional("folds") { try $0.integer($1) } ?? 5)
        let config = try trainerConfig(table, context: context)
        let trial = try table.optional("trial") { try $0.object($1, as: TrialHandle.self) }
        let metric = try table.optional("metric") { value, what -> Metric in
            let name = try value.string(what)
            guard let m = Metric(rawValue: name) else {
                throw ScriptError.badValue("\(what) '\(name)' (known: \(Metric.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return m
        }
        let pairedTest = try table.optional("paired_test") { try $0.boolean($1) } ?? false
        if let trial {
            guard table["on_epoch"].isNil else {
                throw ScriptError.badValue("hone.cross_validate { … } takes 'trial' or 'on_epoch', not both (with a trial, every epoch is reported to it)")
            }
            let summary: VariabilitySummary
            do {
                summary = try trial.trial.crossValidate(
                    model.description, config: config, data: data.train, folds: folds,
                    metric: metric ?? (trial.trial.study.directions[0] == .maximize ? .validationAccuracy : .validationLoss),
                    foldPruning: pairedTest ? .pairedTest(try PairedFoldPruner()) : .studyPruner,
                    beforeEpoch: { try host.checkLimits() })
            } catch let pruned as TrialPruned {
                trial.pruneRequested = true
                throw ScriptError(kind: .runtime, message: "trial \(trial.trial.number) \(pruned.message)")
            }
            return .table(LuaTable(fields: [
                "mean": .number(summary.mean), "std": .number(summary.standardDeviation),
                "values": .table(LuaTable(array: summary.values.map(LuaValue.number))),
            ]))
        }
        guard metric == nil, !pairedTest else {
            throw ScriptError.badValue("hone.cross_validate { … }: 'metric' and 'paired_test' need 'trial'")
        }
        let callback = EpochCallback(try table.optional("on_epoch") { try $0.function($1) }, host: host)
        let result = try Trainer.crossValidate(model.description, config: config, data: data.train, folds: folds) { fold, metrics in
            callback.call([.integer(Int64(fold + 1)), .integer(Int64(metrics.epoch)), epochTable(metrics)])
        }
        if let error = callback.error { throw error }
        var out = LuaTable(fields: [
            "folds": .table(LuaTable(array: result.folds.map { evaluation($0.validation) })),
        ])
        for metric in [Metric.validationAccuracy, .validationLoss, .validationMSE] {
            if let mean = result.mean(metric) { out[metric.rawValue] = .number(mean) }
            if let sd = result.standardDeviation(metric) { out[metric.rawValue + "_std"] = .number(sd) }
        }
        return .table(out)
    }

    private static func epochTable(_ metrics: EpochMetrics) -> LuaValue {
        var t = LuaTable(fields: [
            "epoch": .integer(Int64(metrics.epoch)),
            "train_loss": .number(metrics.trainLoss),
            "learning_rate": .number(Double(metrics.learningRate)),
            "seconds": .number(metrics.seconds),
        ])
        if let loss = metrics.validationLoss { t["val_loss"] = .number(loss) }
        if let accuracy = metrics.validationAccuracy { t["val_accuracy"] = .number(accuracy) }
        return .table(t)
    }

    private static func evaluation(_ evaluation: Evaluation) -> LuaValue {
        var t = LuaTable(fields: ["loss": .number(evaluation.loss), "count": .integer(Int64(evaluation.sampleCount))])
        if let accuracy = evaluation.accuracy { t["accuracy"] = .number(accuracy) }
        if let mse = evaluation.meanSquaredError { t["mse"] = .number(mse) }
        if let mae = evaluation.meanAbsoluteError { t["mae"] = .number(mae) }
        return .table(t)
    }
}
