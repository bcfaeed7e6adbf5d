import CBLAS

/// Eigendecomposition of a real symmetric matrix, A = V · diag(λ) · Vᵀ, by the cyclic Jacobi
/// method, in Double.
///
/// Why Jacobi: it is short, unconditionally stable and accurate even for the tiny eigenvalues of
/// nearly singular covariance matrices (dead ReLU features give exact zeros), which is what the
/// Fréchet distance's matrix square roots need. Each plane rotation touches two rows and two
/// columns; the rows are rotated with `cblas_drot` and mirrored into the columns with
/// `cblas_dcopy`, so the O(d³) work per sweep runs in OpenBLAS even in debug builds: a 256 × 256
/// matrix takes a few tenths of a second. The metrics need eigenvectors only once per run
/// (C^{½} of the test set); `eigenvalues(_:dimension:)` serves every other decomposition.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues, ascending.
    public let values: [Double]
    /// Eigenvectors as the *rows* of a row-major d × d array: row i belongs to `values[i]`.
    public let vectors: [Double]
    public let dimension: Int
    /// Jacobi sweeps used (≈ 6–12).
    public let sweeps: Int

    /// - Parameter matrix: row-major d × d; only symmetry up to rounding is assumed (it is
    ///   symmetrised). For eigenvalues alone, `SymmetricEigen.eigenvalues` is much faster.
    public init(_ matrix: [Double], dimension d: Int, maxSweeps: Int = 50) {
        precondition(d >= 0 && matrix.count == d * d, "SymmetricEigen: need a \(d)×\(d) matrix")
        guard matrix.allSatisfy(\.isFinite) else {
            // A diverged network's features: no iteration would converge, so answer NaN at once.
            values = Array(repeating: .nan, count: d)
            vectors = Array(repeating: .nan, count: d * d)
            dimension = d
            sweeps = 0
            return
        }
        var a = matrix
        for i in 0 ..< d {
            for j in i + 1 ..< d {
                let m = 0.5 * (a[i * d + j] + a[j * d + i])
                a[i * d + j] = m
                a[j * d + i] = m
            }
        }
        // W = Vᵀ, so that the rotation of V's columns p, q is a contiguous update of W's rows.
        var w = [Double](repeating: 0, count: d * d)
        for i in 0 ..< d { w[i * d + i] = 1 }
        var sweeps = 0
        a.withUnsafeMutableBufferPointer { ab in
            w.withUnsafeMutableBufferPointer { wb in
                let a = ab.baseAddress!, w = wb.baseAddress!
                sweeps = Self.jacobi(a, w, d, maxSweeps: maxSweeps)
            }
        }
        let order = (0 ..< d).sorted { a[$0 * d + $0] < a[$1 * d + $1] }
        values = order.map { a[$0 * d + $0] }
        vectors = order.flatMap { w[$0 * d ..< $0 * d + d] }
        dimension = d
        self.sweeps = sweeps
    }

    /// Sweeps over all (p, q) pairs until the off-diagonal mass is negligible against the
    /// diagonal. Returns the number of sweeps.
    private static func jacobi(_ a: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>, _ d: Int,
                               maxSweeps: Int) -> Int {
        let n = Int32(d), stride = Int32(d)
        var total = 0.0
        for i in 0 ..< d * d { total += a[i] * a[i] }
        guard total > 0 else { return 0 }
        for sweep in 1 ... max(maxSweeps, 1) {
            var off = 0.0
            for p in 0 ..< d {
                for q in p + 1 ..< d { off += a[p * d + q] * a[p * d + q] }
            }
            // ‖offdiag‖² ≤ (1e-15)²·‖A‖²: below what Double can resolve on the diagonal anyway.
            if off <= 1e-30 * total { return sweep - 1 }
            for p in 0 ..< d - 1 {
                for q in p + 1 ..< d {
                    let apq = a[p * d + q]
                    let app = a[p * d + p], aqq = a[q * d + q]
                    // An element too small to change either diagonal entry is zeroed without a
                    // rotation: late sweeps then cost little more than this scan.
                    if abs(apq) <= 1e-18 * (abs(app) + abs(aqq)) || apq == 0 {
                        a[p * d + q] = 0
                        a[q * d + p] = 0
                        continue
                    }
                    // Golub & Van Loan, Algorithm 8.5.1: t = tan θ chosen with |θ| ≤ π/4.
                    let tau = (aqq - app) / (2 * apq)
                    let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = t * c
                    // A ← Jᵀ A J. Rotate rows p, q (x' = c·x − s·y, y' = s·x + c·y); outside the
                    // 2 × 2 block they are final, and by symmetry so are columns p, q: copy them
                    // over instead of rotating strided columns. The block itself is known exactly.
                    cblas_drot(n, a + p * d, 1, a + q * d, 1, c, -s)
                    a[p * d + p] = app - t * apq
                    a[q * d + q] = aqq + t * apq
                    a[p * d + q] = 0
                    a[q * d + p] = 0
                    cblas_dcopy(n, a + p * d, 1, a + p, stride)
                    cblas_dcopy(n, a + q * d, 1, a + q, stride)
                    cblas_drot(n, w + p * d, 1, w + q * d, 1, c, -s)
                }
            }
        }
        return maxSweeps
    }

    /// V · diag(f(λ)) · Vᵀ, e.g. the square root of a covariance matrix with f = √max(λ, 0).
    public func reconstruct(applying f: (Double) -> Double) -> [Double] {
        let d = dimension
        precondition(vectors.count == d * d, "reconstruct needs the eigenvectors")
        // Scaled = diag(f(λ)) · W (W's rows are the eigenvectors); result = Wᵀ · Scaled.
        var scaled = vectors
        for i in 0 ..< d {
            let fi = f(values[i])
            for j in 0 ..< d { scaled[i * d + j] *= fi }
        }
        var out = [Double](repeating: 0, count: d * d)
        guard d > 0 else { return out }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d),
                    1, vectors, Int32(d), scaled, Int32(d), 0, &out, Int32(d))
        return out
    }
}

/// Double-precision products through `cblas_dgemm`, for the small d × d matrices of the
/// quality metrics (Float is plenty for activations, not for differences of traces).
public enum DoubleMatrix {
    /// a (m × k) · b (k × n), row-major.
    public static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        precondition(a.count == m * k && b.count == k * n, "DoubleMatrix.multiply: shape mismatch")
        var out = [Double](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return out }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 0, &out, Int32(n))
        return out
    }
}
