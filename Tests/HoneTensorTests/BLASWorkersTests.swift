import XCTest
@testable import HoneTensor

/// BLAS.gemmOnWorkers against a Double product, for every transpose combination, split by
/// rows and by columns, with a ragged last block; and bit-for-bit repeats with two threads.
final class BLASWorkersTests: XCTestCase {
    func testMatchesDoubleProductAndRepeats() {
        let saved = BLAS.threads
        defer { BLAS.setThreads(saved) }
        // (m, n, k): tall (split by rows), wide (split by columns), small (one call).
        for (m, n, k) in [(133, 40, 50), (24, 301, 37), (5, 6, 7)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = randomTensor([m * k], seed: 1), b = randomTensor([k * n], seed: 2), c0 = randomTensor([m * n], seed: 3)
                    let lda = transA ? m : k, ldb = transB ? k : n
                    func run(threads: Int) -> [Float] {
                        BLAS.setThreads(threads)
                        let c = c0.copy()
                        BLAS.gemmOnWorkers(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                                           b: b.data, ldb: ldb, beta: 1, c: c.data, ldc: n)
                        XCTAssertEqual(BLAS.threads, threads, "the thread count is restored")
                        return c.scalars
                    }
                    let two = run(threads: 2), again = run(threads: 2), one = run(threads: 1)
                    XCTAssertEqual(two, again, "\(m)×\(n)×\(k) \(transA) \(transB)")
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0
                            for p in 0..<k {
                                let av = Double(transA ? a.data[p * lda + i] : a.data[i * lda + p])
                                let bv = Double(transB ? b.data[j * ldb + p] : b.data[p * ldb + j])
                                sum += av * bv
                            }
                            let expected = 0.5 * sum + Double(c0.data[i * n + j])
                            XCTAssertEqual(Double(two[i * n + j]), expected, accuracy: 1e-4 * max(1, abs(expected)))
                            XCTAssertEqual(Double(one[i * n + j]), expected, accuracy: 1e-4 * max(1, abs(expected)))
                        }
                    }
                }
            }
        }
    }
}
