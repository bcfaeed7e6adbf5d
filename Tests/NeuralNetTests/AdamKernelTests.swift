import XCTest
@testable import NeuralNet

/// The AVX-512 Adam kernel (C) against the portable Swift one: the same update within float
/// rounding (FMA contraction only), tails of every length included.
final class AdamKernelTests: NeuralNetTestCase {
    func testVectorKernelMatchesPortableKernel() throws {
        try XCTSkipUnless(PanelProducts.isSupported, "no AVX-512F: only the portable kernel runs here")
        var rng = RandomGenerator(seed: 12)
        for count in [1, 15, 16, 17, 1000, 65_551] {
            let blocks = (0 ..< 7).map { _ in randomMatrix(1, count, &rng) }
            let (pA, g, mA, vA) = (blocks[0], blocks[1], blocks[2], blocks[3])
            let (pB, mB, vB) = (blocks[4], blocks[5], blocks[6])
            pB.copy(from: pA)
            mB.copy(from: mA)
            for i in 0 ..< count { vA.base[i] = abs(vA.base[i]) }   // a second moment is never negative
            vB.copy(from: vA)
            let before = pA.toArray()
            var adam = Adam(learningRate: 0.01, beta1: 0.5)
            let step = adam.nextStep()
            step.apply(values: pA.base, grads: g.base, m: mA.base, v: vA.base, count: count)
            Adam.portableKernel(values: pB.base, grads: g.base, m: mB.base, v: vB.base, count: count,
                                beta1: step.beta1, beta2: step.beta2, stepSize: step.stepSize, epsilon: step.epsilon)
            for (name, a, b) in [("p", pA, pB), ("m", mA, mB), ("v", vA, vB)] {
                let worst = zip(a.toArray(), b.toArray()).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(name), \(count) elements")
            }
            XCTAssertNotEqual(pA.toArray(), before, "the update moved the parameters")
        }
    }
}
