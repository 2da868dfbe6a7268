// The default search space of `hone auto`: MLP architectures (and small CNNs for images)
// plus training hyperparameters, sized for a 2-core machine.
//
// The space is conditional: `width_2` exists only when `layers` ≥ 2, CNN parameters only
// when `model` = cnn. Image data adds what wins on images: batch-normalized CNNs, random
// crop/flip augmentation (CNNs), label smoothing and the learning-rate schedule (cosine,
// warm-up + cosine, one-cycle); tabular data keeps the plain space. Which model families
// are searched (`models`) is separate from whether the data are images, so an MLP-only
// search of images keeps the image training choices. AutoSampler models each parameter
// from the trials that have it. The same code turns a trial's suggestions and a
// stored trial's parameters into a configuration, so a retrained network is exactly what
// the search evaluated.

import Foundation
import HoneData
import HoneNN
import HoneSearch
import HoneTensor

/// A network and how to train it: what one AutoML trial evaluates.
public struct AutoConfiguration: Equatable, Sendable {
    public var model: ModelDescription
    public var trainer: TrainerConfig
}

/// Ranges of the default AutoML space. Change fields to narrow or widen it; `distributions`
/// lists every parameter with its distribution (for warm starts and reports).
public struct AutoSearchSpace: Equatable, Sendable {
    /// The data are images (samples [channels, height, width]): the space adds the
    /// learning-rate schedule and label smoothing, and may search CNNs.
    public var imageData: Bool
    /// Model families searched: "mlp", and "cnn" for image data. With one family the
    /// space has no `model` parameter.
    public var models: [String]
    public var maxHiddenLayers = 3
    /// Width of each hidden dense layer (log-uniform integers).
    public var widths = 64...512
    public var activations = ["relu", "gelu", "tanh"]
    public var maxDropout = 0.5
    /// Up to 3e-2: Adam above ~1e-2 mostly diverges, SGD with momentum 0.9 is still sound.
    public var learningRate: ClosedRange<Double> = 1e-4...3e-2
    public var weightDecay: ClosedRange<Double> = 1e-6...1e-2
    public var batchSizes = [64, 128, 256]
    /// `adam`, `adamw`, `sgd-momentum` (SGD with Nesterov momentum 0.9).
    public var optimizers = ["adam", "adamw", "sgd-momentum"]
    public var maxConvLayers = 2
    /// Channels of the first convolution (log-uniform); each further one doubles them.
    /// Small on purpose: on 2 cores a 16→32-channel epoch of Fashion-MNIST already costs
    /// ~4× an 8→16 one, and 15 such epochs would use much of a 20-minute budget.
    public var channels = 4...16
    /// Width of the CNN's dense head (log-uniform).
    public var cnnHiddenWidths = 64...256
    /// Image data: augmentation choices of a CNN ("none", "crop": crop with 2-pixel zero
    /// padding, "crop_flip": that and horizontal flips).
    public var augmentations = ["none", "crop", "crop_flip"]
    /// Image data: schedules ("cosine", "warmup_cosine": one epoch of linear warm-up then
    /// cosine, "one_cycle": OneCycleLR per batch peaking at `lr`).
    public var schedules = ["cosine", "warmup_cosine", "one_cycle"]
    /// Image data: label smoothing of the cross-entropy (uniform).
    public var maxLabelSmoothing = 0.2
    /// Epochs of a trial trained to the full budget (the learning-rate schedule's horizon).
    public var maxEpochs: Int
    /// Hyperband's minimum resource: the first rung, in epochs.
    public var minEpochs: Int
    /// Hyperband's maximum resource, the last epoch its rungs reach (`AutoML`'s pruner): rungs
    /// minEpochs·η^k below it judge trials, none from it on. A rung past half of `maxEpochs`
    /// saves less training than the trial already had, and it throws away a nearly trained
    /// network the final ensemble could average; so the rungs stop at the first one past
    /// half. A 15-epoch trial is judged after epochs 1 and 3, not 9: 15-minute Fashion-MNIST
    /// searches had spent 10–39 % of their worker time on trials pruned at epoch 9, CNNs at
    /// 0.900–0.920 there against 0.913–0.925 for the complete ones at the same epoch (which
    /// gained a median 0.6 points by epoch 15; BENCHMARKS.md). An hour's 27 epochs keep
    /// rungs 1, 3 and 9.
    public var lastRungEpochs: Int {
        let rung = Self.rungs(from: minEpochs).first { 2 * $0 > maxEpochs }!
        return max(minEpochs, min(rung, maxEpochs))
    }

