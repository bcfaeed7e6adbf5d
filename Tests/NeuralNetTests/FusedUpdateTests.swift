import XCTest
import NeuralNet

/// `backward(input:update:)` — Adam applied layer by layer, the weight gradient made a tile at a
/// time — must train exactly like the plain sequence `backward` then `Adam.update`: bit for bit
/// with weights in panels (every kernel path), within OpenBLAS's rounding with row-major ones.
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
            let fusedInput = fused.inputGradient.prefix(rows: rows).toArray(), plainInput = plain.inputGradient.prefix(rows: rows).toArray()
            let blocks = [ParameterSet.Block.values, .firstMoment, .secondMoment].map { block in
                (block, zip(fused.parameters.arrays(of: block), plain.parameters.arrays(of: block)))
            }
            if fused.isPanelled.allSatisfy({ $0 }) {
                // Panels: a tile's product runs the same micro-kernels, each output summed in the
                // same order, as the whole one: the same bits.
                XCTAssertEqual(fusedInput, plainInput, "input gradient, step \(step)", file: file, line: line)
                for (block, pairs) in blocks {
                    for (a, b) in pairs { XCTAssertEqual(a.data, b.data, "\(block) of \(a.entry.name), step \(step)", file: file, line: line) }
                }
                continue
            }
            // OpenBLAS may sum a tile's product in another order than the whole one's (it does on
            // its Haswell kernels), so each gradient differs by up to ~k·2⁻²⁴·Σ|δ·x| (k ≤ 100 rows
            // here): ≤ 1e-4 of the array's largest value, normwise. The moments are linear in the
            // gradients, and so is the input gradient (through weights that agree just as well), so
            // they are held to that. A weight whose gradient is rounding noise can move by ±lr
            // either way (Adam's step is ~lr·sign(g)), so the values are held to it everywhere but
            // in at most 0.2 % of the weights — a tiling error (a tile missed or updated twice)
            // moves whole rows of them.
            func normwise(_ a: [Float], _ b: [Float]) -> Float {
                zip(a, b).map { abs($0 - $1) }.max()! / max(b.map(abs).max()!, 1e-30)
            }
            XCTAssertLessThanOrEqual(normwise(fusedInput, plainInput), 1e-4, "input gradient, step \(step)", file: file, line: line)
            for (block, pairs) in blocks {
                for (a, b) in pairs {
                    if block == .values {
                        let scale = b.data.map(abs).max()!
                        let off = zip(a.data, b.data).filter { abs($0 - $1) > 1e-4 * scale }.count
                        XCTAssertLessThanOrEqual(off, 2 + b.data.count / 500, "values of \(a.entry.name), step \(step)", file: file, line: line)
                    } else {
                        XCTAssertLessThanOrEqual(normwise(a.data, b.data), 1e-4, "\(block) of \(a.entry.name), step \(step)",
                                                 file: file, line: line)
                    }
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

    /// The same in panels, on every panel path this CPU runs: bit for bit.
    func testGeneratorSizedPanelledLayersOnEveryPath() throws {
        let layers = [MLP.Layer(100, 256, .leakyReLU(slope: 0.2)), MLP.Layer(256, 512, .leakyReLU(slope: 0.2)),
                      MLP.Layer(512, 784, .tanh)]
        try onEveryKernelPath(panelsOnly: true) { _ in
            compare(layers: layers, rows: 64, tileCapacity: 16_384, steps: 2, panelled: true)
        }
    }

    /// Weights in panels, tiles of 64 units whose last two are cut in halves (32 units, a pair
    /// of panels): every unit still updated exactly once.
    func testPanelledTilesWithHalvedTail() throws {
        let layers = [MLP.Layer(48, 256, .leakyReLU(slope: 0.2)), MLP.Layer(256, 80, .tanh)]
        try onEveryKernelPath(panelsOnly: true) { _ in
            compare(layers: layers, rows: 32, tileCapacity: 4_096, panelled: true)
        }
    }
}
