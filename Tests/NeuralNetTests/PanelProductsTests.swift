import XCTest
@testable import NeuralNet

/// The panel kernels (weights stored 16 units per panel) against OpenBLAS on the same row-major
/// data, on every path this CPU runs (AVX-512, AVX2, portable), at every edge of their tiling:
/// rows 1–13 (micro-tiles of ≤ 12, ≤ 6 and ≤ 3 rows), odd panel counts (a lone last panel), inputs
/// that are no multiple of 16 (the ragged strip), and ranges of panels or columns as the core team
/// hands them out. OpenBLAS sums in another order, so products are compared within 2e-5 of
/// max(1, |x|): k ≤ 1024 terms of |a|, |b| ≤ 1 in float (the worst case k·2⁻²⁴ ≈ 6e-5 is
/// never approached by random signs, whose error grows like √k).
final class PanelProductsTests: NeuralNetTestCase {
    private var currentPath = KernelPath.current

    /// `body` on each panel path (panels on even under GANTOP_KERNELS=blas).
    private func onEveryPanelPath(_ body: () -> Void) throws {
        try onEveryKernelPath(panelsOnly: true) { path in
            currentPath = path
            body()
        }
    }

    private func panels(of w: Matrix) -> Matrix {
        let p = matrix(w.rows, w.cols)
        PanelProducts.pack(w.base, outputs: w.rows, inputs: w.cols, into: p.base)
        return p
    }

