import XCTest
import Foundation
import NeuralNet

/// The two GAN objectives, wired through the MLP API the way a trainer does it, against
/// finite differences of the losses themselves:
///   D loss = mean BCE over [real (label 1); fake (label 0)] logits,
///   G loss = mean BCE of D(G(z)) with label 1 (non-saturating), D frozen.
final class GANLossTests: NeuralNetTestCase {
    private let n = 4

    private struct Setup {
        let g: MLP, d: MLP
        let noise: Matrix, dInput: Matrix
        /// The second half of D's batch, where G writes.
        var fake: Matrix { dInput.rows(g.maxRows, count: g.maxRows) }
    }

    /// Tiny G (3→4→5, tanh out) writing its fakes straight into the second half of D's input
    /// batch, and tiny D (5→4→1, identity out: logits).
    private func makeSetup() -> Setup {
        let dInput = matrix(2 * n, 5)
        let g = makeMLP([MLP.Layer(3, 4, .leakyReLU(slope: 0.2)), MLP.Layer(4, 5, .tanh)],
                        maxRows: n, seed: 1000, outputStorage: dInput.rows(n, count: n))
        let d = makeMLP([MLP.Layer(5, 4, .leakyReLU(slope: 0.2)), MLP.Layer(4, 1, .identity)],
                        maxRows: 2 * n, seed: 1001)
        var rng = RandomGenerator(seed: 1002)
        let noise = randomMatrix(n, 3, &rng)
        rng.fillUniform(dInput.prefix(rows: n).buffer, -1, 1)   // "real" images
        return Setup(g: g, d: d, noise: noise, dInput: dInput)
    }

    /// Exact BCE on a logit, in Double.
    private func bce(_ z: Float, _ y: Double) -> Double {
        let p = 1 / (1 + exp(-Double(z)))
        return -(y * log(p) + (1 - y) * log(1 - p))
    }

    /// D loss from scratch: G forward into the batch, D forward over all 2n rows.
    private func dLoss(_ s: Setup) -> Double {
        s.g.forward(s.noise)
        let logits = s.d.forward(s.dInput)
        return (0 ..< 2 * n).reduce(0) { $0 + bce(logits.base[$1], $1 < n ? 1 : 0) } / Double(2 * n)
    }

    /// G loss from scratch: G forward, D forward over the fakes only, label 1.
    private func gLoss(_ s: Setup) -> Double {
        s.g.forward(s.noise)
        let logits = s.d.forward(s.fake)
        return (0 ..< n).reduce(0) { $0 + bce(logits.base[$1], 1) } / Double(n)
    }

    /// Finite differences need every leakyReLU pre-activation (G on the noise, D on the whole
    /// batch) comfortably further from its kink than the step.
    private func assertAwayFromKinks(_ s: Setup, _ eps: Float, file: StaticString = #filePath, line: UInt = #line) {
        s.g.forward(s.noise)
        let margin = min(distanceToNearestKink(s.g, s.noise), distanceToNearestKink(s.d, s.dInput))
        XCTAssertGreaterThan(margin, 3 * Double(eps), "too close to a kink for finite differences; change the seed",
                             file: file, line: line)
    }

    func testDiscriminatorLossAndGradients() {
        let s = makeSetup()
        let eps: Float = 1e-3
        assertAwayFromKinks(s, eps)
        var numeric: [String: [Double]] = [:]
        for e in s.d.parameters.entries {
            numeric[e.name] = (0 ..< e.count).map { i in
                centralDifference(at: s.d.parameters.values + e.offset + i, eps: eps) { dLoss(s) }
            }
        }
        let expectedLoss = dLoss(s)

        // The trainer's D step: one batch of 2n rows, labels 1 then 0.
        s.g.forward(s.noise)
        let logits = s.d.forward(s.dInput)
        let (loss, meanP) = BinaryCrossEntropy.meanLossAndGradient(
            logits: logits, targets: { $0 < n ? 1 : 0 }, gradient: s.d.outputGradient(rows: 2 * n))
        XCTAssertEqual(Double(loss), expectedLoss, accuracy: 1e-5)
        let expectedP = (0 ..< 2 * n).reduce(0.0) { $0 + 1 / (1 + exp(-Double(logits.base[$1]))) } / Double(2 * n)
        XCTAssertEqual(Double(meanP), expectedP, accuracy: 1e-6)
        s.d.backward(input: s.dInput)

        for (e, data) in s.d.parameters.arrays(of: .grads) {
            assertGradientsClose(data, numeric[e.name]!, abs: 2e-4, "D \(e.name)")
        }
    }

    func testGeneratorLossThroughFrozenDiscriminator() {
        let s = makeSetup()
        let eps: Float = 1e-3
        assertAwayFromKinks(s, eps)
        var numeric: [String: [Double]] = [:]
        for e in s.g.parameters.entries {
            numeric[e.name] = (0 ..< e.count).map { i in
                centralDifference(at: s.g.parameters.values + e.offset + i, eps: eps) { gLoss(s) }
            }
        }
        let expectedLoss = gLoss(s)

        // D's grads hold the previous D step's result; the G step must not disturb them.
        var rng = RandomGenerator(seed: 1003)
        rng.fillUniform(UnsafeMutableBufferPointer(start: s.d.parameters.grads, count: s.d.parameters.count), -1, 1)
        let dGradsBefore = s.d.parameters.arrays(of: .grads).map(\.data)
        let dValuesBefore = s.d.parameters.arrays(of: .values).map(\.data)

        // The trainer's G step.
        let fakes = s.g.forward(s.noise)
        XCTAssertEqual(fakes.base, s.fake.base, "G writes into D's input batch")
        let logits = s.d.forward(fakes)
        let (loss, _) = BinaryCrossEntropy.meanLossAndGradient(
            logits: logits, targets: { _ in 1 }, gradient: s.d.outputGradient(rows: n))
        XCTAssertEqual(Double(loss), expectedLoss, accuracy: 1e-5)
        s.d.backward(input: fakes, weightGradients: false, inputGradient: true, into: s.g.outputGradient(rows: n))
        s.g.backward(input: s.noise)

        for (e, data) in s.g.parameters.arrays(of: .grads) {
            assertGradientsClose(data, numeric[e.name]!, abs: 2e-4, "G \(e.name)")
        }
        XCTAssertEqual(s.d.parameters.arrays(of: .grads).map(\.data), dGradsBefore, "D grads untouched")
        XCTAssertEqual(s.d.parameters.arrays(of: .values).map(\.data), dValuesBefore, "D parameters untouched")
    }
}
