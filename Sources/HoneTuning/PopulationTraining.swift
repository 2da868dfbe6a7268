// Population based training with HoneNN's trainer: the checkpoints behind PBT's exploit
// step (Jaderberg et al. 2017). `Study.optimize(pbt:)` (synchronous generations) and
// `Study.optimize(asyncPBT:)` (members ready independently) in HoneSearch decide who copies
// whom and with which hyperparameters; this file moves the weights and optimizer state.

import Foundation
import HoneData
import HoneNN
import HoneSearch

/// Trains PBT segments: restores the parent segment's checkpoint (own weights, or the
/// exploited member's), applies the segment's hyperparameters to the optimizer (explore),
/// trains `endStep − startStep` epochs reporting `metric` per epoch, and keeps the
/// resulting checkpoint for the next generation. Thread-safe.
public final class PopulationTrainer: @unchecked Sendable {
    /// When a segment's checkpoint may be dropped.
    public enum Retention: Sendable {
        /// After the next generation (synchronous PBT: nobody copies from further back).
        case twoGenerations
        /// When `release(trial:)` says so (asynchronous PBT, whose members are at different
        /// generations: pass `release` to `Study.optimize(asyncPBT:…)`).
        case untilReleased
    }

    public let metric: Metric
    public let retention: Retention
    private let lock = NSLock()
    /// Checkpoint and generation per segment trial.
    private var checkpoints: [Int: (generation: Int, checkpoint: Checkpoint)] = [:]

    public init(metric: Metric = .validationAccuracy, retention: Retention = .twoGenerations) {
        self.metric = metric; self.retention = retention
    }

    /// Drops a segment's checkpoint (asynchronous PBT calls this once nothing refers to it).
    public func release(trial number: Int) {
        lock.lock(); defer { lock.unlock() }
        checkpoints[number] = nil
    }

    /// Trial numbers whose checkpoints are held, ascending.
    public var heldCheckpoints: [Int] {
        lock.lock(); defer { lock.unlock() }
        return checkpoints.keys.sorted()
    }

    public func checkpoint(ofTrial number: Int) -> Checkpoint? {
        lock.lock(); defer { lock.unlock() }
        return checkpoints[number]?.checkpoint
    }

    /// Runs one segment. `makeTrainer(trial)` builds a trainer whose config carries the
    /// trial's hyperparameters (it asks the trial, as any objective). `afterRestore` sees
    /// the trainer once the parent's state is in it, before training (for inspection).
    public func train(_ trial: Trial, segment: PBTSegment, data: Dataset, validation: Dataset,
                      makeTrainer: (Trial) throws -> Trainer, afterRestore: ((Trainer) -> Void)? = nil) throws -> Double {
        try trial.checkDirection(of: metric)
        let trainer = try makeTrainer(trial)
        if let parent = segment.parentTrial {
            guard let source = checkpoint(ofTrial: parent) else {
                throw TuningError.invalidArgument("PBT: no checkpoint for parent trial \(parent) of segment \(segment)")
            }
            // Exploit: weights, optimizer moments and progress of the parent...
            try trainer.restore(from: source)
            // ...explore: with this segment's (perturbed) optimizer hyperparameters.
            try trainer.updateOptimizer(trainer.config.optimizer)
        }
        guard trainer.epochsCompleted == segment.startStep else {
            throw TuningError.invalidArgument("PBT: segment \(segment) starts at step \(segment.startStep) but the trainer has \(trainer.epochsCompleted) epochs")
        }
        afterRestore?(trainer)
        let result = try trainer.fit(data, validation: validation, epochs: segment.endStep - segment.startStep) { m in
            if let v = m.value(of: self.metric), !v.isNaN { try? trial.report(v, step: m.epoch) }
            return .proceed
        }
        let snapshot = trainer.checkpoint()
        lock.lock()
        checkpoints[trial.number] = (segment.generation, snapshot)
        if retention == .twoGenerations { checkpoints = checkpoints.filter { $0.value.generation >= segment.generation - 1 } }
        lock.unlock()
        return try finalValue(result, metric)
    }
}
