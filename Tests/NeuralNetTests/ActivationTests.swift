import XCTest
import Foundation
import NeuralNet

/// Each activation's forward (`applyWithBias`) against a reference, and its backward (which works
/// from the *outputs*) against central finite differences of the forward.
final class ActivationTests: NeuralNetTestCase {
    private let all: [Activation] = [.identity, .leakyReLU(slope: 0.2), .relu, .tanh]

    private func reference(_ act: Activation, _ x: Double) -> Double {
        switch act {
        case .identity: x
        case .leakyReLU(let slope): x > 0 ? x : Double(slope) * x
        case .relu: max(x, 0)
        case .tanh: Foundation.tanh(x)
        }
    }

    /// Pre-activations x + b with |x + b| ≥ 0.2, so ±eps never crosses relu's kink.
    private func inputsAwayFromZero(rows: Int, cols: Int, seed: UInt64) -> (x: Matrix, bias: Matrix) {
        var rng = RandomGenerator(seed: seed)
        let x = matrix(rows, cols), bias = randomMatrix(1, cols, &rng, -0.5, 0.5)
        for r in 0 ..< rows {
            for c in 0 ..< cols {
                let magnitude = rng.uniform(0.2, 1.8)
                let target = rng.nextInt(below: 2) == 0 ? magnitude : -magnitude
                x[r, c] = target - bias[0, c]
            }
        }
        return (x, bias)
    }

    func testApplyWithBiasMatchesReferenceAndBroadcastsBiasOverRows() {
        for act in all {
            let (x, bias) = inputsAwayFromZero(rows: 4, cols: 7, seed: 11)
            let x0 = x.toArray()
            act.applyWithBias(x, bias: bias.base)
            for r in 0 ..< 4 {
                for c in 0 ..< 7 {
                    let pre = Double(x0[r * 7 + c]) + Double(bias[0, c])
                    XCTAssertEqual(Double(x[r, c]), reference(act, pre), accuracy: 1e-6, "\(act) at (\(r), \(c))")
                }
            }
        }
    }

    /// backward(outputs: y, grad: g) must give g ⊙ dy/dx, with dy/dx by central differences
    /// of applyWithBias itself. Also the scalar L = Σ w ⊙ act(x + b) differentiated w.r.t. each
    /// bias (which couples all rows of a column) must equal the column sums of the backward grads.
    func testBackwardMatchesFiniteDifferences() {
        let rows = 5, cols = 6
        for (k, act) in all.enumerated() {
            let (x, bias) = inputsAwayFromZero(rows: rows, cols: cols, seed: 20 + UInt64(k))
            var rng = RandomGenerator(seed: 40 + UInt64(k))
            let upstream = randomMatrix(rows, cols, &rng)
            let scratch = matrix(rows, cols)
            // L(x, b) = Σ upstream ⊙ act(x + b), evaluated in a scratch copy.
            func loss() -> Double {
                scratch.copy(from: x)
                act.applyWithBias(scratch, bias: bias.base)
                return weightedSum(scratch, upstream)
            }
            let eps: Float = 1e-2
            var numericX: [Double] = []
            for i in 0 ..< x.count { numericX.append(centralDifference(at: x.base + i, eps: eps, loss)) }
            var numericB: [Double] = []
            for j in 0 ..< cols { numericB.append(centralDifference(at: bias.base + j, eps: eps, loss)) }

            // Analytic: forward once, then backward from the outputs.
            let y = matrix(rows, cols)
            y.copy(from: x)
            act.applyWithBias(y, bias: bias.base)
            let g = matrix(rows, cols)
            g.copy(from: upstream)
            act.backward(outputs: y, grad: g)
            let analyticX = g.toArray()
            var analyticB = [Float](repeating: 0, count: cols)
            for r in 0 ..< rows { for c in 0 ..< cols { analyticB[c] += g[r, c] } }

            assertGradientsClose(analyticX, numericX, rel: 1e-2, abs: 1e-3, "\(act) dL/dx")
            assertGradientsClose(analyticB, numericB, rel: 1e-2, abs: 1e-3, "\(act) dL/db")
        }
    }

    /// The exact derivative values, where they are known in closed form.
    func testBackwardClosedForms() {
        let y = matrix(1, 4, [2, -0.4, 0.5, 0])
        // leakyReLU 0.2: slope 1 for y > 0, 0.2 for y ≤ 0.
        var g = matrix(1, 4, [1, 1, 3, 1])
        Activation.leakyReLU(slope: 0.2).backward(outputs: y, grad: g)
        XCTAssertEqual(g.toArray(), [1, 0.2, 3, 0.2])
        // relu: zero where y ≤ 0.
        g = matrix(1, 4, [1, 1, 3, 1])
        Activation.relu.backward(outputs: y, grad: g)
        XCTAssertEqual(g.toArray(), [1, 0, 3, 0])
        // tanh: 1 − y² (y = 0.5 gives 0.75).
        g = matrix(1, 4, [1, 1, 3, 1])
        Activation.tanh.backward(outputs: y, grad: g)
        for (got, want) in zip(g.toArray(), [-3, 0.84, 2.25, 1] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
        // identity: unchanged.
        g = matrix(1, 4, [1, 1, 3, 1])
        Activation.identity.backward(outputs: y, grad: g)
        XCTAssertEqual(g.toArray(), [1, 1, 3, 1])
    }

    func testFastTanhIsAccurateAndSaturatesWithoutOverflow() {
        var worst = 0.0
        var x: Float = -12
        while x <= 12 {
            let err = Swift.abs(Double(fastTanh(x)) - Foundation.tanh(Double(x)))
            worst = max(worst, err)
            x += 0.001
        }
        // The rational approximation is within a few float ulps of 1 (6e-8 each) everywhere.
        XCTAssertLessThan(worst, 5e-7, "absolute error of fastTanh over [-12, 12]")
        for big: Float in [50, 1e4, .greatestFiniteMagnitude, .infinity] {
            XCTAssertEqual(Double(fastTanh(big)), 1, accuracy: 1e-7)
            XCTAssertEqual(Double(fastTanh(-big)), -1, accuracy: 1e-7)
        }
        XCTAssertEqual(fastTanh(0), 0)
        XCTAssertEqual(fastTanh(0.3), -fastTanh(-0.3), accuracy: 1e-7)
    }

    func testSigmoidIsStableForLargeLogits() {
        for z: Float in [-20, -3, -0.5, 0, 0.5, 3, 20] {
            XCTAssertEqual(Double(sigmoid(z)), 1 / (1 + Foundation.exp(-Double(z))), accuracy: 1e-7, "σ(\(z))")
        }
        XCTAssertEqual(sigmoid(1000), 1)
        XCTAssertEqual(sigmoid(-1000), 0)
        XCTAssertFalse(sigmoid(-100).isNaN)
        XCTAssertGreaterThan(sigmoid(-80), 0, "tiny but not flushed to zero")
    }
}
