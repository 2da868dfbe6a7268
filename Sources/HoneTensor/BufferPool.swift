// Float32 buffers recycled across training steps. On these VMs fresh pages cost as
// much as the arithmetic (first-touch page faults), and a training step allocates
// the same sizes every time, so buffers go back to a pool keyed by exact size.

import Foundation

final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedFloats = 0
    private var lock = pthread_mutex_t()
    /// Buffers beyond this many cached floats (1 GiB) are returned to the system.
    private let maxCachedFloats = 1 << 28

    private init() { pthread_mutex_init(&lock, nil) }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        pthread_mutex_lock(&lock)
        if var list = free[count], let p = list.popLast() {
            free[count] = list
            cachedFloats -= count
            pthread_mutex_unlock(&lock)
            return p
        }
        pthread_mutex_unlock(&lock)
        // 64-byte alignment keeps SIMD loads and BLAS kernels on their fast paths.
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("HoneTensor: out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        pthread_mutex_lock(&lock)
        if cachedFloats + count <= maxCachedFloats {
            free[count, default: []].append(p)
            cachedFloats += count
            pthread_mutex_unlock(&lock)
        } else {
            pthread_mutex_unlock(&lock)
            Foundation.free(p)
        }
    }

    /// Returns every cached buffer to the system (after a large model is done, say).
    func trim() {
        pthread_mutex_lock(&lock)
        let all = free
        free = [:]
        cachedFloats = 0
        pthread_mutex_unlock(&lock)
        for (_, list) in all { for p in list { Foundation.free(p) } }
    }
}

/// Owned, contiguous Float32 memory of a fixed size, returned to the pool when released.
///
/// Scratch buffers: Swift may release an object right after its last use, and a temporary
/// at the end of its statement, so `let p = TensorBuffer(count: n).pointer` hands back
/// memory the pool can give to the next allocation. Keep the buffer in a constant and pin
/// it for as long as its pointer is used: `defer { withExtendedLifetime(buffer) {} }`
/// (buffers captured by a backward closure live as long as the closure).
public final class TensorBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Contents are undefined unless `zeroed`.
    public init(count: Int, zeroed: Bool = false) {
        require(count >= 0, "TensorBuffer: negative size \(count)")
        self.count = count
        pointer = BufferPool.shared.take(count)
        if zeroed { pointer.update(repeating: 0, count: count) }
    }

    deinit { BufferPool.shared.give(pointer, count) }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

public enum TensorMemory {
    /// Releases buffers cached for reuse.
    public static func trimCache() { BufferPool.shared.trim() }
}
