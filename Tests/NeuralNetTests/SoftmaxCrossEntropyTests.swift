import XCTest
import Foundation
import NeuralNet

final class SoftmaxCrossEntropyTests: NeuralNetTestCase {
    /// Hand-checked: logits [0, ln 3] (softmax [¼, ¾]), label 1 → ℓ = −ln ¾; label 0 → ℓ = ln 4.
    ///   mean over the two rows = (ln 4 − ln ¾)/2 = ln(16/3)/2; grad = (p − onehot)/2.
    func testMeanLossAndGradientByHand() {
        let ln3 = Float(log(3.0))
        let logits = matrix(2, 2, [0, ln3, 0, ln3])
        let gradient = matrix(2, 2, [.nan, .nan, .nan, .nan])
        let labels = [1, 0]
        let (loss, correct) = SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { labels[$0] },
                                                                      gradient: gradient)
        XCTAssertEqual(Double(loss), log(16.0 / 3) / 2, accuracy: 1e-6)
        XCTAssertEqual(correct, 1, "row 0 predicts class 1 (right), row 1 predicts class 1 (wrong)")
        for (got, want) in zip(gradient.toArray(), [0.125, -0.125, -0.375, 0.375] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
    }

    /// Extreme logits: exp(1000) overflows, the max-shifted form stays finite and exact.
    func testExtremeLogitsAreFiniteAndExact() {
        let z: [Float] = [1000, -1000, 0]
        z.withUnsafeBufferPointer { p in
            XCTAssertEqual(SoftmaxCrossEntropy.loss(logits: p.baseAddress!, count: 3, label: 0), 0)
            XCTAssertEqual(SoftmaxCrossEntropy.loss(logits: p.baseAddress!, count: 3, label: 1), 2000)
            XCTAssertEqual(SoftmaxCrossEntropy.loss(logits: p.baseAddress!, count: 3, label: 2), 1000)
        }
        let logits = matrix(1, 3, z)
        let probabilities = matrix(1, 3)
        SoftmaxCrossEntropy.softmax(logits: logits, into: probabilities)
        XCTAssertEqual(probabilities.toArray(), [1, 0, 0])
        let gradient = matrix(1, 3)
        let (loss, _) = SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { _ in 1 }, gradient: gradient)
        XCTAssertEqual(loss, 2000)
        XCTAssertEqual(gradient.toArray(), [1, -1, 0])
    }

    /// Moderate logits against −log(e^{z_y} / Σ e^{z_k}) computed in Double.
    func testMatchesDefinition() {
        var rng = RandomGenerator(seed: 3)
        for _ in 0 ..< 20 {
            let z = (0 ..< 10).map { _ in rng.uniform(-8, 8) }
            let y = rng.nextInt(below: 10)
            let denominator = z.reduce(0.0) { $0 + exp(Double($1)) }
            let expected = -(Double(z[y]) - log(denominator))
            let got = z.withUnsafeBufferPointer { SoftmaxCrossEntropy.loss(logits: $0.baseAddress!, count: 10, label: y) }
            XCTAssertEqual(Double(got), expected, accuracy: 1e-5 * max(1, expected))
        }
    }

    /// Softmax rows sum to 1 and keep the logits' order; in place works too.
    func testSoftmaxRows() {
        var rng = RandomGenerator(seed: 4)
        let logits = randomMatrix(5, 10, &rng, -20, 20)
        let before = logits.toArray()
        SoftmaxCrossEntropy.softmax(logits: logits, into: logits)
        for r in 0 ..< 5 {
            let row = (0 ..< 10).map { logits[r, $0] }
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            let order = (0 ..< 10).sorted { before[r * 10 + $0] < before[r * 10 + $1] }
            XCTAssertEqual(order, (0 ..< 10).sorted { row[$0] < row[$1] })
        }
    }

    /// The gradient is the derivative of the *mean* loss (checked by central differences),
    /// also when the gradient is written over the logits' own storage.
    func testGradientIsDerivativeOfMeanLoss() {
        var rng = RandomGenerator(seed: 77)
        let logits = randomMatrix(4, 10, &rng, -4, 4)
        let labels = (0 ..< 4).map { _ in rng.nextInt(below: 10) }
        func meanLoss() -> Double {
            Double(SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { labels[$0] },
                                                           gradient: matrix(4, 10)).loss)
        }
        let numeric = (0 ..< 40).map { centralDifference(at: logits.base + $0, eps: 1e-2, meanLoss) }
        let gradient = matrix(4, 10)
        _ = SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { labels[$0] }, gradient: gradient)
        assertGradientsClose(gradient.toArray(), numeric, rel: 1e-2, abs: 2e-4, "d mean softmax CE / d logit")
        let copy = matrix(4, 10, logits.toArray())
        _ = SoftmaxCrossEntropy.meanLossAndGradient(logits: copy, labels: { labels[$0] }, gradient: copy)
        XCTAssertEqual(copy.toArray(), gradient.toArray(), "in place gives the same gradient")
    }

    /// Through a whole MLP: dLoss/dW by backprop equals finite differences of the loss.
    func testBackpropagatesThroughAnMLP() {
        let net = makeMLP([MLP.Layer(6, 8, .relu), MLP.Layer(8, 5, .identity)], maxRows: 3, seed: 9)
        var rng = RandomGenerator(seed: 10)
        let input = randomMatrix(3, 6, &rng)
        let labels = [0, 3, 4]
        func loss() -> Double {
            let out = net.forward(input)
            return Double(SoftmaxCrossEntropy.meanLossAndGradient(logits: out, labels: { labels[$0] },
                                                                  gradient: net.outputGradient(rows: 3)).loss)
        }
        XCTAssertGreaterThan(distanceToNearestKink(net, input), 2e-3, "no ReLU kink within the difference step")
        _ = loss()
        net.backward(input: input)
        let analytic = Array(UnsafeBufferPointer(start: net.parameters.grads, count: net.parameters.count))
        let w = net.parameters.entries[0]
        let numeric = (0 ..< w.count).map { centralDifference(at: net.parameters.values + w.offset + $0, eps: 1e-3, loss) }
        assertGradientsClose(Array(analytic[w.offset ..< w.offset + w.count]), numeric, rel: 2e-2, abs: 5e-4, "dW1")
    }
}