    /// The epochs after which Hyperband's most aggressive bracket judges a trial.
    public var hyperbandRungs: [Int] { Self.rungs(from: minEpochs).prefix { $0 < lastRungEpochs } }

    /// Hyperband's rungs minEpochs·η^k, k = 0, 1, … without end (callers take a prefix).
    static func rungs(from minEpochs: Int) -> UnfoldFirstSequence<Int> {
        sequence(first: minEpochs) { $0 * hyperbandReductionFactor }
    }
    /// Hyperband's η over epochs (rungs minEpochs·η^k): the pruner `AutoML` builds and the
    /// full budget's alignment with the top rung (`defaults`) use the same one.
    public static let hyperbandReductionFactor = 3

    /// `models` nil: MLPs and CNNs for image data, MLPs otherwise.
    public init(imageData: Bool = false, models: [String]? = nil, maxEpochs: Int = 15, minEpochs: Int = 1) {
        self.imageData = imageData
        self.models = models ?? (imageData ? Self.modelNames : ["mlp"])
        self.maxEpochs = maxEpochs
        self.minEpochs = minEpochs
    }

    /// The default space for `data`: CNNs for images, and an epoch budget that gives a
    /// full trial at least ~2,000 optimizer steps at the middle batch size on small tables
    /// (15 epochs of 400 rows would be a few hundred steps, too few to judge a
    /// configuration) but no more than 15 epochs on large data. Hyperband's first rung is
    /// ~1/27 of that, at least one epoch.
    /// Batch sizes shrink with the data so that small tables still get several steps per
    /// epoch.
    /// A time budget longer than 15 minutes lengthens the full trial by √(budget / 900 s)
    /// (60 minutes: 30, then 27 — see below — instead of 15): the 15-epoch horizon was chosen for 15-minute
    /// searches, and splitting a larger budget between more trials and longer training
    /// keeps about as many full trials per run while each network trains further.
    /// Shorter budgets keep the 15-minute horizon; Hyperband prunes most trials early anyway.
    /// The CNNs' widths grow by the same factor (an hour: first-layer channels 4–32, dense
    /// head 64–512): in the first 60-minute run the best trials sat at the head's upper
    /// bound (250–256) with 10–13 channels (validation 0.934, test 0.9305); with the wider
    /// ranges the best were 13–25 → 26–50-channel CNNs (0.940, test 0.9343; BENCHMARKS.md).
    /// A study resumed with another budget gets other ranges: trials outside them are not
    /// final-model candidates (as with another `maxEpochs`).
    /// `models` and `maxEpochs` are the front ends' overrides (`hone auto --models
    /// --max-epochs`, `hone_auto`'s "models" / "max_epochs"): an explicit `maxEpochs`
    /// replaces the computed one and Hyperband's first rung follows it (~1/27).
    public static func defaults(for data: Dataset, timeBudget: Double? = nil, models: [String]? = nil,
                                maxEpochs explicitMaxEpochs: Int? = nil) -> AutoSearchSpace {
        let batchSizes = data.count < 1000 ? [16, 32, 64] : data.count < 10000 ? [32, 64, 128] : [64, 128, 256]
        let stepsPerEpoch = max(1, (data.count + batchSizes[1] - 1) / batchSizes[1])
        let epochsFor15Minutes = max(15, (2000 + stepsPerEpoch - 1) / stepsPerEpoch)
        let budgetScale = timeBudget.map { $0.isFinite ? max(1, ($0 / 900).squareRoot()) : 1 } ?? 1
        func scaled(_ n: Int) -> Int { Int((Double(n) * budgetScale).rounded()) }
        var maxEpochs = explicitMaxEpochs ?? min(200, scaled(epochsFor15Minutes))
        let minEpochs = max(1, maxEpochs / 27)
        if explicitMaxEpochs == nil {
            // Hyperband's top rung (the largest minEpochs·η^k ≤ maxEpochs) close below the
            // full budget would prune two thirds of the networks that got there, nearly
            // trained but never annealed, for under a fifth of their cost: there the full
            // budget becomes that rung, and every network reaching it completes (an hour:
            // 27 epochs instead of 30 with a cut at 27).
            let topRung = rungs(from: minEpochs).prefix { $0 <= maxEpochs }.last ?? minEpochs
            if 5 * topRung >= 4 * maxEpochs { maxEpochs = topRung }
        }
        var space = AutoSearchSpace(imageData: data.featureShape.count == 3, models: models,
                                    maxEpochs: maxEpochs, minEpochs: minEpochs)
        space.batchSizes = batchSizes
        space.channels = space.channels.lowerBound...scaled(space.channels.upperBound)
        space.cnnHiddenWidths = space.cnnHiddenWidths.lowerBound...scaled(space.cnnHiddenWidths.upperBound)
        return space
    }

