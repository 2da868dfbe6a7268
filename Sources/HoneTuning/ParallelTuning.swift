// Parallel trials: nJobs worker threads, each trial with single-threaded BLAS.
//
// Two trials training at once on two cores go faster with one BLAS thread each than with
// two BLAS threads each fighting for the same cores. OpenBLAS's thread count is one
// process-wide setting, so it is set once for the run and restored afterwards.

import Foundation
import HoneSearch
import HoneTensor

extension Study {
    /// `optimize` for training objectives: with `nJobs` > 1 BLAS runs single-threaded
    /// (`blasThreads`, default 1) for the duration, so parallelism comes from trials; with
    /// `nJobs` = 1 BLAS keeps its threads (one trial at a time, threaded kernels).
    public func optimizeTraining(_ objective: @escaping @Sendable (Trial) throws -> Double, nTrials: Int? = nil,
                                 timeout: TimeInterval? = nil, nJobs: Int = 1, blasThreads: Int? = nil) throws {
        try withBLASThreads(nJobs > 1 ? (blasThreads ?? 1) : blasThreads) {
            try optimize(objective, nTrials: nTrials, timeout: timeout, nJobs: nJobs)
        }
    }

    /// `optimize(scheduler:)` with the same BLAS policy.
    public func optimizeTraining(scheduler: BudgetScheduler, nTrials: Int? = nil, timeout: TimeInterval? = nil, nJobs: Int = 1,
                                 blasThreads: Int? = nil, _ objective: @escaping @Sendable (Trial, Budget) throws -> Double) throws {
        try withBLASThreads(nJobs > 1 ? (blasThreads ?? 1) : blasThreads) {
            try optimize(scheduler: scheduler, nTrials: nTrials, timeout: timeout, nJobs: nJobs, objective)
        }
    }
}

/// Runs `body` with BLAS at `threads` threads (unchanged when nil), restoring the previous count.
public func withBLASThreads<T>(_ threads: Int?, _ body: () throws -> T) rethrows -> T {
    guard let threads else { return try body() }
    let previous = BLAS.threads
    BLAS.setThreads(threads)
    defer { BLAS.setThreads(previous) }
    return try body()
}
