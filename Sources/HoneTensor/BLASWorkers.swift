// A GEMM shared among Hone's own workers, each calling single-threaded sgemm on a fixed
// block of C's rows (or columns), instead of handing it to OpenBLAS's thread pool.
//
// Why: with several BLAS threads a training step alternates between conv blocks (which
// already split their images among Hone's workers, ConvBlock.swift) and the dense layers.
// When the dense products went to OpenBLAS's pool, its idle threads kept spinning on
// sched_yield after each product (≈ 16 % of the CPU samples of a 2-thread 32-64 CNN step,
// `perf record -e cpu-clock`) while the conv workers needed the same two cores. Split here,
// the pool is never woken. The blocks depend only on the shape and the thread count, and
// each element of C is computed by one sgemm call, so a given thread count repeats bit for
// bit.

import Foundation

extension BLAS {
    /// `gemm`, shared among `BLAS.threads` workers (OpenBLAS itself kept at one thread while
    /// they run). Products under 2¹⁶ multiply-adds run as one call.
    public static func gemmOnWorkers(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let threads = BLAS.threads
        guard threads > 1 else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
                 c: c, ldc: ldc)
            return
        }
        setThreads(1)
        defer { setThreads(threads) }
        // Split the longer side of C into blocks of a multiple of 16 (whole micro-tiles).
        let splitRows = m >= n, extent = splitRows ? m : n
        let workers = m * n * k < 1 << 16 ? 1 : min(threads, max(1, extent / 16))
        let block = ((extent + workers - 1) / workers + 15) / 16 * 16
        func run(_ lo: Int, _ hi: Int) {
            if splitRows {
                gemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha, a: transA ? a + lo : a + lo * lda,
                     lda: lda, b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
            } else {
                gemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                     b: transB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            }
        }
        guard workers > 1 else { return run(0, extent) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * block, hi = min(extent, lo + block)
            if lo < hi { run(lo, hi) }
        }
    }
}
