import XCTest
import NeuralNet

/// `MLP.backward` against central finite differences of the scalar loss
/// L = Σ c ⊙ output, whose dL/dOutput is the fixed random matrix c (written into
/// `outputGradient(rows:)`, exactly as a loss function would).
final class MLPBackwardTests: NeuralNetTestCase {
    private let eps: Float = 1e-3

    private func layers(output: Activation) -> [MLP.Layer] {
        [MLP.Layer(3, 5, .leakyReLU(slope: 0.2)),
         MLP.Layer(5, 4, .leakyReLU(slope: 0.2)),
         MLP.Layer(4, 2, output)]
    }

    private func loss(_ net: MLP, _ input: Matrix, _ c: Matrix) -> Double {
        net.forward(input)
        return weightedSum(net.output(rows: input.rows), c)
    }

    /// Finite-difference gradients of L with respect to every parameter entry (by name) and the input.
    private func numericGradients(_ net: MLP, _ input: Matrix, _ c: Matrix)
        -> (params: [String: [Double]], input: [Double]) {
        XCTAssertGreaterThan(distanceToNearestKink(net, input), 3 * Double(eps),
                             "a pre-activation is too close to a leakyReLU kink for finite differences; change the seed")
        var params: [String: [Double]] = [:]
        for e in net.parameters.entries {
            let p = net.parameters.values + e.offset
            params[e.name] = (0 ..< e.count).map { i in
                centralDifference(at: p + i, eps: eps) { loss(net, input, c) }
            }
        }
        let dx = (0 ..< input.count).map { i in
            centralDifference(at: input.base + i, eps: eps) { loss(net, input, c) }
        }
        return (params, dx)
    }

    /// Forward, write dL/dOutput, and backward with the given options.
    private func analytic(_ net: MLP, _ input: Matrix, _ c: Matrix, weightGradients: Bool = true,
                          inputGradient: Bool = false, into target: Matrix? = nil, accumulate: Bool = false) {
        net.forward(input)
        net.outputGradient(rows: input.rows).copy(from: c)
        net.backward(input: input, weightGradients: weightGradients, inputGradient: inputGradient,
                     into: target, accumulate: accumulate)
    }

