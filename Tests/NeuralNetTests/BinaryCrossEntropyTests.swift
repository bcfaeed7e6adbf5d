import XCTest
import Foundation
import NeuralNet

final class BinaryCrossEntropyTests: NeuralNetTestCase {
    /// Extreme logits: log(σ(z)) would be −inf, the stable form stays finite and exact.
    func testExtremeLogitsAreFiniteAndExact() {
        // loss(z, y) = max(z,0) − z·y + log(1 + e^−|z|); e^−100 ≈ 3.7e-44 (a Float subnormal).
        let cases: [(z: Float, y: Float, expected: Float)] = [
            (100, 1, 0),        // log1p(3.7e-44) ≈ 3.7e-44
            (-100, 1, 100),     // 0 + 100 + 3.7e-44
            (100, 0, 100),      // 100 − 0 + 3.7e-44
            (-100, 0, 0),
            (1000, 1, 0),       // e^−1000 underflows to 0: exactly 0
            (-1000, 1, 1000),
            (1000, 0, 1000),
            (-1000, 0, 0),
        ]
        for (z, y, expected) in cases {
            let l = BinaryCrossEntropy.loss(logit: z, target: y)
            XCTAssertTrue(l.isFinite, "loss(\(z), \(y)) = \(l)")
            XCTAssertGreaterThanOrEqual(l, 0, "loss(\(z), \(y))")
            XCTAssertEqual(l, expected, accuracy: max(expected, 1) * 1e-6, "loss(\(z), \(y))")
            let grad = sigmoid(z) - y
            XCTAssertTrue(grad.isFinite)
            XCTAssertEqual(grad, (z > 0 ? 1 : 0) - y, accuracy: 1e-6, "σ(\(z)) − \(y)")
        }
        XCTAssertLessThan(BinaryCrossEntropy.loss(logit: 100, target: 1), .leastNormalMagnitude, "≈ 3.7e-44")
        XCTAssertEqual(BinaryCrossEntropy.loss(logit: 1000, target: 1), 0)
    }

    /// Moderate logits and soft targets against −y·log σ − (1−y)·log(1−σ) in Double.
    func testMatchesDefinitionForModerateLogits() {
        for z: Float in [-15, -4, -1.5, -0.1, 0, 0.1, 1.5, 4, 15] {
            for y: Float in [0, 0.25, 0.9, 1] {
                let p = 1 / (1 + exp(-Double(z)))
                let expected = -(Double(y) * log(p) + (1 - Double(y)) * log(1 - p))
                XCTAssertEqual(Double(BinaryCrossEntropy.loss(logit: z, target: y)), expected,
                               accuracy: 2e-6 * max(1, expected), "loss(\(z), \(y))")
            }
        }
        XCTAssertEqual(Double(BinaryCrossEntropy.loss(logit: 0, target: 1)), log(2), accuracy: 1e-7)
    }

    /// Hand-checked: logits [0, ln 3], targets [1, 0].
    ///   σ(0) = 1/2, σ(ln 3) = 3/4.  loss = (−ln ½ − ln(1 − ¾)) / 2 = (ln 2 + ln 4)/2 = 1.5·ln 2.
    ///   mean σ = (½ + ¾)/2 = 0.625.  grad = (σ − y)/N = [(½ − 1)/2, (¾ − 0)/2] = [−0.25, 0.375].
    func testMeanLossAndGradientByHand() {
        let logits = matrix(1, 2, [0, Float(log(3.0))])
        let gradient = matrix(1, 2, [.nan, .nan])
        let targets: [Float] = [1, 0]
        let (loss, meanP) = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { targets[$0] },
                                                                   gradient: gradient)
        XCTAssertEqual(Double(loss), 1.5 * log(2), accuracy: 1e-6)
        XCTAssertEqual(meanP, 0.625, accuracy: 1e-6)
        XCTAssertEqual(gradient[0, 0], -0.25, accuracy: 1e-6)
        XCTAssertEqual(gradient[0, 1], 0.375, accuracy: 1e-6)
    }

    /// Hand-checked at the extremes, over a 2×2 block (any shape: one logit per element).
    ///   losses [≈0, 100, 1000, 0] → mean 275;  σ = [1, ≈0, 1, 0] → mean 0.5;
    ///   grad = (σ − y)/4 = [0, −0.25, 0.25, 0].
    func testMeanLossAndGradientAtExtremes() {
        let logits = matrix(2, 2, [100, -100, 1000, -1000])
        let gradient = matrix(2, 2)
        let targets: [Float] = [1, 1, 0, 0]
        let (loss, meanP) = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { targets[$0] },
                                                                   gradient: gradient)
        XCTAssertEqual(loss, 275, accuracy: 1e-4)
        XCTAssertEqual(meanP, 0.5, accuracy: 1e-6)
        XCTAssertEqual(gradient.toArray(), [0, -0.25, 0.25, 0])
    }

    /// The per-element gradient is the derivative of the *mean* loss (checked by differences).
    func testMeanGradientIsDerivativeOfMeanLoss() {
        var rng = RandomGenerator(seed: 77)
        let logits = randomMatrix(3, 5, &rng, -4, 4)
        let gradient = matrix(3, 5)
        let targets = (0 ..< 15).map { _ in Float(rng.nextInt(below: 2)) }
        func meanLoss() -> Double {
            Double(BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { targets[$0] },
                                                          gradient: matrix(3, 5)).loss)
        }
        let numeric = (0 ..< 15).map { centralDifference(at: logits.base + $0, eps: 1e-2, meanLoss) }
        _ = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { targets[$0] }, gradient: gradient)
        assertGradientsClose(gradient.toArray(), numeric, rel: 1e-2, abs: 2e-4, "d mean BCE / d logit")
    }
}
