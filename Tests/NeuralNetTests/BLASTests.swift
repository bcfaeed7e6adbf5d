import XCTest
import NeuralNet

/// `BLAS.gemm` against the textbook triple loop. Odd, distinct dimensions make any mix-up of
/// m/n/k, of a leading dimension or of a transpose flag produce a shape trap or wrong numbers.
final class BLASTests: NeuralNetTestCase {
    private func check(m: Int, k: Int, n: Int, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, seed: UInt64,
                       file: StaticString = #filePath, line: UInt = #line) {
        var rng = RandomGenerator(seed: seed)
        // Stored shapes: op(a) is m×k, op(b) is k×n.
        let a = transposeA ? randomMatrix(k, m, &rng) : randomMatrix(m, k, &rng)
        let b = transposeB ? randomMatrix(n, k, &rng) : randomMatrix(k, n, &rng)
        let c = randomMatrix(m, n, &rng)
        let c0 = c.toArray()
        let expected = naiveGEMM(a.toArray(), rowsA: a.rows, colsA: a.cols, transposeA: transposeA,
                                 b.toArray(), rowsB: b.rows, colsB: b.cols, transposeB: transposeB,
                                 c: c0, alpha: Double(alpha), beta: Double(beta))
        BLAS.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: alpha, beta: beta)
        let got = c.toArray()
        let tag = "m=\(m) k=\(k) n=\(n) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta)"
        for i in got.indices {
            XCTAssertEqual(Double(got[i]), expected[i], accuracy: 1e-5 * Double(k) + 1e-5 * Swift.abs(expected[i]),
                           "\(tag) element \(i)", file: file, line: line)
        }
    }

    func testAllFourTransposeCombinationsOnOddShapes() {
        var seed: UInt64 = 1
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                // 5×7 · 7×3, with a non-trivial alpha and beta (C's old contents must be scaled in).
                check(m: 5, k: 7, n: 3, transposeA: transposeA, transposeB: transposeB,
                      alpha: 1.5, beta: -0.75, seed: seed)
                // Plain product: beta = 0 overwrites.
                check(m: 5, k: 7, n: 3, transposeA: transposeA, transposeB: transposeB,
                      alpha: 1, beta: 0, seed: seed + 100)
                // Degenerate inner dimension and vector shapes.
                check(m: 1, k: 1, n: 9, transposeA: transposeA, transposeB: transposeB,
                      alpha: 2, beta: 1, seed: seed + 200)
                check(m: 11, k: 13, n: 1, transposeA: transposeA, transposeB: transposeB,
                      alpha: -0.5, beta: 0.25, seed: seed + 300)
                seed += 1
            }
        }
    }

    /// Inner dimension 1 with alpha 1 and beta 0 is an outer product, done without OpenBLAS:
    /// every element is exactly one rounded product, whatever the transposes (and NaN in C is
    /// overwritten, as beta = 0 promises).
    func testOuterProductsAreExact() {
        var rng = RandomGenerator(seed: 40)
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            let (m, n) = (37, 19)
            let a = transposeA ? randomMatrix(1, m, &rng) : randomMatrix(m, 1, &rng)
            let b = transposeB ? randomMatrix(n, 1, &rng) : randomMatrix(1, n, &rng)
            let c = randomMatrix(m, n, &rng)
            c.fill(.nan)
            BLAS.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c)
            let (x, y) = (a.toArray(), b.toArray())
            XCTAssertEqual(c.toArray(), (0 ..< m * n).map { x[$0 / n] * y[$0 % n] }, "tA=\(transposeA) tB=\(transposeB)")
        }
    }

    /// Large enough for OpenBLAS's blocked (and possibly threaded) kernels, not just the tails.
    func testLargerOddShapesUseBlockedKernels() {
        check(m: 67, k: 129, n: 35, transposeA: false, transposeB: true, alpha: 1, beta: 0, seed: 7)
        check(m: 67, k: 129, n: 35, transposeA: true, transposeB: false, alpha: 0.5, beta: 2, seed: 8)
    }

    /// The default arguments are alpha = 1, beta = 0 (C is overwritten, not accumulated).
    func testDefaultsOverwrite() {
        let a = matrix(2, 3, [1, 2, 3,
                              4, 5, 6])
        let b = matrix(3, 2, [7, 8,
                              9, 10,
                              11, 12])
        let c = matrix(2, 2, [100, 100, 100, 100])
        BLAS.gemm(a, b, into: c)
        // [1 2 3]·[7 9 11]ᵀ = 58, ·[8 10 12]ᵀ = 64; [4 5 6]· = 139, 154.
        XCTAssertEqual(c.toArray(), [58, 64, 139, 154])
    }

    /// beta = 0 must ignore C entirely, even NaN left over from a diverged step.
    func testBetaZeroIgnoresNaNInOutput() {
        var rng = RandomGenerator(seed: 3)
        let a = randomMatrix(5, 7, &rng), b = randomMatrix(7, 3, &rng)
        let c = matrix(5, 3)
        c.fill(.nan)
        BLAS.gemm(a, b, into: c)
        XCTAssertTrue(c.toArray().allSatisfy(\.isFinite))
    }

    /// Row views (the batch prefixes every network uses) work as operands and as outputs.
    func testRowViewsAsOperands() {
        var rng = RandomGenerator(seed: 4)
        let a = randomMatrix(9, 7, &rng), b = randomMatrix(3, 7, &rng)
        let c = matrix(9, 3)
        c.fill(-1)
        BLAS.gemm(a.rows(2, count: 5), b, transposeB: true, into: c.rows(4, count: 5))
        let expected = naiveGEMM(a.rows(2, count: 5).toArray(), rowsA: 5, colsA: 7, transposeA: false,
                                 b.toArray(), rowsB: 3, colsB: 7, transposeB: true,
                                 c: [Float](repeating: 0, count: 15), alpha: 1, beta: 0)
        let got = c.toArray()
        XCTAssertEqual(Array(got[0 ..< 12]), [Float](repeating: -1, count: 12), "rows above the view untouched")
        for i in 0 ..< 15 { XCTAssertEqual(Double(got[12 + i]), expected[i], accuracy: 1e-5) }
    }

    func testThreadCountAndCoreNameAreReported() {
        XCTAssertGreaterThanOrEqual(BLAS.threadCount, 1)
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }

    /// Products above `BLAS.splitThreshold` are cut into parts for the two cores (by columns
    /// when C is wide, by rows when it is tall); every transpose combination, and any number of
    /// parts (the last one shorter), must still be exact.
    func testSplitProductsMatchTheNaiveProduct() {
        XCTAssertNotNil(CoreTeam.shared, "this machine has 2 cores; the team should exist")
        let saved = BLAS.partsPerProduct
        defer { BLAS.partsPerProduct = saved }
        var seed: UInt64 = 100
        for parts in [2, 5] {
            BLAS.partsPerProduct = parts
            for (m, k, n) in [(70, 60, 301), (301, 60, 70), (33, 330, 97)] {
                XCTAssertGreaterThanOrEqual(m * n * k, BLAS.splitThreshold)
                for ta in [false, true] {
                    for tb in [false, true] {
                        seed += 1
                        check(m: m, k: k, n: n, transposeA: ta, transposeB: tb, alpha: 1, beta: 0.5, seed: seed)
                    }
                }
            }
        }
    }

    func testSplitsCoverTheSideInAlignedParts() {
        let saved = BLAS.partsPerProduct
        defer { BLAS.partsPerProduct = saved }
        for parts in [2, 4, 8] {
            BLAS.partsPerProduct = parts
            for length in [64, 97, 301, 784, 1024] {
                let (count, width) = BLAS.split(length)
                XCTAssertEqual(width % 16, 0, "width \(width) for \(length)")
                XCTAssertGreaterThanOrEqual(count * width, length)
                XCTAssertLessThan((count - 1) * width, length, "no empty part for \(length) in \(count)")
                XCTAssertLessThanOrEqual(count, parts)
            }
        }
    }
}
