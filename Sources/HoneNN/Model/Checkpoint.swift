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

    /// Writes the snapshot into `model` and, when both exist, into `optimizer`. The model
    /// must have the same tensors (names and shapes are checked, nothing changes on a
    /// mismatch); descriptions may differ where shapes do not, e.g. in the dropout rate,
    /// which population based training may perturb.
    public func restore(into model: Sequential, optimizer: Optimizer? = nil) throws {
        guard let optimizer, let optimizerState else {
            try model.loadState(modelState, source: "checkpoint")
            return
        }
        // Checked before anything is written, so a failed restore changes nothing.
        try model.checkState(modelState, source: "checkpoint")
        try optimizer.importState(optimizerState)
        try model.loadState(modelState, source: "checkpoint")
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
