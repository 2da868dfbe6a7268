// The spec layer's training settings read once for every front end: hone_model_train's
// options (C, and Python through it), Lua's hone.fit { … } / hone.cross_validate { … }
// and `hone train`'s flags (each converted to the same JSON), with one spelling, one set
// of defaults and one set of limits.

import Foundation
import HoneNN
import HoneSearch

public enum TrainSpec {
    public static let optimizerNames = ["sgd", "nesterov", "adam", "adamw", "rmsprop"]
    public static let scheduleNames = ["constant", "cosine", "step", "exponential", "one_cycle"]
    /// The keys `trainer` reads (each front end has its own keys besides, e.g. Lua's
    /// `model`, `data`, `on_epoch`; C's `threads`).
    public static let trainerKeys: Set<String> = [
        "epochs", "batch_size", "optimizer", "schedule", "seed", "validation_fraction",
        "early_stopping_patience", "crop_padding", "horizontal_flip", "label_smoothing",
    ]
    /// Keys Lua spelt otherwise before 0.4.0, accepted with a deprecation message.
    public static let oldSpellings = ["early_stopping": "early_stopping_patience"]

    /// How a network trains: "epochs" (10, at most `maxEpochs` when a budget caps them; 0
    /// trains nothing — the model as initialized or loaded, e.g. Lua's `init`),
    /// "batch_size" (128), "optimizer" (adam), "schedule" (constant), "seed" (`seed`),
    /// "validation_fraction" of the training data held out for validation (0.1; ignored
    /// when the caller has separate validation data), "early_stopping_patience" (epochs
    /// without a better validation loss; needs validation data), and for image models
    /// "crop_padding" (0), "horizontal_flip" (false), plus "label_smoothing" (0). Reads
    /// these keys from `o`; the caller checks that nothing else is left.
    public static func trainer(_ o: AlgorithmOptions, seed defaultSeed: UInt64 = 0, validationData: Bool = false,
                               maxEpochs: Int? = nil) throws -> TrainerConfig {
        func invalid(_ message: String) -> StudyError { .invalidArgument("\(o.context): \(message)") }
        var epochs = try o.int("epochs", min: 0, max: 1_000_000) ?? 10
        if let maxEpochs { epochs = min(epochs, maxEpochs) }
        let batchSize = try o.int("batch_size", min: 1, max: 1 << 20) ?? 128
        let optimizer = try self.optimizer(o.raw("optimizer"))
        let schedule = try self.schedule(o.raw("schedule"), epochs: epochs)
        let seed = try o.int("seed", min: 0, max: Int.max).map(UInt64.init) ?? defaultSeed
        let validationFraction = validationData ? 0 : try o.number("validation_fraction", in: 0...0.95) ?? 0.1
        if validationData { _ = o.raw("validation_fraction") }
        let patience = try o.int("early_stopping_patience", min: 1)
        if patience != nil, !validationData, validationFraction == 0 {
            throw invalid("\"early_stopping_patience\" needs validation data (a validation data set or \"validation_fraction\" > 0)")
        }
        let augmentation = ImageAugmentation(cropPadding: try o.int("crop_padding", min: 0, max: 64) ?? 0,
                                             horizontalFlip: try o.bool("horizontal_flip") ?? false)
        let labelSmoothing = Float(try o.number("label_smoothing", in: 0...0.99) ?? 0)
        let config = TrainerConfig(epochs: epochs, batchSize: batchSize, optimizer: optimizer, schedule: schedule, seed: seed,
                                   validationFraction: validationFraction,
                                   earlyStopping: patience.map { EarlyStopping(monitor: .validationLoss, patience: $0) },
                                   augmentation: augmentation, labelSmoothing: labelSmoothing)
        do { try config.validate() } catch { throw invalid("\(error)") }
        return config
    }

    /// A name or {"name": …, <options>} as fields (nil: `fallback`).
    private static func fields(_ spec: JSONValue?, _ what: String, fallback: String) throws -> [String: JSONValue] {
        switch spec {
        case nil, .null?: return ["name": .string(fallback)]
        case .string(let s)?: return ["name": .string(s)]
        case .object(let o)?: return o
        case let v?: throw StudyError.invalidArgument("\(what) must be a name or {\"name\": …}, got \(v.jsonText.prefix(80))")
        }
    }

