import XCTest
@testable import NeuralNet

/// The kernel paths against each other and against plain Swift. The strict properties stay
/// strict: AVX2 and AVX-512 sum every product in the same order with the same fused
/// multiply-adds, so they must agree bit for bit; the portable Adam must equal the Swift one.
/// Only where the rounding legitimately differs (fused against unfused multiply-adds) is a
/// tolerance used, and its size is said where it is used.
final class KernelPathTests: NeuralNetTestCase {
    private var avxPaths: [KernelPath] { KernelPath.supported.filter { $0 == .avx512 || $0 == .avx2 } }

    func testNamesAndRefusals() throws {
        XCTAssertEqual(try KernelPath.named(nil), KernelPath.best)
        XCTAssertEqual(try KernelPath.named("auto"), KernelPath.best)
        XCTAssertEqual(try KernelPath.named("portable"), .portable, "portable C runs on every CPU")
        XCTAssertEqual(try KernelPath.named("blas"), .blas)
        XCTAssertThrowsError(try KernelPath.named("avx1024")) { error in
            XCTAssertTrue("\(error)".contains("not a kernel path"), "\(error)")
        }
        for path in KernelPath.allCases where !path.isSupportedByCPU {
            XCTAssertThrowsError(try KernelPath.named(path.rawValue)) { error in
                XCTAssertTrue("\(error)".contains("this CPU lacks"), "\(error)")
            }
            XCTAssertThrowsError(try KernelPath.use(path))
        }
        XCTAssertTrue(KernelPath.supported.contains(.portable) && KernelPath.supported.contains(.blas))
        XCTAssertEqual(KernelPath.supported.first, KernelPath.best)
    }

    /// The three products of `PanelProducts` for a layer of each awkward shape, on `path`.
    private func products(on path: KernelPath, seed: UInt64) throws -> [[Float]] {
        try onPath(path) {
            var rng = RandomGenerator(seed: seed)
            var results: [[Float]] = []
            for (rows, inputs, outputs) in [(1, 1, 16), (7, 33, 48), (13, 100, 64), (64, 784, 80), (130, 256, 512), (70, 50, 1024)] {
                let x = randomMatrix(rows, inputs, &rng), w = randomMatrix(outputs, inputs, &rng)
                let d = randomMatrix(rows, outputs, &rng), bias = randomMatrix(1, outputs, &rng)
                let panels = matrix(outputs, inputs)
                PanelProducts.pack(w.base, outputs: outputs, inputs: inputs, into: panels.base)
                let y = matrix(rows, outputs), dx = matrix(rows, inputs), dw = matrix(outputs, inputs)
                PanelProducts.forward(x, panels: panels.base, into: y, epilogue: .biasLeakyReLU(bias.base, slope: 0.2))
                let scratch = matrix(2, PanelProducts.scratchFloats(outputs: outputs))
                PanelProducts.inputGradient(d, panels: panels.base, into: dx, scratch: scratch.base)
                PanelProducts.weightGradient(d, x, into: dw.base, accumulate: false)
                PanelProducts.weightGradient(d, x, into: dw.base, accumulate: true)
                results += [y.toArray(), dx.toArray(), dw.toArray()]
            }
            return results
        }
    }

    func testAVXPathsGiveBitIdenticalProducts() throws {
        try XCTSkipIf(avxPaths.count < 2, "this CPU runs \(avxPaths) only: nothing to compare it with")
        XCTAssertEqual(try products(on: .avx512, seed: 5), try products(on: .avx2, seed: 5))
    }

