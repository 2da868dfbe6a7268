// Small dense Double-precision linear algebra for the model-based samplers: Cholesky with
// jitter, triangular solves and inverses (Gaussian process, n ≤ a few hundred) and a
// symmetric eigendecomposition (CMA-ES covariance, d ≤ a few dozen).
//
// HoneTensor's BLAS wrapper is Float32 only; GP marginal likelihoods need Double (their
// Cholesky factors are ill-conditioned by design), so these are written out here. Matrices
// are row-major `[Double]` of n·n entries.

import Foundation

enum DenseLinearAlgebra {
    /// In-place Cholesky factorisation A = L Lᵀ of a symmetric positive-definite matrix.
    /// On success `a` holds L in its lower triangle and zeros above; returns false when a
    /// pivot is not positive (matrix not numerically positive definite).
    static func cholesky(_ a: inout [Double], n: Int) -> Bool {
        a.withUnsafeMutableBufferPointer { p in
            for j in 0..<n {
                let rowJ = j * n
                var d = p[rowJ + j]
                for k in 0..<j { d -= p[rowJ + k] * p[rowJ + k] }
                guard d > 0, d.isFinite else { return false }
                let ljj = d.squareRoot()
                p[rowJ + j] = ljj
                let inv = 1 / ljj
                for i in (j + 1)..<max(j + 1, n) {
                    let rowI = i * n
                    var s = p[rowI + j]
                    for k in 0..<j { s -= p[rowI + k] * p[rowJ + k] }
                    p[rowI + j] = s * inv
                }
                for k in (j + 1)..<max(j + 1, n) { p[rowJ + k] = 0 }
            }
            return true
        }
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
        for i in 0..<n {
            var s = b[i]
            let row = i * n
            for k in 0..<i { s -= l[row + k] * b[k] }
            b[i] = s / l[row + i]
        }
    }

    /// Solves Lᵀ x = b in place.
    static func solveLowerTransposed(_ l: UnsafeBufferPointer<Double>, n: Int, _ b: UnsafeMutableBufferPointer<Double>) {
        var i = n - 1
        while i >= 0 {
            var s = b[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * b[k] }
            b[i] = s / l[i * n + i]
            i -= 1
        }
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

    /// (L Lᵀ)⁻¹ from the Cholesky factor: M = L⁻¹ by row-wise forward substitution, then
    /// Mᵀ M accumulated row by row of M. Both loops run along contiguous rows (n³/2 flops).
    static func inverseFromCholesky(_ l: [Double], n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        var out = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { lp in
            m.withUnsafeMutableBufferPointer { mp in
                // Row i of M: M_ij = −(Σ_{k=j}^{i−1} L_ik M_kj) / L_ii for j < i, M_ii = 1/L_ii.
                for i in 0..<n {
                    let rowI = i * n
                    for k in 0..<i {
                        let a = lp[rowI + k]
                        if a == 0 { continue }
                        let rowK = k * n
                        for j in 0...k { mp[rowI + j] -= a * mp[rowK + j] }
                    }
                    let inv = 1 / lp[rowI + i]
                    for j in 0..<i { mp[rowI + j] *= inv }
                    mp[rowI + i] = inv
                }
            }
            m.withUnsafeBufferPointer { mp in
                out.withUnsafeMutableBufferPointer { op in
                    // (MᵀM)_ij = Σ_k M_ki M_kj: add each row's outer product (lower triangle).
                    for k in 0..<n {
                        let rowK = k * n
                        for i in 0...k {
                            let a = mp[rowK + i]
                            let rowI = i * n
                            for j in 0...i { op[rowI + j] += a * mp[rowK + j] }
                        }
                    }
                    for i in 0..<n { for j in 0..<i { op[j * n + i] = op[i * n + j] } }
                }
            }
        }
        return out
    }

    /// Eigendecomposition of a symmetric matrix by the cyclic Jacobi method (accurate to
    /// machine precision, O(n³) per sweep, a handful of sweeps; fine for n ≤ ~100).
    /// Returns eigenvalues and the row-major matrix whose *columns* are the eigenvectors.
    static func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, total = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let x = a[i * n + j] * a[i * n + j]
                    total += x
                    if i != j { off += x }
                }
            }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let app = a[p * n + p], aqq = a[q * n + q]
                    // Rotation angle that zeroes a_pq (Golub & Van Loan, Alg. 8.4.1).
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}