    /// "sgd" (lr 0.01), "nesterov" (SGD with Nesterov momentum 0.9), "adam", "adamw",
    /// "rmsprop" (lr 0.001); options lr, momentum, nesterov, weight_decay, beta1, beta2,
    /// clip_norm. Default: adam.
    public static func optimizer(_ spec: JSONValue?) throws -> OptimizerConfig {
        let o = AlgorithmOptions(try fields(spec, "\"optimizer\"", fallback: "adam"), context: "optimizer")
        guard let name = try o.string("name") else {
            throw StudyError.invalidArgument("optimizer: \"name\" is required (\(optimizerNames.joined(separator: ", ")))")
        }
        let sgd = name == "sgd" || name == "nesterov"
        let lr = Float(try o.number("lr", in: 1e-12...1e3) ?? (sgd ? 1e-2 : 1e-3))
        let weightDecay = try o.number("weight_decay", in: 0...10).map(Float.init)
        let momentum = try o.number("momentum", in: 0...0.999).map(Float.init)
        let nesterov = try o.bool("nesterov") ?? (name == "nesterov")
        let beta1 = Float(try o.number("beta1", in: 0...0.9999) ?? 0.9), beta2 = Float(try o.number("beta2", in: 0...0.999999) ?? 0.999)
        let clip = try o.number("clip_norm", in: 1e-12...1e12).map(Float.init)
        let config: OptimizerConfig
        switch name {
        case "sgd", "nesterov":
            config = OptimizerConfig(kind: .sgd, learningRate: lr, momentum: momentum ?? (nesterov ? 0.9 : 0),
                                     nesterov: nesterov, weightDecay: weightDecay, clipNorm: clip)
        case "adam": config = OptimizerConfig(kind: .adam, learningRate: lr, beta1: beta1, beta2: beta2, weightDecay: weightDecay, clipNorm: clip)
        case "adamw": config = OptimizerConfig(kind: .adamw, learningRate: lr, beta1: beta1, beta2: beta2, weightDecay: weightDecay, clipNorm: clip)
        case "rmsprop": config = OptimizerConfig(kind: .rmsprop, learningRate: lr, momentum: momentum ?? 0, weightDecay: weightDecay, clipNorm: clip)
        default: throw StudyError.invalidArgument("optimizer: unknown name '\(name)' (known: \(optimizerNames.joined(separator: ", ")))")
        }
        if nesterov, !sgd { throw StudyError.invalidArgument("optimizer: \"nesterov\" is for sgd, not \(name)") }
        try o.checkAllUsed()
        do { try config.validate() } catch { throw StudyError.invalidArgument("optimizer: \(error)") }
        return config
    }

    /// "constant" (default), "cosine" (minimum), "step" (every, factor), "exponential"
    /// (factor), each with "warmup" epochs; "one_cycle" (peak_fraction, div_factor,
    /// final_div_factor; stepped per batch, its first phase is the warm-up).
    public static func schedule(_ spec: JSONValue?, epochs: Int) throws -> LearningRateSchedule {
        let o = AlgorithmOptions(try fields(spec, "\"schedule\"", fallback: "constant"), context: "schedule")
        guard let name = try o.string("name") else {
            throw StudyError.invalidArgument("schedule: \"name\" is required (\(scheduleNames.joined(separator: ", ")))")
        }
        let warmup = try o.int("warmup", min: 0) ?? 0
        let schedule: LearningRateSchedule
        switch name {
        case "constant": schedule = LearningRateSchedule(.constant, warmup: warmup)
        case "cosine": schedule = LearningRateSchedule(.cosine(minimum: Float(try o.number("minimum", in: 0...1e3) ?? 0)), warmup: warmup)
        case "step":
            schedule = LearningRateSchedule(.step(every: try o.int("every", min: 1) ?? max(1, epochs / 3),
                                                  factor: Float(try o.number("factor", in: 1e-9...1) ?? 0.1)), warmup: warmup)
        case "exponential": schedule = LearningRateSchedule(.exponential(factor: Float(try o.number("factor", in: 1e-9...1) ?? 0.9)), warmup: warmup)
        case "one_cycle":
            guard warmup == 0 else { throw StudyError.invalidArgument("schedule: one_cycle has its own warm-up phase; \"warmup\" must be 0") }
            schedule = LearningRateSchedule(
                .oneCycle(peakFraction: try o.number("peak_fraction", in: 0.01...0.99).map(Float.init) ?? LearningRateSchedule.oneCyclePeakFraction,
                          divFactor: try o.number("div_factor", in: 1...1e6).map(Float.init) ?? LearningRateSchedule.oneCycleDivFactor,
                          finalDivFactor: try o.number("final_div_factor", in: 1...1e9).map(Float.init) ?? LearningRateSchedule.oneCycleFinalDivFactor),
                unit: .step)
        default: throw StudyError.invalidArgument("schedule: unknown name '\(name)' (known: \(scheduleNames.joined(separator: ", ")))")
        }
        try o.checkAllUsed()
        do { try schedule.validate() } catch { throw StudyError.invalidArgument("schedule: \(error)") }
        return schedule
    }
}
