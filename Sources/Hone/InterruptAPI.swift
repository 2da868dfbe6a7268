// hone_interrupt: the library's answer to a host process's SIGINT/SIGTERM. The library
// installs no signal handler (the host owns its process's signals); the host's handler
// calls hone_interrupt, which only bumps a lock-free counter (async-signal-safe). Each
// running hone_study_optimize, hone_script_run and hone_auto watches that counter from a
// thread of its own and, when it moves, stops: no new trial, running trials stored FAIL
// "interrupted", and the call returns HONE_INTERRUPTED.

import Foundation
import HoneLuaShim
import HonePlugins
import HoneSearch

@_cdecl("hone_interrupt")
public func hone_interrupt() -> Int32 {
    // Nothing else here: no lock, no allocation, no thread-local message (a signal
    // handler calls this).
    hone_process_interrupt()
    return HoneStatus.ok.rawValue
}

/// Watches the hone_interrupt counter for one library call: `onInterrupt` runs once, on
/// the watcher's thread, when hone_interrupt is called after the watch began.
final class InterruptWatch: @unchecked Sendable {
    private let start: Int
    private let thread: PeriodicThread

    /// Seconds between looks at the counter.
    static let interval: TimeInterval = 0.02

    init(onInterrupt: @escaping @Sendable () -> Void) {
        let start = hone_process_interrupt_count()
        self.start = start
        thread = PeriodicThread(name: "hone-interrupt-watch", interval: Self.interval) {
            guard hone_process_interrupt_count() != start else { return true }
            onInterrupt()
            return false
        }
    }

    /// True once hone_interrupt was called since the watch began.
    var fired: Bool { hone_process_interrupt_count() != start }

    /// Ends the watch and waits for its thread, so `onInterrupt` never runs after it.
    func finish() { thread.finish() }
}
