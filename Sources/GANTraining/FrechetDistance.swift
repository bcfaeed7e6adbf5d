import NeuralNet

/// Mean and covariance of a set of feature vectors: the Gaussian the Fréchet distance compares.
public struct GaussianFit: Sendable {
    public let dimension: Int
    public let count: Int
    public let mean: [Double]
    /// Row-major d × d, unbiased (divided by n − 1).
    public let covariance: [Double]

    /// - Parameter features: `count × dimension`, row-major (e.g. `Classification.features`).
    public init(features: [Float], count n: Int, dimension d: Int) {
        precondition(n >= 2 && d >= 1 && features.count >= n * d, "GaussianFit: need at least two \(d)-vectors")
        var mean = [Double](repeating: 0, count: d)
        for i in 0 ..< n { for j in 0 ..< d { mean[j] += Double(features[i * d + j]) } }
        for j in 0 ..< d { mean[j] /= Double(n) }
        // Centre in Float, then one sgemm XᵀX: n × d² multiply–adds (0.65 G for 10,000 × 256)
        // is the only large cost, and BLAS makes it ~10 ms even in debug builds.
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(n, d), (d, d)]))
        let x = arena.matrix(rows: n, cols: d), c = arena.matrix(rows: d, cols: d)
        for i in 0 ..< n { for j in 0 ..< d { x.base[i * d + j] = Float(Double(features[i * d + j]) - mean[j]) } }
        BLAS.gemm(x, transposeA: true, x, into: c, alpha: 1 / Float(n - 1))
        var covariance = (0 ..< d * d).map { Double(c.base[$0]) }
        for i in 0 ..< d {
            for j in i + 1 ..< d {
                let m = 0.5 * (covariance[i * d + j] + covariance[j * d + i])
                covariance[i * d + j] = m
                covariance[j * d + i] = m
            }
        }
        self.dimension = d
        self.count = n
        self.mean = mean
        self.covariance = covariance
        withExtendedLifetime(arena) {}
    }

    /// The fit of a classification's features (classify with `keepFeatures: true`).
    public init(_ c: Classification) {
        precondition(c.featureSize > 0, "classify with keepFeatures: true")
        self.init(features: c.features, count: c.count, dimension: c.featureSize)
    }

    public var trace: Double { (0 ..< dimension).reduce(0) { $0 + covariance[$1 * dimension + $1] } }
}

/// The Fréchet distance between two Gaussians (FID's formula, here on the digit classifier's
/// penultimate features instead of Inception's):
///   FD = |μ₁ − μ₂|² + Tr(C₁ + C₂ − 2 (C₁^{½} C₂ C₁^{½})^{½}).
/// The trace of the square root is Σ √λᵢ over the eigenvalues of the symmetric PSD matrix
/// C₁^{½} C₂ C₁^{½}, so two symmetric eigenproblems do it (Jacobi with vectors for C₁^{½},
/// tridiagonal QL for the eigenvalues); no general sqrtm is needed.
/// 0 for identical Gaussians; grows with both a shifted mean and a different spread.
public enum FrechetDistance {
    /// A fixed side of the comparison (the MNIST test set) with C^{½} computed once, so each
    /// later distance costs two d³ products and one eigenvalue-only decomposition.
    public struct Reference: Sendable {
        public let fit: GaussianFit
        public let covarianceSquareRoot: [Double]

        public init(_ fit: GaussianFit) {
            self.fit = fit
            covarianceSquareRoot = SymmetricEigen(fit.covariance, dimension: fit.dimension)
                .reconstruct { max($0, 0).squareRoot() }
        }

        public func distance(to other: GaussianFit) -> Double {
            let d = fit.dimension
            precondition(other.dimension == d, "Fréchet distance: \(d) vs \(other.dimension) features")
            var meanTerm = 0.0
            for j in 0 ..< d {
                let delta = fit.mean[j] - other.mean[j]
                meanTerm += delta * delta
            }
            let s = covarianceSquareRoot
            let m = DoubleMatrix.multiply(DoubleMatrix.multiply(s, other.covariance, m: d, k: d, n: d), s, m: d, k: d, n: d)
            // Rounding can make the smallest eigenvalues of a PSD product slightly negative.
            let rootTrace = SymmetricEigen.eigenvalues(m, dimension: d).reduce(0) { $0 + max($1, 0).squareRoot() }
            return max(meanTerm + fit.trace + other.trace - 2 * rootTrace, 0)
        }
    }

    public static func distance(_ a: GaussianFit, _ b: GaussianFit) -> Double {
        Reference(a).distance(to: b)
    }
}