    /// Throws on ranges no trial can use, naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ why: String) throws { if !ok { throw TuningError.invalidArgument("AutoML search space: \(why)") } }
        try check(maxHiddenLayers >= 1, "maxHiddenLayers must be at least 1, got \(maxHiddenLayers)")
        try check(widths.lowerBound >= 1, "widths must be positive, got \(widths)")
        try check(!activations.isEmpty, "activations must not be empty")
        for a in activations { try check(Activation.names.contains(a), "activation '\(a)' is not one of \(Activation.names.joined(separator: ", "))") }
        try check(maxDropout >= 0 && maxDropout < 1, "maxDropout must be in [0, 1), got \(maxDropout)")
        try check(learningRate.lowerBound > 0, "learning rates must be positive, got \(learningRate)")
        try check(weightDecay.lowerBound > 0, "weight decay range must be positive (log scale), got \(weightDecay)")
        try check(!batchSizes.isEmpty && batchSizes.allSatisfy { $0 >= 1 }, "batch sizes must be positive, got \(batchSizes)")
        try check(!optimizers.isEmpty, "optimizers must not be empty")
        for o in optimizers { try check(["adam", "adamw", "sgd-momentum"].contains(o), "optimizer '\(o)' is not one of adam, adamw, sgd-momentum") }
        try check(maxConvLayers >= 1 && channels.lowerBound >= 1 && cnnHiddenWidths.lowerBound >= 1, "CNN ranges must be positive")
        try check(!models.isEmpty && Set(models).count == models.count, "models must name each family once, got \(models)")
        for m in models { try check(Self.modelNames.contains(m), "model family '\(m)' is not one of \(Self.modelNames.joined(separator: ", "))") }
        try check(imageData || !models.contains("cnn"), "model family 'cnn' needs image data (samples [channels, height, width])")
        try check(minEpochs >= 1 && maxEpochs >= minEpochs, "need 1 ≤ minEpochs ≤ maxEpochs, got \(minEpochs) and \(maxEpochs)")
        try check(!augmentations.isEmpty, "augmentations must not be empty")
        for a in augmentations { try check(Self.augmentationNames.contains(a), "augmentation '\(a)' is not one of \(Self.augmentationNames.joined(separator: ", "))") }
        try check(!schedules.isEmpty, "schedules must not be empty")
        for n in schedules { try check(Self.scheduleNames.contains(n), "schedule '\(n)' is not one of \(Self.scheduleNames.joined(separator: ", "))") }
        try check(maxLabelSmoothing >= 0 && maxLabelSmoothing < 1, "maxLabelSmoothing must be in [0, 1), got \(maxLabelSmoothing)")
    }

    public static let modelNames = ["mlp", "cnn"]
    public static let augmentationNames = ["none", "crop", "crop_flip"]
    public static let scheduleNames = ["cosine", "warmup_cosine", "one_cycle"]

    // MARK: The default configuration

    /// A plain configuration of this space, what one would train without tuning (the
    /// `hone train` defaults, moved into the space's ranges): an MLP with hidden widths
    /// 256 and 128 (a CNN-only space: two 8- and 16-channel convolutions, dense 128, no
    /// batch norm or augmentation), relu, no dropout, Adam at lr 1e-3 with (almost) no
    /// weight decay, batch size 128, cosine schedule, no label smoothing. `hone auto`
    /// trains it first, as a baseline the tuned configuration is compared with.
    public func defaultParameters(inputShape: [Int]) -> [String: ParamValue] {
        func clamp<T: Comparable>(_ x: T, _ r: ClosedRange<T>) -> T { min(max(x, r.lowerBound), r.upperBound) }
        let layers = min(2, maxHiddenLayers)
        var p: [String: ParamValue] = [
            "activation": .string(activations.contains("relu") ? "relu" : activations[0]),
            "layers": .int(layers),
            "width_1": .int(clamp(256, widths)),
            "lr": .float(clamp(1e-3, learningRate)),
            "weight_decay": .float(weightDecay.lowerBound),
            "batch_size": .int(batchSizes.contains(128) ? 128 : batchSizes[batchSizes.count / 2]),
            "optimizer": .string(optimizers.contains("adam") ? "adam" : optimizers[0]),
        ]
        if layers >= 2 { p["width_2"] = .int(clamp(128, widths)) }
        if maxDropout > 0 { p["dropout"] = .float(0) }
        let images = imageData && inputShape.count == 3
        let model = models.contains("mlp") ? "mlp" : models[0]
        if images && models.count > 1 { p["model"] = .string(model) }
        if model == "cnn" {
            for name in ["layers", "width_1", "width_2"] { p[name] = nil }
            p["conv_layers"] = .int(min(2, maxConvLayers))
            p["channels"] = .int(clamp(8, channels))
            p["cnn_hidden"] = .int(clamp(128, cnnHiddenWidths))
            p["batch_norm"] = .bool(false)
            p["augment"] = .string(augmentations.contains("none") ? "none" : augmentations[0])
        }
        if images {
            p["schedule"] = .string(schedules.contains("cosine") ? "cosine" : schedules[0])
            if maxLabelSmoothing > 0 { p["label_smoothing"] = .float(0) }
        }
        return p
    }

    // MARK: Parameters

    /// Every parameter of the space (all branches) with its distribution.
    public var distributions: SearchSpace {
        var space = SearchSpace()
        _ = try? configuration(inputShape: [1, 1, 1], outputCount: 2, task: .classification, seed: 0, every: true) { name, d in
            space.set(name, d)
            return Self.someValue(d)
        }
        return space
    }

    /// Asks `trial` for a configuration (define-by-run: only the parameters of the chosen
    /// branch are suggested). `seed` seeds the network's weights and the training.
    public func suggest(_ trial: Trial, inputShape: [Int], outputCount: Int, task: TrainingTask, seed: UInt64) throws -> AutoConfiguration {
        try configuration(inputShape: inputShape, outputCount: outputCount, task: task, seed: seed) { name, d in
            try trial.suggest(name, d)
        }
    }

    /// The configuration stored parameters describe (e.g. the best trial's, for the final
    /// refit). Throws naming a parameter that is missing or outside the space.
    public func configuration(params: [String: ParamValue], inputShape: [Int], outputCount: Int, task: TrainingTask,
                              seed: UInt64) throws -> AutoConfiguration {
        try configuration(inputShape: inputShape, outputCount: outputCount, task: task, seed: seed) { name, d in
            guard let value = params[name] else { throw TuningError.invalidArgument("parameter '\(name)' is missing from the trial's parameters") }
            guard d.contains(value) else { throw TuningError.invalidArgument("parameter \(name) = \(value) is outside \(d)") }
            return value
        }
    }

    /// The one definition of the space. `value(name, distribution)` supplies each value;
    /// `every` walks all branches (to list the distributions) instead of following the values.
    private func configuration(inputShape: [Int], outputCount: Int, task: TrainingTask, seed: UInt64, every: Bool = false,
                               _ value: (String, Distribution) throws -> ParamValue) throws -> AutoConfiguration {
        func int(_ name: String, _ range: ClosedRange<Int>, log: Bool = false) throws -> Int {
            let v = try value(name, .int(range.lowerBound, range.upperBound, log: log && range.lowerBound > 0 && range.count > 1))
            guard let i = v.intValue else { throw TuningError.invalidArgument("parameter \(name) = \(v) is not an integer") }
            return i
        }
        func float(_ name: String, _ range: ClosedRange<Double>, log: Bool = false) throws -> Double {
            let v = try value(name, .float(range.lowerBound, range.upperBound, log: log))
            guard let x = v.doubleValue else { throw TuningError.invalidArgument("parameter \(name) = \(v) is not a number") }
            return x
        }
        func choice(_ name: String, _ options: [String]) throws -> String {
            let v = try value(name, .categorical(options.map(ParamValue.string)))
            guard case .string(let s) = v else { throw TuningError.invalidArgument("parameter \(name) = \(v) is not one of \(options)") }
            return s
        }

        let images = imageData && inputShape.count == 3
        // In the canonical order, so `--models cnn,mlp` is the same parameter as mlp,cnn.
        let families = Self.modelNames.filter(models.contains)
        let kind = images && families.count > 1 ? try choice("model", families) : families[0]
        guard kind == "mlp" || images else { throw TuningError.invalidArgument("model family \(kind) needs image data") }
        let cnns = imageData && models.contains("cnn"), mlps = models.contains("mlp")
        let activation = try choice("activation", activations)
        let dropout = maxDropout > 0 ? try float("dropout", 0...maxDropout) : 0
        // The configuration is written as the spec layer's JSON and read by its readers
        // (ModelSpec, TrainSpec), so `hone auto` builds networks with the same keys,
        // defaults and limits as every other front end.
        func numbers(_ xs: [Int]) -> JSONValue { .array(xs.map { .number(Double($0)) }) }
        var model: [String: JSONValue]?
        var train: [String: JSONValue] = ["epochs": .number(Double(maxEpochs)), "validation_fraction": 0]
        if kind == "cnn" || (every && cnns) {
            let convLayers = try int("conv_layers", 1...maxConvLayers)
            let first = try int("channels", channels, log: true)
            let head = try int("cnn_hidden", cnnHiddenWidths, log: true)
            let normValue = try value("batch_norm", .categorical([.bool(false), .bool(true)]))
            guard case .bool(let batchNorm) = normValue else { throw TuningError.invalidArgument("parameter batch_norm = \(normValue) is not a boolean") }
            switch try choice("augment", augmentations) {
            case "crop": train["crop_padding"] = 2
            case "crop_flip": train["crop_padding"] = 2; train["horizontal_flip"] = true
            default: break
            }
            model = ["kind": "cnn", "input_shape": numbers(inputShape), "channels": numbers((0..<convLayers).map { first << $0 }),
                     "batch_norm": .bool(batchNorm), "hidden": numbers([head])]
        }
        if kind == "mlp" || (every && mlps) {
            let layers = try int("layers", 1...maxHiddenLayers)
            let widthsChosen = try (1...(every ? maxHiddenLayers : layers)).map { try int("width_\($0)", widths, log: true) }
            model = ["kind": "mlp", "inputs": .number(Double(inputShape.reduce(1, *))), "hidden": numbers(Array(widthsChosen.prefix(layers)))]
        }
        guard var model else { throw TuningError.invalidArgument("parameter model = \(kind) is not mlp or cnn") }
        model["activation"] = .string(activation)
        model["dropout"] = .number(dropout)
        model["outputs"] = .number(Double(outputCount))

        let lr = try float("lr", learningRate, log: true)
        let decay = try float("weight_decay", weightDecay, log: true)
        let batchValue = try value("batch_size", .categorical(batchSizes.map { ParamValue.int($0) }))
        guard let batchSize = batchValue.intValue else { throw TuningError.invalidArgument("parameter batch_size = \(batchValue) is not an integer") }
        train["batch_size"] = .number(Double(batchSize))
        // The space's "sgd-momentum" is SGD with Nesterov momentum 0.9: TrainSpec's "nesterov".
        let optimizerName = try choice("optimizer", optimizers)
        let specName = optimizerName == "adam" || optimizerName == "adamw" ? optimizerName : "nesterov"
        train["optimizer"] = ["name": .string(specName), "lr": .number(lr),
                              "weight_decay": .number(decay)]
        train["schedule"] = "cosine"
        if images || (every && imageData) {
            switch try choice("schedule", schedules) {
            case "warmup_cosine": train["schedule"] = ["name": "cosine", "warmup": 1]
            case "one_cycle": train["schedule"] = "one_cycle"
            default: break
            }
            if maxLabelSmoothing > 0 && task == .classification {
                train["label_smoothing"] = .number(try float("label_smoothing", 0...maxLabelSmoothing))
            }
        }
        do {
            let modelOptions = AlgorithmOptions(model, context: "hone auto's model")
            let (description, _) = try ModelSpec.read(modelOptions)
            try modelOptions.checkAllUsed()
            let trainOptions = AlgorithmOptions(train, context: "hone auto's training")
            var trainer = try TrainSpec.trainer(trainOptions, seed: seed)
            try trainOptions.checkAllUsed()
            trainer.task = task
            return AutoConfiguration(model: description, trainer: trainer)
        } catch let StudyError.invalidArgument(message) {
            throw TuningError.invalidArgument(message)
        }
    }

    /// A value inside `d`, for walking the space without a trial.
    private static func someValue(_ d: Distribution) -> ParamValue { d.toExternal(d.fromUnit(0.5)) }
}
