import CBLAS

extension SymmetricEigen {
    /// The eigenvalues alone (ascending), by Householder reduction to tridiagonal form and the
    /// implicit QL algorithm (Wilkinson & Reinsch; Numerical Recipes' tred2/tqli without vectors).
    ///
    /// Why a second algorithm: the Fréchet distance needs the eigenvalues of C₁^{½} C₂ C₁^{½} at
    /// every measurement, and Jacobi needs ~12 sweeps of d²/2 rotations for those ill-conditioned
    /// matrices (≈ 1 s at d = 256), while the reduction is 4/3·d³ flops in level-1 BLAS calls and
    /// QL on the tridiagonal is O(d²): a few milliseconds.
    public static func eigenvalues(_ matrix: [Double], dimension n: Int) -> [Double] {
        precondition(n >= 0 && matrix.count == n * n, "eigenvalues: need a \(n)×\(n) matrix")
        guard n > 1 else { return matrix }
        guard matrix.allSatisfy(\.isFinite) else { return Array(repeating: .nan, count: n) }
        var a = matrix
        var diagonal = [Double](repeating: 0, count: n)
        var off = [Double](repeating: 0, count: n)  // off[i] couples i and i + 1; off[n − 1] = 0
        a.withUnsafeMutableBufferPointer { ab in
            let a = ab.baseAddress!
            var v = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
            for k in 0 ..< n - 2 {
                diagonal[k] = a[k * n + k]
                let m = n - k - 1
                let x = a + k * n + k + 1  // row k right of the diagonal = column k below it
                let norm = cblas_dnrm2(Int32(m), x, 1)
                guard norm > 0 else {
                    off[k] = 0
                    continue
                }
                // H = I − β v vᵀ maps x to α e₁, α with the sign that avoids cancellation.
                let alpha = x[0] > 0 ? -norm : norm
                for i in 0 ..< m { v[i] = x[i] }
                v[0] -= alpha
                let beta = 2 / cblas_ddot(Int32(m), v, 1, v, 1)
                off[k] = alpha
                // A₂₂ ← H A₂₂ H = A₂₂ − v wᵀ − w vᵀ with p = β A₂₂ v, w = p − (β/2)(pᵀv) v,
                // row by row with level-1 BLAS: OpenBLAS threads dsymv/dsyr2 even at this size,
                // and on a busy machine that costs 100× the arithmetic.
                let a22 = a + (k + 1) * n + (k + 1)
                for i in 0 ..< m { w[i] = beta * cblas_ddot(Int32(m), a22 + i * n, 1, v, 1) }
                let half = 0.5 * beta * cblas_ddot(Int32(m), w, 1, v, 1)
                for i in 0 ..< m { w[i] -= half * v[i] }
                for i in 0 ..< m {
                    cblas_daxpy(Int32(m), -v[i], w, 1, a22 + i * n, 1)
                    cblas_daxpy(Int32(m), -w[i], v, 1, a22 + i * n, 1)
                }
            }
            diagonal[n - 2] = a[(n - 2) * n + n - 2]
            diagonal[n - 1] = a[(n - 1) * n + n - 1]
            off[n - 2] = a[(n - 2) * n + n - 1]
        }
        tridiagonalQL(&diagonal, &off)
        return diagonal.sorted()
    }

    /// Implicit QL with Wilkinson shifts on a symmetric tridiagonal matrix; `d` becomes the
    /// eigenvalues (unsorted). `e[i]` couples i and i + 1, `e[n − 1]` is ignored.
    static func tridiagonalQL(_ d: inout [Double], _ e: inout [Double]) {
        let n = d.count
        e[n - 1] = 0
        for l in 0 ..< n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let scale = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * scale { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > 60 { break }  // never seen; leaves a usable approximation
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = (g * g + 1).squareRoot()
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = (f * f + g * g).squareRoot()
                    e[i + 1] = r
                    if r == 0 {
                        // Underflow: the matrix split here; restart the search.
                        d[i + 1] -= p
                        e[m] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    i -= 1
                }
                if deflated { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
    }
}
