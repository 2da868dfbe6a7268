// SIGINT (Ctrl-C) and SIGTERM (kill, batch schedulers, `docker stop`) for the commands that
// run studies (`tune`, `auto`): the first signal stops the study cleanly — running trials
// are stored FAIL "interrupted", no new trial starts, everything finished stays stored —
// and the command then exits with 128 + the signal's number (130 for SIGINT, 143 for
// SIGTERM), whatever the study's end, so a shell script can tell an interrupted study from
// a finished one. A second signal exits at once with its own code. Running the same
// command again resumes the study.

import Dispatch
import Foundation

final class SignalInterrupter: @unchecked Sendable {
    static let handled: [Int32] = [SIGINT, SIGTERM]

    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var first: Int32?

    /// Starts handling SIGINT and SIGTERM. `onFirst(signal)` runs once, for the first
    /// signal, on a dispatch queue (not in a signal handler, so it may take locks).
    init(onFirst: @escaping @Sendable (Int32) -> Void) {
        for signo in Self.handled {
            // Ignored by the default disposition, so that only the dispatch source sees it.
            Foundation.signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [unowned self] in
                lock.lock()
                let isFirst = first == nil
                if isFirst { first = signo }
                lock.unlock()
                if isFirst {
                    onFirst(signo)
                } else {
                    Self.note("second signal (\(Self.name(signo))): exiting at once with code \(Self.exitCode(signo)); trials still running stay RUNNING in the storage")
                    fflush(stdout)
                    _exit(Self.exitCode(signo))
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var received: Int32? { lock.lock(); defer { lock.unlock() }; return first }

    /// 130 for SIGINT, 143 for SIGTERM: what a shell reports for a process those signals ended.
    static func exitCode(_ signo: Int32) -> Int32 { 128 + signo }

    static func name(_ signo: Int32) -> String {
        switch signo {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signo)"
        }
    }

    /// The line a command prints on the first signal.
    static func stopping(_ signo: Int32) -> String {
        "\(name(signo)): interrupting — running trials will be stored as FAIL \"interrupted\" and no new trial starts "
            + "(\(signo == SIGINT ? "Ctrl-C" : "send it") again to quit at once)"
    }

    /// Stops handling the signals (their default actions return).
    func restore() {
        for source in sources { source.cancel() }
        sources = []
        for signo in Self.handled { Foundation.signal(signo, SIG_DFL) }
    }

    /// When a signal came: restores the handlers, prints `error` (if any) and a line
    /// saying the study was interrupted and how to resume, and exits with 128 + the
    /// signal's number. Otherwise returns.
    func exitIfInterrupted(resume: String, error: Error? = nil) {
        guard let signo = received else { return }
        restore()
        if let error { Self.note("error: \(error)") }
        fflush(stdout)
        Self.note("interrupted by \(Self.name(signo)) (exit code \(Self.exitCode(signo))); \(resume)")
        exit(Self.exitCode(signo))
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