    private func grads(_ net: MLP) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: net.parameters.arrays(of: .grads).map { ($0.entry.name, $0.data) })
    }

    func testWeightBiasAndInputGradientsMatchFiniteDifferences() {
        for (k, out) in [Activation.tanh, .identity].enumerated() {
            // Batch 4 of a network sized for 6: the prefix views must be used consistently.
            let net = makeMLP(layers(output: out), maxRows: 6, seed: 100 + UInt64(k))
            var rng = RandomGenerator(seed: 200 + UInt64(k))
            let input = randomMatrix(4, 3, &rng)
            let c = randomMatrix(4, 2, &rng)
            let numeric = numericGradients(net, input, c)

            // Garbage in the grads block: accumulate = false must overwrite, not add.
            net.parameters.grads.update(repeating: 13, count: net.parameters.count)
            net.inputGradient.fill(-5)
            analytic(net, input, c, inputGradient: true)

            let g = grads(net)
            XCTAssertEqual(g.count, 6)
            for e in net.parameters.entries {
                assertGradientsClose(g[e.name]!, numeric.params[e.name]!, "\(out) \(e.name)")
            }
            assertGradientsClose(net.inputGradient.prefix(rows: 4).toArray(), numeric.input, "\(out) dL/dinput")
            // Rows of the input gradient beyond the batch are not written.
            XCTAssertEqual(net.inputGradient.rows(4, count: 2).toArray(), [Float](repeating: -5, count: 6))
        }
    }

    /// A frozen network (D during G's update): weightGradients false leaves the whole grads
    /// block alone and still delivers dL/dInput, into a caller's matrix when `into:` is given.
    func testFrozenBackwardOnlyWritesInputGradientIntoTarget() {
        let net = makeMLP(layers(output: .tanh), maxRows: 4, seed: 300)
        var rng = RandomGenerator(seed: 301)
        let input = randomMatrix(4, 3, &rng)
        let c = randomMatrix(4, 2, &rng)
        let numeric = numericGradients(net, input, c)

        let sentinelGrads = (0 ..< net.parameters.count).map { Float($0) * 0.25 - 3 }
        for i in sentinelGrads.indices { net.parameters.grads[i] = sentinelGrads[i] }
        let valuesBefore = net.parameters.arrays(of: .values).map(\.data)
        net.inputGradient.fill(99)
        let target = matrix(6, 3)          // more rows than the batch: the rest stays untouched
        target.fill(-1)

        analytic(net, input, c, weightGradients: false, inputGradient: true, into: target)

        XCTAssertEqual((0 ..< net.parameters.count).map { net.parameters.grads[$0] }, sentinelGrads,
                       "grads block must be untouched when weightGradients is false")
        XCTAssertEqual(net.parameters.arrays(of: .values).map(\.data), valuesBefore)
        XCTAssertEqual(net.inputGradient.toArray(), [Float](repeating: 99, count: 12),
                       "the built-in inputGradient is not used when `into:` is given")
        assertGradientsClose(target.prefix(rows: 4).toArray(), numeric.input, "dL/dinput into target")
        XCTAssertEqual(target.rows(4, count: 2).toArray(), [Float](repeating: -1, count: 6))
    }

    /// inputGradient false (the default) must not touch the inputGradient buffer.
    func testNoInputGradientUnlessAsked() {
        let net = makeMLP(layers(output: .identity), maxRows: 3, seed: 310)
        var rng = RandomGenerator(seed: 311)
        let input = randomMatrix(3, 3, &rng), c = randomMatrix(3, 2, &rng)
        net.inputGradient.fill(7)
        analytic(net, input, c)
        XCTAssertEqual(net.inputGradient.toArray(), [Float](repeating: 7, count: 9))
    }

    /// accumulate: true adds to what is there. Two batches accumulated (D's real then fake
    /// batch) give the gradient of L_A + L_B; and on top of arbitrary contents, G0 + g.
    func testAccumulateAddsGradients() {
        let net = makeMLP(layers(output: .tanh), maxRows: 5, seed: 400)
        var rng = RandomGenerator(seed: 405)
        let inputA = randomMatrix(5, 3, &rng), cA = randomMatrix(5, 2, &rng)
        let inputB = randomMatrix(3, 3, &rng), cB = randomMatrix(3, 2, &rng)
        let numA = numericGradients(net, inputA, cA).params
        let numB = numericGradients(net, inputB, cB).params

        analytic(net, inputA, cA)
        analytic(net, inputB, cB, accumulate: true)
        let summed = grads(net)
        for e in net.parameters.entries {
            let expected = zip(numA[e.name]!, numB[e.name]!).map { $0 + $1 }
            assertGradientsClose(summed[e.name]!, expected, "accumulated \(e.name)")
        }

        // Exactly G0 + g on top of arbitrary contents.
        analytic(net, inputB, cB)
        let gB = net.parameters.arrays(of: .grads)
        var g0: [[Float]] = []
        for (e, data) in gB {
            let start = data.map { _ in rng.uniform(-2, 2) }
            g0.append(start)
            net.parameters.load(start, into: e, block: .grads)
        }
        analytic(net, inputB, cB, accumulate: true)
        for (k, (e, data)) in net.parameters.arrays(of: .grads).enumerated() {
            for i in data.indices {
                XCTAssertEqual(data[i], g0[k][i] + gB[k].data[i], accuracy: 1e-5, "\(e.name)[\(i)]")
            }
        }
    }

    /// outputStorage: the last layer writes into the caller's buffer (G → D's input batch), the
    /// results equal those of an identical network with internal storage, and backward reads it.
    func testOutputStorageIsWrittenAndUsed() {
        let storage = matrix(8, 2)            // larger than maxRows = 6
        storage.fill(-7)
        let external = makeMLP(layers(output: .tanh), maxRows: 6, seed: 500, outputStorage: storage)
        let internalNet = makeMLP(layers(output: .tanh), maxRows: 6, seed: 500)
        var rng = RandomGenerator(seed: 501)
        let input = randomMatrix(4, 3, &rng), c = randomMatrix(4, 2, &rng)

        let returned = external.forward(input)
        XCTAssertEqual(returned.base, storage.base)
        XCTAssertEqual(external.output(rows: 4).base, storage.base)
        let reference = internalNet.forward(input).toArray()
        XCTAssertEqual(storage.prefix(rows: 4).toArray().map(\.bits), reference.map(\.bits))
        XCTAssertNotEqual(internalNet.output(rows: 4).base, storage.base)
        XCTAssertEqual(storage.rows(4, count: 4).toArray(), [Float](repeating: -7, count: 8),
                       "rows beyond the batch are not written")

        let numeric = numericGradients(external, input, c)
        analytic(external, input, c, inputGradient: true)
        let g = grads(external)
        for e in external.parameters.entries {
            assertGradientsClose(g[e.name]!, numeric.params[e.name]!, "outputStorage \(e.name)")
        }
        assertGradientsClose(external.inputGradient.prefix(rows: 4).toArray(), numeric.input,
                             "outputStorage dL/dinput")
    }
}
