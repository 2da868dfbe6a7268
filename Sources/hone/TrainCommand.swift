// `hone train`: trains one described network with given hyperparameters, printing a
// line per epoch and the test result. The tuning commands build on the same pieces.

import ArgumentParser
import Foundation
import HoneData
import HoneNN
import HoneSearch
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

    // Training flags left out take the defaults every front end shares (TrainSpec).
    @Option(help: "Epochs (default 10).") var epochs: Int?
    @Option(help: "Mini-batch size (default 128).") var batchSize: Int?
    @Option(help: "Optimizer: \(TrainSpec.optimizerNames.joined(separator: ", ")) (default adam).") var optimizer: String = "adam"
    @Option(help: "Learning rate (default 1e-3; sgd and nesterov 1e-2).") var lr: Double?
    @Option(help: "Weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw).") var weightDecay: Double?
    @Option(help: "Momentum (sgd, rmsprop; default 0, nesterov 0.9).") var momentum: Double?
    @Option(help: "Learning-rate schedule: \(TrainSpec.scheduleNames.joined(separator: ", ")) (default constant; one_cycle is per batch, peaking at --lr).") var schedule: String = "constant"
    @Option(help: "Epochs of linear learning-rate warm-up.") var warmup: Int?
    @Option(help: "Images: pad by this many zero pixels and crop back at a random offset (training batches only).") var cropPadding: Int?
    @Flag(help: "Images: mirror training images left–right at random.") var horizontalFlip = false
    @Option(help: "Label smoothing of the cross-entropy (classification), e.g. 0.1.") var labelSmoothing: Double?
    @Option(help: "Share of the training data held out for validation (default 0.1).") var valFraction: Double?
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
        var config = try trainerConfig()
        config.task = try table.taskKind()
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
        let spec = try DataSpec.forCommandLine(data: data, target: table.target, test: table.test, task: try table.taskKind())
        let parts = try AutoMLData.trainAndTest(spec, testFraction: table.testFraction, seed: seed)
        if case .named = spec.source { return (parts.train, parts.test) }
        // Tabular features come in arbitrary units: standardize with statistics of the training rows only.
        let scaler = Standardizer(fitting: parts.train)
        return (try scaler.transform(parts.train), try scaler.transform(parts.test))
    }

    /// The model flags as the C API's description JSON, read by the one reader (ModelSpec).
    private func modelDescription(for data: Dataset, images: Bool) throws -> ModelDescription {
        var fields: [String: JSONValue] = [
            "hidden": .array(try parseList(hidden, "--hidden").map { .number(Double($0)) }),
            "outputs": .number(Double(data.classCount ?? data.outputCount)),
            "activation": .string(activation), "dropout": .number(Double(dropout)),
        ]
        if let cnn {
            guard images else { throw ValidationError("--cnn needs image data (samples of shape [channels, height, width]); \(self.data) has shape \(data.featureShape)") }
            guard norm == "none" || norm == "batch" else { throw ValidationError("--norm \(norm): a CNN takes none or batch") }
            fields["kind"] = "cnn"
            fields["input_shape"] = .array(data.featureShape.map { .number(Double($0)) })
            fields["channels"] = .array(try parseList(cnn, "--cnn").map { .number(Double($0)) })
            fields["batch_norm"] = .bool(norm == "batch")
            fields["residual"] = .bool(residual)
        } else {
            if residual { throw ValidationError("--residual needs --cnn") }
            fields["kind"] = "mlp"
            fields["inputs"] = .number(Double(data.featureCount))
            fields["normalization"] = .string(norm)
        }
        let o = AlgorithmOptions(fields, context: "hone train")
        do {
            let (description, _) = try ModelSpec.read(o)
            try o.checkAllUsed()
            return description
        } catch let StudyError.invalidArgument(message) {
            throw ValidationError(message)
        }
    }

    /// The training flags as the C API's options JSON, read by the one reader (TrainSpec).
    private func trainerConfig() throws -> TrainerConfig {
        var optimizer: [String: JSONValue] = ["name": .string(self.optimizer.lowercased())]
        if let lr { optimizer["lr"] = .number(lr) }
        if let weightDecay { optimizer["weight_decay"] = .number(weightDecay) }
        if let momentum { optimizer["momentum"] = .number(momentum) }
        var schedule: [String: JSONValue] = ["name": .string(self.schedule.lowercased())]
        if let warmup { schedule["warmup"] = .number(Double(warmup)) }
        var fields: [String: JSONValue] = [
            "optimizer": .object(optimizer), "schedule": .object(schedule), "horizontal_flip": .bool(horizontalFlip),
        ]
        let numbers: [(String, Double?)] = [
            ("epochs", epochs.map(Double.init)), ("batch_size", batchSize.map(Double.init)),
            ("crop_padding", cropPadding.map(Double.init)), ("label_smoothing", labelSmoothing),
            ("validation_fraction", valFraction), ("early_stopping_patience", patience.map(Double.init)),
        ]
        for case let (key, value?) in numbers { fields[key] = .number(value) }
        let o = AlgorithmOptions(fields, context: "hone train")
        do {
            let config = try TrainSpec.trainer(o, seed: seed)
            try o.checkAllUsed()
            return config
        } catch let StudyError.invalidArgument(message) {
            throw ValidationError(message)
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