    /// Portable C multiplies and adds separately on x86-64 (no FMA in its baseline): each product
    /// differs from the fused paths' by at most k rounding errors, ~k·2⁻²⁴·Σ|a·b|; with k ≤ 784
    /// and |a|, |b| ≤ 1 that bound is 5e-5 of max(1, |x|), and random signs stay far inside it.
    func testPortableProductsAgreeWithTheVectorPath() throws {
        let best = KernelPath.best
        try XCTSkipIf(best == .portable, "portable is this CPU's best path")
        for (a, b) in zip(try products(on: .portable, seed: 6), try products(on: best, seed: 6)) {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 5e-5)
        }
    }

    /// Adam over `count` parameters on `path`: p, m and v afterwards.
    private func adam(on path: KernelPath?, count: Int) throws -> [[Float]] {
        var rng = RandomGenerator(seed: 12)
        let p = randomMatrix(1, count, &rng), g = randomMatrix(1, count, &rng)
        let m = randomMatrix(1, count, &rng), v = randomMatrix(1, count, &rng, 0, 1)   // v ≥ 0
        var optimiser = Adam(learningRate: 0.01, beta1: 0.5)
        let step = optimiser.nextStep()
        if let path {
            try onPath(path) { step.apply(values: p.base, grads: g.base, m: m.base, v: v.base, count: count) }
        } else {
            Adam.portableKernel(values: p.base, grads: g.base, m: m.base, v: v.base, count: count,
                                beta1: step.beta1, beta2: step.beta2, stepSize: step.stepSize, epsilon: step.epsilon)
        }
        return [p.toArray(), m.toArray(), v.toArray()]
    }

    /// Tails of every length included (16 lanes, 8 lanes, scalar).
    func testAdamOnEveryPath() throws {
        for count in [1, 7, 8, 15, 16, 17, 1000, 65_551] {
            let swift = try adam(on: nil, count: count)
            XCTAssertEqual(try adam(on: .portable, count: count), swift, "portable C rounds like Swift, \(count)")
            for path in avxPaths {
                // Fused multiply-adds in the moments: one rounding fewer, ≤ 1 ulp of each moment,
                // and through √v and the division a few ulps of the step (lr 0.01) in p.
                let vector = try adam(on: path, count: count)
                for (i, name) in ["p", "m", "v"].enumerated() {
                    let (a, b) = (vector[i], swift[i])
                    let worst = zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-5, "\(name), \(count) elements, \(path)")
                }
            }
            if avxPaths.count == 2 {
                XCTAssertEqual(try adam(on: .avx512, count: count), try adam(on: .avx2, count: count), "\(count)")
            }
        }
    }

    /// Every elementwise pass rounds alike on every path (no fused multiply-adds anywhere).
    func testElementwisePassesAreIdenticalOnEveryPath() throws {
        func run(_ path: KernelPath) throws -> [[Float]] {
            try onPath(path) {
                var rng = RandomGenerator(seed: 3)
                let rows = 5, cols = 37
                let y = randomMatrix(rows, cols, &rng, -9, 9), bias = randomMatrix(1, cols, &rng)
                let t = matrix(rows, cols), l = matrix(rows, cols), g = randomMatrix(rows, cols, &rng)
                t.copy(from: y)
                l.copy(from: y)
                ElementwiseKernels.biasTanh(t.base, bias: bias.base, count: cols, rows: rows)
                ElementwiseKernels.biasLeakyReLU(l.base, bias: bias.base, count: cols, rows: rows, slope: 0.2)
                let g1 = matrix(rows, cols), g2 = matrix(rows, cols), sums = matrix(1, cols)
                g1.copy(from: g)
                g2.copy(from: g)
                ElementwiseKernels.tanhBackward(outputs: t.base, grad: g1.base, count: rows * cols)
                ElementwiseKernels.leakyReLUBackward(outputs: l.base, grad: g2.base, count: rows * cols, slope: 0.2)
                ElementwiseKernels.sumRows(g, into: sums.base, accumulate: false)
                let bytes = (0 ..< 300).map { UInt8($0 % 256) }, pixels = matrix(1, 300)
                bytes.withUnsafeBufferPointer { ElementwiseKernels.unitRange($0.baseAddress!, into: pixels.base, count: 300) }
                // Swift's scalar tanh, the same rational function: equal on every path.
                let swiftTanh = (0 ..< rows * cols).map { fastTanh(y.base[$0] + bias.base[$0 % cols]) }
                XCTAssertEqual(t.toArray(), swiftTanh, "tanh, \(path)")
                return [t.toArray(), l.toArray(), g1.toArray(), g2.toArray(), sums.toArray(), pixels.toArray()]
            }
        }
        let reference = try run(.portable)
        for path in KernelPath.supported where path != .portable {
            XCTAssertEqual(try run(path), reference, "\(path)")
        }
    }
}