    private func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 2e-5, "\(what), \(currentPath) path", file: file, line: line)
    }

    func testPackAndUnpackAreInverse() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 1)
            let w = randomMatrix(48, 7, &rng), back = matrix(48, 7)
            let p = panels(of: w)
            XCTAssertEqual(p.base[0 * 16 + 1], w[1, 0], "panel 0 holds unit j of input i at i·16 + j")
            XCTAssertEqual(p.base[(1 * 7 + 3) * 16 + 5], w[21, 3])
            PanelProducts.unpack(p.base, outputs: 48, inputs: 7, into: back.base)
            XCTAssertEqual(back.toArray(), w.toArray())
        }
    }

    func testForwardMatchesBLAS() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 2)
            for (rows, inputs, outputs) in [(1, 1, 16), (5, 7, 48), (12, 33, 32), (13, 100, 64), (64, 784, 80), (130, 256, 512)] {
                let x = randomMatrix(rows, inputs, &rng), w = randomMatrix(outputs, inputs, &rng)
                let expected = matrix(rows, outputs), got = matrix(rows, outputs)
                BLAS.gemm(x, w, transposeB: true, into: expected)
                PanelProducts.forward(x, panels: panels(of: w).base, into: got)
                assertClose(got.toArray(), expected.toArray(), "forward \(rows)×\(inputs)→\(outputs)")
            }
        }
    }

    func testInputGradientMatchesBLAS() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 3)
            for (rows, inputs, outputs) in [(1, 16, 16), (5, 20, 48), (13, 48, 32), (64, 784, 512), (128, 100, 64), (7, 3, 16)] {
                let d = randomMatrix(rows, outputs, &rng), w = randomMatrix(outputs, inputs, &rng)
                let expected = matrix(rows, inputs), got = matrix(rows, inputs)
                BLAS.gemm(d, w, into: expected)
                let scratch = matrix(2, PanelProducts.scratchFloats(outputs: outputs))
                PanelProducts.inputGradient(d, panels: panels(of: w).base, into: got, scratch: scratch.base)
                assertClose(got.toArray(), expected.toArray(), "input gradient \(rows)×\(outputs)→\(inputs)")
            }
        }
    }

    func testWeightGradientMatchesBLASAndAccumulates() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 4)
            // 1024 outputs: D's panels copied first (at 130 rows 6 panels a pass, at 512 two); > 512 rows: unpacked.
            for (rows, inputs, outputs) in [(1, 1, 16), (3, 13, 48), (64, 100, 256), (128, 784, 80), (130, 30, 1024),
                                            (512, 7, 1024), (600, 30, 32)] {
                let d = randomMatrix(rows, outputs, &rng), x = randomMatrix(rows, inputs, &rng)
                let expected = matrix(outputs, inputs), got = matrix(outputs, inputs), unpacked = matrix(outputs, inputs)
                BLAS.gemm(d, transposeA: true, x, into: expected)
                PanelProducts.weightGradient(d, x, into: got.base, accumulate: false)
                PanelProducts.unpack(got.base, outputs: outputs, inputs: inputs, into: unpacked.base)
                assertClose(unpacked.toArray(), expected.toArray(), "weight gradient \(outputs)×\(inputs), \(rows) rows")
                PanelProducts.weightGradient(d, x, into: got.base, accumulate: true)
                PanelProducts.unpack(got.base, outputs: outputs, inputs: inputs, into: unpacked.base)
                assertClose(unpacked.toArray(), expected.toArray().map { 2 * $0 }, "accumulated weight gradient")
            }
        }
    }

    /// A range of panels (what one thread of the team computes) lands at the start of its tile.
    func testWeightGradientOfAPanelRange() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 5)
            let d = randomMatrix(9, 80, &rng), x = randomMatrix(9, 30, &rng)
            let whole = matrix(80, 30), tile = matrix(3 * 16, 30)
            PanelProducts.weightGradient(d, x, into: whole.base, accumulate: false)
            PanelProducts.weightGradient(d.base, 80, x.base, rows: 9, inputs: 30, panels: 2 ..< 5, into: tile.base, accumulate: false)
            XCTAssertEqual(tile.toArray(), Array(whole.toArray()[(2 * 16 * 30) ..< (5 * 16 * 30)]))
            // D 1024 wide (its panels copied first): 200 rows make passes of 4 panels, so 9 panels
            // from the fourth on are passes of 4, 4 and 1.
            let wide = randomMatrix(200, 1024, &rng), x2 = randomMatrix(200, 30, &rng)
            let wholeWide = matrix(1024, 30), tileWide = matrix(9 * 16, 30)
            PanelProducts.weightGradient(wide, x2, into: wholeWide.base, accumulate: false)
            PanelProducts.weightGradient(wide.base, 1024, x2.base, rows: 200, inputs: 30, panels: 3 ..< 12,
                                         into: tileWide.base, accumulate: false)
            XCTAssertEqual(tileWide.toArray(), Array(wholeWide.toArray()[(3 * 16 * 30) ..< (12 * 16 * 30)]))
        }
    }

    /// D's panels copied first (rows a multiple of 1024 floats, on the paths whose tiles read D
    /// more than twice a block: AVX2, portable) or read in place (any other stride, or AVX-512):
    /// only where the operands come from differs, so the gradients are the same bits.
    func testCopiedDeltaPanelsGiveTheSameBits() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 6)
            for rows in [1, 64, 200] {
                let d = randomMatrix(rows, 1024, &rng), x = randomMatrix(rows, 40, &rng)
                let strided = matrix(rows, 1040)   // the same D, rows 1040 floats apart: not copied
                for r in 0 ..< rows { for c in 0 ..< 1024 { strided.base[r * 1040 + c] = d.base[r * 1024 + c] } }
                let copied = matrix(1024, 40), inPlace = matrix(1024, 40)
                PanelProducts.weightGradient(d.base, 1024, x.base, rows: rows, inputs: 40, panels: 0 ..< 64,
                                             into: copied.base, accumulate: false)
                PanelProducts.weightGradient(strided.base, 1040, x.base, rows: rows, inputs: 40, panels: 0 ..< 64,
                                             into: inPlace.base, accumulate: false)
                XCTAssertEqual(copied.toArray(), inPlace.toArray(), "\(rows) rows")
            }
        }
    }

    /// A panelled network trains like a row-major one with the same seed: forward, input
    /// gradient, and three fused Adam steps (tiles of whole panels, shared by the cores), and its
    /// parameters cross the set's boundary row-major.
    func testPanelledNetworkTrainsLikeRowMajor() throws {
        try onEveryPanelPath {
            let layers = [MLP.Layer(100, 256, .leakyReLU(slope: 0.2)), MLP.Layer(256, 48, .leakyReLU(slope: 0.2)),
                          MLP.Layer(48, 1, .identity)]
            let plain = makeMLP(layers, maxRows: 64, seed: 70), panelled = makeMLP(layers, maxRows: 64, seed: 70, panelled: true)
            XCTAssertEqual(panelled.isPanelled, [true, true, false], "the 1-unit layer cannot be panelled")
            XCTAssertEqual(plain.isPanelled, [false, false, false])
            for (a, b) in zip(panelled.parameters.arrays(of: .values), plain.parameters.arrays(of: .values)) {
                XCTAssertEqual(a.data, b.data, "a seed gives the same network in either layout: \(a.entry.name)")
            }
            let saved = MLP.tileCapacity
            MLP.tileCapacity = 4_096   // several tiles per layer
            defer { MLP.tileCapacity = saved }
            var adamPlain = Adam(learningRate: 2e-3, beta1: 0.5), adamPanelled = adamPlain
            var rng = RandomGenerator(seed: 71)
            for step in 1 ... 3 {
                let input = randomMatrix(64, 100, &rng), c = randomMatrix(64, 1, &rng)
                assertClose(panelled.forward(input).toArray(), plain.forward(input).toArray(), "output, step \(step)")
                plain.outputGradient(rows: 64).copy(from: c)
                panelled.outputGradient(rows: 64).copy(from: c)
                plain.backward(input: input, inputGradient: true, update: adamPlain.nextStep())
                panelled.backward(input: input, inputGradient: true, update: adamPanelled.nextStep())
                assertClose(panelled.inputGradient.prefix(rows: 64).toArray(), plain.inputGradient.prefix(rows: 64).toArray(),
                            "input gradient, step \(step)")
                for block in [ParameterSet.Block.values, .firstMoment, .secondMoment] {
                    for (a, b) in zip(panelled.parameters.arrays(of: block), plain.parameters.arrays(of: block)) {
                        assertClose(a.data, b.data, "\(block) of \(a.entry.name), step \(step)")
                    }
                }
            }
            // Unfused: weight gradients written whole, read back row-major.
            let input = randomMatrix(64, 100, &rng)
            for net in [plain, panelled] {
                net.forward(input)
                net.outputGradient(rows: 64).fill(0.5)
                net.backward(input: input)
            }
            for (a, b) in zip(panelled.parameters.arrays(of: .grads), plain.parameters.arrays(of: .grads)) {
                assertClose(a.data, b.data, "gradient of \(a.entry.name)")
            }
        }
    }

    /// Bias and activation applied in the kernel's epilogue (identity, LeakyReLU, ReLU) or after
    /// it (tanh) give the row-major network's outputs.
    func testForwardWithEveryActivation() throws {
        try onEveryPanelPath {
            var rng = RandomGenerator(seed: 72)
            for activation in [Activation.identity, .leakyReLU(slope: 0.2), .relu, .tanh] {
                let layers = [MLP.Layer(37, 48, activation), MLP.Layer(48, 32, activation)]
                let plain = makeMLP(layers, maxRows: 13, seed: 73), panelled = makeMLP(layers, maxRows: 13, seed: 73, panelled: true)
                XCTAssertEqual(panelled.isPanelled, [true, true])
                let input = randomMatrix(13, 37, &rng)
                assertClose(panelled.forward(input).toArray(), plain.forward(input).toArray(), "\(activation)")
                assertClose(panelled.layerOutput(0, rows: 13).toArray(), plain.layerOutput(0, rows: 13).toArray(), "\(activation), hidden")
            }
        }
    }

    func testLoadWritesRowMajorDataIntoPanels() throws {
        try onEveryPanelPath {
            let net = makeMLP([MLP.Layer(3, 16, .identity)], maxRows: 1, seed: 1, panelled: true)
            let e = net.weightEntry(0), data = (0 ..< 48).map(Float.init)
            net.parameters.load(data, into: e, block: .values)
            XCTAssertEqual(net.parameters.array(e, of: .values), data)
            XCTAssertEqual(net.parameters.values[e.offset + 1], 3, "stored as panels: unit 1 of input 0 second")
        }
    }
}
