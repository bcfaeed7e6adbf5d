import CBLAS

/// Matrix products, all through `cblas_sgemm`.
///
/// Transposes are passed as flags, never materialised: a Linear layer stores W as [out, in]
/// (PyTorch's layout) and the forward pass multiplies by Wᵀ for free.
public enum BLAS {
    /// c = alpha · op(a) · op(b) + beta · c, with op(x) = xᵀ when the flag is set.
    @inlinable
    public static func gemm(_ a: Matrix, transposeA: Bool = false,
                            _ b: Matrix, transposeB: Bool = false,
                            into c: Matrix, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb && c.rows == m && c.cols == n,
                     "gemm shape mismatch: (\(m)×\(k)) · (\(kb)×\(n)) into \(c.rows)×\(c.cols)")
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    alpha, a.base, Int32(a.cols),
                    b.base, Int32(b.cols),
                    beta, c.base, Int32(c.cols))
    }

    /// OpenBLAS's own thread pool size. Results are bit-identical for a fixed thread count.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The CPU core type OpenBLAS picked its kernels for (e.g. "Zen").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
