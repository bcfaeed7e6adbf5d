import XCTest
import Foundation
@testable import NeuralNet

/// The C kernels (both clones: AVX-512 where the CPU has it) against the plain loops they replaced
/// (lengths chosen to exercise the 16-lane body and the scalar tail).
final class ElementwiseKernelTests: XCTestCase {
    private func randomValues(_ n: Int, seed: UInt64, scale: Float = 3) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0 ..< n).map { _ in rng.uniform(-scale, scale) }
    }

    func testBiasLeakyReLUMatchesThePlainLoop() {
        for cols in [1, 7, 8, 13, 64] {
            var row = randomValues(cols, seed: UInt64(cols)), bias = randomValues(cols, seed: 99)
            let expected = zip(row, bias).map { v, b in v + b > 0 ? v + b : (v + b) * 0.2 }
            row.withUnsafeMutableBufferPointer { r in
                bias.withUnsafeMutableBufferPointer { b in
                    ElementwiseKernels.biasLeakyReLU(r.baseAddress!, bias: b.baseAddress!, count: cols, slope: 0.2)
                }
            }
            XCTAssertEqual(row, expected, "cols \(cols)")
        }
    }

    func testLeakyReLUBackwardMatchesThePlainLoop() {
        for n in [5, 8, 21] {
            let y = randomValues(n, seed: 1)
            var g = randomValues(n, seed: 2)
            let expected = zip(y, g).map { y, g in y <= 0 ? g * 0.2 : g }
            var yy = y
            yy.withUnsafeMutableBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    ElementwiseKernels.leakyReLUBackward(outputs: yp.baseAddress!, grad: gp.baseAddress!, count: n, slope: 0.2)
                }
            }
            XCTAssertEqual(g, expected)
        }
    }

    func testTanhBackwardMatchesThePlainLoop() {
        for n in [3, 16, 37] {
            let y = randomValues(n, seed: 7, scale: 1)
            var g = randomValues(n, seed: 8)
            let expected = zip(y, g).map { y, g in g * (1 - y * y) }
            var yy = y
            yy.withUnsafeMutableBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    ElementwiseKernels.tanhBackward(outputs: yp.baseAddress!, grad: gp.baseAddress!, count: n)
                }
            }
            XCTAssertEqual(g, expected, "n \(n)")
        }
    }

    func testEveryPixelValueScalesLikeTheFormula() {
        let bytes = (0 ..< 300).map { UInt8($0 % 256) }
        var row = [Float](repeating: .nan, count: bytes.count + 1)
        bytes.withUnsafeBufferPointer { b in
            row.withUnsafeMutableBufferPointer { ElementwiseKernels.unitRange(b.baseAddress!, into: $0.baseAddress!, count: bytes.count) }
        }
        XCTAssertEqual(Array(row.prefix(bytes.count)), bytes.map { Float($0) * (2 / 255) - 1 })
        XCTAssertEqual(row[0], -1)
        XCTAssertEqual(row[255], 1)
        XCTAssertTrue(row[bytes.count].isNaN, "wrote past the end")
    }

    func testTanhKernelMatchesLibmAndItsScalarTail() {
        let n = 4099
        var row = randomValues(n, seed: 5, scale: 12)
        let input = row
        var bias = [Float](repeating: 0, count: n)
        row.withUnsafeMutableBufferPointer { r in
            bias.withUnsafeMutableBufferPointer { b in ElementwiseKernels.biasTanh(r.baseAddress!, bias: b.baseAddress!, count: n) }
        }
        var worst = 0.0
        for (x, y) in zip(input, row) {
            worst = max(worst, abs(Double(y) - Foundation.tanh(Double(x))))
            XCTAssertEqual(y, fastTanh(x), "SIMD lane and scalar tail must agree at \(x)")
        }
        XCTAssertLessThan(worst, 1e-6)
    }

    func testSumRowsMatchesThePlainLoop() {
        let arena = FloatArena(capacity: 64)
        let m = arena.matrix(rows: 3, cols: 11)
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(m.buffer, -1, 1)
        var out = [Float](repeating: 1, count: 11)
        out.withUnsafeMutableBufferPointer { ElementwiseKernels.sumRows(m, into: $0.baseAddress!, accumulate: true) }
        for c in 0 ..< 11 {
            XCTAssertEqual(out[c], 1 + m[0, c] + m[1, c] + m[2, c], accuracy: 1e-6)
        }
    }

    func testAdamKernelMatchesTheScalarFormula() {
        let n = 37
        var p = randomValues(n, seed: 1), g = randomValues(n, seed: 2), m = randomValues(n, seed: 3, scale: 0.1)
        var v = randomValues(n, seed: 4, scale: 0.1).map(abs)
        let (p0, g0, m0, v0) = (p, g, m, v)
        p.withUnsafeMutableBufferPointer { pp in g.withUnsafeMutableBufferPointer { gp in
            m.withUnsafeMutableBufferPointer { mp in v.withUnsafeMutableBufferPointer { vp in
                Adam.kernel(values: pp.baseAddress!, grads: gp.baseAddress!, m: mp.baseAddress!, v: vp.baseAddress!,
                            count: n, beta1: 0.5, beta2: 0.999, stepSize: 0.01, epsilon: 1e-8)
            } }
        } }
        for i in 0 ..< n {
            let mi = 0.5 * m0[i] + 0.5 * g0[i], vi = 0.999 * v0[i] + 0.001 * g0[i] * g0[i]
            // Float rounding (fused or not) differs by an ulp or two: compare relatively.
            XCTAssertEqual(m[i], mi, accuracy: 1e-6 * max(1, abs(mi)))
            XCTAssertEqual(v[i], vi, accuracy: 1e-5 * abs(vi) + 1e-9)
            XCTAssertEqual(p[i], p0[i] - 0.01 * mi / (vi.squareRoot() + 1e-8), accuracy: 1e-5)
        }
    }
}
