import XCTest
import NeuralNet

/// `backward(input:update:)` — Adam applied layer by layer, the weight gradient made a tile at a
/// time — must train exactly like the plain sequence `backward` then `Adam.update`.
final class FusedUpdateTests: NeuralNetTestCase {
    private func compare(layers: [MLP.Layer], rows: Int, tileCapacity: Int, steps: Int = 3, panelled: Bool = false,
                         file: StaticString = #filePath, line: UInt = #line) {
        let saved = MLP.tileCapacity
        MLP.tileCapacity = tileCapacity
        defer { MLP.tileCapacity = saved }
        let plain = makeMLP(layers, maxRows: rows, seed: 900, panelled: panelled)
        let fused = makeMLP(layers, maxRows: rows, seed: 900, panelled: panelled)
        var adamPlain = Adam(learningRate: 2e-3, beta1: 0.5), adamFused = adamPlain
        var rng = RandomGenerator(seed: 901)
        for step in 1 ... steps {
            let input = randomMatrix(rows, layers[0].inputs, &rng)
            let c = randomMatrix(rows, layers.last!.outputs, &rng)
            plain.forward(input)
            plain.outputGradient(rows: rows).copy(from: c)
            plain.backward(input: input, inputGradient: true)
            adamPlain.update(plain.parameters)

            fused.forward(input)
            fused.outputGradient(rows: rows).copy(from: c)
            fused.backward(input: input, inputGradient: true, update: adamFused.nextStep())

            XCTAssertEqual(adamFused.step, adamPlain.step, file: file, line: line)
            // The input gradient needs the weights from before the update: the same in both.
            XCTAssertEqual(fused.inputGradient.prefix(rows: rows).toArray(), plain.inputGradient.prefix(rows: rows).toArray(),
                           "input gradient, step \(step)", file: file, line: line)
            for block in [ParameterSet.Block.values, .firstMoment, .secondMoment] {
                for (a, b) in zip(fused.parameters.arrays(of: block), plain.parameters.arrays(of: block)) {
                    let worst = zip(a.data, b.data).map { abs($0 - $1) / max(abs($1), 1e-6) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-5, "\(block) of \(a.entry.name), step \(step)", file: file, line: line)
                }
            }
        }
    }

    func testSmallNetworkOneTilePerLayer() {
        compare(layers: [MLP.Layer(3, 5, .leakyReLU(slope: 0.2)), MLP.Layer(5, 2, .tanh)], rows: 4, tileCapacity: 65_536)
    }

    /// Many tiles per layer, a short last tile, and layers wider than a tile (one row per tile):
    /// the tiling's edges.
    func testTilesOfEveryShape() {
        let layers = [MLP.Layer(100, 70, .leakyReLU(slope: 0.2)), MLP.Layer(70, 33, .leakyReLU(slope: 0.2)),
                      MLP.Layer(33, 1, .identity)]
        for capacity in [1, 64, 700, 1_000_000] {
            compare(layers: layers, rows: 16, tileCapacity: capacity)
        }
    }

    /// MNIST-sized layers at B = 64, where the tiles are shared out between the two cores.
    func testGeneratorSizedLayersOnTheCoreTeam() {
        let layers = [MLP.Layer(100, 256, .leakyReLU(slope: 0.2)), MLP.Layer(256, 512, .leakyReLU(slope: 0.2)),
                      MLP.Layer(512, 784, .tanh)]
        compare(layers: layers, rows: 64, tileCapacity: 16_384, steps: 2)
    }

    /// Weights in panels, tiles of 64 units whose last two are cut in halves (32 units, a pair
    /// of panels): every unit still updated exactly once.
    func testPanelledTilesWithHalvedTail() {
        let layers = [MLP.Layer(48, 256, .leakyReLU(slope: 0.2)), MLP.Layer(256, 80, .tanh)]
        compare(layers: layers, rows: 32, tileCapacity: 4_096, panelled: true)
    }
}
