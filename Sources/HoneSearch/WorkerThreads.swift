// The worker threads of every optimize loop (trials, budget schedulers, PBT).

import Foundation

/// Runs `work(w)` for w in 0..<count, on the calling thread when count is 1, else on
/// `count` threads named `name-w`, and returns when all have finished. Threads get 8 MiB
/// stacks: objectives train networks and run Lua, which need more than the default.
func runOnWorkerThreads(_ count: Int, name: String, _ work: @escaping @Sendable (Int) -> Void) {
    if count <= 1 {
        work(0)
        return
    }
    let group = DispatchGroup()
    for w in 0..<count {
        group.enter()
        let thread = Thread { work(w); group.leave() }
        thread.name = "\(name)-\(w)"
        thread.stackSize = 8 << 20
        thread.start()
    }
    group.wait()
}

/// A background thread that calls `tick` every `interval` seconds until `tick` returns
/// false or `finish()` is called; `finish()` waits for the thread, so `tick` never runs
/// after it returns. The one shape of the library's watcher threads (optimize's
/// heartbeats, the hone_interrupt watch).
public final class PeriodicThread: @unchecked Sendable {
    private let interval: TimeInterval
    private let tick: @Sendable () -> Bool
    private let condition = NSCondition()
    private var done = false
    private var finished = false

    public init(name: String, interval: TimeInterval, tick: @escaping @Sendable () -> Bool) {
        self.interval = interval
        self.tick = tick
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        condition.lock()
        while !done {
            _ = condition.wait(until: Date().addingTimeInterval(interval))
            if done { break }
            condition.unlock()
            let goOn = tick()
            condition.lock()
            if !goOn { break }
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread and waits for it.
    public func finish() {
        condition.lock()
        done = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// The limits every optimize loop has: `stop()`, a deadline and a number of trials (or
/// PBT segments) to start.
final class RunLimits: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int?
    private let deadline: Date?

    init(nTrials: Int?, timeout: TimeInterval?) {
        left = nTrials
        deadline = timeout.map { Date().addingTimeInterval($0) }
    }

    /// Whether nothing new may start.
    func isOver(_ study: Study) -> Bool {
        if study.isStopRequested { return true }
        if let d = deadline, Date() >= d { return true }
        lock.lock(); defer { lock.unlock() }
        return left.map { $0 <= 0 } ?? false
    }

    /// Takes one slot, or says the run is over.
    func claim(_ study: Study) -> Bool {
        if study.isStopRequested { return false }
        if let d = deadline, Date() >= d { return false }
        lock.lock(); defer { lock.unlock() }
        if let n = left {
            guard n > 0 else { return false }
            left = n - 1
        }
        return true
    }
}

/// A value behind a lock, shared by an optimize run's worker threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&stored) }
}
