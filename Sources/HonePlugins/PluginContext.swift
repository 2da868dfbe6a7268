// What a C sampler or pruner sees of its study during one call (hone_context_*).

import Foundation
import HoneSearch
import HoneTensor

final class PluginContext: @unchecked Sendable {
    let study: StudyView
    let trialNumber: Int
    let intermediate: [(step: Int, value: Double)]
    private var random: RandomGenerator
    private var completedCache: [FrozenTrial]?
    private let lock = NSLock()

    init(study: StudyView, trialNumber: Int, intermediate: [(step: Int, value: Double)], random: RandomGenerator) {
        self.study = study
        self.trialNumber = trialNumber
        self.intermediate = intermediate
        self.random = random
    }

    func completed() throws -> [FrozenTrial] {
        lock.lock(); defer { lock.unlock() }
        if let completedCache { return completedCache }
        let all = try study.completeTrials().filter { $0.values?.first?.isFinite == true }.sorted { $0.number < $1.number }
        completedCache = all
        return all
    }

    func completed(_ i: Int) throws -> FrozenTrial {
        let all = try completed()
        guard i >= 0, i < all.count else {
            throw APIError(.invalidArgument, "completed trial index \(UInt(bitPattern: i)) is out of range (there are \(all.count))")
        }
        return all[i]
    }

    func nextRandom() -> Double {
        lock.lock(); defer { lock.unlock() }
        return random.uniform()
    }
}

private func context(_ p: OpaquePointer?) throws -> PluginContext {
    try HandleTable.shared.get(p, .context)
}

@_cdecl("hone_context_directions")
public func hone_context_directions(_ ctx: OpaquePointer?, _ maximize: UnsafeMutablePointer<Int32>?, _ cap: Int,
                                    _ n: UnsafeMutablePointer<Int>?) -> Int32 {
    api {
        let c = try context(ctx)
        let n = try output(n, "out")
        let directions = c.study.directions
        if let maximize {
            for (i, d) in directions.enumerated() where i < UInt(bitPattern: cap) { maximize[i] = d == .maximize ? 1 : 0 }
        }
        n.pointee = directions.count
    }
}

@_cdecl("hone_context_trial_number")
public func hone_context_trial_number(_ ctx: OpaquePointer?, _ n: UnsafeMutablePointer<Int64>?) -> Int32 {
    api { let c = try context(ctx); try output(n, "out").pointee = Int64(c.trialNumber) }
}

@_cdecl("hone_context_n_completed")
public func hone_context_n_completed(_ ctx: OpaquePointer?, _ n: UnsafeMutablePointer<Int>?) -> Int32 {
    api { let c = try context(ctx); let n = try output(n, "out"); n.pointee = try c.completed().count }
}

@_cdecl("hone_context_completed_value")
public func hone_context_completed_value(_ ctx: OpaquePointer?, _ i: Int, _ value: UnsafeMutablePointer<Double>?) -> Int32 {
    api {
        let c = try context(ctx)
        let value = try output(value, "out")
        value.pointee = try c.completed(i).values![0]
    }
}

@_cdecl("hone_context_completed_param")
public func hone_context_completed_param(_ ctx: OpaquePointer?, _ i: Int, _ name: UnsafePointer<CChar>?,
                                         _ value: UnsafeMutablePointer<Double>?, _ present: UnsafeMutablePointer<Int32>?) -> Int32 {
    api {
        let c = try context(ctx)
        let name = try string(name, "name")
        let value = try output(value, "value"), present = try output(present, "present")
        let trial = try c.completed(i)
        if let v = trial.internalValue(name) {
            value.pointee = v
            present.pointee = 1
        } else {
            present.pointee = 0
        }
    }
}

@_cdecl("hone_context_intermediate")
public func hone_context_intermediate(_ ctx: OpaquePointer?, _ steps: UnsafeMutablePointer<Int64>?, _ values: UnsafeMutablePointer<Double>?,
                                      _ cap: Int, _ n: UnsafeMutablePointer<Int>?) -> Int32 {
    api {
        let c = try context(ctx)
        let n = try output(n, "out")
        let room = UInt(bitPattern: cap)
        for (i, point) in c.intermediate.enumerated() where UInt(i) < room {
            steps?[i] = Int64(point.step)
            values?[i] = point.value
        }
        n.pointee = c.intermediate.count
    }
}

@_cdecl("hone_context_random")
public func hone_context_random(_ ctx: OpaquePointer?, _ value: UnsafeMutablePointer<Double>?) -> Int32 {
    api { let c = try context(ctx); try output(value, "out").pointee = c.nextRandom() }
}
