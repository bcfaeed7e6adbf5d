import XCTest
import Foundation
import NeuralNet

final class SymmetricEigenTests: XCTestCase {
    /// A random symmetric d × d matrix B + Bᵀ.
    func randomSymmetric(_ d: Int, seed: UInt64) -> [Double] {
        var rng = RandomGenerator(seed: seed)
        let b = (0 ..< d * d).map { _ in Double(rng.uniform(-1, 1)) }
        return (0 ..< d * d).map { b[$0] + b[($0 % d) * d + $0 / d] }
    }

    /// Hand-checked: [[2, 1], [1, 2]] has eigenvalues 1 and 3, eigenvectors (1, −1)/√2 and (1, 1)/√2.
    func testTwoByTwoByHand() {
        let e = SymmetricEigen([2, 1, 1, 2], dimension: 2)
        XCTAssertEqual(e.values[0], 1, accuracy: 1e-14)
        XCTAssertEqual(e.values[1], 3, accuracy: 1e-14)
        let h = 0.5.squareRoot()
        XCTAssertEqual(abs(e.vectors[0]), h, accuracy: 1e-14)
        XCTAssertEqual(e.vectors[0], -e.vectors[1], accuracy: 1e-14)
        XCTAssertEqual(e.vectors[2], e.vectors[3], accuracy: 1e-14)
    }

    /// A = V diag(λ) Vᵀ, V orthonormal, λ ascending and summing to the trace.
    func testReconstructsARandomMatrix() {
        let d = 24
        let a = randomSymmetric(d, seed: 5)
        let e = SymmetricEigen(a, dimension: d)
        XCTAssertEqual(e.values, e.values.sorted())
        XCTAssertEqual(e.values.reduce(0, +), (0 ..< d).reduce(0.0) { $0 + a[$1 * d + $1] }, accuracy: 1e-10)
        let back = e.reconstruct { $0 }
        for i in 0 ..< d * d { XCTAssertEqual(back[i], a[i], accuracy: 1e-11) }
        let gram = DoubleMatrix.multiply(e.vectors, transpose(e.vectors, d), m: d, k: d, n: d)
        for i in 0 ..< d { for j in 0 ..< d { XCTAssertEqual(gram[i * d + j], i == j ? 1 : 0, accuracy: 1e-12) } }
        XCTAssertLessThan(e.sweeps, 15)
        let valuesOnly = SymmetricEigen.eigenvalues(a, dimension: d)
        for (x, y) in zip(valuesOnly, e.values) { XCTAssertEqual(x, y, accuracy: 1e-12) }
    }

    /// The matrix square root of a PSD matrix with exact zero eigenvalues (a covariance of
    /// rank 3 in 6 dimensions, as dead features give): S·S = C and S is PSD.
    func testSquareRootOfASingularCovariance() {
        var rng = RandomGenerator(seed: 8)
        let d = 6, r = 3
        let x = (0 ..< d * r).map { _ in Double(rng.uniform(-1, 1)) }
        let c = DoubleMatrix.multiply(x, transpose(x, r, rows: d), m: d, k: r, n: d)
        let e = SymmetricEigen(c, dimension: d)
        XCTAssertEqual(e.values[0], 0, accuracy: 1e-13)
        XCTAssertEqual(e.values[2], 0, accuracy: 1e-13)
        let s = e.reconstruct { max($0, 0).squareRoot() }
        let ss = DoubleMatrix.multiply(s, s, m: d, k: d, n: d)
        for i in 0 ..< d * d { XCTAssertEqual(ss[i], c[i], accuracy: 1e-12) }
    }

    /// Tridiagonal QL agrees with Jacobi on matrices like the metric's: PSD, of rank below d,
    /// eigenvalues over many orders of magnitude, and on already diagonal or tridiagonal input.
    func testEigenvaluesOnlyMatchJacobi() {
        var rng = RandomGenerator(seed: 21)
        let d = 40, r = 25
        let x = (0 ..< d * r).map { _ in Double(rng.uniform(-1, 1)) * pow(10, Double(rng.uniform(-3, 2))) }
        let psd = DoubleMatrix.multiply(x, transpose(x, r, rows: d), m: d, k: r, n: d)
        let scale = SymmetricEigen(psd, dimension: d).values.last!
        for (q, j) in zip(SymmetricEigen.eigenvalues(psd, dimension: d), SymmetricEigen(psd, dimension: d).values) {
            XCTAssertEqual(q, j, accuracy: 1e-12 * scale)
        }
        var tri = [Double](repeating: 0, count: 9)
        tri[0] = 2; tri[4] = 2; tri[8] = 2; tri[1] = -1; tri[3] = -1; tri[5] = -1; tri[7] = -1
        // The 1-D Laplacian: 2 − 2cos(kπ/4), k = 1, 2, 3.
        for (k, v) in SymmetricEigen.eigenvalues(tri, dimension: 3).enumerated() {
            XCTAssertEqual(v, 2 - 2 * cos(Double(k + 1) * .pi / 4), accuracy: 1e-14)
        }
        XCTAssertEqual(SymmetricEigen.eigenvalues([5, 0, 0, 0, 0, 0, 0, 0, -1], dimension: 3), [-1, 0, 5])
        XCTAssertEqual(SymmetricEigen.eigenvalues([7], dimension: 1), [7])
        XCTAssertEqual(SymmetricEigen.eigenvalues([], dimension: 0), [])
    }

    func testDegenerateSizes() {
        XCTAssertEqual(SymmetricEigen([], dimension: 0).values, [])
        XCTAssertEqual(SymmetricEigen([4], dimension: 1).values, [4])
        XCTAssertEqual(SymmetricEigen([0, 0, 0, 0], dimension: 2).values, [0, 0])
        XCTAssertEqual(SymmetricEigen([3, 0, 0, -1], dimension: 2).values, [-1, 3])
        // Non-finite input (a diverged network) answers NaN at once instead of iterating.
        XCTAssertTrue(SymmetricEigen([1, .nan, .nan, 1], dimension: 2).values.allSatisfy(\.isNaN))
        XCTAssertTrue(SymmetricEigen.eigenvalues([1, 2, 3, .infinity, 0, 0, 0, 0, 1], dimension: 3).allSatisfy(\.isNaN))
    }

    /// Large enough to matter (the meter's 256 features): fast, and still exact to 1e-9.
    func testDimension256() {
        let d = 256
        let a = randomSymmetric(d, seed: 11)
        let start = Date()
        let e = SymmetricEigen(a, dimension: d)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertLessThan(seconds, 10, "Jacobi on 256 × 256 took \(seconds) s")
        let back = e.reconstruct { $0 }
        var worst = 0.0
        for i in 0 ..< d * d { worst = max(worst, abs(back[i] - a[i])) }
        XCTAssertLessThan(worst, 1e-9)
        let fast = Date()
        let values = SymmetricEigen.eigenvalues(a, dimension: d)
        XCTAssertLessThan(Date().timeIntervalSince(fast), seconds, "QL should beat Jacobi")
        for (x, y) in zip(values, e.values) { XCTAssertEqual(x, y, accuracy: 1e-10) }
    }

    /// Row-major transpose of a `rows × cols` array.
    func transpose(_ a: [Double], _ cols: Int, rows: Int? = nil) -> [Double] {
        let rows = rows ?? a.count / cols
        return (0 ..< rows * cols).map { i in a[(i % rows) * cols + i / rows] }
    }
}
