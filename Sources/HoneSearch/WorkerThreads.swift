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
