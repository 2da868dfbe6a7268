// Small dense Double-precision linear algebra for the model-based samplers: Cholesky with
// jitter, triangular solves and inverses (Gaussian process, n ≤ a few hundred) and a
// symmetric eigendecomposition (CMA-ES covariance, d ≤ a few dozen), through OpenBLAS's
// BLAS and LAPACK (dpotrf, dpotri, dtrsv, dsyevd).
//
// Matrices are row-major `[Double]` of n·n entries. LAPACK is column-major, but every
// matrix here is symmetric or triangular: a row-major lower triangle is the column-major
// upper one, so the calls below ask LAPACK for "U" to work on our "L".

import CBLAS
import Foundation

enum DenseLinearAlgebra {
    /// In-place Cholesky factorisation A = L Lᵀ of a symmetric positive-definite matrix.
    /// On success `a` holds L in its lower triangle and zeros above; returns false when a
    /// pivot is not positive (matrix not numerically positive definite).
    static func cholesky(_ a: inout [Double], n: Int) -> Bool {
        guard n > 0 else { return true }
        var info: Int32 = 0, order = Int32(n)
        a.withUnsafeMutableBufferPointer { p in dpotrf_("U", &order, p.baseAddress, &order, &info, 1) }
        guard info == 0 else { return false }
        a.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                guard p[i * n + i].isFinite else { info = -1; return }
                for j in (i + 1)..<max(i + 1, n) { p[i * n + j] = 0 }
            }
        }
        return info == 0
    }

    /// Cholesky of `a + jitter·I`, starting with no jitter and adding 1e-8·mean(diag),
    /// ×10 each time, until the factorisation succeeds (duplicate or near-duplicate points
    /// make a noise-free kernel matrix singular). Each failed attempt costs up to a whole
    /// factorisation, so the first jitter is large enough to succeed almost always.
    /// Returns L and the jitter used, or nil when even a jitter of the diagonal's size
    /// fails (non-finite entries).
    static func choleskyWithJitter(_ a: [Double], n: Int) -> (factor: [Double], jitter: Double)? {
        var meanDiag = 0.0
        for i in 0..<n { meanDiag += a[i * n + i] }
        meanDiag = max(meanDiag / Double(max(n, 1)), 1e-300)
        var jitter = 0.0
        while jitter <= meanDiag {
            var l = a
            if jitter > 0 { for i in 0..<n { l[i * n + i] += jitter } }
            if cholesky(&l, n: n) { return (l, jitter) }
            jitter = jitter == 0 ? 1e-8 * meanDiag : jitter * 10
        }
        return nil
    }

    /// Solves L x = b in place (L lower triangular, row-major n×n).
    static func solveLower(_ l: UnsafeBufferPointer<Double>, n: Int, _ b: UnsafeMutableBufferPointer<Double>) {
        guard n > 0 else { return }
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, blasint(n), l.baseAddress, blasint(n),
                    b.baseAddress, 1)
    }

    /// Solves Lᵀ x = b in place.
    static func solveLowerTransposed(_ l: UnsafeBufferPointer<Double>, n: Int, _ b: UnsafeMutableBufferPointer<Double>) {
        guard n > 0 else { return }
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, blasint(n), l.baseAddress, blasint(n),
                    b.baseAddress, 1)
    }

    /// Solves (L Lᵀ) x = b.
    static func choleskySolve(_ l: [Double], n: Int, _ b: [Double]) -> [Double] {
        var x = b
        l.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { xp in
                solveLower(lp, n: n, xp)
                solveLowerTransposed(lp, n: n, xp)
            }
        }
        return x
    }

    /// (L Lᵀ)⁻¹ from the Cholesky factor (LAPACK's dpotri), both triangles filled.
    static func inverseFromCholesky(_ l: [Double], n: Int) -> [Double] {
        guard n > 0 else { return [] }
        var out = l, info: Int32 = 0, order = Int32(n)
        out.withUnsafeMutableBufferPointer { p in
            dpotri_("U", &order, p.baseAddress, &order, &info, 1)
            // The inverse is in the lower triangle (row-major); mirror it.
            for i in 0..<n { for j in 0..<i { p[j * n + i] = p[i * n + j] } }
        }
        // info > 0 only for a zero diagonal entry, which a successful Cholesky never has.
        return out
    }

    /// Eigendecomposition of a symmetric matrix (LAPACK's dsyevd, divide and conquer).
    /// Returns eigenvalues in ascending order and the row-major matrix whose *columns* are
    /// the eigenvectors. A matrix LAPACK cannot decompose (non-finite entries) gives the
    /// diagonal and the identity, which the caller's stopping rules then catch.
    static func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        var a = matrix, w = [Double](repeating: 0, count: n)
        var order = Int32(n), info: Int32 = 0
        // Workspace query first (lwork = liwork = −1), then the decomposition.
        var workSize = 0.0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_("V", "U", &order, &a, &order, &w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(liwork, 1)))
        if info == 0 {
            dsyevd_("V", "U", &order, &a, &order, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        }
        guard info == 0 else {
            var identity = [Double](repeating: 0, count: n * n)
            for i in 0..<n { identity[i * n + i] = 1 }
            return ((0..<n).map { matrix[$0 * n + $0] }, identity)
        }
        // LAPACK's column-major eigenvectors are our rows: transpose to make them columns.
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { v[i * n + j] = a[j * n + i] } }
        return (w, v)
    }
}
