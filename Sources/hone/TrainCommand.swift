// `hone train`: trains one described network with given hyperparameters, printing a
// line per epoch and the test result. The tuning commands build on the same pieces.

import ArgumentParser
import Foundation
import HoneData
import HoneNN
import HoneTensor
import HoneTuning

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a described MLP or small CNN on a named data set or a CSV file.",
        discussion: """
        Examples:
          hone train --data fashion-mnist --hidden 256,128 --epochs 10 --seed 0
          hone train --data fashion-mnist --cnn 32,64 --hidden 128 --epochs 5
          hone train --data fashion-mnist --cnn 16,32 --norm batch --residual --crop-padding 2 --horizontal-flip \\
                     --label-smoothing 0.1 --schedule one_cycle --lr 3e-3 --epochs 10
          hone train --data table.csv --target label --hidden 64 --epochs 30
          hone train --data fashion-mnist --hidden 256,128 --epochs 3 --init pretrained.safetensors
        """)

    @Option(help: "A named data set (\(Datasets.names.joined(separator: ", "))) or a CSV file.")
    var data: String = "fashion-mnist"
    @OptionGroup var table: TableOptions

    @Option(help: "Hidden layer widths, comma-separated (e.g. 256,128).")
    var hidden: String = "256,128"
    @Option(help: "Convolution channels, comma-separated: builds a CNN (images only).")
    var cnn: String?
    @Option(help: "Activation: \(Activation.names.joined(separator: ", ")).")
    var activation: String = "relu"
    @Option(help: "Dropout after each hidden layer.")
    var dropout: Float = 0
    @Option(help: "Normalization of hidden layers: none, batch, layer (with --cnn, batch norms the convolutions).")
    var norm: String = "none"
    @Flag(help: "With --cnn: residual blocks (two 3×3 convolutions and a shortcut) instead of single convolutions.")
    var residual = false

    @Option(help: "Epochs.") var epochs: Int = 10
    @Option(help: "Mini-batch size.") var batchSize: Int = 128
    @Option(help: "Optimizer: sgd, adam, adamw, rmsprop.") var optimizer: String = "adam"
    @Option(help: "Learning rate.") var lr: Float = 1e-3
    @Option(help: "Weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw).") var weightDecay: Float = 0
    @Option(help: "Momentum (sgd, rmsprop).") var momentum: Float = 0.9
    @Option(help: "Learning-rate schedule: constant, cosine, step, exponential, one_cycle (per batch, peaking at --lr).") var schedule: String = "cosine"
    @Option(help: "Epochs of linear learning-rate warm-up.") var warmup: Int = 0
    @Option(help: "Images: pad by this many zero pixels and crop back at a random offset (training batches only).") var cropPadding: Int = 0
    @Flag(help: "Images: mirror training images left–right at random.") var horizontalFlip = false
    @Option(help: "Label smoothing of the cross-entropy (classification), e.g. 0.1.") var labelSmoothing: Float = 0
    @Option(help: "Share of the training data held out for validation.") var valFraction: Double = 0.1
    @Option(help: "Stop after this many epochs without validation improvement.") var patience: Int?
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @Option(help: "BLAS threads.") var threads: Int = 1
    @Option(help: "Save the trained model as .safetensors.") var save: String?
    @Option(name: .customLong("init"), help: ArgumentHelp("Start from the weights of a saved model of the same architecture (fine-tuning).", valueName: "model.safetensors"))
    var initialWeights: String?

    mutating func run() throws {
        do { try train() } catch let error as ValidationError { throw error } catch {
            throw ValidationError("\(error)")
        }
    }

    private func train() throws {
        BLAS.setThreads(threads)
        let start = Date()
        // The trainer gathers each batch into the model's input shape, so an MLP takes images as they are.
        let (trainSet, testSet) = try loadData()
        let description = try modelDescription(for: trainSet, images: trainSet.featureShape.count == 3)
        let config = TrainerConfig(
            epochs: epochs, batchSize: batchSize, optimizer: try optimizerConfig(), schedule: try scheduleConfig(),
            seed: seed, validationFraction: valFraction,
            earlyStopping: patience.map { EarlyStopping(monitor: .validationLoss, patience: $0) },
            task: try table.taskKind(),
            augmentation: ImageAugmentation(cropPadding: cropPadding, horizontalFlip: horizontalFlip),
            labelSmoothing: labelSmoothing)
        let trainer = try Trainer(description: description, config: config)
        if let initialWeights {
            try trainer.model.initializeWeights(fromFile: initialWeights)
            print("initial weights from \(initialWeights)")
        }
        print("model \(description.jsonString())")
        print("parameters \(trainer.model.parameterCount), training samples \(trainSet.count), test samples \(testSet.count), BLAS \(BLAS.coreName) × \(threads)")

        let result = try trainer.fit(trainSet) { m in
            var line = String(format: "epoch %3d  loss %.4f", m.epoch, m.trainLoss)
            if let v = m.validation {
                line += String(format: "  val_loss %.4f", v.loss)
                if let a = v.accuracy { line += String(format: "  val_acc %.4f", a) }
                if let mse = v.meanSquaredError { line += String(format: "  val_mse %.4g", mse) }
            }
            line += String(format: "  lr %.3g  %.0f samples/s  %.1fs", Double(m.learningRate), m.samplesPerSecond, m.seconds)
            print(line)
            fflush(stdout)
            return .proceed
        }
        if result.stopReason != StopReason.completed { print("stopped: \(result.stopReason.rawValue)") }
        let evaluation = try trainer.evaluate(testSet)
        if let path = save {
            try trainer.model.save(to: path)
            print("saved \(path)")
        }
        print(String(format: "test loss %.4f", evaluation.loss))
        if let mse = evaluation.meanSquaredError { print(String(format: "test mse %.6g", mse)) }
        if let mae = evaluation.meanAbsoluteError { print(String(format: "test mae %.6g", mae)) }
        print(String(format: "elapsed %.1fs", Date().timeIntervalSince(start)))
        if let accuracy = evaluation.accuracy { print(String(format: "test accuracy %.4f", accuracy)) }
    }

    private func loadData() throws -> (Dataset, Dataset) {
        if Datasets.names.contains(data) { return try Datasets.load(name: data) }
        guard data.lowercased().hasSuffix(".csv") || FileManager.default.fileExists(atPath: data) else {
            throw ValidationError("--data: '\(data)' is neither a known data set (\(Datasets.names.joined(separator: ", "))) nor a file")
        }
        guard let target = table.target else { throw ValidationError("--data \(data) is a CSV file: name its target column with --target") }
        let kind: TaskKind
        switch try table.taskKind() {
        case .regression: kind = .regression
        case .classification: kind = .classification
        case .auto: kind = .auto
        }
        let full = try CSV.loadDataset(path: data, target: target, task: kind)
        var train: Dataset, held: Dataset
        if let testPath = table.test {
            train = full
            held = try CSV.loadDataset(path: testPath, target: target, task: full.isClassification ? .classification : .regression,
                                       classNames: full.classNames)
        } else {
            let split = try full.trainValidationSplit(validationFraction: table.testFraction, stratified: true, seed: seed &+ 0x7E57)
            (train, held) = (split.train, split.validation)
        }
        // Tabular features come in arbitrary units: standardize with statistics of the training rows only.
        let scaler = Standardizer(fitting: train)
        return (try scaler.transform(train), try scaler.transform(held))
    }

    private func modelDescription(for data: Dataset, images: Bool) throws -> ModelDescription {
        let outputs = data.classCount ?? data.outputCount
        let widths = try parseList(hidden, "--hidden")
        guard let normalization = Normalization(rawValue: norm) else {
            throw ValidationError("--norm: '\(norm)' is not one of \(Normalization.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let cnn {
            guard images else { throw ValidationError("--cnn needs image data (samples of shape [channels, height, width]); \(self.data) has shape \(data.featureShape)") }
            return .cnn(CNNDescription(inputShape: data.featureShape, convChannels: try parseList(cnn, "--cnn"),
                                       batchNorm: normalization == .batch, residual: residual, activation: activation,
                                       hiddenWidths: widths, dropout: dropout, outputCount: outputs))
        }
        if residual { throw ValidationError("--residual needs --cnn") }
        return .mlp(MLPDescription(inputCount: data.featureCount, hiddenWidths: widths, activation: activation,
                                   dropout: dropout, normalization: normalization, outputCount: outputs))
    }

    private func optimizerConfig() throws -> OptimizerConfig {
        switch optimizer.lowercased() {
        case "sgd": return .sgd(learningRate: lr, momentum: momentum, weightDecay: weightDecay)
        case "nesterov": return .sgd(learningRate: lr, momentum: momentum, nesterov: true, weightDecay: weightDecay)
        case "adam": return .adam(learningRate: lr, weightDecay: weightDecay)
        case "adamw": return .adamW(learningRate: lr, weightDecay: weightDecay)
        case "rmsprop": return .rmsprop(learningRate: lr, momentum: 0, weightDecay: weightDecay)
        default: throw ValidationError("--optimizer: '\(optimizer)' is not one of sgd, nesterov, adam, adamw, rmsprop")
        }
    }

    private func scheduleConfig() throws -> LearningRateSchedule {
        switch schedule.lowercased() {
        case "constant": return LearningRateSchedule(.constant, warmup: warmup)
        case "cosine": return LearningRateSchedule(.cosine(minimum: 0), warmup: warmup)
        case "step": return LearningRateSchedule(.step(every: max(1, epochs / 3), factor: 0.1), warmup: warmup)
        case "exponential": return LearningRateSchedule(.exponential(factor: 0.9), warmup: warmup)
        case "one_cycle":
            // The cycle has its own warm-up phase; a second one in epochs would not compose.
            guard warmup == 0 else { throw ValidationError("--schedule one_cycle has its own warm-up phase; drop --warmup") }
            return LearningRateSchedule(.defaultOneCycle, unit: .step)
        default: throw ValidationError("--schedule: '\(schedule)' is not one of constant, cosine, step, exponential, one_cycle")
        }
    }

    private func parseList(_ text: String, _ flag: String) throws -> [Int] {
        if text.isEmpty || text == "none" { return [] }
        return try text.split(separator: ",").map {
            guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v > 0 else {
                throw ValidationError("\(flag): '\($0)' is not a positive integer (expected e.g. 256,128)")
            }
            return v
        }
    }
}
