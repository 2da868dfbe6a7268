// An in-memory snapshot of a model's state and its optimizer's state. Population based
// training copies a strong member into a weak one this way (exploit), then perturbs the
// copy's hyperparameters (explore); early stopping keeps the best epoch's weights with it.

import HoneData
import HoneTensor

public struct Checkpoint: Sendable {
    /// The description of the model the state came from, if it had one.
    public var modelDescription: ModelDescription?
    /// Every state tensor, by name (as in a saved file).
    public var modelState: [SafetensorsEntry]
    public var optimizerState: OptimizerState?
    /// Training progress when the snapshot was taken (a Trainer's counters).
    public var epochsCompleted: Int
    public var stepsCompleted: Int

    /// Copies the model's (and optionally the optimizer's) current state.
    public init(model: Sequential, optimizer: Optimizer? = nil, epochsCompleted: Int = 0, stepsCompleted: Int = 0) {
        modelDescription = model.modelDescription
        modelState = model.stateEntries()
        optimizerState = optimizer?.exportState()
        self.epochsCompleted = epochsCompleted
        self.stepsCompleted = stepsCompleted
    }

    /// Writes the snapshot into `model` (same architecture: names and shapes are checked)
    /// and, when both exist, into `optimizer`.
    public func restore(into model: Sequential, optimizer: Optimizer? = nil) throws {
        if let ours = modelDescription, let theirs = model.modelDescription, ours != theirs {
            throw HoneNNError("checkpoint of model \(ours.jsonString()) cannot be restored into model \(theirs.jsonString())")
        }
        try model.loadState(modelState, source: "checkpoint")
        if let optimizer, let optimizerState {
            try optimizer.importState(optimizerState)
        }
    }

    /// A new model built from the checkpoint's description, holding its weights.
    public func makeModel() throws -> Sequential {
        guard let modelDescription else {
            throw HoneNNError("checkpoint has no model description to build a model from")
        }
        let model = try modelDescription.build(seed: 0)
        try model.loadState(modelState, source: "checkpoint")
        return model
    }
}
