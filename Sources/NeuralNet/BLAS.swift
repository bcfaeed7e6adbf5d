import CBLAS

/// Matrix products through `cblas_sgemm` (outer products, k = 1, by hand).
///
/// Transposes are passed as flags, never materialised: a Linear layer stores W as [out, in]
/// (PyTorch's layout) and the forward pass multiplies by Wᵀ for free.
public enum BLAS {
    /// c = alpha · op(a) · op(b) + beta · c, with op(x) = xᵀ when the flag is set.
    public static func gemm(_ a: Matrix, transposeA: Bool = false,
                            _ b: Matrix, transposeB: Bool = false,
                            into c: Matrix, alpha: Float = 1, beta: Float = 0) {
        let (m, n, k) = checkedShape(a, transposeA, b, transposeB, c)
        guard let team = CoreTeam.shared, m * n * k >= splitThreshold, max(m, n) >= 32 else {
            raw(transposeA, transposeB, m, n, k, alpha, a.base, a.cols, b.base, b.cols, beta, c.base, c.cols)
            return
        }
        // C cut into parts along its longer side (op(B)'s columns or op(A)'s rows), each a multiple
        // of 16 long to keep the parts aligned, claimed by the two cores as they come free.
        let pointers = GemmOperands(a: a.base, b: b.base, c: c.base)
        let (lda, ldb, ldc) = (a.cols, b.cols, c.cols)
        let byColumns = n >= m
        let (parts, width) = split(byColumns ? n : m)
        team.run(parts: parts) { part in
            let start = part * width, count = min(width, (byColumns ? n : m) - start)
            if byColumns {
                let bPart = transposeB ? pointers.b + start * ldb : pointers.b + start
                raw(transposeA, transposeB, m, count, k, alpha, pointers.a, lda, bPart, ldb, beta, pointers.c + start, ldc)
            } else {
                let aPart = transposeA ? pointers.a + start : pointers.a + start * lda
                raw(transposeA, transposeB, count, n, k, alpha, aPart, lda, pointers.b, ldb, beta, pointers.c + start * ldc, ldc)
            }
        }
    }

    /// c = alpha · op(a) · op(b) + beta · c on the calling thread only: for the parts of a team job
    /// that already keeps both cores busy (the convolutions' per-block parts), where a split
    /// product would wait on the other core.
    public static func gemmOnThisThread(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
                                        into c: Matrix, alpha: Float = 1, beta: Float = 0) {
        let (m, n, k) = checkedShape(a, transposeA, b, transposeB, c)
        raw(transposeA, transposeB, m, n, k, alpha, a.base, a.cols, b.base, b.cols, beta, c.base, c.cols)
    }

    /// (m, n, k) of c = op(a) · op(b), with the operands' shapes checked against each other.
    private static func checkedShape(_ a: Matrix, _ transposeA: Bool, _ b: Matrix, _ transposeB: Bool,
                                     _ c: Matrix) -> (m: Int, n: Int, k: Int) {
        let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows, n = transposeB ? b.rows : b.cols
        precondition(k == kb && c.rows == m && c.cols == n,
                     "gemm shape mismatch: (\(m)×\(k)) · (\(kb)×\(n)) into \(c.rows)×\(c.cols)")
        return (m, n, k)
    }

    /// Parts a side of `length` is cut into, and their width (a multiple of 16; the last may be shorter).
    public static func split(_ length: Int) -> (parts: Int, width: Int) {
        let wanted = max(2, min(partsPerProduct, length / 64))
        let width = ((length + wanted - 1) / wanted + 15) & ~15
        return ((length + width - 1) / width, width)
    }

    /// How many parts a large product is cut into (at most). Two, one per core: four measured
    /// 1.5 % slower at B = 64 on a quiet machine and no better beside the UI (each part repacks
    /// the shared operand), so the claiming only matters when a core is taken away mid-product.
    nonisolated(unsafe) public static var partsPerProduct = 2

    /// Products smaller than this (m·n·k) run on one core: splitting costs more than it saves.
    /// (The 1-D GAN's 256×32×32 products ran 6 % faster unsplit; every MNIST product at B ≥ 64 is larger.)
    public static let splitThreshold = 1 << 20

    static func raw(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                    _ a: UnsafeMutablePointer<Float>, _ lda: Int, _ b: UnsafeMutablePointer<Float>, _ ldb: Int,
                    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 1, alpha == 1, beta == 0 {
            // An outer product (D's last layer has one unit: its input gradient is δ · w). OpenBLAS's
            // small-matrix kernel took 25 µs for 256 × 256 of them; each is one rounded product
            // either way, so the result is the same.
            for i in 0 ..< m {
                let x = ta ? a[i] : a[i * lda], row = c + i * ldc
                if tb {
                    for j in 0 ..< n { row[j] = x * b[j * ldb] }
                } else {
                    for j in 0 ..< n { row[j] = x * b[j] }
                }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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

/// The three operand pointers of a split product, shared by the two halves (disjoint writes).
struct GemmOperands: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    let c: UnsafeMutablePointer<Float>
    init(a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>) {
        self.a = a; self.b = b; self.c = c
    }
}
