import XCTest
import NeuralNet

final class MLPInitialisationTests: NeuralNetTestCase {
    /// Glorot-uniform: |w| ≤ √(6/(in+out)) per layer, biases zero, sample std ≈ limit/√3.
    func testGlorotUniform() {
        let layers = [MLP.Layer(100, 64, .leakyReLU(slope: 0.2)), MLP.Layer(64, 30, .tanh), MLP.Layer(30, 1, .identity)]
        let net = keep(MLP(layers: layers, maxRows: 2))
        // Biases start non-zero so "zero" is something the initialiser does.
        net.parameters.values.update(repeating: 0.5, count: net.parameters.count)
        var rng = RandomGenerator(seed: 123)
        net.initialiseGlorotUniform(rng: &rng)

        var stds: [Double] = []
        for (i, layer) in layers.enumerated() {
            let limit = (6 / Double(layer.inputs + layer.outputs)).squareRoot()
            let w = net.weight(i)
            XCTAssertEqual(w.rows, layer.outputs, "weights are [out, in]")
            XCTAssertEqual(w.cols, layer.inputs)
            let values = w.toArray().map(Double.init)
            XCTAssertTrue(values.allSatisfy { abs($0) <= limit * (1 + 1e-6) }, "layer \(i) beyond ±\(limit)")
            XCTAssertEqual(net.bias(i).toArray(), [Float](repeating: 0, count: layer.outputs), "layer \(i) bias")
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            // Relative sd of a sample std of a uniform: ≈ 0.45/√n (≤ 0.6% at n = 6400, 8% at n = 30).
            let relTol = max(0.03, 3 * 0.45 / n.squareRoot())
            XCTAssertEqual(std, limit / 3.0.squareRoot(), accuracy: relTol * limit / 3.0.squareRoot(), "layer \(i) std")
            XCTAssertEqual(mean, 0, accuracy: 4 * limit / (3 * n).squareRoot(), "layer \(i) mean")
            if values.count >= 1000 {
                XCTAssertGreaterThan(values.map(abs).max()!, 0.99 * limit, "layer \(i) spans its range")
            }
            stds.append(std)
        }
        XCTAssertGreaterThan(stds[2], stds[0], "the narrower layer gets the wider limit")
        XCTAssertNotEqual(rng, RandomGenerator(seed: 123), "initialisation consumes the generator")
    }

    /// Same seed → same parameters; same inputs → bit-identical outputs, twice on one network
    /// and across two networks. Big enough that OpenBLAS's real kernels run.
    func testForwardIsBitIdenticalForSameSeedAndInput() {
        let layers = [MLP.Layer(64, 96, .leakyReLU(slope: 0.2)), MLP.Layer(96, 48, .relu), MLP.Layer(48, 10, .tanh)]
        let a = makeMLP(layers, maxRows: 40, seed: 9)
        let b = makeMLP(layers, maxRows: 40, seed: 9)
        let c = makeMLP(layers, maxRows: 40, seed: 10)
        XCTAssertEqual(a.parameters.arrays(of: .values).map(\.data), b.parameters.arrays(of: .values).map(\.data))
        XCTAssertNotEqual(a.parameters.arrays(of: .values).map(\.data), c.parameters.arrays(of: .values).map(\.data))

        var rng = RandomGenerator(seed: 77)
        let input = randomMatrix(40, 64, &rng)
        let first = a.forward(input).toArray().map(\.bits)
        // Something else in between, with another batch size, must not leave state behind.
        a.forward(randomMatrix(13, 64, &rng))
        let second = a.forward(input).toArray().map(\.bits)
        let other = b.forward(input).toArray().map(\.bits)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first, other)
        XCTAssertNotEqual(first, c.forward(input).toArray().map(\.bits))
        XCTAssertEqual(first.count, 400)
        XCTAssertTrue(a.output(rows: 40).toArray().allSatisfy { $0.isFinite && abs($0) < 1 })
    }

    func testParameterNamesAndShapes() {
        let net = keep(MLP(layers: [MLP.Layer(3, 5, .relu), MLP.Layer(5, 2, .identity)], maxRows: 1, namePrefix: "D."))
        XCTAssertEqual(net.parameters.entries.map(\.name), ["D.fc1.weight", "D.fc1.bias", "D.fc2.weight", "D.fc2.bias"])
        XCTAssertEqual(net.parameters.entries.map(\.shape), [[5, 3], [5], [2, 5], [2]])
        XCTAssertEqual(net.inputGradient.cols, 3)
        XCTAssertEqual(net.outputGradient(rows: 1).cols, 2)
    }
}
